// Small datasets and specs for the engine tests (built here so the tests do not depend on the task code).
import type { ModelConfig } from '../../src/config/schema';
import type { LockstepSpec, ModelRunSpec } from '../../src/trainer/engine/types';
import type { Dataset } from '../../src/trainer/tasks/types';
import { Rng } from '../../src/util/rng';

/** `a b =` labelled (a + b) mod P; tokens 0..P-1 are numbers, P is "=". */
export function additionDataset(P: number): Dataset {
  const count = P * P;
  const inputs = new Int32Array(count * 3), labels = new Int32Array(count);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) {
    const i = a * P + b;
    inputs.set([a, b, P], i * 3);
    labels[i] = (a + b) % P;
  }
  return { inputs, labels, count, seqLen: 3, vocabSize: P + 1, numClasses: P, component: new Uint8Array(count), componentNames: ['a+b'] };
}

/** `a op b =` with two ops (+ and −), components 0 and 1. */
export function mixtureDataset(P: number): Dataset {
  const count = 2 * P * P;
  const inputs = new Int32Array(count * 4), labels = new Int32Array(count), component = new Uint8Array(count);
  for (let c = 0; c < 2; c++) for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) {
    const i = c * P * P + a * P + b;
    inputs.set([a, P + c, b, P + 2], i * 4);
    labels[i] = c === 0 ? (a + b) % P : (a - b + P) % P;
    component[i] = c;
  }
  return { inputs, labels, count, seqLen: 4, vocabSize: P + 3, numClasses: P, component, componentNames: ['a+b', 'a-b'] };
}

/**
 * A tiny padded text task for the encoder: rows [CLS=2, words 3..V-1 ..., PAD=0 ...] of 2..S real
 * tokens (CLS included), labelled by a rule over the words (C classes).
 */
export function paddedTextDataset(count: number, S: number, V: number, C: number, seed = 5): Dataset {
  const rng = new Rng(seed, 7);
  const inputs = new Int32Array(count * S), labels = new Int32Array(count), lengths = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const len = 2 + Math.floor(rng.uniform() * (S - 1));
    inputs[i * S] = 2;
    let sum = 0;
    for (let s = 1; s < len; s++) { const t = 3 + Math.floor(rng.uniform() * (V - 3)); inputs[i * S + s] = t; sum += t; }
    labels[i] = sum % C;
    lengths[i] = len;
  }
  return { inputs, labels, count, seqLen: S, vocabSize: V, numClasses: C, component: new Uint8Array(count), componentNames: ['text'], lengths, padToken: 0 };
}

export function split(count: number, trainSize: number, seed: number): { trainIdx: Int32Array; valIdx: Int32Array } {
  const order = new Rng(seed, 99).shuffle(Int32Array.from({ length: count }, (_, i) => i));
  return { trainIdx: order.slice(0, trainSize), valIdx: order.slice(trainSize) };
}

export function modelConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return { kind: 'transformer', dModel: 16, heads: 2, layers: 1, activation: 'relu', layerNorm: 'none', initStd: 'pytorch', pooling: 'mean', ...over };
}

export function run(dataset: Dataset, trainSize: number, seed: number, over: Partial<ModelRunSpec> = {}): ModelRunSpec {
  return { seed, ...split(dataset.count, trainSize, seed), initScale: 1, lr: 1e-3, weightDecay: 1, warmupSteps: 0, ...over };
}

export function spec(dataset: Dataset, model: ModelConfig, runs: ModelRunSpec[], over: Partial<LockstepSpec> = {}): LockstepSpec {
  return { model, optimizer: { betas: [0.9, 0.98], eps: 1e-8 }, dataset, runs, batchSize: null, threads: 1, ...over };
}
