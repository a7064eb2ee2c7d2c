import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyStopMonitor } from '../../src/trainer/sweep/earlyStop';

const cfg = { enabled: true, accuracy: 0.99, holdEvals: 3, plateauSteps: 300, plateauDelta: 0.005 };
const at = (step: number, trainAcc: number, valAcc: number) =>
  ({ step, trainAcc, valAcc, trainLoss: 0, valLoss: 0, weightNorm: 0, norms: {} });

function firstStop(monitor: EarlyStopMonitor, evals: Array<[number, number, number]>): [number, string] | null {
  for (const [s, t, v] of evals) {
    const r = monitor.observe(at(s, t, v));
    if (r) return [s, r];
  }
  return null;
}

test('generalized: val accuracy held for holdEvals consecutive evals', () => {
  const evals: Array<[number, number, number]> = [[0, 0.1, 0.1], [100, 1, 0.995], [200, 1, 0.98], [300, 1, 0.99], [400, 1, 1], [500, 1, 1]];
  assert.deepEqual(firstStop(new EarlyStopMonitor(cfg), evals), [500, 'generalized']);
});

test('plateau: train fit and val flat over plateauSteps; a late rise resets it', () => {
  const flat: Array<[number, number, number]> = [[0, 0.2, 0.05], [100, 1, 0.05], [200, 1, 0.051], [300, 1, 0.052], [400, 1, 0.05], [500, 1, 0.05]];
  assert.deepEqual(firstStop(new EarlyStopMonitor(cfg), flat), [400, 'plateau']);
  const rising: Array<[number, number, number]> = [[0, 0.2, 0.05], [100, 1, 0.05], [200, 1, 0.1], [300, 1, 0.2], [400, 1, 0.3], [500, 1, 0.4]];
  assert.equal(firstStop(new EarlyStopMonitor(cfg), rising), null);
});

test('no plateau stop before train has fit for the whole window', () => {
  const evals: Array<[number, number, number]> = [[0, 0.2, 0.05], [100, 0.5, 0.05], [200, 0.9, 0.05], [300, 1, 0.05], [400, 1, 0.05], [500, 1, 0.05], [600, 1, 0.05]];
  assert.deepEqual(firstStop(new EarlyStopMonitor(cfg), evals), [600, 'plateau']);
});

test('disabled: never stops', () => {
  const evals: Array<[number, number, number]> = Array.from({ length: 20 }, (_, i) => [i * 100, 1, 1]);
  assert.equal(firstStop(new EarlyStopMonitor({ ...cfg, enabled: false }), evals), null);
});
