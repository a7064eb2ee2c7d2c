// The arithmetic of `npm run bench`'s paired rounds (bench/pairedStats.ts): the estimator, the
// spread, the ABBA order, the segment length, which torch configurations run, and "noisy".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NOISY, bestByMedian, keepConfigs, median, noisyReasons, othersCores, pairedRatios, quantile, relativeIqr, roundOrder, stepsFor, summarize,
} from '../../bench/pairedStats';

test('median and quartiles interpolate between order statistics, whatever the input order', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantile([10, 20, 30, 40, 50], 0.25), 20);
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
  assert.ok(Number.isNaN(median([])));
  const s = summarize([1.4, 0.9, 1.1, 1.0, 1.2]);
  assert.deepEqual(s, { median: 1.1, min: 0.9, max: 1.4, q1: 1.0, q3: 1.2 });
});

test('paired ratios divide round by round, so a burst that slows both sides of a round cancels', () => {
  // round 2 was hit by load: both sides 2× slower; the paired ratios stay 1.5
  const torch = [15, 15, 30, 15, 15], ours = [10, 10, 20, 10, 10];
  assert.deepEqual(pairedRatios(torch, ours), [1.5, 1.5, 1.5, 1.5, 1.5]);
  // a burst on one side moves one round's ratio; the median does not follow it
  const burst = pairedRatios([15, 15, 30, 15, 15], ours.map(() => 10));
  assert.equal(median(burst), 1.5);
  assert.equal(summarize(burst).max, 3);
  assert.throws(() => pairedRatios([1, 2], [1]), /as many rounds/);
});

test('the interquartile width is relative to the median', () => {
  assert.ok(Math.abs(relativeIqr(summarize([0.9, 1.0, 1.0, 1.0, 1.1])) - 0) < 1e-12);
  assert.ok(Math.abs(relativeIqr(summarize([0.8, 0.9, 1.0, 1.1, 1.2])) - 0.2) < 1e-12);
});

test('rounds alternate which side goes first (A B | B A | A B ...)', () => {
  assert.deepEqual(roundOrder(0, 'ours', ['t1', 't2']), ['ours', 't1', 't2']);
  assert.deepEqual(roundOrder(1, 'ours', ['t1', 't2']), ['t2', 't1', 'ours']);
  assert.deepEqual(roundOrder(2, 'ours', ['t1']), ['ours', 't1']);
  assert.deepEqual(roundOrder(3, 'ours', []), ['ours']);
  // over an even number of rounds every side is first as often as last
  const firsts = [0, 1, 2, 3].map((r) => roundOrder(r, 'A', ['B'])[0]);
  assert.deepEqual(firsts, ['A', 'B', 'A', 'B']);
});

test('a segment runs about the target time, within bounds', () => {
  assert.equal(stepsFor(20, 400), 20);
  assert.equal(stepsFor(130, 400), 3);
  assert.equal(stepsFor(1000, 400), 1); // at least 1 step
  assert.equal(stepsFor(1000, 400, 2), 2);
  assert.equal(stepsFor(0.5, 400), 200); // at most 200
  assert.equal(stepsFor(NaN, 400), 1);
});

test('a torch configuration more than 1.5× behind on both measures is dropped; one ahead on either stays', () => {
  const trials = [
    { name: 'procs×2', wallMs: 120, cpuMs: 230 },
    { name: 'bmm t1/b2', wallMs: 400, cpuMs: 500 }, // behind on both: dropped
    { name: 'frugal', wallMs: 250, cpuMs: 200 }, // slow on the wall, least CPU: kept
  ];
  assert.deepEqual(keepConfigs(trials), { kept: ['procs×2', 'frugal'], dropped: ['bmm t1/b2'] });
  assert.deepEqual(keepConfigs(trials, 4).dropped, []);
});

test("torch's configuration is the one with the least median, not the luckiest round", () => {
  // b2 has the single best round (8) but the worse median
  assert.equal(bestByMedian({ 'loop t1/b2': [8, 16, 17, 15, 16], 'loop t1/b1': [12, 12, 13, 12, 11] }), 'loop t1/b1');
  assert.throws(() => bestByMedian({}), /no torch configuration/);
});

test("others' CPU is the machine's busy time less the side's own, per wall second", () => {
  // 100 ticks/s: 150 ticks = 1500 ms busy in a 1000 ms segment, the side used 1000 ms itself
  assert.equal(othersCores(150, 100, 1000, 1000), 0.5);
  assert.equal(othersCores(90, 100, 1000, 1000), 0); // tick rounding never goes negative
});

test('noisy: load above the cores in use, others using half a core, or a wide spread of the ratios', () => {
  const tight = summarize([1.2, 1.22, 1.25, 1.28, 1.3]);
  assert.deepEqual(noisyReasons({ loadMax: 1.9, cores: 2, othersCores: [0.1, 0.2], ratios: tight }), []);
  assert.deepEqual(noisyReasons({ loadMax: 2.4, cores: 2, othersCores: [0.1, 0.2], ratios: tight }), ['load 2.40 > 2 cores']);
  assert.deepEqual(noisyReasons({ loadMax: 1.5, cores: 2, othersCores: [0.1, NOISY.othersCores + 0.1], ratios: tight }), ['others used 0.60 cores']);
  const wide = summarize([0.8, 1.0, 1.2, 1.45, 1.5]); // IQR 1.0-1.45 around 1.2: ±19%
  assert.deepEqual(noisyReasons({ loadMax: 1, cores: 2, othersCores: [0, 0], ratios: wide }), ['ratio IQR ±19%']);
  // one wild round among five does not make the case noisy: the IQR ignores it
  assert.deepEqual(noisyReasons({ loadMax: 1, cores: 2, othersCores: [0, 0], ratios: summarize([1.2, 1.21, 1.22, 1.23, 3]) }), []);
  // no ratio at all (a NaN median) is noisy, not quiet
  assert.equal(noisyReasons({ loadMax: 1, cores: 2, othersCores: [0], ratios: summarize([NaN]) }).length, 1);
});
