import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import {
  embeddingSpectrum, gini, keyFrequencies, progressMeasures, restrictedExcludedLosses, type LogitTable,
} from '../../src/trainer/progress/measures';

const P = 23;
const KEYS = [3, 7];
const AMPS: readonly [number, number] = [2, 0.5]; // AMPS[j] is KEYS[j]'s amplitude

/** Rows a = 0..P-1: amp_j (cos(w_j a), sin(w_j a)) in dimensions (2j, 2j+1), then one '=' row of noise. */
function handBuiltEmbedding(d = 6): Float64Array {
  const E = new Float64Array((P + 1) * d);
  for (let a = 0; a < P; a++) {
    KEYS.forEach((k, j) => {
      const w = (2 * Math.PI * k) / P;
      E[a * d + 2 * j] = AMPS[j]! * Math.cos(w * a);
      E[a * d + 2 * j + 1] = AMPS[j]! * Math.sin(w * a);
    });
  }
  for (let j = 0; j < d; j++) E[P * d + j] = 100 + j; // the '=' token: must not count
  return E;
}

/** The model that uses exactly KEYS: logit(a, b, c) = s Σ_k cos(w_k (a + b − c)), over every pair. */
function handBuiltLogits(keys: number[], s: number): LogitTable {
  const count = P * P, logits = new Float64Array(count * P), answers = new Int32Array(count);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) {
    const e = a * P + b;
    answers[e] = (a + b) % P;
    for (let c = 0; c < P; c++) for (const k of keys) logits[e * P + c]! += s * Math.cos((2 * Math.PI * k * (a + b - c)) / P);
  }
  return { logits, answers, labels: answers, count };
}

/** Closed form of the loss of logits s Σ_{k∈keys} cos(w_k (r − c)) at the true class: it does not depend on (a, b). */
function closedFormLoss(keys: number[], s: number): number {
  const at = (delta: number) => keys.reduce((t, k) => t + s * Math.cos((2 * Math.PI * k * delta) / P), 0);
  let z = 0;
  for (let delta = 0; delta < P; delta++) z += Math.exp(at(delta));
  return Math.log(z) - at(0);
}

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('embedding Fourier spectrum: closed form', () => {
  test('a hand-built embedding: amp·sqrt(P) at its frequencies (P/2 from the cos column, P/2 from the sin column), 0 elsewhere', () => {
    const spec = embeddingSpectrum(handBuiltEmbedding(), P, 6);
    assert.equal(spec.length, 12); // k = 0..11
    for (let k = 0; k < spec.length; k++) {
      const j = KEYS.indexOf(k);
      near(spec[k]!, j >= 0 ? AMPS[j]! * Math.sqrt(P) : 0, 1e-9);
    }
    assert.deepEqual(keyFrequencies(spec, 2), [3, 7]);
  });

  test('a constant embedding is all frequency 0; norms are Parseval-complete', () => {
    const d = 4, E = new Float64Array(P * d);
    for (let i = 0; i < E.length; i++) E[i] = Math.sin(i * 1.7) + 0.3; // arbitrary
    const spec = embeddingSpectrum(E, P, d);
    const total = E.reduce((t, v) => t + v * v, 0);
    near(spec.reduce((t, n) => t + n * n, 0), total, 1e-9);
    const flat = embeddingSpectrum(new Float64Array(P * d).fill(2), P, d);
    near(at(flat, 0), 2 * Math.sqrt(P * d));
    for (const n of flat.slice(1)) near(n, 0);
  });

  test('measures: key fraction 1 and Gini of two non-zero of 11 frequencies', () => {
    const m = progressMeasures({ P, embedding: handBuiltEmbedding(), d: 6, keyCount: 2 });
    assert.deepEqual(m.keyFreqs, [3, 7]);
    near(m.keyFraction, 1);
    // Gini of 9 zeros and x < y: Σ(2i − n − 1)x_i / (n Σx) with i = 10, 11, n = 11.
    const x = AMPS[1], y = AMPS[0];
    near(m.gini, (8 * x + 10 * y) / (11 * (x + y)));
    near(progressMeasures({ P, embedding: handBuiltEmbedding(), d: 6, keyCount: 1 }).keyFraction, 4 / 4.25);
    assert.equal(m.restrictedLoss, undefined); // no logits given
  });

  test('gini: 0 for equal values, (n−1)/n for a single non-zero', () => {
    near(gini([1, 1, 1, 1]), 0);
    near(gini([0, 0, 0, 5]), 3 / 4);
    near(gini([]), 0);
  });
});

describe('restricted and excluded losses: closed form', () => {
  const all = Int32Array.from({ length: P * P }, (_, i) => i);
  const train = all.filter((i) => i % 3 !== 1);

  test('keys = the model\'s frequencies: restricted = the full loss, excluded = ln P', () => {
    const t = handBuiltLogits(KEYS, 1.5);
    const r = restrictedExcludedLosses(t, P, KEYS, train);
    near(r.restrictedLoss, closedFormLoss(KEYS, 1.5), 1e-9);
    near(r.excludedLoss, Math.log(P), 1e-9);
  });

  test('one of the two frequencies kept: restricted and excluded are the one-frequency losses', () => {
    const t = handBuiltLogits(KEYS, 2);
    const r = restrictedExcludedLosses(t, P, [3], train);
    near(r.restrictedLoss, closedFormLoss([3], 2), 1e-9);
    near(r.excludedLoss, closedFormLoss([7], 2), 1e-9);
    assert.ok(r.restrictedLoss < Math.log(P) && r.excludedLoss < Math.log(P));
  });

  test('keys the model does not use: restricted = ln P, excluded = the full loss; a per-class bias stays in both', () => {
    const t = handBuiltLogits(KEYS, 1);
    const r = restrictedExcludedLosses(t, P, [1, 2, 5], train);
    near(r.restrictedLoss, Math.log(P), 1e-9);
    near(r.excludedLoss, closedFormLoss(KEYS, 1), 1e-9);
    // A constant per-class bias changes neither loss's projection part: it is in the mean (restricted) and not removed (excluded).
    const biased = { ...t, logits: Float64Array.from(t.logits as Float64Array, (v, i) => v + (i % P === 0 ? 0.7 : 0)) };
    const b = restrictedExcludedLosses(biased, P, KEYS, all);
    const withBias = (keys: number[], s: number) => {
      const at = (delta: number) => keys.reduce((x, k) => x + s * Math.cos((2 * Math.PI * k * delta) / P), 0);
      let loss = 0;
      for (let r0 = 0; r0 < P; r0++) {
        let z = 0;
        for (let c = 0; c < P; c++) z += Math.exp(at(r0 - c) + (c === 0 ? 0.7 : 0));
        loss += Math.log(z) - at(0) - (r0 === 0 ? 0.7 : 0);
      }
      return loss / P;
    };
    near(b.restrictedLoss, withBias(KEYS, 1), 1e-9);
    near(b.excludedLoss, withBias([], 1), 1e-9);
  });
});
