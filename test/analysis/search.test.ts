import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { nextProbes, planCdsSearch, probeParams, type Probe, type ProbeResult, type SearchConfig, type SearchStep } from '../../src/analysis/search';

const SEARCH: SearchConfig = { axis: 'training.trainSize', range: [1000, 9500], tolerance: 0.05, seeds: 2 };

/** Synthetic converged accuracy: a logistic in data size centred at `mid`, with a small per-seed offset. */
const logistic = (mid: number, width = 150) => (p: Probe) =>
  Math.min(1, 1 / (1 + Math.exp(-(p.dataSize - mid) / width)) + (p.seed % 2 ? 0.004 : -0.004));
/** Where that curve's seed mean reaches ε. */
const trueCds = (mid: number, eps: number, width = 150) => mid + width * Math.log(eps / (1 - eps));

/** Drive the search to the end, training every probe at once; counts the runs. */
function drive(first: SearchStep, accOf: (p: Probe) => number): { step: SearchStep; runs: number } {
  let step = first, runs = 0;
  for (let round = 0; !step.done; round++) {
    assert.ok(round < 100, 'search did not terminate');
    runs += step.probes.length;
    step = nextProbes(step.state, step.probes.map((p) => ({ group: p.group, dataSize: p.dataSize, seed: p.seed, valAcc: accOf(p) })));
  }
  return { step, runs };
}

test('converges within tolerance on a synthetic accuracy-vs-size curve, with fewer runs than the grid', () => {
  const groups = [{ 'model.dModel': 64 }];
  const { step, runs } = drive(nextProbes(planCdsSearch(SEARCH, groups, { epsilon: 0.95 }), []), logistic(3137));
  const est = at(step.estimates, 0);
  const truth = trueCds(3137, 0.95);
  assert.equal(est.kind, 'interpolated');
  assert.deepEqual(est.group, at(groups, 0));
  assert.ok(Math.abs(est.value! - truth) / truth < SEARCH.tolerance, `estimate ${est.value} vs ${truth}`);
  const g = at(step.state.groups, 0);
  assert.ok((g.hi - g.lo) / g.hi < SEARCH.tolerance && g.lo <= truth && truth <= g.hi, `bracket [${g.lo}, ${g.hi}]`);
  const gridRuns = ((9500 - 1000) / 500 + 1) * SEARCH.seeds; // the paper's grid: 1000..9500 step 500
  assert.ok(runs < gridRuns / 2, `${runs} runs vs ${gridRuns} on the grid`);
  assert.equal(est.seeds, 2);
});

test('each group bisects on its own; ε comes from search.epsilon before the fallback', () => {
  const groups = [{ 'model.dModel': 32 }, { 'model.dModel': 64 }];
  const mids = [6000, 2500];
  const state = planCdsSearch({ ...SEARCH, epsilon: 0.9 }, groups, { epsilon: 0.5 });
  assert.equal(state.epsilon, 0.9);
  const { step } = drive(nextProbes(state, []), (p) => logistic(at(mids, p.group))(p));
  step.estimates.forEach((est, i) => {
    const truth = trueCds(at(mids, i), 0.9);
    assert.ok(Math.abs(est.value! - truth) / truth < SEARCH.tolerance, `group ${i}: ${est.value} vs ${truth}`);
  });
});

test('the first probes are both ends of the range, every seed; then the midpoint', () => {
  const first = nextProbes(planCdsSearch(SEARCH, [{}], { seedBase: 7 }), []);
  assert.deepEqual(first.probes.map((p) => [p.dataSize, p.seed]), [[1000, 7], [1000, 8], [9500, 7], [9500, 8]]);
  assert.deepEqual(probeParams(first.state, { ...at(first.probes, 1), params: { 'model.dModel': 64 } }),
    { 'model.dModel': 64, 'training.trainSize': 1000, seed: 8 });
  assert.equal(first.done, false);
  const acc = logistic(3137);
  const second = nextProbes(first.state, first.probes.map((p) => ({ ...p, valAcc: acc(p) })));
  assert.deepEqual(second.probes.map((p) => p.dataSize), [5250, 5250]);
});

test('results in parts and out of order: waits for the missing ones, ignores strays and repeats', () => {
  const first = nextProbes(planCdsSearch(SEARCH, [{}]), []);
  const acc = logistic(3137);
  const results: ProbeResult[] = first.probes.map((p) => ({ group: p.group, dataSize: p.dataSize, seed: p.seed, valAcc: acc(p) })).reverse();
  const partial = nextProbes(first.state, [...results.slice(0, 3), { group: 0, dataSize: 1234, seed: 0, valAcc: 1 }, { group: 5, dataSize: 1000, seed: 0, valAcc: 1 }]);
  assert.deepEqual(partial.probes, []);
  assert.equal(partial.done, false);
  assert.equal(at(partial.state.groups, 0).results.length, 3);
  const rest = nextProbes(partial.state, results); // the 3 already seen come again: ignored
  assert.equal(at(rest.state.groups, 0).results.length, 4);
  assert.deepEqual(rest.probes.map((p) => p.dataSize), [5250, 5250]);
});

test('not-reached when the top of the range is below ε; below-grid when the bottom already reaches it', () => {
  const never = drive(nextProbes(planCdsSearch(SEARCH, [{}]), []), () => 0.3);
  assert.equal(never.runs, 4);
  assert.deepEqual([at(never.step.estimates, 0).kind, at(never.step.estimates, 0).value], ['not-reached', null]);
  const always = drive(nextProbes(planCdsSearch(SEARCH, [{}]), []), () => 0.99);
  assert.equal(always.runs, 4);
  assert.deepEqual([at(always.step.estimates, 0).kind, at(always.step.estimates, 0).value], ['below-grid', 1000]);
});

test('a range starting at 0 does not probe size 0; fractions are not rounded', () => {
  const first = nextProbes(planCdsSearch({ ...SEARCH, axis: 'training.trainFraction', range: [0, 1], seeds: 1 }, [{}]), []);
  assert.deepEqual(first.probes.map((p) => p.dataSize), [1]);
  const second = nextProbes(first.state, [{ group: 0, dataSize: 1, seed: 0, valAcc: 1 }]);
  assert.deepEqual(second.probes.map((p) => p.dataSize), [0.5]);
});

test('the state is plain JSON and is never mutated', () => {
  const state = planCdsSearch(SEARCH, [{ 'model.dModel': 64 }]);
  const frozen = JSON.stringify(state);
  const first = nextProbes(state, []);
  assert.equal(JSON.stringify(state), frozen);
  const revived = JSON.parse(JSON.stringify(first.state));
  const acc = logistic(3137);
  const results = first.probes.map((p) => ({ ...p, valAcc: acc(p) }));
  assert.deepEqual(nextProbes(revived, results), nextProbes(first.state, results));
});

test('integer sizes stop when the bracket is one sample wide', () => {
  const { step } = drive(nextProbes(planCdsSearch({ ...SEARCH, range: [10, 20], tolerance: 0.001, seeds: 1 }, [{}]), []), (p) => (p.dataSize >= 14 ? 1 : 0));
  const g = at(step.state.groups, 0);
  assert.deepEqual([g.lo, g.hi], [13, 14]);
  assert.ok(Math.abs(at(step.estimates, 0).value! - Math.exp(Math.log(13) + 0.95 * Math.log(14 / 13))) < 1e-9);
  // One seed at 1.0 is not 3 standard errors (spread floored at 0.03) above ε = 0.95: open above.
  assert.deepEqual(at(step.estimates, 0).bracket, [13, null]);
});

test('a range with hi ≤ lo is an error', () => {
  assert.throws(() => planCdsSearch({ ...SEARCH, range: [5000, 1000] }, [{}]), /hi > lo/);
});
