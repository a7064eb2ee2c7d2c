// Turns recorded per-model calls into GPU dispatches: the k-th call of every model of a group is
// the same op on the same shapes class (the models run the same code), so it becomes one dispatch
// (or a short fixed sequence of them) whose argument table has one row per model. Pointers are
// converted from bytes to 32-bit word indices here.
//
// Long reductions (weight gradients Aᵀ·B and column sums over the batch) are split into chunks of
// rows that run in parallel and write partial sums to the model's scratch region; a reduce kernel
// then adds the chunks in order. The split depends only on the model's own shapes, so a model's
// results do not depend on its company.
import type { Call } from './recorder';
import { ARGS, COLS, EW, ROWS, TILE, type KernelName } from './wgsl';

export interface Dispatch {
  kernel: KernelName;
  /** Workgroups in x and y; z is the number of models. */
  x: number; y: number;
  /** ARGS u32 per model. */
  table: Uint32Array;
}

/** Per model of the group: its scratch region (word index) and the vocabulary size. */
export interface GroupContext { scratch: number[]; vocab: number }

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function bits(x: number): number { f32[0] = x; return u32[0]!; }

const w = (p: number): number => {
  if (p % 4 !== 0) throw new Error(`webgpu backend: pointer ${p} is not 4-byte aligned`);
  return p / 4;
};

/** Largest grid of an element-wise dispatch (the kernels loop beyond it). */
const MAX_EW_GROUPS = 4096;
/** Fewer workgroups than this per model gets a long reduction split. */
const TARGET_GROUPS = 128;
/** Shortest chunk of a split reduction, in rows. */
const MIN_SPLIT = 128;

/** Chunks of a reduction over K rows whose output is covered by `groups` workgroups. */
export function splitsFor(K: number, groups: number): number {
  return Math.max(1, Math.min(Math.ceil(TARGET_GROUPS / Math.max(1, groups)), Math.ceil(K / MIN_SPLIT)));
}

function table(rows: number[][]): Uint32Array {
  const t = new Uint32Array(rows.length * ARGS);
  rows.forEach((r, z) => {
    if (r.length > ARGS) throw new Error(`webgpu backend: ${r.length} arguments > ${ARGS}`);
    for (let i = 0; i < r.length; i++) t[z * ARGS + i] = r[i]! >>> 0;
  });
  return t;
}

const ew = (count: number): number => Math.max(1, Math.min(MAX_EW_GROUPS, Math.ceil(count / EW)));
const maxOf = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);

/** A matrix product C(i,j) (+)= Σ_p A(i,p) B(p,j) per model, with strides in words. */
interface Product { a: number; b: number; c: number; rows: number; K: number; cols: number; acc: number; asi: number; asp: number; bsp: number; bsj: number }

/** A column sum out[j] += Σ_p x[p·stride + j] (· y[…]) per model, in words. */
interface ColSum { x: number; y: number; rows: number; cols: number; stride: number; out: number }

/**
 * A recorded call's arguments, as wide as the widest op (maskedAttnForward, maskedAttnBackward). Each
 * case of ProgramBuilder.add reads only the positions its op's Recorder method pushes (recorder.ts),
 * and add checks that every model of the group passed as many.
 */
type Args = [number, number, number, number, number, number, number, number, number, number, number, number, number, number];

export class ProgramBuilder {
  readonly dispatches: Dispatch[] = [];
  /** Largest partial-sum region any model needed, in floats. */
  partialNeed = 0;

  constructor(private readonly ctx: GroupContext) {}

  private emit(kernel: KernelName, x: number, y: number, rows: number[][]): void {
    this.dispatches.push({ kernel, x: Math.max(1, x), y: Math.max(1, y), table: table(rows) });
  }

  /** Rows are inferred as tuples ([] | number[]), so `count` reads their positions as numbers. */
  private elementwise<R extends [] | number[]>(kernel: KernelName, rows: R[], count: (r: R) => number): void {
    this.emit(kernel, ew(maxOf(rows.map(count))), 1, rows);
  }

  /** Model z's partial-sum region (word index). */
  private scratch(z: number): number {
    const s = this.ctx.scratch[z];
    if (s === undefined) throw new Error(`webgpu backend: no scratch region for model ${z} (of ${this.ctx.scratch.length})`);
    return s;
  }

  private products(ps: Product[]): void {
    const parts = ps.map((p) => {
      const tiles = Math.ceil(p.rows / TILE) * Math.ceil(p.cols / TILE);
      const splits = splitsFor(p.K, tiles);
      return { p, tiles, splits, splitLen: Math.ceil(p.K / splits) };
    });
    const split = parts.some((x) => x.splits > 1);
    if (split) this.partialNeed = Math.max(this.partialNeed, ...parts.map(({ p, splits }) => splits * p.rows * p.cols));
    this.emit('matmul', maxOf(parts.map((x) => x.tiles)), maxOf(parts.map((x) => x.splits)), parts.map(({ p, splitLen }, z) => [
      p.a, p.b, p.c, p.rows, p.K, p.cols, p.acc, p.asi, p.asp, p.bsp, p.bsj, splitLen, split ? this.scratch(z) : 0,
    ]));
    if (split) {
      this.elementwise('reduce', parts.map(({ p, splits }, z) => [this.scratch(z), p.c, p.rows * p.cols, splits, p.acc]), (r) => r[2]);
    }
  }

  private colsums(cs: ColSum[]): void {
    const parts = cs.map((c) => {
      const groups = Math.ceil(c.cols / COLS);
      const splits = splitsFor(c.rows, groups);
      return { c, groups, splits, splitLen: Math.max(1, Math.ceil(c.rows / splits)) };
    });
    const split = parts.some((x) => x.splits > 1);
    if (split) this.partialNeed = Math.max(this.partialNeed, ...parts.map(({ c, splits }) => splits * c.cols));
    this.emit('colsum', maxOf(parts.map((x) => x.groups)), maxOf(parts.map((x) => x.splits)), parts.map(({ c, splitLen }, z) => [
      c.x, c.y, c.rows, c.cols, c.stride, splitLen, c.out, split ? this.scratch(z) : 0,
    ]));
    if (split) {
      this.elementwise('reduce', parts.map(({ c, splits }, z) => [this.scratch(z), c.out, c.cols, splits, 1]), (r) => r[2]);
    }
  }

  /** Adds the dispatches of one call made by every model of the group (calls[z] of model z). */
  add(calls: Call[]): void {
    const [first] = calls;
    if (first === undefined) throw new Error('webgpu backend: a call of a group of no models');
    const { op, args: { length: arity } } = first;
    for (const c of calls) {
      if (c.op !== op) throw new Error(`webgpu backend: models of a group diverged (${op} vs ${c.op})`);
      if (c.args.length !== arity) throw new Error(`webgpu backend: models of a group passed ${arity} and ${c.args.length} arguments to ${op}`);
    }
    const A = calls.map((c) => c.args as Args);
    switch (op) {
      case 'matmul': // a[m,k] b[k,n] c[m,n]
        return this.products(A.map(([a, b, c, m, k, n, acc]) => ({ a: w(a), b: w(b), c: w(c), rows: m, K: k, cols: n, acc, asi: k, asp: 1, bsp: n, bsj: 1 })));
      case 'matmulTN': // C[k,n] = a[m,k]ᵀ b[m,n]
        return this.products(A.map(([a, b, c, m, k, n, acc]) => ({ a: w(a), b: w(b), c: w(c), rows: k, K: m, cols: n, acc, asi: 1, asp: k, bsp: n, bsj: 1 })));
      case 'matmulNT': // C[m,k] = a[m,n] b[k,n]ᵀ
        return this.products(A.map(([a, b, c, m, n, k, acc]) => ({ a: w(a), b: w(b), c: w(c), rows: m, K: n, cols: k, acc, asi: n, asp: 1, bsp: 1, bsj: n })));
      case 'biasAct':
        return this.elementwise('biasAct', A.map(([z, bias, y, m, n, act]) => [w(z), w(bias), w(y), m, n, act]), (r) => r[3] * r[4]);
      case 'biasActBackward': {
        const [, dy0, dz0, dbias0, , , act0] = first.args as Args;
        if (!(act0 === 0 && dy0 === dz0)) {
          this.elementwise('actBackward', A.map(([z, dy, dz, , m, n, act]) => [w(z), w(dy), w(dz), m * n, act]), (r) => r[3]);
        }
        if (dbias0 !== 0) this.colsums(A.map(([, , dz, dbias, m, n]) => ({ x: w(dz), y: 0, rows: m, cols: n, stride: n, out: w(dbias) })));
        return;
      }
      case 'add':
        return this.elementwise('add', A.map(([dst, a, b, n]) => [w(dst), w(a), w(b), n]), (r) => r[3]);
      case 'copy':
        return this.elementwise('copy', A.map(([dst, src, n]) => [w(dst), w(src), n]), (r) => r[2]);
      case 'zero':
        return this.elementwise('zero', A.map(([x, n]) => [w(x), n]), (r) => r[1]);
      case 'softmaxCE':
        return this.emit('softmaxCE', Math.ceil(maxOf(A.map((a) => a[3])) / ROWS), 1, A.map(([logits, labels, idx, m, c, dl, scale, loss, correct]) => [
          w(logits), w(labels), w(idx), m, c, dl === 0 ? 0 : w(dl), bits(scale), w(loss), w(correct),
        ]));
      case 'layerNorm':
        return this.emit('layerNorm', Math.ceil(maxOf(A.map((a) => a[6])) / ROWS), 1, A.map(([x, g, b, y, xh, r, m, d]) => [w(x), w(g), w(b), w(y), w(xh), w(r), m, d]));
      case 'layerNormBackward': {
        // Column sums first: dx may alias dy.
        this.colsums(A.map(([dy, xh, , , , dg, , m, d]) => ({ x: w(dy), y: w(xh), rows: m, cols: d, stride: d, out: w(dg) })));
        this.colsums(A.map(([dy, , , , , , db, m, d]) => ({ x: w(dy), y: 0, rows: m, cols: d, stride: d, out: w(db) })));
        return this.emit('layerNormDx', Math.ceil(maxOf(A.map((a) => a[7])) / ROWS), 1, A.map(([dy, xh, r, g, dx, , , m, d, acc]) => [
          w(dy), w(xh), w(r), w(g), w(dx), m, d, acc,
        ]));
      }
      case 'attnForward':
        return this.emit('attnForward', Math.ceil(maxOf(A.map((a) => a[5] * a[7])) / ROWS), 1, A.map(([q, k, v, p, o, n, S, H, dh, scale]) => [
          w(q), w(k), w(v), w(p), w(o), n, S, H, dh, bits(scale),
        ]));
      case 'attnBackward':
        return this.emit('attnBackward', Math.ceil(maxOf(A.map((a) => a[8] * a[10])) / ROWS), 1, A.map(([q, k, v, p, g, dq, dk, dv, n, S, H, dh, scale]) => [
          w(q), w(k), w(v), w(p), w(g), w(dq), w(dk), w(dv), n, S, H, dh, bits(scale),
        ]));
      case 'embedGather':
        return this.elementwise('embedGather', A.map(([inputs, idx, n, S, tok, pos, out, d, ps, rs]) => [
          w(inputs), w(idx), n, S, w(tok), pos === 0 ? 0 : w(pos), w(out), d, w(ps), w(rs),
        ]), (r) => r[2] * r[3] * r[7]);
      case 'embedScatter': {
        const V = this.ctx.vocab;
        const d0 = maxOf(A.map((a) => a[7]));
        this.emit('embedScatter', V * Math.ceil(d0 / COLS), 1, A.map(([inputs, idx, n, S, dx, dtok, , d, ps, rs]) => [
          w(inputs), w(idx), n, S, w(dx), w(dtok), d, w(ps), w(rs), V,
        ]));
        const a0 = first.args as Args;
        if (a0[6] !== 0) {
          const S = a0[3];
          for (let s = 0; s < S; s++) {
            this.colsums(A.map(([, , n, , dx, , dpos, d, ps, rs]) => ({ x: w(dx + s * ps), y: 0, rows: n, cols: d, stride: w(rs), out: w(dpos) + s * d })));
          }
        }
        return;
      }
      case 'maskedAttnForward':
        return this.emit('maskedAttnForward', Math.ceil(maxOf(A.map((a) => a[5] * a[6] * a[8])) / ROWS), 1,
          A.map(([q, k, v, p, o, n, Sq, S, H, dh, scale, inputs, idx, pad]) => [
            w(q), w(k), w(v), w(p), w(o), n, Sq, S, H, dh, bits(scale), w(inputs), w(idx), pad >>> 0,
          ]));
      case 'maskedAttnBackward':
        return this.emit('maskedAttnBackward', Math.ceil(maxOf(A.map((a) => a[8] * a[11])) / ROWS), 1,
          A.map(([q, k, v, p, g, dq, dk, dv, n, Sq, S, H, dh, scale]) => [
            w(q), w(k), w(v), w(p), w(g), w(dq), w(dk), w(dv), n, Sq, S, H, dh, bits(scale),
          ]));
      case 'maskedMeanPool':
        return this.elementwise('maskedMeanPool', A.map(([x, out, n, S, d, inputs, idx, pad]) => [w(x), w(out), n, S, d, w(inputs), w(idx), pad >>> 0]),
          (r) => r[2] * r[4]);
      case 'maskedMeanPoolBackward':
        return this.elementwise('maskedMeanPoolBackward', A.map(([dout, dx, n, S, d, inputs, idx, pad]) => [w(dout), w(dx), n, S, d, w(inputs), w(idx), pad >>> 0]),
          (r) => r[3] * r[2] * r[4]);
      case 'adamw':
        return this.elementwise('adamw', A.map(([p, g, m, v, n, lr, wd, b1, b2, eps, t]) => [
          w(p), w(g), w(m), w(v), n,
          bits(1 - lr * wd), bits(b1), bits(b2), bits(1 - b1), bits(1 - b2),
          bits(lr / (1 - Math.pow(b1, t))), bits(Math.sqrt(1 - Math.pow(b2, t))), bits(eps),
        ]), (r) => r[4]);
      case 'evalAccum':
        return this.emit('evalAccum', maxOf(A.map((a) => a[6])), 1, A.map(([loss, correct, idx, n, comp, out]) => [w(loss), w(correct), w(idx), n, comp, w(out)]));
      case 'squares':
        return this.emit('sumSquares', 1, 1, A.map(([x, n, out]) => [w(x), n, w(out)]));
      default:
        throw new Error(`webgpu backend: no kernel for op ${op}`);
    }
  }

  /** Adds the calls of a group: lists[z] holds model z's calls, all of the same length. */
  addGroup(lists: Call[][]): void {
    const [first] = lists;
    if (first === undefined) throw new Error('webgpu backend: a group of no models');
    const len = first.length;
    for (const l of lists) if (l.length !== len) throw new Error(`webgpu backend: models of a group made ${len} and ${l.length} calls`);
    for (let k = 0; k < len; k++) this.add(lists.map((l) => l[k]!)); // every list has len calls
  }
}
