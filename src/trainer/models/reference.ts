// A plain float64 implementation of every model's forward pass and loss, straight from
// docs/models.md (whole sequence, every position, one example at a time): the yardstick of the gradient checks.
import type { ModelDims } from './dims';

export type RefParams = Record<string, Float64Array>;

type Vec = Float64Array;

function param(p: RefParams, name: string): Vec {
  const t = p[name];
  if (t === undefined) throw new Error(`reference model: no parameter ${name}`);
  return t;
}

/** y = x W (+ b) with W [in, out]. */
function linear(x: Vec, w: Vec, out: number, b?: Vec): Vec {
  const y = new Float64Array(out);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < out; j++) y[j]! += x[i]! * w[i * out + j]!;
  if (b) for (let j = 0; j < out; j++) y[j]! += b[j]!;
  return y;
}

function layerNorm(x: Vec, g: Vec, b: Vec): Vec {
  const n = x.length;
  const mean = x.reduce((a, v) => a + v, 0) / n;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  const r = 1 / Math.sqrt(variance + 1e-5);
  return x.map((v, i) => (v - mean) * r * g[i]! + b[i]!);
}

function activate(x: Vec, kind: ModelDims['activation']): Vec {
  if (kind === 'relu') return x.map((v) => Math.max(0, v));
  return x.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
}

function add(a: Vec, b: Vec): Vec { return a.map((v, i) => v + b[i]!); }

function row(table: Vec, i: number, d: number): Vec { return table.slice(i * d, (i + 1) * d); }

export function referenceLogits(m: ModelDims, p: RefParams, tokens: ArrayLike<number>): Vec {
  if (m.kind === 'encoder') return encoderLogits(m, p, tokens);
  return m.kind === 'mlp' ? mlpLogits(m, p, tokens) : transformerLogits(m, p, tokens);
}

/**
 * The encoder as BERT computes it: every position attends to every unpadded position, every
 * position goes through the FFN, then pooling (position 0, or the mean over unpadded positions),
 * pooler tanh(x Wp + bp) and classifier.
 */
function encoderLogits(m: ModelDims, p: RefParams, tokens: ArrayLike<number>): Vec {
  const { S, d, H } = m;
  const dh = d / H;
  const pre = m.layerNorm === 'pre', post = m.layerNorm === 'post';
  const valid = Array.from({ length: S }, (_, s) => m.pad < 0 || tokens[s] !== m.pad);
  const es: Vec[] = [];
  for (let s = 0; s < S; s++) {
    const x = add(row(param(p, 'embed.tok'), tokens[s]!, d), row(param(p, 'embed.pos'), s, d));
    es.push(post ? layerNorm(x, param(p, 'ln0.g'), param(p, 'ln0.b')) : x);
  }
  const as = es.map((e) => (pre ? layerNorm(e, param(p, 'ln1.g'), param(p, 'ln1.b')) : e));
  const Q = as.map((a) => linear(a, param(p, 'attn.wq'), d, param(p, 'attn.bq')));
  const K = as.map((a) => linear(a, param(p, 'attn.wk'), d, param(p, 'attn.bk')));
  const V = as.map((a) => linear(a, param(p, 'attn.wv'), d, param(p, 'attn.bv')));
  const rs = Q.map((q, t) => {
    const o = new Float64Array(d);
    for (let h = 0; h < H; h++) {
      const scores = K.map((k, s) => {
        if (!valid[s]) return -Infinity;
        let sc = 0;
        for (let j = h * dh; j < (h + 1) * dh; j++) sc += q[j]! * k[j]!;
        return sc / Math.sqrt(dh);
      });
      const mx = Math.max(...scores);
      const e = scores.map((sc) => (sc === -Infinity ? 0 : Math.exp(sc - mx)));
      const z = e.reduce((a, b) => a + b, 0);
      for (let s = 0; s < S; s++) for (let j = h * dh; j < (h + 1) * dh; j++) o[j]! += (e[s]! / z) * V[s]![j]!;
    }
    let hh = add(es[t]!, linear(o, param(p, 'attn.wo'), d, param(p, 'attn.bo')));
    if (post) hh = layerNorm(hh, param(p, 'ln1.g'), param(p, 'ln1.b'));
    const u = pre ? layerNorm(hh, param(p, 'ln2.g'), param(p, 'ln2.b')) : hh;
    const mlpOut = linear(activate(linear(u, param(p, 'mlp.w1'), m.F, param(p, 'mlp.b1')), m.activation), param(p, 'mlp.w2'), d, param(p, 'mlp.b2'));
    let r = add(hh, mlpOut);
    if (post) r = layerNorm(r, param(p, 'ln2.g'), param(p, 'ln2.b'));
    if (pre) r = layerNorm(r, param(p, 'lnf.g'), param(p, 'lnf.b'));
    return r;
  });
  let pooled: Vec;
  if (m.pooling === 'cls') {
    pooled = rs[0]!; // S >= 1 positions
  } else {
    pooled = new Float64Array(d);
    const count = valid.filter(Boolean).length;
    for (let s = 0; s < S; s++) if (valid[s]) for (let j = 0; j < d; j++) pooled[j]! += rs[s]![j]! / count;
  }
  const pz = linear(pooled, param(p, 'pool.w'), d, param(p, 'pool.b')).map(Math.tanh);
  return linear(pz, param(p, 'cls.w'), m.C, param(p, 'cls.b'));
}

function mlpLogits(m: ModelDims, p: RefParams, tokens: ArrayLike<number>): Vec {
  let x: Vec = new Float64Array(m.S * m.d);
  for (let s = 0; s < m.S; s++) x.set(row(param(p, 'embed.tok'), tokens[s]!, m.d), s * m.d);
  for (let l = 0; l < m.L; l++) x = activate(linear(x, param(p, `blocks.${l}.mlp.w1`), m.F, param(p, `blocks.${l}.mlp.b1`)), m.activation);
  return linear(x, param(p, 'unembed.w'), m.C, param(p, 'unembed.b'));
}

/** The decoder at every position, causal attention (position t attends to 0..t), L blocks. */
function transformerLogits(m: ModelDims, p: RefParams, tokens: ArrayLike<number>): Vec {
  const { S, d, H } = m;
  const dh = d / H;
  const pre = m.layerNorm === 'pre', post = m.layerNorm === 'post';
  let xs: Vec[] = [];
  for (let s = 0; s < S; s++) xs.push(add(row(param(p, 'embed.tok'), tokens[s]!, d), row(param(p, 'embed.pos'), s, d)));
  for (let l = 0; l < m.L; l++) {
    const w = (name: string): Vec => param(p, `blocks.${l}.${name}`);
    const as = xs.map((x) => (pre ? layerNorm(x, w('ln1.g'), w('ln1.b')) : x));
    const Q = as.map((a) => linear(a, w('attn.wq'), d));
    const K = as.map((a) => linear(a, w('attn.wk'), d));
    const V = as.map((a) => linear(a, w('attn.wv'), d));
    xs = xs.map((x, t) => {
      const o = new Float64Array(d);
      for (let h = 0; h < H; h++) {
        const scores = K.slice(0, t + 1).map((k) => {
          let sc = 0;
          for (let j = h * dh; j < (h + 1) * dh; j++) sc += Q[t]![j]! * k[j]!;
          return sc / Math.sqrt(dh);
        });
        const mx = Math.max(...scores);
        const e = scores.map((sc) => Math.exp(sc - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let j = h * dh; j < (h + 1) * dh; j++) o[j]! += (e[s]! / z) * V[s]![j]!;
      }
      let hh = add(x, linear(o, w('attn.wo'), d));
      if (post) hh = layerNorm(hh, w('ln1.g'), w('ln1.b'));
      const u = pre ? layerNorm(hh, w('ln2.g'), w('ln2.b')) : hh;
      const mlpOut = linear(activate(linear(u, w('mlp.w1'), m.F, w('mlp.b1')), m.activation), w('mlp.w2'), d, w('mlp.b2'));
      const r = add(hh, mlpOut);
      return post ? layerNorm(r, w('ln2.g'), w('ln2.b')) : r;
    });
  }
  const lastPos = xs[S - 1];
  if (lastPos === undefined) throw new Error(`reference model: S = ${S} positions`);
  const r = pre ? layerNorm(lastPos, param(p, 'lnf.g'), param(p, 'lnf.b')) : lastPos;
  return linear(r, param(p, 'unembed.w'), m.C);
}

/** Mean cross-entropy over examples (tokens: [count, S] row-major). */
export function referenceLoss(m: ModelDims, p: RefParams, tokens: ArrayLike<number>, labels: ArrayLike<number>, examples: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < examples.length; i++) {
    // Type-only: examples index the [count, S] tokens and the labels, and a label indexes the logits.
    const e = examples[i]!;
    const logits = referenceLogits(m, p, Array.from({ length: m.S }, (_, s) => tokens[e * m.S + s]!));
    const mx = Math.max(...logits);
    const lse = mx + Math.log(logits.reduce((a, v) => a + Math.exp(v - mx), 0));
    total += lse - logits[labels[e]!]!;
  }
  return total / examples.length;
}
