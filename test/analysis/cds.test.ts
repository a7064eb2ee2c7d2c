import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { bracketOf, criticalDataSize, isotonic, sizeVerdicts, type DataRun } from '../../src/analysis/cds';
import { ANALYSIS_DEFAULTS } from '../../src/analysis/options';
import { groupRuns } from '../../src/analysis/groups';
import { memorizationCapacity } from '../../src/analysis/memorization';
import { formatMemorization } from '../../src/analysis/format';
import { Rng } from '../../src/util/rng';

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

/** Log-size interpolation between a and b at fraction t. */
const logLerp = (a: number, b: number, t: number) => Math.exp(Math.log(a) + t * (Math.log(b) - Math.log(a)));

describe('criticalDataSize', () => {
  test('monotone data: bracket, a point estimate in log size, an interval that spans the grid cell', () => {
    const four = (v: number) => [v, v, v, v];
    const c = criticalDataSize(runs({ 1000: four(0.1), 2000: four(0.5), 3000: four(0.9), 4000: four(1) }), 0.95);
    assert.equal(c.kind, 'interpolated');
    // Four seeds in agreement: 3000 is below ε and 4000 at or above it by more than 3 standard errors.
    assert.deepEqual(c.bracket, [3000, 4000]);
    assert.ok(Math.abs(c.value! - logLerp(3000, 4000, 0.5)) < 1e-9);
    // The seeds agree, but the grid says only "between 3000 and 4000": the 90% interval covers
    // 90% of that cell (in log size), not a point.
    assert.ok(c.low! >= 3000 && c.high! <= 4000 && c.low! < logLerp(3000, 4000, 0.1) && c.high! > logLerp(3000, 4000, 0.9), `${c.low}–${c.high}`);
    assert.deepEqual([c.seeds, c.epsilon, c.confidence, c.budgetLimited], [4, 0.95, 0.9, false]);
    assert.deepEqual(c.group, GROUP); // the params every run shares
  });

  test('a two-size grid: the interval is never narrower than the data supports (the issue\'s 409–409)', () => {
    const c = criticalDataSize(runs({ 200: [0.2, 0.3], 420: [1, 1] }), 0.95);
    assert.ok(c.high! - c.low! > 0.8 * (420 - 200), `${c.low}–${c.high}`);
    // Two seeds at 1.0 do not show that the EXPECTED accuracy at 420 is ≥ 0.95: within 3 standard
    // errors (spread floored at 0.03) of ε, so the bracket stays open above; four seeds close it.
    assert.deepEqual(c.bracket, [200, null]);
    assert.deepEqual(criticalDataSize(runs({ 200: [0.25, 0.25, 0.25, 0.25], 420: [1, 1, 1, 1] }), 0.95).bracket, [200, 420]);
  });

  test('the isotonic fit over every seed decides, not any one seed', () => {
    // At 2000 one seed reaches ε but the mean (0.75) does not.
    const c = criticalDataSize(runs({ 1000: [0, 0], 2000: [1, 0.5], 3000: [1, 1] }), 0.95);
    // Two seeds that disagree this much leave the crossing anywhere above 1000.
    assert.deepEqual(c.bracket, [1000, null]);
    assert.ok(Math.abs(c.value! - logLerp(2000, 3000, 0.2 / 0.25)) < 1e-9);
  });

  test('non-monotone data: the bracket widens over the dip; the monotone fit pools it', () => {
    const four = (v: number) => [v, v, v, v];
    const c = criticalDataSize(runs({ 1000: four(0.2), 2000: four(1), 3000: four(0.6), 4000: four(1) }), 0.95);
    // 2000 is decisively above and 3000 decisively below: they contradict a rising curve, so the
    // bracket spans both, from the last size below under 2000 to the first size above over 3000.
    assert.deepEqual(c.bracket, [1000, 4000]);
    // PAVA pools 2000 and 3000 to 0.8 < ε: the fit crosses between 3000 and 4000.
    assert.equal(c.kind, 'interpolated');
    assert.ok(Math.abs(c.value! - logLerp(3000, 4000, (0.95 - 0.8) / (1 - 0.8))) < 1e-9);
  });

  test('all below ε: not-reached, bracket open above, no value, interval open above', () => {
    const c = criticalDataSize(runs({ 1000: [0.1, 0.2], 2000: [0.5, 0.6], 3000: [0.9, 0.8] }), 0.95);
    // 3000's mean (0.85) is within 3 standard errors of ε (pooled spread 0.071, 2 seeds): the crossing
    // may lie just below it, so the bracket is open above from 2000.
    assert.deepEqual([c.kind, c.value, c.bracket, c.high], ['not-reached', null, [2000, null], null]);
  });

  test('all above ε: below-grid, the smallest size is an upper bound, open below', () => {
    const c = criticalDataSize(runs({ 1000: [1, 1, 0.99, 1], 2000: [1, 1, 1, 1] }), 0.95);
    assert.deepEqual([c.kind, c.value, c.bracket, c.low], ['below-grid', 1000, [null, 1000], null]);
    // Seeds at 0.96 and 0.99 do not settle 1000: the bracket reaches 2000; with two seeds nothing is settled.
    assert.deepEqual(criticalDataSize(runs({ 1000: [0.96, 0.99, 0.96, 0.99], 2000: [1, 1, 1, 1] }), 0.95).bracket, [null, 2000]);
    assert.deepEqual(criticalDataSize(runs({ 1000: [0.96, 0.99], 2000: [1, 1] }), 0.95).bracket, [null, null]);
  });

  test('budget-limited when a run at a bracket size was still moving; not for runs elsewhere', () => {
    const base = runs({ 1000: [0, 0, 0, 0], 2000: [0.5, 0.6, 0.5, 0.6], 3000: [1, 1, 1, 1], 4000: [1, 1, 1, 1] });
    const at = (size: number) => base.map((r) => (r.dataSize === size && r.seed === 0 ? { ...r, moving: true } : r));
    assert.equal(criticalDataSize(at(2000), 0.95).budgetLimited, true);
    assert.equal(criticalDataSize(at(3000), 0.95).budgetLimited, true);
    assert.equal(criticalDataSize(at(1000), 0.95).budgetLimited, false);
    assert.equal(criticalDataSize(at(4000), 0.95).budgetLimited, false);
    // With an open end every size on that side is undecided: a moving run there counts.
    const open = runs({ 1000: [0, 0], 2000: [0.5, 0.6], 3000: [1, 1], 4000: [1, 1] });
    assert.deepEqual(criticalDataSize(open, 0.95).bracket, [2000, null]);
    assert.equal(criticalDataSize(open.map((r) => (r.dataSize === 4000 ? { ...r, moving: true } : r)), 0.95).budgetLimited, true);
  });

  test("Zhu et al.'s estimate: the size where the median steps to reach ε peak", () => {
    const withSteps = (size: number, steps: Array<number | null>) => steps.map((reachStep, seed) =>
      ({ params: { seed }, dataSize: size, seed, valAcc: reachStep === null ? 0.1 : 1, reachStep }));
    const data = [...withSteps(100, [null, null]), ...withSteps(200, [null, 4000, 3000]), ...withSteps(300, [2500, 3500]), ...withSteps(400, [500, 600])];
    // 200: only 2 of 3 reach ε (median 3500) but the peak needs half: it counts; 300: median 3000.
    assert.equal(criticalDataSize(data, 0.95).stepsPeak, 200);
    assert.equal(criticalDataSize(runs({ 1: [1] }), 0.95).stepsPeak, null); // no reach steps known
  });

  test('many seeds: the interval contains the estimate and has width', () => {
    const c = criticalDataSize(noisyRuns(10), 0.5);
    assert.equal(c.kind, 'interpolated');
    assert.ok(c.low! < c.value! && c.value! < c.high!, `${c.low} < ${c.value} < ${c.high}`);
    assert.ok(Math.abs(c.value! - 3000) < 300);
  });

  test('many seeds do not narrow the interval below the grid cell', () => {
    const width = (seeds: number) => {
      let w = 0;
      // ε = 0.6: the curve crosses it at ≈ 3160, inside the cell 3000–3500.
      for (let draw = 1; draw <= 8; draw++) { const c = criticalDataSize(noisyRuns(seeds, draw), 0.6); w += (c.high! - c.low!) / 8; }
      return w;
    };
    const w64 = width(64);
    assert.ok(w64 > 0.8 * 500, `${w64}: one cell is 500 wide`);
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
    assert.equal(wide.confidence, 0.99);
  });
});

describe('bracket verdicts', () => {
  const opts = { bracketZ: ANALYSIS_DEFAULTS.bracketZ, bracketSdFloor: ANALYSIS_DEFAULTS.bracketSdFloor };
  test('a size is decided only beyond 3 standard errors of a spread pooled over the group', () => {
    // Pooled spread 0.16 (the 2000 seeds disagree): the agreeing seeds at 1000 and 3000 are no surer.
    assert.deepEqual(sizeVerdicts([[0.7, 0.7], [0.6, 1], [1, 1]], 0.95, opts), ['ambiguous', 'ambiguous', 'ambiguous']);
    assert.deepEqual(sizeVerdicts([[0.1, 0.1], [0.6, 1], [1, 1]], 0.95, opts), ['below', 'ambiguous', 'ambiguous']);
    // No spread at all: the floor (0.03) still asks 3 × 0.03 / √k of margin.
    assert.deepEqual(sizeVerdicts([[0.9, 0.9], [1, 1]], 0.95, opts), ['ambiguous', 'ambiguous']);
    assert.deepEqual(sizeVerdicts([[0.85, 0.85], [1, 1, 1, 1]], 0.95, opts), ['below', 'above']);
  });

  test('monotonicity: ambiguous sizes never bound the bracket, contradicting ones widen it', () => {
    assert.deepEqual(bracketOf([1, 2, 3, 4], ['below', 'ambiguous', 'ambiguous', 'above']), [1, 4]);
    assert.deepEqual(bracketOf([1, 2, 3, 4], ['ambiguous', 'below', 'ambiguous', 'ambiguous']), [2, null]);
    assert.deepEqual(bracketOf([1, 2, 3], ['ambiguous', 'ambiguous', 'ambiguous']), [null, null]);
    assert.deepEqual(bracketOf([1, 2, 3, 4, 5], ['below', 'above', 'below', 'above', 'above']), [1, 4]);
    assert.deepEqual(bracketOf([1, 2, 3], ['above', 'below', 'ambiguous']), [null, null]);
  });
});

describe('isotonic', () => {
  test('pools adjacent violators with their weights; monotone input is unchanged', () => {
    assert.deepEqual(isotonic([0.1, 0.5, 0.9], [1, 1, 1]), [0.1, 0.5, 0.9]);
    const pooled = isotonic([0.2, 0.9, 0.6, 1], [1, 3, 1, 1]);
    assert.deepEqual(pooled.map((y) => Math.round(y * 1e9) / 1e9), [0.2, 0.825, 0.825, 1]);
    assert.deepEqual(isotonic([1, 0, 0], [1, 1, 1]), [1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('groupRuns', () => {
  test('groups by every axis except data size and seed, in order of first appearance', () => {
    const all = [64, 32].flatMap((d) => [1000, 2000].flatMap((n) => [0, 1].map((seed) => ({
      id: `${d}-${n}-${seed}`, params: { 'model.dModel': d, 'training.trainSize': n, seed, 'optimizer.lr': 1e-3 },
    }))));
    const groups = groupRuns(all, 'training.trainSize', 'seed');
    assert.equal(groups.length, 2);
    assert.deepEqual(at(groups, 0).params, { 'model.dModel': 64, 'optimizer.lr': 1e-3 });
    assert.deepEqual(at(groups, 1).params, { 'model.dModel': 32, 'optimizer.lr': 1e-3 });
    assert.deepEqual(at(groups, 0).runs.map((r) => r.id), ['64-1000-0', '64-1000-1', '64-2000-0', '64-2000-1']);
  });
});

describe('memorizationCapacity (a random-label sweep)', () => {
  const at = (dataSize: number, ...trainAccs: number[]) => trainAccs.map((trainAcc) => ({ dataSize, trainAcc }));

  test('the largest data size most seeds fit, with the bracket to the first size they do not', () => {
    const d = memorizationCapacity([...at(100, 1, 1, 1), ...at(200, 1, 0.995, 0.9), ...at(400, 0.8, 0.7, 0.99)], 0.99);
    assert.deepEqual([d.kind, d.value, d.bracket, d.seeds, d.budgetLimited], ['interpolated', 200, [200, 400], 3, false]);
  });

  test('a fit rate that rises again at a larger size is pooled (non-increasing), not a second capacity', () => {
    const d = memorizationCapacity([...at(100, 1, 1), ...at(200, 0.5, 0.6), ...at(300, 1, 1), ...at(400, 0.3, 0.2)], 0.99);
    // 200 (0/2) and 300 (2/2) pool to 1/2: still fitted by half the seeds.
    assert.deepEqual([d.value, d.bracket], [300, [300, 400]]);
  });

  test('how D_mem reads (grok status, the report): its bracket, a bound off either end of the grid, the budget flag', () => {
    assert.equal(formatMemorization(memorizationCapacity([...at(100, 1, 1), ...at(200, 1, 1), ...at(400, 0.5, 0.6)], 0.99)), 'D_mem 200 (fits 200, not 400)');
    assert.equal(formatMemorization(memorizationCapacity([...at(100, 1), ...at(200, 1)], 0.99)), 'D_mem ≥ 200 (every grid size fits)');
    assert.equal(formatMemorization(memorizationCapacity([...at(100, 0.5), ...at(200, 0.4)], 0.99)), 'D_mem < 100 (no grid size fits)');
    assert.equal(formatMemorization(memorizationCapacity([...at(100, 1), { dataSize: 200, trainAcc: 0.9, moving: true }], 0.99)), 'D_mem 100 (fits 100, not 200) · budget-limited');
  });

  test('below-grid when nothing fits, not-reached (a lower bound) when everything does; budget flag', () => {
    assert.deepEqual(memorizationCapacity([...at(100, 0.5), ...at(200, 0.4)], 0.99).bracket, [null, 100]);
    assert.equal(memorizationCapacity([...at(100, 0.5), ...at(200, 0.4)], 0.99).kind, 'below-grid');
    const all = memorizationCapacity([...at(100, 1), ...at(200, 1)], 0.99);
    assert.deepEqual([all.kind, all.value, all.bracket], ['not-reached', 200, [200, null]]);
    const moving = memorizationCapacity([...at(100, 1), { dataSize: 200, trainAcc: 0.9, moving: true }], 0.99);
    assert.equal(moving.budgetLimited, true);
  });
});
