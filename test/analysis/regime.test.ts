import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { regimeOf } from '../../src/analysis/regime';
import { ANALYSIS_DEFAULTS, analysisOptions, floorAccOf } from '../../src/analysis/options';
import { flat, history, jump, point, ramp } from './histories';

const P = { numClasses: 113 }; // chance 0.0088, floor ≈ 0.108
const FLOOR = floorAccOf({ ...ANALYSIS_DEFAULTS, ...P });
const CHANCE = 1 / 113;

describe('regimeOf: the six regimes', () => {
  test('progression: train and val rise together', () => {
    const r = regimeOf(history(3000, ramp(0, 1, 0, 2000), ramp(0, 1, 0, 2000)), P);
    assert.equal(r.regime, 'progression');
    assert.equal(r.trainFitStep, 2000);
    assert.ok(r.valLeavesFloorStep! < r.trainFitStep!);
  });

  test('grokking: train fits early, val reaches ε long after; norm peaks at fit, then falls', () => {
    const norm = (s: number) => (s <= 500 ? 10 + s / 50 : Math.max(8, 20 - (s - 500) / 200));
    const r = regimeOf(history(5000, ramp(0, 1, 0, 500), ramp(CHANCE, 1, 3000, 3500), { norm }), P);
    assert.equal(r.regime, 'grokking');
    assert.equal(r.trainFitStep, 500);
    assert.equal(r.valReachStep, 3500);
    assert.equal(r.valFitStep, 3500);
    assert.equal(r.grokDelay, 3000);
    assert.equal(r.valLeavesFloorStep, 3100);
    assert.equal(r.weightNormPeakStep, 500);
    assert.ok(Math.abs(r.weightNormDrop! - 0.6) < 1e-9); // 20 → 8
  });

  test('ungrokking: train fits, val stays at chance to the end', () => {
    const r = regimeOf(history(5000, ramp(0, 1, 0, 500), flat(0.02)), P);
    assert.equal(r.regime, 'ungrokking');
    assert.equal(r.valReachStep, null);
    assert.equal(r.grokDelay, null);
  });

  test('semi-grokking: train fits, val settles between the floor and ε', () => {
    const r = regimeOf(history(5000, ramp(0, 1, 0, 500), ramp(CHANCE, 0.55, 1000, 2000)), P);
    assert.equal(r.regime, 'semi-grokking');
    assert.ok(Math.abs(r.endValMean! - 0.55) < 1e-9);
  });

  test('semi-grokking: val oscillates between low and high without a trend', () => {
    const r = regimeOf(history(5000, flat(1), (s) => ((s / 100) % 2 === 0 ? 0.05 : 0.9)), P);
    assert.equal(r.regime, 'semi-grokking');
    assert.ok(Math.abs(r.endValTrend) < ANALYSIS_DEFAULTS.moveDelta);
  });

  test('no-learning: train never fits and nothing moves', () => {
    const r = regimeOf(history(5000, flat(0.3), flat(0.01)), P);
    assert.equal(r.regime, 'no-learning');
    assert.equal(r.trainFitStep, null);
  });

  test('unsettled: train fit, val still climbing when the budget ends', () => {
    const r = regimeOf(history(5000, flat(1), ramp(CHANCE, 0.7, 3000, 5000)), P);
    assert.equal(r.regime, 'unsettled');
    assert.ok(r.endValTrend > 0.2);
  });

  test('unsettled: train still climbing toward fit when the budget ends', () => {
    const r = regimeOf(history(5000, ramp(0, 0.9, 0, 5000), flat(0.01)), P);
    assert.equal(r.regime, 'unsettled');
  });

  test('unsettled: no evals yet', () => {
    const r = regimeOf([], P);
    assert.equal(r.regime, 'unsettled');
    assert.equal(r.finalValAcc, null);
  });
});

describe('regimeOf: each threshold, just below and just above', () => {
  test('fitAcc: train max 0.989 does not fit, 0.99 does', () => {
    assert.equal(regimeOf(history(5000, flat(0.989), flat(0.01)), P).regime, 'no-learning');
    const fits = regimeOf(history(5000, jump(0, 0.99, 500), flat(0.01)), P);
    assert.equal(fits.regime, 'ungrokking');
    assert.equal(fits.trainFitStep, 500);
  });

  test('ε: val ending at 0.949 is semi-grokking, at 0.95 it generalized', () => {
    assert.equal(regimeOf(history(5000, jump(0, 1, 500), jump(CHANCE, 0.949, 3000)), P).regime, 'semi-grokking');
    assert.equal(regimeOf(history(5000, jump(0, 1, 500), jump(CHANCE, 0.95, 3000)), P).regime, 'grokking');
  });

  test('plateauRatio: val at the floor after train fit for 0.9× the fit step is progression, 1× is grokking', () => {
    // Train fits at 1000; val leaves the floor (to 0.5) at `leave` and reaches 1 at 5000.
    const run = (leave: number) => regimeOf(history(8000, jump(0, 1, 1000), (s) => (s < leave ? CHANCE : s < 5000 ? 0.5 : 1)), P);
    const below = run(1900); // a plateau of 900 steps after a fit at 1000
    assert.equal(below.plateauSteps, 900);
    assert.equal(below.regime, 'progression');
    const at = run(2000); // 1000 steps: as long as train took to fit
    assert.equal(at.plateauSteps, 1000);
    assert.equal(at.regime, 'grokking');
  });

  // The canonical curve ((a+b) mod 97, 40% of the pairs, Nanda et al.'s setting): train fits at 150,
  // val creeps off the floor at 450 and reaches ε only at 1800. The plateau is 2× the fit step but
  // 17% of the steps to ε: the old "share of the steps to ε" rule called it progression.
  test('a slow creep off the floor long after the fit is grokking; leaving the floor right after it is progression', () => {
    const P97 = { numClasses: 97 };
    const creep = regimeOf(history(2000, ramp(0, 1, 0, 150), ramp(0.05, 1, 150, 1850), { every: 50 }), P97);
    assert.deepEqual([creep.trainFitStep, creep.valLeavesFloorStep, creep.valReachStep], [150, 300, 1800]);
    assert.equal(creep.regime, 'grokking');
    // Val leaves the floor one eval after the fit and then takes as long to reach ε: not a wait.
    const prompt = regimeOf(history(2000, ramp(0, 1, 0, 150), ramp(0.05, 1, 150, 1850), { every: 50 }).map((e) => (e.step === 200 ? { ...e, valAcc: 0.2 } : e)), P97);
    assert.equal(prompt.valLeavesFloorStep, 200);
    assert.equal(prompt.regime, 'progression');
  });

  test('floor: val above the floor at the fit step is progression, just below it is grokking', () => {
    const val = (atFit: number) => (s: number) => (s < 1000 ? CHANCE : s === 1000 ? atFit : s < 2000 ? CHANCE : 1);
    const rising = regimeOf(history(6000, jump(0, 1, 1000), val(FLOOR + 0.001)), P);
    assert.equal(rising.valLeavesFloorStep, 1000);
    assert.equal(rising.regime, 'progression');
    const flatAtFit = regimeOf(history(6000, jump(0, 1, 1000), val(FLOOR - 0.001)), P);
    assert.equal(flatAtFit.valLeavesFloorStep, 2000);
    assert.equal(flatAtFit.regime, 'grokking');
  });

  test('floor: end-window mean just below the floor is ungrokking, just above is semi-grokking', () => {
    assert.equal(regimeOf(history(5000, flat(1), flat(FLOOR - 0.001)), P).regime, 'ungrokking');
    assert.equal(regimeOf(history(5000, flat(1), flat(FLOOR + 0.001)), P).regime, 'semi-grokking');
  });

  test('moveDelta: a 0.04 rise over the end window is settled, 0.06 is still moving', () => {
    // The end window is steps 4000..5000 (the last 20%); val rises linearly across it.
    const risingBy = (d: number) => (s: number) => (s < 4000 ? 0.5 : 0.5 + (d * (s - 4000)) / 1000);
    const settled = regimeOf(history(5000, flat(1), risingBy(0.04)), P);
    assert.ok(Math.abs(settled.endValTrend - 0.04) < 1e-9);
    assert.equal(settled.regime, 'semi-grokking');
    assert.equal(regimeOf(history(5000, flat(1), risingBy(0.06)), P).regime, 'unsettled');
  });

  test('a residual creep after the rise is settled: the end change must be half of val\'s fastest change', () => {
    // Val rises 0.8 over steps 1000–2000, then creeps 0.06 over the end window (4000–5000).
    const creep = (s: number) => (s < 1000 ? CHANCE : s < 2000 ? CHANCE + (0.8 * (s - 1000)) / 1000 : s < 4000 ? 0.81 : 0.81 + (0.06 * (s - 4000)) / 1000);
    const r = regimeOf(history(5000, jump(0, 1, 500), creep), P);
    assert.ok(r.endValTrend >= ANALYSIS_DEFAULTS.moveDelta);
    assert.equal(r.regime, 'semi-grokking');
    // The same end change with no faster rise before it is still moving.
    assert.equal(regimeOf(history(5000, jump(0, 1, 500), (s) => (s < 4000 ? 0.81 : creep(s))), P).regime, 'unsettled');
  });

  test('endEvals: one slingshot dip at the last eval keeps a generalized run generalized; two of the last three do not', () => {
    // Seen on real runs (a+b mod 23, lr 0.01): val holds 1.0, then one eval dips to 0.76 and recovers.
    const dipAt = (steps: number[]) => (s: number) => (s < 400 ? 0.05 : steps.includes(s) ? 0.76 : 1);
    const one = regimeOf(history(4500, jump(0, 1, 200), dipAt([4500])), P);
    assert.equal(one.finalValAcc, 0.76);
    assert.equal(one.endValAcc, 1);
    assert.equal(one.regime, 'grokking'); // val at the floor from train fit (200) to twice that step
    const two = regimeOf(history(4500, jump(0, 1, 200), dipAt([4400, 4500])), P);
    assert.equal(two.endValAcc, 0.76);
    assert.ok(!['grokking', 'progression'].includes(two.regime), two.regime);
    // endEvals 1: the last eval alone decides, as before.
    assert.ok(!['grokking', 'progression'].includes(regimeOf(history(4500, jump(0, 1, 200), dipAt([4500])), { ...P, endEvals: 1 }).regime));
  });

  test('settleMinEvals: a short run still gets a window of that many evals', () => {
    const h = [point(0, 0, 0.01), point(100, 1, 0.01), point(200, 1, 0.5), point(300, 1, 0.6)];
    const r = regimeOf(h, { ...P, settleMinEvals: 3 });
    assert.ok(Math.abs(r.endValTrend - 0.59) < 1e-9); // least-squares line over 100..300
    assert.equal(r.regime, 'unsettled');
  });
});

describe('regimeOf: options', () => {
  test('the floor follows chance: binary tasks need val above 0.55 to leave it', () => {
    assert.equal(floorAccOf({ numClasses: 2, floorAcc: null, floorMargin: 0.1 }), 0.55);
    const h = history(5000, jump(0, 1, 500), flat(0.54));
    assert.equal(regimeOf(h, { numClasses: 2 }).regime, 'ungrokking');
    assert.equal(regimeOf(h, { numClasses: 113 }).regime, 'semi-grokking');
  });

  test('an absolute floorAcc overrides chance', () => {
    const h = history(5000, jump(0, 1, 500), flat(0.2));
    assert.equal(regimeOf(h, { ...P, floorAcc: 0.25 }).regime, 'ungrokking');
  });

  test('config overrides: known keys merge over the defaults, unknown keys are ignored, bad values throw', () => {
    const opts = analysisOptions({ epsilon: 0.8, fitAcc: 0.9, plateauRatio: 9, somethingElse: 'kept by the config, ignored here' });
    assert.equal(opts.epsilon, 0.8);
    assert.equal(opts.fitAcc, 0.9);
    assert.equal(opts.plateauRatio, 9);
    assert.equal(opts.moveDelta, ANALYSIS_DEFAULTS.moveDelta);
    assert.throws(() => analysisOptions({ fitAcc: 1.5 }), /fitAcc/);
    // A lower ε turns a semi-grokking run into a grokking one.
    const h = history(5000, jump(0, 1, 500), jump(CHANCE, 0.85, 3000));
    assert.equal(regimeOf(h, P).regime, 'semi-grokking');
    assert.equal(regimeOf(h, { ...opts, ...P }).regime, 'progression'); // plateau 2500 < 9 × the fit at 500
    assert.equal(regimeOf(h, { ...opts, ...P, plateauRatio: 1 }).regime, 'grokking');
  });
});
