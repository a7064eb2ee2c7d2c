import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSchema } from '../../src/config/schema';
import { expandSweep } from '../../src/config/sweep';
import { planBatches } from '../../src/sweep/schedule';
import { estimateModelBytes, parameterCount } from '../../src/sweep/memory';

const config = ConfigSchema.parse({
  name: 's',
  task: { kind: 'modular', modulus: 23 },
  sweep: { 'model.dModel': [16, 32], 'training.trainSize': [100, 200, 300], seed: [0, 1, 2] },
});
const runs = expandSweep(config);

test('runs of the same model shape share batches; seed 0 of every cell comes first', () => {
  const batches = planBatches(runs, () => 1, 1000);
  assert.equal(batches.length, 2);
  for (const b of batches) assert.equal(new Set(b.runs.map((r) => r.config.model.dModel)).size, 1);
  // In every batch seed 0 precedes the other seeds.
  for (const b of batches) {
    const seeds = b.runs.map((r) => r.params.seed as number);
    assert.deepEqual(seeds, [...seeds].sort((x, y) => x - y));
  }
});

test('depth is a sweep axis: each depth trains in batches of its own, deeper runs count more memory', () => {
  const deep = expandSweep(ConfigSchema.parse({ name: 'd', task: { kind: 'modular', modulus: 23 }, sweep: { 'model.layers': [1, 2, 4], seed: [0, 1] } }));
  const batches = planBatches(deep, () => 1, 1000);
  assert.deepEqual(batches.map((b) => b.runs.map((r) => r.config.model.layers)), [[1, 1], [2, 2], [4, 4]]);
  const shape = { count: 529, seqLen: 3, vocabSize: 24, numClasses: 23 };
  const bytes = deep.filter((r) => r.params.seed === 0).map((r) => estimateModelBytes(r.config.model, shape));
  const [small, mid, large] = bytes;
  assert.ok(small !== undefined && mid !== undefined && large !== undefined && small < mid && mid < large, `${bytes}`);
});

test('the memory budget bounds a batch; first-seed batches run before the rest', () => {
  const batches = planBatches(runs, () => 10, 30); // 3 runs per batch
  assert.equal(batches.length, 6);
  assert.ok(batches.every((b) => b.runs.length === 3 && b.bytes === 30));
  // The first two batches hold seed 0 of all 6 cells (3 train sizes x 2 widths).
  const first = batches.slice(0, 2).flatMap((b) => b.runs);
  assert.ok(first.every((r) => r.params.seed === 0));
  assert.equal(new Set(first.map((r) => `${r.params['model.dModel']}/${r.params['training.trainSize']}`)).size, 6);
  // A run larger than the budget still gets a batch of its own.
  assert.equal(planBatches(runs.slice(0, 2), () => 100, 30).length, 2);
});

test('the memory estimate counts parameters, AdamW state and activations', () => {
  const shape = { count: 23 * 23, seqLen: 3, vocabSize: 24, numClasses: 23 };
  const d = 16, f = 64;
  assert.equal(parameterCount({ ...config.model, dModel: d }, shape),
    24 * d + 3 * d + 4 * d * d + 2 * d * f + f + d + d * 23);
  const small = estimateModelBytes({ ...config.model, dModel: 16 }, shape);
  const big = estimateModelBytes({ ...config.model, dModel: 64 }, shape);
  assert.ok(small > 16 * parameterCount({ ...config.model, dModel: 16 }, shape));
  assert.ok(big > 3 * small);
  // Depth: every block's parameters, and activations kept per layer.
  const block = 4 * d * d + 2 * d * f + f + d;
  assert.equal(parameterCount({ ...config.model, dModel: d, layers: 3 }, shape), parameterCount({ ...config.model, dModel: d }, shape) + 2 * block);
  assert.ok(estimateModelBytes({ ...config.model, dModel: 16, layers: 3 }, shape) > 2.5 * small);
  assert.equal(parameterCount({ ...config.model, kind: 'mlp', dModel: d, layers: 2 }, shape), 24 * d + 3 * d * f + f + f * f + f + f * 23 + 23);
});
