// Progress measures of modular arithmetic (Nanda et al. 2023, "Progress measures for grokking via
// mechanistic interpretability"), computed from a model's own weights and logits:
//   - the Fourier spectrum of the number-token embeddings: the norm per frequency k = 0..floor(P/2);
//   - the key frequencies (the `keyCount` largest norms, k >= 1), the fraction of the non-constant
//     energy (squared norm) they hold, and the Gini coefficient of the per-frequency norms;
//   - the restricted loss: the training loss of the logits kept only on the key frequencies of the
//     answer (the directions cos(w_k r), sin(w_k r) over the input grid, r = op(a, b), plus the
//     per-class mean), and the excluded loss: the training loss with those directions removed.
// Pure functions (no engine): the worker calls them at eval steps, the tests against closed forms.

import type { ProgressMeasures } from '../../store/metrics';

export type { ProgressMeasures };

/** Frequencies 0..floor(P/2) of the real Fourier basis over Z_P. */
export function frequencyCount(P: number): number {
  return Math.floor(P / 2) + 1;
}

/**
 * The orthonormal real Fourier basis vectors of frequency k over Z_P: [cos] for k = 0 (and for
 * k = P/2 when P is even), else [cos, sin], each of unit norm.
 */
export function fourierVectors(P: number, k: number): Float64Array[] {
  const w = (2 * Math.PI * k) / P;
  if (k === 0) return [new Float64Array(P).fill(1 / Math.sqrt(P))];
  if (2 * k === P) return [Float64Array.from({ length: P }, (_, a) => Math.cos(w * a) / Math.sqrt(P))];
  const s = Math.sqrt(2 / P);
  return [Float64Array.from({ length: P }, (_, a) => s * Math.cos(w * a)), Float64Array.from({ length: P }, (_, a) => s * Math.sin(w * a))];
}

/** Norm per frequency of the rows 0..P-1 of an embedding [>= P, d] (row-major): sqrt(Σ_d Σ_basis (v·E[:,d])²). */
export function embeddingSpectrum(embedding: ArrayLike<number>, P: number, d: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < frequencyCount(P); k++) {
    let energy = 0;
    for (const v of fourierVectors(P, k)) {
      for (let j = 0; j < d; j++) {
        let dot = 0;
        for (let a = 0; a < P; a++) dot += v[a]! * embedding[a * d + j]!;
        energy += dot * dot;
      }
    }
    out.push(Math.sqrt(energy));
  }
  return out;
}

/** The `count` frequencies k >= 1 of largest norm, largest first (ties: lower k first). */
export function keyFrequencies(spectrum: number[], count: number): number[] {
  return spectrum.map((n, k) => ({ n, k })).slice(1).sort((x, y) => y.n - x.n || x.k - y.k).slice(0, count).map((x) => x.k);
}

/** Gini coefficient of non-negative values (0 when all are equal or all zero). */
export function gini(values: number[]): number {
  const v = [...values].sort((a, b) => a - b), n = v.length;
  const total = v.reduce((a, b) => a + b, 0);
  if (n === 0 || total <= 0) return 0;
  let weighted = 0;
  v.forEach((x, i) => { weighted += (2 * (i + 1) - n - 1) * x; });
  return weighted / (n * total);
}

export interface LogitTable {
  /** Logits [count, P] (row-major), one row per example. */
  logits: ArrayLike<number>;
  /** The answer r = op(a, b) of each example: the variable whose Fourier modes are kept or removed. */
  answers: ArrayLike<number>;
  /** Class labels of each example (for the loss); for modular tasks the same as answers. */
  labels: ArrayLike<number>;
  count: number;
}

/**
 * Restricted and excluded losses over `trainIdx`. The directions u(a, b) = cos(w_k r(a,b)) and
 * sin(w_k r(a,b)) over every example are orthogonal to each other and to the constant; the
 * projection of each class's logit column onto them only needs the column's sums per answer,
 * S[r, c] = Σ_{r(a,b) = r} logits[(a,b), c], so it costs O(count·P + |keys|·P²).
 */
export function restrictedExcludedLosses(t: LogitTable, P: number, keys: number[], trainIdx: ArrayLike<number>): { restrictedLoss: number; excludedLoss: number } {
  const { logits, answers, count } = t;
  const sums = new Float64Array(P * P), perAnswer = new Float64Array(P), mean = new Float64Array(P);
  for (let e = 0; e < count; e++) {
    // Loop indices are in range by the table's shape ([count, P], answers in [0, P)).
    const r = answers[e]!;
    perAnswer[r]!++;
    for (let c = 0; c < P; c++) { sums[r * P + c]! += logits[e * P + c]!; mean[c]! += logits[e * P + c]! / count; }
  }
  // key[r * P + c]: the logit's component in the key directions, as a function of the answer r.
  const key = new Float64Array(P * P);
  for (const k of keys) {
    const w = (2 * Math.PI * k) / P;
    for (const f of [Math.cos, Math.sin]) {
      const u = Float64Array.from({ length: P }, (_, r) => f(w * r));
      let uu = 0;
      for (let r = 0; r < P; r++) uu += perAnswer[r]! * u[r]! * u[r]!;
      if (uu < 1e-9 * count) continue; // sin at k = 0 or k = P/2: no such direction
      for (let c = 0; c < P; c++) {
        let dot = 0;
        for (let r = 0; r < P; r++) dot += u[r]! * sums[r * P + c]!;
        const coef = dot / uu;
        for (let r = 0; r < P; r++) key[r * P + c]! += coef * u[r]!;
      }
    }
  }
  let restricted = 0, excluded = 0;
  const rowR = new Float64Array(P), rowE = new Float64Array(P);
  for (let i = 0; i < trainIdx.length; i++) {
    const e = trainIdx[i]!, r = answers[e]!;
    for (let c = 0; c < P; c++) {
      const k = key[r * P + c]!;
      rowR[c] = mean[c]! + k;
      rowE[c] = logits[e * P + c]! - k;
    }
    restricted += crossEntropy(rowR, t.labels[e]!);
    excluded += crossEntropy(rowE, t.labels[e]!);
  }
  return { restrictedLoss: restricted / trainIdx.length, excludedLoss: excluded / trainIdx.length };
}

function crossEntropy(row: Float64Array, label: number): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let s = 0;
  for (const v of row) s += Math.exp(v - max);
  return max + Math.log(s) - row[label]!;
}

export interface ProgressInput {
  P: number;
  /** Token embedding [vocab >= P, d]; rows 0..P-1 are the numbers. */
  embedding: ArrayLike<number>;
  d: number;
  keyCount: number;
  /** Present where the restricted/excluded losses are defined (a+b, a-b) and the logits are available. */
  logits?: LogitTable;
  trainIdx?: ArrayLike<number>;
}

export function progressMeasures(x: ProgressInput): ProgressMeasures {
  const spectrum = embeddingSpectrum(x.embedding, x.P, x.d);
  const keyFreqs = keyFrequencies(spectrum, x.keyCount);
  const energy = (ks: number[]) => ks.reduce((s, k) => s + spectrum[k]! ** 2, 0); // ks index the spectrum
  const all = energy(spectrum.map((_, k) => k).slice(1));
  const out: ProgressMeasures = { spectrum, keyFreqs, keyFraction: all > 0 ? energy(keyFreqs) / all : 0, gini: gini(spectrum.slice(1)) };
  if (x.logits && x.trainIdx && x.trainIdx.length > 0) Object.assign(out, restrictedExcludedLosses(x.logits, x.P, keyFreqs, x.trainIdx));
  return out;
}
