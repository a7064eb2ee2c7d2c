// The part of a block after attention, shared by the decoder and the encoder: LN1 (post), LN2
// (pre), the FFN with its residual, and LN2 (post) or, after the last block, LNF (pre). It runs on
// the `rows` query rows (the decoder's last position, or every position below the last block; the
// encoder's kept positions), on the block's tensors under their names within the block ('mlp.w1').
// Tensors and buffers are read by name with `!`: createNetwork (network.ts) checked every name present.
import { ACT, type ActCode, type Ptr } from '../engine/backend';
import type { NetworkParts, Tensors } from './network';

export interface FfnStreams {
  /** The residual stream after attention (H0, or Hn after LN1 post). */
  h: Ptr;
  /** The FFN input (h, or U after LN2 pre). */
  u: Ptr;
}

/** `final`: the model's last block, where pre-LN models apply LNF. */
export function ffnForward(p: NetworkParts, act: ActCode, rows: number, { h, u }: FfnStreams, final = true): void {
  const { kernels: k, dims: { d, F, layerNorm }, params: w, buffers: b } = p;
  const pre = layerNorm === 'pre', post = layerNorm === 'post';
  if (post) k.layerNorm(b.H0!, w['ln1.g']!, w['ln1.b']!, b.Hn!, b.xhat1!, b.rstd1!, rows, d);
  if (pre) k.layerNorm(h, w['ln2.g']!, w['ln2.b']!, b.U!, b.xhat2!, b.rstd2!, rows, d);
  k.matmul(u, w['mlp.w1']!, b.Z1!, rows, d, F, false);
  k.biasAct(b.Z1!, w['mlp.b1']!, b.Y1!, rows, F, act);
  k.matmul(b.Y1!, w['mlp.w2']!, b.M!, rows, F, d, false);
  k.biasAct(b.M!, w['mlp.b2']!, b.M!, rows, d, ACT.identity);
  k.add(b.R0!, h, b.M!, rows * d);
  if (post) k.layerNorm(b.R0!, w['ln2.g']!, w['ln2.b']!, b.R!, b.xhat2!, b.rstd2!, rows, d);
  if (pre && final) k.layerNorm(b.R0!, w['lnf.g']!, w['lnf.b']!, b.R!, b.xhatF!, b.rstdF!, rows, d);
}

/** From dR (the gradient at the block's output, overwritten) to the gradient of the attention residual H0; returns its buffer. */
export function ffnBackward(p: NetworkParts, act: ActCode, rows: number, u: Ptr, g: Tensors, final = true): Ptr {
  const { kernels: k, dims: { d, F, layerNorm }, params: w, buffers: b, scratch } = p;
  const pre = layerNorm === 'pre', post = layerNorm === 'post';
  let dR0 = b.dR!;
  if (post) { k.layerNormBackward(b.dR!, b.xhat2!, b.rstd2!, w['ln2.g']!, b.dR0!, g['ln2.g']!, g['ln2.b']!, rows, d, false); dR0 = b.dR0!; }
  if (pre && final) { k.layerNormBackward(b.dR!, b.xhatF!, b.rstdF!, w['lnf.g']!, b.dR0!, g['lnf.g']!, g['lnf.b']!, rows, d, false); dR0 = b.dR0!; }
  // FFN branch (dM = dR0); then dR0 becomes dh, the gradient of the residual stream.
  k.biasActBackward(dR0, dR0, dR0, g['mlp.b2']!, rows, d, ACT.identity);
  k.matmulTN(b.Y1!, dR0, g['mlp.w2']!, rows, F, d, true);
  k.matmulNT(dR0, w['mlp.w2']!, b.dY1!, rows, d, F, false, scratch);
  k.biasActBackward(b.Z1!, b.dY1!, b.dY1!, g['mlp.b1']!, rows, F, act);
  k.matmulTN(u, b.dY1!, g['mlp.w1']!, rows, d, F, true);
  if (pre) {
    k.matmulNT(b.dY1!, w['mlp.w1']!, b.dU!, rows, F, d, false, scratch);
    k.layerNormBackward(b.dU!, b.xhat2!, b.rstd2!, w['ln2.g']!, dR0, g['ln2.g']!, g['ln2.b']!, rows, d, true);
  } else {
    k.matmulNT(b.dY1!, w['mlp.w1']!, dR0, rows, F, d, true, scratch);
  }
  if (!post) return dR0;
  k.layerNormBackward(dR0, b.xhat1!, b.rstd1!, w['ln1.g']!, b.dH0!, g['ln1.g']!, g['ln1.b']!, rows, d, false);
  return b.dH0!;
}
