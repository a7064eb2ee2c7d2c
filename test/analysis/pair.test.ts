import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairOutcome } from '../../src/analysis/pair';
import type { EvalMetrics } from '../../src/store/metrics';

/** A history from [trainLoss, valLoss] pairs. */
function losses(pairs: Array<[number, number]>): EvalMetrics[] {
  return pairs.map(([trainLoss, valLoss], i) => ({ step: i * 100, trainLoss, valLoss, trainAcc: 0, valAcc: 0, weightNorm: 1, norms: {} }));
}

test('no-learning: train loss never gets below the threshold', () => {
  const r = pairOutcome(losses([[4, 4], [1, 3], [1e-3, 3]]));
  assert.equal(r.outcome, 'no-learning');
  assert.equal(r.minTrainLoss, 1e-3);
});

test('memorization: train loss falls, val loss does not', () => {
  assert.equal(pairOutcome(losses([[4, 4], [1e-7, 5], [1e-8, 6]])).outcome, 'memorization');
});

test('generalization: train and val loss drop together (ratio stays small)', () => {
  const r = pairOutcome(losses([[4, 4], [1e-3, 2e-3], [1e-7, 1e-6]]));
  assert.equal(r.outcome, 'generalization');
  assert.equal(r.maxLossRatio, 10);
});

test('grokking: val loss lags far behind train loss before it drops', () => {
  const r = pairOutcome(losses([[4, 4], [1e-7, 3], [1e-8, 1e-6]]));
  assert.equal(r.outcome, 'grokking');
  assert.ok(r.maxLossRatio >= 3e7);
});

test('loss threshold boundary: exactly 1e-5 counts as learned, just above does not', () => {
  assert.equal(pairOutcome(losses([[4, 4], [1e-5, 1e-5]])).outcome, 'generalization');
  assert.equal(pairOutcome(losses([[4, 4], [1.01e-5, 1e-6]])).outcome, 'no-learning');
  assert.equal(pairOutcome(losses([[4, 4], [1e-6, 1.01e-5]])).outcome, 'memorization');
});

test('ratio boundary: just below 5e4 is generalization, 5e4 is grokking', () => {
  assert.equal(pairOutcome(losses([[1e-8, 4.99e-4], [1e-8, 1e-6]])).outcome, 'generalization');
  assert.equal(pairOutcome(losses([[1e-8, 5e-4], [1e-8, 1e-6]])).outcome, 'grokking');
});

test('thresholds are configurable', () => {
  const h = losses([[4, 4], [1e-3, 0.5], [1e-3, 1e-3]]);
  assert.equal(pairOutcome(h).outcome, 'no-learning');
  assert.equal(pairOutcome(h, { pairLossThreshold: 1e-2 }).outcome, 'generalization');
  assert.equal(pairOutcome(h, { pairLossThreshold: 1e-2, pairMaxRatio: 100 }).outcome, 'grokking');
});

test('a train loss of exactly 0 makes the ratio infinite; an empty history learned nothing', () => {
  assert.equal(pairOutcome(losses([[0, 1], [0, 0]])).maxLossRatio, Infinity);
  assert.equal(pairOutcome([]).outcome, 'no-learning');
});
