// The 1-layer BERT-style encoder of docs/models.md on the kernels (the text model of Zhu et al.
// 2024). Positions are laid out [S, n, d] like the decoder's, so positions 0..Sq-1 are the first
// Sq·n rows: with CLS pooling only position 0 is read after attention (Sq = 1: its query, its FFN,
// its LayerNorms), which gives the same loss and gradients as computing every position for one
// layer; with mean pooling every position is computed (Sq = S) and padded ones are masked out.
// Tensors and buffers are read by name with `!`: createNetwork (network.ts) checked every name present.
import { ACT, hasEncoderKernels, type EncoderKernels, type Kernels, type Ptr } from '../engine/backend';
import type { ModelDims } from './dims';
import { ffnBackward, ffnForward } from './ffnSublayer';
import type { Network, NetworkKind, NetworkParts, Tensors } from './network';

/** Query positions that are computed past attention. */
function queryPositions({ pooling, S }: ModelDims): number {
  return pooling === 'cls' ? 1 : S;
}

export const encoder: NetworkKind = {
  bufferSizes(dims: ModelDims, cap: number) {
    const { S, d, H, F, C, layerNorm } = dims;
    const Sq = queryPositions(dims), mean = dims.pooling === 'mean';
    const seq = S * cap * d, q = Sq * cap * d, qrows = Sq * cap;
    const pre = layerNorm === 'pre', post = layerNorm === 'post';
    return {
      X: seq, E: post ? seq : 0, xhat0: post ? seq : 0, rstd0: post ? S * cap : 0,
      A: pre ? seq : 0, xhat1: pre ? seq : post ? q : 0, rstd1: pre ? S * cap : post ? qrows : 0,
      K: seq, V: seq, Q: q, P: cap * H * Sq * S, O: q, H0: q, Hn: post ? q : 0,
      U: pre ? q : 0, xhat2: pre || post ? q : 0, rstd2: pre || post ? qrows : 0,
      Z1: qrows * F, Y1: qrows * F, M: q, R0: q, R: pre || post ? q : 0, xhatF: pre ? q : 0, rstdF: pre ? qrows : 0,
      pooled: mean ? cap * d : 0, Pz: cap * d, Pt: cap * d, logits: cap * C,
      dPt: cap * d, dPooled: mean ? cap * d : 0, dR: q, dR0: pre || post ? q : 0, dY1: qrows * F, dU: pre ? q : 0,
      dH0: post ? q : 0, dO: q, dQ: q, dK: seq, dV: seq, dA: seq, dE: pre ? seq : 0, dX: post ? seq : 0,
    };
  },
  scratchSize: ({ d, F, C }: ModelDims) => Math.max(d * d, d * F, d * C),
  create: (parts) => new Encoder(parts),
};

class Encoder implements Network {
  readonly logits: Ptr;
  private readonly k: Kernels & EncoderKernels;
  private readonly act;
  private readonly pre: boolean;
  private readonly post: boolean;
  private readonly Sq: number;

  constructor(private readonly p: NetworkParts) {
    if (!hasEncoderKernels(p.kernels)) throw new Error("this backend has no kernels for the 'encoder' model (use the CPU engine)");
    this.k = p.kernels;
    this.logits = p.buffers.logits!;
    this.act = p.dims.activation === 'gelu' ? ACT.gelu : ACT.relu;
    this.pre = p.dims.layerNorm === 'pre';
    this.post = p.dims.layerNorm === 'post';
    this.Sq = queryPositions(p.dims);
  }

  /** E: the embedding stream (after the embedding LayerNorm); A: attention input; h, u, r as in the decoder; pooled. */
  private streams() {
    const b = this.p.buffers;
    const E = this.post ? b.E! : b.X!;
    const h = this.post ? b.Hn! : b.H0!;
    const r = this.p.dims.layerNorm === 'none' ? b.R0! : b.R!;
    return { E, A: this.pre ? b.A! : E, h, u: this.pre ? b.U! : h, r, pooled: this.p.dims.pooling === 'cls' ? r : b.pooled! };
  }

  forward(inputs: Ptr, idx: Ptr, n: number): void {
    const { dims: { S, d, H, C, pad }, params: w, buffers: b } = this.p;
    const k = this.k;
    const { E, A, h, u, r, pooled } = this.streams();
    const dh = d / H, rows = S * n, nq = this.Sq * n;
    k.embedGather(inputs, idx, n, S, w['embed.tok']!, w['embed.pos']!, b.X!, d, n * d * 4, d * 4);
    if (this.post) k.layerNorm(b.X!, w['ln0.g']!, w['ln0.b']!, b.E!, b.xhat0!, b.rstd0!, rows, d);
    if (this.pre) k.layerNorm(E, w['ln1.g']!, w['ln1.b']!, b.A!, b.xhat1!, b.rstd1!, rows, d);
    k.matmul(A, w['attn.wk']!, b.K!, rows, d, d, false);
    k.biasAct(b.K!, w['attn.bk']!, b.K!, rows, d, ACT.identity);
    k.matmul(A, w['attn.wv']!, b.V!, rows, d, d, false);
    k.biasAct(b.V!, w['attn.bv']!, b.V!, rows, d, ACT.identity);
    k.matmul(A, w['attn.wq']!, b.Q!, nq, d, d, false);
    k.biasAct(b.Q!, w['attn.bq']!, b.Q!, nq, d, ACT.identity);
    k.maskedAttentionForward(b.Q!, b.K!, b.V!, b.P!, b.O!, n, this.Sq, S, H, dh, 1 / Math.sqrt(dh), inputs, idx, pad);
    k.matmul(b.O!, w['attn.wo']!, b.H0!, nq, d, d, false);
    k.biasAct(b.H0!, w['attn.bo']!, b.H0!, nq, d, ACT.identity);
    k.add(b.H0!, b.H0!, E, nq * d);
    ffnForward(this.p, this.act, nq, { h, u });
    if (this.Sq > 1) k.maskedMeanPool(r, b.pooled!, n, S, d, inputs, idx, pad);
    k.matmul(pooled, w['pool.w']!, b.Pz!, n, d, d, false);
    k.biasAct(b.Pz!, w['pool.b']!, b.Pt!, n, d, ACT.tanh);
    k.matmul(b.Pt!, w['cls.w']!, b.logits!, n, d, C, false);
    k.biasAct(b.logits!, w['cls.b']!, b.logits!, n, C, ACT.identity);
  }

  backward(inputs: Ptr, idx: Ptr, n: number, g: Tensors): void {
    const { dims: { S, d, H, C, pad }, params: w, buffers: b, scratch } = this.p;
    const k = this.k;
    const { A, u, pooled } = this.streams();
    const dh = d / H, rows = S * n, nq = this.Sq * n;
    // Classifier head and pooler.
    k.biasActBackward(b.logits!, b.logits!, b.logits!, g['cls.b']!, n, C, ACT.identity);
    k.matmulTN(b.Pt!, b.logits!, g['cls.w']!, n, d, C, true);
    k.matmulNT(b.logits!, w['cls.w']!, b.dPt!, n, C, d, false, scratch);
    k.biasActBackward(b.Pz!, b.dPt!, b.dPt!, g['pool.b']!, n, d, ACT.tanh);
    k.matmulTN(pooled, b.dPt!, g['pool.w']!, n, d, d, true);
    if (this.Sq > 1) {
      k.matmulNT(b.dPt!, w['pool.w']!, b.dPooled!, n, d, d, false, scratch);
      k.maskedMeanPoolBackward(b.dPooled!, b.dR!, n, S, d, inputs, idx, pad);
    } else {
      k.matmulNT(b.dPt!, w['pool.w']!, b.dR!, n, d, d, false, scratch);
    }
    const dH0 = ffnBackward(this.p, this.act, nq, u, g);
    // Attention.
    k.biasActBackward(dH0, dH0, dH0, g['attn.bo']!, nq, d, ACT.identity);
    k.matmulTN(b.O!, dH0, g['attn.wo']!, nq, d, d, true);
    k.matmulNT(dH0, w['attn.wo']!, b.dO!, nq, d, d, false, scratch);
    k.maskedAttentionBackward(b.Q!, b.K!, b.V!, b.P!, b.dO!, b.dQ!, b.dK!, b.dV!, n, this.Sq, S, H, dh, 1 / Math.sqrt(dh));
    k.biasActBackward(b.dQ!, b.dQ!, b.dQ!, g['attn.bq']!, nq, d, ACT.identity);
    k.biasActBackward(b.dK!, b.dK!, b.dK!, g['attn.bk']!, rows, d, ACT.identity);
    k.biasActBackward(b.dV!, b.dV!, b.dV!, g['attn.bv']!, rows, d, ACT.identity);
    k.matmulTN(A, b.dQ!, g['attn.wq']!, nq, d, d, true);
    k.matmulTN(A, b.dK!, g['attn.wk']!, rows, d, d, true);
    k.matmulTN(A, b.dV!, g['attn.wv']!, rows, d, d, true);
    k.matmulNT(b.dK!, w['attn.wk']!, b.dA!, rows, d, d, false, scratch);
    k.matmulNT(b.dV!, w['attn.wv']!, b.dA!, rows, d, d, true, scratch);
    k.matmulNT(b.dQ!, w['attn.wq']!, b.dA!, nq, d, d, true, scratch);
    // Embedding stream: dE = LN1'(dA) (pre) or dA, plus the residual into the query positions;
    // then the embedding LayerNorm (post) and the tables.
    let dE = b.dA!;
    if (this.pre) { k.layerNormBackward(b.dA!, b.xhat1!, b.rstd1!, w['ln1.g']!, b.dE!, g['ln1.g']!, g['ln1.b']!, rows, d, false); dE = b.dE!; }
    k.add(dE, dE, dH0, nq * d);
    let dX = dE;
    if (this.post) { k.layerNormBackward(dE, b.xhat0!, b.rstd0!, w['ln0.g']!, b.dX!, g['ln0.g']!, g['ln0.b']!, rows, d, false); dX = b.dX!; }
    k.embedScatter(inputs, idx, n, S, dX, g['embed.tok']!, g['embed.pos']!, d, n * d * 4, d * 4);
  }
}
