// The 1-layer decoder of docs/models.md on the kernels. Positions are laid out [S, n, d] (one
// contiguous block per position) so K and V come from one product over S·n rows; queries, the MLP
// and the loss run on the last position only (same loss and gradients for one layer).
import { ACT, type Ptr } from '../engine/backend';
import type { ModelDims } from './dims';
import { ffnBackward, ffnForward } from './ffnSublayer';
import type { Network, NetworkKind, NetworkParts, Tensors } from './network';

export const transformer: NetworkKind = {
  bufferSizes({ S, d, H, F, C, layerNorm }: ModelDims, cap: number) {
    const seq = S * cap * d, row = cap * d;
    const pre = layerNorm === 'pre', post = layerNorm === 'post';
    // Buffers a LayerNorm mode does not use get no room (the arena still hands out 16 bytes).
    return {
      X: seq, A: pre ? seq : 0, xhat1: pre ? seq : post ? row : 0, rstd1: pre ? S * cap : post ? cap : 0,
      K: seq, V: seq, Q: row, P: cap * H * S, O: row, H0: row, Hn: post ? row : 0,
      U: pre ? row : 0, xhat2: pre || post ? row : 0, rstd2: pre || post ? cap : 0,
      Z1: cap * F, Y1: cap * F, M: row, R0: row, R: pre || post ? row : 0, xhatF: pre ? row : 0, rstdF: pre ? cap : 0,
      logits: cap * C, dR: row, dR0: pre || post ? row : 0, dY1: cap * F, dU: pre ? row : 0, dH0: post ? row : 0,
      dO: row, dQ: row, dK: seq, dV: seq, dA: seq, dX: pre ? seq : 0,
    };
  },
  scratchSize: ({ d, F, C }: ModelDims) => Math.max(d * d, d * F, d * C),
  create: (parts) => new Transformer(parts),
};

class Transformer implements Network {
  readonly logits: Ptr;
  private readonly act;
  private readonly pre: boolean;
  private readonly post: boolean;

  constructor(private readonly p: NetworkParts) {
    this.logits = p.buffers.logits;
    this.act = p.dims.activation === 'gelu' ? ACT.gelu : ACT.relu;
    this.pre = p.dims.layerNorm === 'pre';
    this.post = p.dims.layerNorm === 'post';
  }

  /** Where the activations of the last position start, for a [S, n, d] buffer. */
  private last(buf: Ptr, n: number): Ptr {
    return buf + (this.p.dims.S - 1) * n * this.p.dims.d * 4;
  }

  /** The tensors this pass reads: the attention input, the residual stream and the unembedding input. */
  private streams() {
    const b = this.p.buffers;
    return {
      A: this.pre ? b.A : b.X,
      h: this.post ? b.Hn : b.H0,
      u: this.pre ? b.U : (this.post ? b.Hn : b.H0),
      r: this.p.dims.layerNorm === 'none' ? b.R0 : b.R,
    };
  }

  forward(inputs: Ptr, idx: Ptr, n: number): void {
    const { kernels: k, dims: { S, d, H, C }, params: w, buffers: b } = this.p;
    const { A, h, u, r } = this.streams();
    const dh = d / H;
    k.embedGather(inputs, idx, n, S, w['embed.tok'], w['embed.pos'], b.X, d, n * d * 4, d * 4);
    if (this.pre) k.layerNorm(b.X, w['ln1.g'], w['ln1.b'], b.A, b.xhat1, b.rstd1, S * n, d);
    k.matmul(A, w['attn.wk'], b.K, S * n, d, d, false);
    k.matmul(A, w['attn.wv'], b.V, S * n, d, d, false);
    k.matmul(this.last(A, n), w['attn.wq'], b.Q, n, d, d, false);
    k.attentionForward(b.Q, b.K, b.V, b.P, b.O, n, S, H, dh, 1 / Math.sqrt(dh));
    k.matmul(b.O, w['attn.wo'], b.H0, n, d, d, false);
    k.add(b.H0, b.H0, this.last(b.X, n), n * d);
    ffnForward(this.p, this.act, n, { h, u });
    k.matmul(r, w['unembed.w'], b.logits, n, d, C, false);
  }

  backward(inputs: Ptr, idx: Ptr, n: number, g: Tensors): void {
    const { kernels: k, dims: { S, d, H, C }, params: w, buffers: b, scratch } = this.p;
    const { A, u, r } = this.streams();
    const dh = d / H;
    // Unembedding and the final LayerNorm.
    k.matmulTN(r, b.logits, g['unembed.w'], n, d, C, true);
    k.matmulNT(b.logits, w['unembed.w'], b.dR, n, C, d, false, scratch);
    const dH0 = ffnBackward(this.p, this.act, n, u, g);
    // Attention.
    k.matmulTN(b.O, dH0, g['attn.wo'], n, d, d, true);
    k.matmulNT(dH0, w['attn.wo'], b.dO, n, d, d, false, scratch);
    k.attentionBackward(b.Q, b.K, b.V, b.P, b.dO, b.dQ, b.dK, b.dV, n, S, H, dh, 1 / Math.sqrt(dh));
    k.matmulTN(this.last(A, n), b.dQ, g['attn.wq'], n, d, d, true);
    k.matmulTN(A, b.dK, g['attn.wk'], S * n, d, d, true);
    k.matmulTN(A, b.dV, g['attn.wv'], S * n, d, d, true);
    k.matmulNT(b.dK, w['attn.wk'], b.dA, S * n, d, d, false, scratch);
    k.matmulNT(b.dV, w['attn.wv'], b.dA, S * n, d, d, true, scratch);
    k.matmulNT(b.dQ, w['attn.wq'], this.last(b.dA, n), n, d, d, true, scratch);
    // Embeddings: dX = LN1'(dA) (pre) or dA, plus the residual path at the last position.
    let dX = b.dA;
    if (this.pre) { k.layerNormBackward(b.dA, b.xhat1, b.rstd1, w['ln1.g'], b.dX, g['ln1.g'], g['ln1.b'], S * n, d, false); dX = b.dX; }
    k.add(this.last(dX, n), this.last(dX, n), dH0, n * d);
    k.embedScatter(inputs, idx, n, S, dX, g['embed.tok'], g['embed.pos'], d, n * d * 4, d * 4);
  }
}
