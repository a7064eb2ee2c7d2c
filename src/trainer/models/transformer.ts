// The L-layer decoder of docs/models.md on the kernels. Positions are laid out [S, n, d] (one
// contiguous block per position) so K and V come from one product over S·n rows. Attention is
// causal: query position t attends to keys 0..t, which are the first (t+1)·n rows of K and V, so
// the one-query attention kernel serves every position. Below the last block every position is
// computed; in the last block queries, the MLP and the loss run on the last position only (the only
// one that is read).
// Tensors and buffers are read by name with `!`: createNetwork (network.ts) checked every name present.
import { ACT, type ActCode, type Ptr } from '../engine/backend';
import type { ModelDims } from './dims';
import { ffnBackward, ffnForward } from './ffnSublayer';
import type { Network, NetworkKind, NetworkParts, Tensors } from './network';
import { blockParam } from './params';

/** Query positions a block computes past its keys and values: all of them, or the last (last block). */
function queryPositions(dims: ModelDims, l: number): number {
  return l === dims.L - 1 ? 1 : dims.S;
}

/**
 * Widths up to which the first block folds (below). Not a speed limit (the fold saves the same share
 * at d = 128): with it, the parity suite's strict d = 128 case (d128-alpha2, 50 AdamW steps) ended
 * 1.14e-4 from torch float32 (bar 1e-4; torch's own float32 and float64 differ by 6.9e-5 there), a
 * trajectory that amplifies any rounding change (docs/engine.md, parity). Wider models keep the
 * row products until that case's bar is settled.
 */
export const FOLD_MAX_WIDTH = 64;

/**
 * Whether block l computes K and V over n rows from the embedding tables. Its attention input is then
 * X = tok[t] + pos[s] (the first block, without pre-LN), so X·W = (tok·W)[t] + (pos·W)[s]: the
 * product runs over the V + S table rows instead of the S·n rows and the rows are gathered, and the
 * backward pass sums dK, dV per token and per position before its products. Worth it where the
 * tables have at most half the rows (full batches of small-vocabulary tasks: 102 rows instead of
 * 1536 per chunk at P = 97); the choice depends only on the shapes, so it never depends on threads.
 */
export function foldsEmbedding(dims: ModelDims, l: number, n: number): boolean {
  return l === 0 && dims.layerNorm !== 'pre' && dims.d <= FOLD_MAX_WIDTH && 2 * (dims.V + dims.S) <= dims.S * n;
}

/** Float counts of block l's buffers (its input stream is the previous block's output, or X). */
function blockBufferSizes(dims: ModelDims, l: number, cap: number): Record<string, number> {
  const { S, d, H, F, layerNorm } = dims;
  const Sq = queryPositions(dims, l), final = l === dims.L - 1;
  const seq = S * cap * d, q = Sq * cap * d, qrows = Sq * cap;
  const pre = layerNorm === 'pre', post = layerNorm === 'post';
  const fold = foldsEmbedding(dims, l, cap);
  // Buffers a LayerNorm mode does not use get no room (the arena still hands out 16 bytes). dR of a
  // block below the last is the next block's input gradient (dA or dX), so it has none of its own.
  return {
    A: pre ? seq : 0, xhat1: pre ? seq : post ? q : 0, rstd1: pre ? S * cap : post ? qrows : 0,
    K: seq, V: seq, Q: q, P: qrows * H * S, O: q, H0: q, Hn: post ? q : 0,
    U: pre ? q : 0, xhat2: pre || post ? q : 0, rstd2: pre || post ? qrows : 0,
    Z1: qrows * F, Y1: qrows * F, M: q, R0: q, R: post || (pre && final) ? q : 0,
    xhatF: pre && final ? q : 0, rstdF: pre && final ? qrows : 0,
    dR: final ? q : 0, dR0: post || (pre && final) ? q : 0, dY1: qrows * F, dU: pre ? q : 0, dH0: post ? q : 0,
    // The tables tok·Wk, tok·Wv, pos·Wk, pos·Wv of the folded first block; backward: dK, dV summed per token and position.
    tokK: fold ? dims.V * d : 0, tokV: fold ? dims.V * d : 0, posK: fold ? S * d : 0, posV: fold ? S * d : 0,
    dO: q, dQ: q, dK: seq, dV: seq, dKt: Sq > 1 ? seq : 0, dVt: Sq > 1 ? seq : 0, dA: seq, dX: pre ? seq : 0,
  };
}

const bufferName = (l: number, name: string): string => `blocks.${l}.${name}`;

export const transformer: NetworkKind = {
  bufferSizes(dims: ModelDims, cap: number) {
    const out: Record<string, number> = { X: dims.S * cap * dims.d, logits: cap * dims.C };
    for (let l = 0; l < dims.L; l++) {
      for (const [name, size] of Object.entries(blockBufferSizes(dims, l, cap))) out[bufferName(l, name)] = size;
    }
    return out;
  },
  scratchSize: ({ d, F, C }: ModelDims) => Math.max(d * d, d * F, d * C),
  create: (parts) => new Transformer(parts),
};

/** The tensors of block l under their names within the block ('attn.wq'), plus LNF for the last block. */
function blockTensors(all: Tensors, l: number, final: boolean): Tensors {
  const prefix = blockParam(l, '');
  const out: Tensors = {};
  for (const [name, ptr] of Object.entries(all)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = ptr;
  const lnfG = all['lnf.g'], lnfB = all['lnf.b'];
  if (final && lnfG !== undefined && lnfB !== undefined) { out['lnf.g'] = lnfG; out['lnf.b'] = lnfB; }
  return out;
}

/** One decoder block: attention and the FFN sublayer, over Sq query positions. */
class DecoderBlock {
  /** The block's view: its parameters and buffers under their names within the block. */
  readonly p: NetworkParts;
  readonly Sq: number;
  readonly final: boolean;
  private readonly pre: boolean;
  private readonly post: boolean;
  /** The whole model's tables (the first block folds its K and V projections through them). */
  private readonly tok: Ptr;
  private readonly pos: Ptr;

  /** `dR`: where the gradient of the block's output arrives (the next block's input gradient). */
  constructor(net: NetworkParts, readonly l: number, private readonly act: ActCode, dR: Ptr | null) {
    const { dims } = net;
    this.Sq = queryPositions(dims, l);
    this.final = l === dims.L - 1;
    this.pre = dims.layerNorm === 'pre';
    this.post = dims.layerNorm === 'post';
    const buffers: Tensors = {};
    for (const name of Object.keys(blockBufferSizes(dims, l, 1))) {
      const ptr = net.buffers[bufferName(l, name)];
      if (ptr === undefined) throw new Error(`transformer: no buffer ${bufferName(l, name)}`);
      buffers[name] = ptr;
    }
    if (dR !== null) buffers.dR = dR;
    this.p = { ...net, params: blockTensors(net.params, l, this.final), buffers };
    this.tok = net.params['embed.tok']!;
    this.pos = net.params['embed.pos']!;
  }

  /** The block's output stream: [S, n, d], or the last position [n, d] for the last block. */
  get out(): Ptr {
    const b = this.p.buffers;
    return this.post || (this.pre && this.final) ? b.R! : b.R0!;
  }

  /** Where backward leaves the gradient of the block's input stream ([S, n, d]). */
  get dIn(): Ptr {
    return this.pre ? this.p.buffers.dX! : this.p.buffers.dA!;
  }

  /** Rows of position t of an [S, n, d] buffer (or of query position t of a [Sq, n, d] one). */
  private at(buf: Ptr, t: number, n: number): Ptr {
    return buf + t * n * this.p.dims.d * 4;
  }

  /** Attention probabilities of query position j: [n, H, keys], in slots of S keys. */
  private probs(j: number, n: number): Ptr {
    const { H, S } = this.p.dims;
    return this.p.buffers.P! + j * n * H * S * 4;
  }

  /** The attention input, the residual stream after attention and the FFN input. */
  private streams(x: Ptr) {
    const b = this.p.buffers;
    const h = this.post ? b.Hn! : b.H0!;
    return { A: this.pre ? b.A! : x, h, u: this.pre ? b.U! : h };
  }

  /** x: the input stream [S, n, d] of examples idx (tokens in inputs). */
  forward(x: Ptr, n: number, inputs: Ptr, idx: Ptr): void {
    const { kernels: k, dims, params: w, buffers: b } = this.p;
    const { S, V, d, H } = dims;
    const { A, h, u } = this.streams(x);
    const dh = d / H, first = S - this.Sq, nq = this.Sq * n;
    if (this.pre) k.layerNorm(x, w['ln1.g']!, w['ln1.b']!, b.A!, b.xhat1!, b.rstd1!, S * n, d);
    if (foldsEmbedding(dims, this.l, n)) {
      k.matmul(this.tok, w['attn.wk']!, b.tokK!, V, d, d, false);
      k.matmul(this.pos, w['attn.wk']!, b.posK!, S, d, d, false);
      k.embedGather(inputs, idx, n, S, b.tokK!, b.posK!, b.K!, d, n * d * 4, d * 4);
      k.matmul(this.tok, w['attn.wv']!, b.tokV!, V, d, d, false);
      k.matmul(this.pos, w['attn.wv']!, b.posV!, S, d, d, false);
      k.embedGather(inputs, idx, n, S, b.tokV!, b.posV!, b.V!, d, n * d * 4, d * 4);
    } else {
      k.matmul(A, w['attn.wk']!, b.K!, S * n, d, d, false);
      k.matmul(A, w['attn.wv']!, b.V!, S * n, d, d, false);
    }
    k.matmul(this.at(A, first, n), w['attn.wq']!, b.Q!, nq, d, d, false);
    for (let j = 0; j < this.Sq; j++) {
      k.attentionForward(this.at(b.Q!, j, n), b.K!, b.V!, this.probs(j, n), this.at(b.O!, j, n), n, first + j + 1, H, dh, 1 / Math.sqrt(dh));
    }
    k.matmul(b.O!, w['attn.wo']!, b.H0!, nq, d, d, false);
    k.add(b.H0!, b.H0!, this.at(x, first, n), nq * d);
    ffnForward(this.p, this.act, nq, { h, u }, this.final);
  }

  /** From the gradient at dR to the input gradient (returned: dIn); g: the whole model's gradients. */
  backward(x: Ptr, n: number, grads: Tensors, inputs: Ptr, idx: Ptr): Ptr {
    const { kernels: k, dims, params: w, buffers: b, scratch } = this.p;
    const { S, V, d, H } = dims;
    const g = blockTensors(grads, this.l, this.final);
    const { A, u } = this.streams(x);
    const dh = d / H, first = S - this.Sq, nq = this.Sq * n;
    const dH0 = ffnBackward(this.p, this.act, nq, u, g, this.final);
    k.matmulTN(b.O!, dH0, g['attn.wo']!, nq, d, d, true);
    k.matmulNT(dH0, w['attn.wo']!, b.dO!, nq, d, d, false, scratch);
    // The last query sees every key and overwrites dK, dV; earlier ones add over their keys.
    for (let j = this.Sq - 1; j >= 0; j--) {
      const keys = first + j + 1, whole = j === this.Sq - 1;
      k.attentionBackward(this.at(b.Q!, j, n), b.K!, b.V!, this.probs(j, n), this.at(b.dO!, j, n), this.at(b.dQ!, j, n),
        whole ? b.dK! : b.dKt!, whole ? b.dV! : b.dVt!, n, keys, H, dh, 1 / Math.sqrt(dh));
      if (!whole) {
        k.add(b.dK!, b.dK!, b.dKt!, keys * n * d);
        k.add(b.dV!, b.dV!, b.dVt!, keys * n * d);
      }
    }
    k.matmulTN(this.at(A, first, n), b.dQ!, g['attn.wq']!, nq, d, d, true);
    if (foldsEmbedding(dims, this.l, n)) {
      // dW = Xᵀ·dK = tokᵀ·(dK summed per token) + posᵀ·(dK summed per position); the embeddings'
      // gradients through K are those sums times Wkᵀ, added straight into the tables' gradients.
      const gTok = grads['embed.tok']!, gPos = grads['embed.pos']!;
      for (const [name, dY, perTok, perPos] of [['attn.wk', b.dK!, b.tokK!, b.posK!], ['attn.wv', b.dV!, b.tokV!, b.posV!]] as const) {
        k.zero(perTok, V * d);
        k.zero(perPos, S * d);
        k.embedScatter(inputs, idx, n, S, dY, perTok, perPos, d, n * d * 4, d * 4);
        k.matmulTN(this.tok, perTok, g[name]!, V, d, d, true);
        k.matmulTN(this.pos, perPos, g[name]!, S, d, d, true);
        k.matmulNT(perTok, w[name]!, gTok, V, d, d, true, scratch);
        k.matmulNT(perPos, w[name]!, gPos, S, d, d, true, scratch);
      }
      // What is left of the input gradient: the queries' part (nothing before the first query).
      if (first > 0) k.zero(b.dA!, first * n * d);
      k.matmulNT(b.dQ!, w['attn.wq']!, this.at(b.dA!, first, n), nq, d, d, false, scratch);
    } else {
      k.matmulTN(A, b.dK!, g['attn.wk']!, S * n, d, d, true);
      k.matmulTN(A, b.dV!, g['attn.wv']!, S * n, d, d, true);
      k.matmulNT(b.dK!, w['attn.wk']!, b.dA!, S * n, d, d, false, scratch);
      k.matmulNT(b.dV!, w['attn.wv']!, b.dA!, S * n, d, d, true, scratch);
      k.matmulNT(b.dQ!, w['attn.wq']!, this.at(b.dA!, first, n), nq, d, d, true, scratch);
    }
    // The input stream: LN1'(dA) (pre) or dA, plus the residual path at the query positions.
    if (this.pre) k.layerNormBackward(b.dA!, b.xhat1!, b.rstd1!, w['ln1.g']!, b.dX!, g['ln1.g']!, g['ln1.b']!, S * n, d, false);
    const dIn = this.dIn;
    k.add(this.at(dIn, first, n), this.at(dIn, first, n), dH0, nq * d);
    return dIn;
  }
}

class Transformer implements Network {
  readonly logits: Ptr;
  private readonly blocks: DecoderBlock[] = [];
  private readonly last: DecoderBlock;

  constructor(private readonly p: NetworkParts) {
    this.logits = p.buffers.logits!;
    const act = p.dims.activation === 'gelu' ? ACT.gelu : ACT.relu;
    // From the last block down: each block's output gradient is the next one's input gradient.
    for (let l = p.dims.L - 1; l >= 0; l--) this.blocks.unshift(new DecoderBlock(p, l, act, this.blocks[0]?.dIn ?? null));
    const last = this.blocks[this.blocks.length - 1];
    if (last === undefined) throw new Error(`transformer: ${p.dims.L} blocks; it needs at least 1`);
    this.last = last;
  }

  /** The input stream of block l: the embeddings, or the previous block's output. */
  private input(l: number): Ptr {
    return l === 0 ? this.p.buffers.X! : this.blocks[l - 1]!.out; // 0 < l < L
  }

  forward(inputs: Ptr, idx: Ptr, n: number): void {
    const { kernels: k, dims: { S, d, C }, params: w, buffers: b } = this.p;
    k.embedGather(inputs, idx, n, S, w['embed.tok']!, w['embed.pos']!, b.X!, d, n * d * 4, d * 4);
    this.blocks.forEach((block, l) => block.forward(this.input(l), n, inputs, idx));
    k.matmul(this.last.out, w['unembed.w']!, b.logits!, n, d, C, false);
  }

  backward(inputs: Ptr, idx: Ptr, n: number, g: Tensors): void {
    const { kernels: k, dims: { S, d, C }, params: w, buffers: b, scratch } = this.p;
    const last = this.last;
    k.matmulTN(last.out, b.logits!, g['unembed.w']!, n, d, C, true);
    k.matmulNT(b.logits!, w['unembed.w']!, last.p.buffers.dR!, n, C, d, false, scratch);
    let dX = 0;
    for (let l = this.blocks.length - 1; l >= 0; l--) dX = this.blocks[l]!.backward(this.input(l), n, g, inputs, idx);
    k.embedScatter(inputs, idx, n, S, dX, g['embed.tok']!, g['embed.pos']!, d, n * d * 4, d * 4);
  }
}
