import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ConfigSchema, TaskSchema } from '../../src/config/schema';
import { buildDataset } from '../../src/trainer/tasks/index';
import { plannedSplitSizes, splitDataset, splitForRun, splitSizes } from '../../src/trainer/tasks/split';
import type { Dataset, Split } from '../../src/trainer/tasks/types';

const modular = (P = 23) => buildDataset(TaskSchema.parse({ kind: 'modular', op: 'a+b', modulus: P }), { configDir: '.' });

function assertPartition(split: Split, count: number, covers: boolean) {
  const seen = new Uint8Array(count);
  for (const i of split.train) { assert.equal(seen[i], 0); seen[i] = 1; }
  for (const i of split.val) { assert.equal(seen[i], 0, `index ${i} in train and val`); seen[i] = 2; }
  if (covers) assert.ok(seen.every((s) => s !== 0), 'train ∪ val is the pool');
  for (const idx of [split.train, split.val]) for (let j = 1; j < idx.length; j++) assert.ok(idx[j - 1]! < idx[j]!); // 1 <= j < length
}

test('train and validation are disjoint, sorted and cover the pool; sizes as asked', async () => {
  const d = await modular();
  const s = splitDataset(d, { seed: 4, trainSizes: [200] });
  assert.deepEqual([s.train.length, s.val.length, s.poolSize], [200, 529 - 200, 529]);
  assertPartition(s, d.count, true);
});

test('deterministic by seed; different seeds give different train sets', async () => {
  const d = await modular();
  const a = splitDataset(d, { seed: 1, trainSizes: [100] });
  assert.deepEqual(a, splitDataset(d, { seed: 1, trainSizes: [100] }));
  const b = splitDataset(d, { seed: 2, trainSizes: [100] });
  const shared = a.train.filter((i) => b.train.includes(i)).length;
  assert.ok(shared < 60, `${shared} of 100 shared`); // ~19 expected for independent samples
});

test('for one seed a smaller train set is inside a larger one (uniform pruning)', async () => {
  const d = await modular();
  const small = splitDataset(d, { seed: 9, trainSizes: [50] });
  const large = splitDataset(d, { seed: 9, trainSizes: [300] });
  const inLarge = new Set(large.train);
  assert.ok(small.train.every((i) => inLarge.has(i)));
});

test('valSize caps validation with a sample shared by every train size that leaves room', async () => {
  const d = await modular();
  const a = splitDataset(d, { seed: 3, trainSizes: [100], valSize: 50 });
  const b = splitDataset(d, { seed: 3, trainSizes: [400], valSize: 50 });
  assert.equal(a.val.length, 50);
  assertPartition(a, d.count, false);
  assert.deepEqual(a.val, b.val);
  const tight = splitDataset(d, { seed: 3, trainSizes: [500], valSize: 50 });
  assert.equal(tight.val.length, 29);
  assertPartition(tight, d.count, true);
});

test('train sizes that leave no validation example are refused', async () => {
  const d = await modular(5);
  assert.throws(() => splitDataset(d, { seed: 0, trainSizes: [25] }), /does not fit a pool of 25/);
  assert.throws(() => splitDataset(d, { seed: 0, trainSizes: [0] }), /does not fit/);
  assert.equal(splitDataset(d, { seed: 0, trainSizes: [24] }).val.length, 1);
});

test('mixtures split per component, each with its own size', async () => {
  const config = ConfigSchema.parse({
    name: 'm', seed: 2, training: { trainSize: 40, valSize: 10 },
    task: { kind: 'mixture', modulus: 11, components: [{ op: 'a+b', trainSize: 30 }, { op: 'a-b' }, { op: 'a/b', trainFraction: 0.5 }] },
  });
  const d = await buildDataset(config.task, { configDir: '.', seed: config.seed });
  const s = splitForRun(d, config);
  const sizes = splitSizes(d, s);
  // a+b: own 30; a-b: all of training.trainSize (the only component without its own); a/b: 0.5 · 110.
  assert.deepEqual(sizes.components, [
    { name: 'a+b', train: 30, val: 10 }, { name: 'a-b', train: 40, val: 10 }, { name: 'a/b', train: 55, val: 10 },
  ]);
  assertPartition(s, d.count, false);
  assert.deepEqual(plannedSplitSizes(config), { ...sizes, pool: 121 + 121 + 110 });
});

test('a fixed validation set (text test files) is kept out of training and capped by valSize', () => {
  const count = 30;
  const d: Dataset = {
    inputs: new Int32Array(count * 2), labels: new Int32Array(count), count, seqLen: 2, vocabSize: 4, numClasses: 2,
    component: new Uint8Array(count), componentNames: ['text'], fixedValidation: Int32Array.from({ length: 10 }, (_, i) => 20 + i),
  };
  const all = splitDataset(d, { seed: 0, trainSizes: [20] });
  assert.deepEqual([all.train.length, all.val.length, all.poolSize], [20, 10, 20]);
  assert.ok(all.val.every((i) => i >= 20) && all.train.every((i) => i < 20));
  const capped = splitDataset(d, { seed: 0, trainSizes: [5], valSize: 4 });
  assert.equal(capped.val.length, 4);
  assert.ok(capped.val.every((i) => i >= 20));
  const config = ConfigSchema.parse({ name: 't', task: { kind: 'text', format: 'csv', path: 'x.csv' } });
  assert.equal(splitForRun(d, config).train.length, 20, 'default: the whole pool when validation is fixed');
});
