import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { forecastRun, circuitStep } from '../../src/analysis/forecast';
import { checkForecast, replayForecastStop } from '../../src/analysis/forecastEval';
import { EarlyStopMonitor } from '../../src/sweep/earlyStop';
import type { EvalMetrics } from '../../src/trainer/engine/types';
import { flat, history, jump, ramp, type Curve } from './histories';

const P = { numClasses: 97 }; // floor ≈ 0.11
const BUDGET = 5000;

/** Adds restricted/excluded losses to a history: the circuit forms at `at` (ratio 1 before, rising to 4 after), or never. */
function withCircuit(h: EvalMetrics[], at: number | null): EvalMetrics[] {
  return h.map((e) => {
    const formed = at !== null && e.step >= at;
    const restricted = formed ? 1 / (1 + (e.step - at!) / 200) : 1;
    const excluded = formed ? 1 + (e.step - at!) / 100 : 1;
    return { ...e, progress: { spectrum: [], keyFreqs: [], keyFraction: 0, gini: 0, restrictedLoss: restricted, excludedLoss: excluded } };
  });
}

const memorized: Curve = ramp(0, 1, 0, 200);

describe('forecastRun: the transparent rule', () => {
  test('observed: val already ≥ ε gives the observed regime, decided', () => {
    const f = forecastRun(history(2000, memorized, jump(0.01, 1, 1500)), BUDGET, P);
    assert.equal(f.regime, 'grokking');
    assert.equal(f.decided, true);
    assert.equal(f.valReachStep, 1500);
  });

  test('train fit, val at the floor, circuit forming: grokking at leadRatio × the circuit step', () => {
    const h = withCircuit(history(1200, memorized, flat(0.02)), 500);
    assert.equal(circuitStep(h, 2), 600); // excluded/restricted = (1 + t/100)(1 + t/200) ≥ 2 from t = 100 after 500
    const f = forecastRun(h, BUDGET, P);
    assert.equal(f.regime, 'grokking');
    assert.equal(f.valReachStep, 1800);
    assert.equal(f.circuitStep, 600);
    assert.equal(f.decided, false);
    assert.match(f.reason, /excluded loss rising/);
  });

  test('train fit, val at the floor, no circuit: ungrokking, more confident the longer it holds', () => {
    const early = forecastRun(withCircuit(history(1000, memorized, flat(0.02)), null), BUDGET, P);
    const late = forecastRun(withCircuit(history(3000, memorized, flat(0.02)), null), BUDGET, P);
    assert.equal(early.regime, 'ungrokking');
    assert.equal(late.regime, 'ungrokking');
    assert.ok(late.confidence > early.confidence);
    assert.equal(late.valReachStep, null);
  });

  test('val rising after train fit: the linear extrapolation to ε; grokking by the delay rule', () => {
    // val from the floor at 1000 rising 0.1 per 200 steps: at 1400 val 0.2; ε = 0.95 at 1000 + 0.93/0.0005 ≈ 2900
    const f = forecastRun(history(1400, memorized, ramp(0.02, 1, 1000, 2960)), BUDGET, P);
    assert.equal(f.regime, 'grokking');
    assert.ok(Math.abs(f.valReachStep! - 2862) <= 60, String(f.valReachStep));
  });

  test('val rising with train: progression; flat val above the floor: semi-grokking; nothing fits: no-learning', () => {
    assert.equal(forecastRun(history(800, ramp(0, 1, 0, 2000), ramp(0, 1, 0, 2000)), BUDGET, P).regime, 'progression');
    assert.equal(forecastRun(history(3000, memorized, ramp(0.02, 0.5, 200, 1000)), BUDGET, P).regime, 'semi-grokking');
    assert.equal(forecastRun(history(3000, flat(0.02), flat(0.01)), BUDGET, P).regime, 'no-learning');
  });
});

describe('forecast evaluation and early stop', () => {
  test('checkForecast compares the cut forecast with the whole history', () => {
    const h = withCircuit(history(BUDGET, memorized, ramp(0.02, 1, 1600, 1900)), 500);
    const c = checkForecast(h, BUDGET, 0.25, P);
    assert.equal(c.trueRegime, 'grokking');
    assert.equal(c.regimeRight, true);
    assert.equal(c.trueValReachStep, 1900);
    assert.equal(c.reachError, 100); // forecast 1800
  });

  test('forecast early stop ends a memorizing run, keeps a grokking one, and the monitor does the same', () => {
    const mem = withCircuit(history(BUDGET, memorized, flat(0.02)), null);
    const stop = replayForecastStop(mem, BUDGET, 0.8, 0.25, P);
    assert.ok(stop.stopStep !== null && stop.stopStep >= 1250);
    assert.equal(stop.regimeAfterStop, 'ungrokking');
    assert.equal(stop.stepsSaved, BUDGET - stop.stopStep!);
    const grok = withCircuit(history(BUDGET, memorized, ramp(0.02, 1, 1600, 1900)), 500);
    assert.equal(replayForecastStop(grok, BUDGET, 0.8, 0.25, P).stopStep, null);

    const cfg = { enabled: true, accuracy: 0.99, holdEvals: 3, plateauSteps: 100000, plateauDelta: 0.005 };
    const firstStop = (forecast: boolean | undefined) => {
      const m = new EarlyStopMonitor({ ...cfg, forecast }, { budget: BUDGET, options: P });
      for (const rec of mem) { const r = m.observe(rec); if (r) return [rec.step, r]; }
      return null;
    };
    assert.deepEqual(firstStop(true), [stop.stopStep, 'forecast']);
    assert.equal(firstStop(undefined), null); // off by default
    assert.equal(firstStop(false), null);
  });
});
