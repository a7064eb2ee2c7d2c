import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { entry } from '../assertions';
import { uShape } from '../../src/analysis/uShape';
import { emergence, type ComponentPoint } from '../../src/analysis/emergence';

const curve = (pairs: Array<[number, number]>) => pairs.map(([modelSize, valAcc]) => ({ modelSize, valAcc }));

describe('uShape', () => {
  test('detects rise, fall, rise and reports where (Huang et al. at D=2600)', () => {
    const u = uShape(curve([[4, 0.3], [8, 0.6], [16, 0.9], [24, 0.1], [32, 0.02], [40, 0.2], [64, 0.95], [100, 1]]));
    assert.equal(u.detected, true);
    assert.deepEqual(u.peak, { modelSize: 16, valAcc: 0.9 });
    assert.deepEqual(u.trough, { modelSize: 32, valAcc: 0.02 });
    assert.deepEqual(u.recovery, { modelSize: 64, valAcc: 0.95 });
    assert.ok(Math.abs(u.depth - 0.88) < 1e-9);
  });

  test('monotone accuracy is not a U-shape', () => {
    const u = uShape(curve([[4, 0.1], [8, 0.3], [16, 0.6], [32, 0.9], [64, 1]]));
    assert.equal(u.detected, false);
    assert.equal(u.depth, 0);
    assert.equal(u.trough, null);
  });

  test('a dip that does not recover is not a U-shape (depth is bounded by the recovery)', () => {
    const u = uShape(curve([[4, 0.2], [8, 0.9], [16, 0.3], [32, 0.32]]));
    assert.ok(Math.abs(u.depth - 0.02) < 1e-9);
    assert.equal(u.detected, false);
  });

  test('minimum dip depth: just below is not detected, at it is', () => {
    const pts = curve([[8, 0.8], [16, 0.7], [32, 0.9]]); // depth 0.1
    assert.equal(uShape(pts, 0.1000001).detected, false);
    assert.equal(uShape(pts, 0.1).detected, true);
    assert.equal(uShape(pts).detected, true); // default minDip 0.1
  });

  test('seeds at one model size are averaged first', () => {
    const u = uShape(curve([[8, 0.9], [16, 0.1], [16, 0.9], [32, 0.95]])); // mean 0.5 at 16
    assert.deepEqual(u.trough, { modelSize: 16, valAcc: 0.5 });
    assert.equal(u.detected, true);
  });
});

describe('emergence', () => {
  /** A logistic rise in log10 model size centred at 10^3, with the given steepness; sizes every quarter decade. */
  const logistic = (k: number, component = 'add'): ComponentPoint[] => {
    const out: ComponentPoint[] = [];
    for (let e = 1; e <= 5; e += 0.25) {
      out.push({ modelSize: 10 ** e, components: { [component]: { valAcc: 1 / (1 + Math.exp(-k * (e - 3))) }, random: { valAcc: 0 } } });
    }
    return out;
  };

  test('the size where the component passes ε, interpolated in log size', () => {
    const em = emergence(logistic(4), 'add', 0.5);
    assert.equal(em.kind, 'interpolated');
    assert.ok(Math.abs(Math.log10(em.value!) - 3) < 1e-9);
    assert.equal(em.curve.length, 17);
  });

  test('sharpness: a steeper rise has a narrower 10%→90% width and a larger max slope', () => {
    const sharp = emergence(logistic(10), 'add', 0.9);
    const gentle = emergence(logistic(2), 'add', 0.9);
    assert.ok(sharp.widthLog10! < 0.6 && gentle.widthLog10! > 1.5, `${sharp.widthLog10} vs ${gentle.widthLog10}`);
    assert.ok(sharp.maxSlope > 2 * gentle.maxSlope);
    // The steepest step straddles 10^3.
    assert.ok(Math.abs(Math.log10(sharp.maxSlopeAt!) - 3) <= 0.125 + 1e-9);
    // The logistic's true 10%→90% width is 2 ln 9 / k decades.
    assert.ok(Math.abs(gentle.widthLog10! - (2 * Math.log(9)) / 2) < 0.2);
  });

  test('not-reached and below-grid', () => {
    assert.equal(emergence(logistic(4), 'add', 0.9999).kind, 'not-reached');
    const below = emergence(logistic(4), 'add', 1e-5);
    assert.deepEqual([below.kind, below.value], ['below-grid', 10]);
  });

  test('a component that never rises has no width; other components are ignored', () => {
    const em = emergence(logistic(4), 'random', 0.5);
    assert.equal(em.widthLog10, null);
    assert.equal(em.value, null);
    const falling = logistic(4).map((p) => ({ ...p, components: { add: { valAcc: 1 - entry(p.components, 'add').valAcc } } }));
    assert.equal(emergence(falling, 'add', 0.5).widthLog10, null);
  });

  test('the rise is measured from the minimum: an early bump does not widen it', () => {
    const bumped = logistic(10).map((p, i) => (i === 0 ? { ...p, components: { add: { valAcc: 0.5 } } } : p));
    const clean = emergence(logistic(10), 'add', 0.9).widthLog10!;
    assert.ok(Math.abs(emergence(bumped, 'add', 0.9).widthLog10! - clean) < 1e-3); // not ~2 decades from index 0
  });

  test('seeds: mean by default, or the best seed (as Huang et al. report)', () => {
    const pts: ComponentPoint[] = [
      { modelSize: 64, components: { add: { valAcc: 0 } } },
      { modelSize: 1024, components: { add: { valAcc: 1 } } },
      { modelSize: 1024, components: { add: { valAcc: 0 } } },
    ];
    assert.equal(emergence(pts, 'add', 0.9).kind, 'not-reached');
    const best = emergence(pts, 'add', 0.9, { aggregate: 'max' });
    assert.equal(best.kind, 'interpolated');
    assert.ok(best.value! > 64 && best.value! < 1024);
  });
});
