import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { criticalDataSize, type DataRun } from '../../src/analysis/cds';
import { groupRuns } from '../../src/analysis/groups';
import { memorizationCapacity } from '../../src/analysis/memorization';
import { Rng } from '../../src/util/rng';
import type { Regime } from '../../src/store/types';

const GROUP = { 'model.dModel': 64 };

/** Runs from per-size accuracy lists (one entry per seed). */
function runs(bySize: Record<number, number[]>): DataRun[] {
  return Object.entries(bySize).flatMap(([size, accs]) =>
    accs.map((valAcc, seed) => ({ params: { ...GROUP, 'training.trainSize': Number(size), seed }, dataSize: Number(size), seed, valAcc })));
}

/** A smooth accuracy-vs-size curve crossing 0.5 at 3000, with seed noise of ±0.1. */
function noisyRuns(seeds: number, rngSeed = 1): DataRun[] {
  const rng = new Rng(rngSeed);
  const bySize: Record<number, number[]> = {};
  for (let n = 1000; n <= 5000; n += 500) {
    bySize[n] = Array.from({ length: seeds }, () => Math.min(1, Math.max(0, 1 / (1 + Math.exp(-(n - 3000) / 400)) + (rng.uniform() - 0.5) * 0.2)));
  }
  return runs(bySize);
}

describe('criticalDataSize', () => {
  test('monotone data: interpolates linearly between the grid sizes around ε', () => {
    const c = criticalDataSize(runs({ 1000: [0.1, 0.1], 2000: [0.5, 0.5], 3000: [0.9, 0.9], 4000: [1, 1] }), 0.95);
    assert.equal(c.kind, 'interpolated');
    assert.ok(Math.abs(c.value! - 3500) < 1e-9);
    assert.equal(c.seeds, 2);
    assert.equal(c.epsilon, 0.95);
    assert.deepEqual(c.group, GROUP); // the params every run shares
  });

  test('the mean over seeds decides, not any one seed', () => {
    // At 2000 one seed reaches ε but the mean (0.75) does not.
    const c = criticalDataSize(runs({ 1000: [0, 0], 2000: [1, 0.5], 3000: [1, 1] }), 0.95);
    assert.ok(Math.abs(c.value! - (2000 + (0.2 / 0.25) * 1000)) < 1e-9);
  });

  test('non-monotone data: the first crossing counts; a later dip does not move it', () => {
    const c = criticalDataSize(runs({ 1000: [0.2], 2000: [0.97], 3000: [0.6], 4000: [0.99] }), 0.95);
    assert.equal(c.kind, 'interpolated');
    assert.ok(Math.abs(c.value! - (1000 + (0.75 / 0.77) * 1000)) < 1e-9);
  });

  test('all below ε: not-reached, with no value and no interval', () => {
    const c = criticalDataSize(runs({ 1000: [0.1, 0.2], 2000: [0.5, 0.6], 3000: [0.9, 0.8] }), 0.95);
    assert.deepEqual([c.kind, c.value, c.low, c.high], ['not-reached', null, null, null]);
  });

  test('all above ε: below-grid, the smallest size is an upper bound', () => {
    const c = criticalDataSize(runs({ 1000: [0.96, 0.99], 2000: [1, 1] }), 0.95);
    assert.deepEqual([c.kind, c.value], ['below-grid', 1000]);
    assert.ok(c.low! <= 1000 && c.high! <= 1000);
  });

  test('one seed: the bootstrap has nothing to resample, so the interval is the point', () => {
    const c = criticalDataSize(runs({ 1000: [0.1], 2000: [0.5], 3000: [0.9], 4000: [1] }), 0.95);
    assert.equal(c.seeds, 1);
    assert.equal(c.low, c.value);
    assert.equal(c.high, c.value);
  });

  test('many seeds: the interval contains the estimate and has width', () => {
    const c = criticalDataSize(noisyRuns(10), 0.5);
    assert.equal(c.kind, 'interpolated');
    assert.ok(c.low! < c.value! && c.value! < c.high!, `${c.low} < ${c.value} < ${c.high}`);
    assert.ok(Math.abs(c.value! - 3000) < 300);
  });

  test('the interval narrows as seeds grow (mean width over 8 noise draws)', () => {
    const width = (seeds: number) => {
      let w = 0;
      for (let draw = 1; draw <= 8; draw++) { const c = criticalDataSize(noisyRuns(seeds, draw), 0.5); w += (c.high! - c.low!) / 8; }
      return w;
    };
    const [w4, w16, w64] = [width(4), width(16), width(64)];
    assert.ok(w4 > w16 && w16 > w64 && w64 < w4 / 2, `${w4} > ${w16} > ${w64}`);
  });

  test('resamples that never reach ε leave the interval open above (high = null)', () => {
    // At the top size one seed of two reaches ε: half the resamples never reach it.
    const c = criticalDataSize(runs({ 1000: [0, 0], 2000: [1, 0.92] }), 0.95);
    assert.equal(c.kind, 'interpolated');
    assert.equal(c.high, null);
    assert.ok(c.low! >= 1000);
  });

  test('deterministic: the same input and seed give the same interval; the coverage is configurable', () => {
    const data = noisyRuns(5);
    assert.deepEqual(criticalDataSize(data, 0.5), criticalDataSize(data, 0.5));
    const narrow = criticalDataSize(data, 0.5, { bootstrapConfidence: 0.5 });
    const wide = criticalDataSize(data, 0.5, { bootstrapConfidence: 0.99 });
    assert.ok(narrow.high! - narrow.low! < wide.high! - wide.low!);
  });
});

describe('groupRuns', () => {
  test('groups by every axis except data size and seed, in order of first appearance', () => {
    const all = [64, 32].flatMap((d) => [1000, 2000].flatMap((n) => [0, 1].map((seed) => ({
      id: `${d}-${n}-${seed}`, params: { 'model.dModel': d, 'training.trainSize': n, seed, 'optimizer.lr': 1e-3 },
    }))));
    const groups = groupRuns(all, 'training.trainSize', 'seed');
    assert.equal(groups.length, 2);
    assert.deepEqual(groups[0].params, { 'model.dModel': 64, 'optimizer.lr': 1e-3 });
    assert.deepEqual(groups[1].params, { 'model.dModel': 32, 'optimizer.lr': 1e-3 });
    assert.deepEqual(groups[0].runs.map((r) => r.id), ['64-1000-0', '64-1000-1', '64-2000-0', '64-2000-1']);
  });
});

describe('memorizationCapacity', () => {
  const at = (dataSize: number, ...regimes: Regime[]) => regimes.map((regime) => ({ dataSize, regime }));

  test('the data size where half the seeds switch from memorizing first to progression', () => {
    const d = memorizationCapacity([
      ...at(1000, 'ungrokking', 'ungrokking', 'ungrokking'),
      ...at(2000, 'grokking', 'semi-grokking', 'progression'),
      ...at(3000, 'progression', 'progression', 'progression'),
    ]);
    assert.equal(d.kind, 'interpolated');
    assert.ok(Math.abs(d.value! - (2000 + ((0.5 - 1 / 3) / (2 / 3)) * 1000)) < 1e-9);
  });

  test('no-learning, unsettled and unclassified runs do not vote', () => {
    const d = memorizationCapacity([
      ...at(1000, 'grokking', 'no-learning', 'no-learning'),
      ...at(2000, 'progression', 'unsettled'),
      { dataSize: 2000, regime: null },
    ]);
    assert.deepEqual(d, { kind: 'interpolated', value: 1500 }); // 0/1 progress at 1000, 1/1 at 2000
  });

  test('below-grid when the smallest size already progresses; not-reached when none does', () => {
    assert.deepEqual(memorizationCapacity([...at(1000, 'progression'), ...at(2000, 'progression')]), { kind: 'below-grid', value: 1000 });
    assert.deepEqual(memorizationCapacity([...at(1000, 'ungrokking'), ...at(2000, 'grokking')]), { kind: 'not-reached', value: null });
  });
});
