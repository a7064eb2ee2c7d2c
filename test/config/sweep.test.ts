import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireConfigFile } from '../../src/config/load';
import { ConfigSchema } from '../../src/config/schema';
import { configHash, expandSweep, resolvedTrainSize } from '../../src/config/sweep';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'modadd-cds.full.grok.json');

test('the example expands to 48 runs with unique, readable, filesystem-safe ids', () => {
  const { runs } = requireConfigFile(EXAMPLE);
  assert.equal(runs.length, 48);
  assert.equal(new Set(runs.map((r) => r.id)).size, 48);
  for (const r of runs) assert.match(r.id, /^[A-Za-z0-9._-]+$/);
  assert.equal(at(runs, 0).id, 'dModel16_trainSize1000_seed0');
  assert.equal(at(runs, 47).id, 'dModel128_trainSize4000_seed2');
  assert.deepEqual(runs.map((r) => r.index), [...Array(48).keys()]);
});

test('grid order: key order, last axis fastest; each run has its values applied', () => {
  const { runs } = requireConfigFile(EXAMPLE);
  assert.deepEqual(runs.slice(0, 4).map((r) => r.params), [
    { 'model.dModel': 16, 'training.trainSize': 1000, seed: 0 },
    { 'model.dModel': 16, 'training.trainSize': 1000, seed: 1 },
    { 'model.dModel': 16, 'training.trainSize': 1000, seed: 2 },
    { 'model.dModel': 16, 'training.trainSize': 2000, seed: 0 },
  ]);
  for (const r of runs) {
    assert.equal(r.config.model.dModel, r.params['model.dModel']);
    assert.equal(r.config.training.trainSize, r.params['training.trainSize']);
    assert.equal(r.config.seed, r.params.seed);
    assert.deepEqual(r.config.sweep, {});
    assert.equal(r.config.model.heads, 4);
  }
});

const parse = (sweep: Record<string, unknown[]>, training: object = {}) =>
  ConfigSchema.parse({ name: 's', task: { kind: 'modular', op: 'a+b', modulus: 13 }, training, sweep });

test('a data-size axis clears the other form of data size', () => {
  const byFraction = expandSweep(parse({ 'training.trainFraction': [0.3] }, { trainSize: 50 }));
  assert.equal(at(byFraction, 0).config.training.trainSize, undefined);
  assert.equal(at(byFraction, 0).config.training.trainFraction, 0.3);
  const bySize = expandSweep(parse({ 'training.trainSize': [40] }, { trainFraction: 0.5 }));
  assert.equal(at(bySize, 0).config.training.trainFraction, undefined);
  assert.equal(at(bySize, 0).config.training.trainSize, 40);
});

test('ids spell out operators, and use full paths where last segments collide', () => {
  const ops = expandSweep(parse({ 'task.op': ['a+b', 'a-b', '(a+b)^2', 'a^2+b^2', 'a/b', 'a*b'] }));
  assert.deepEqual(ops.map((r) => r.id), ['opaplusb', 'opa-b', 'opaplusbpow2', 'opapow2plusbpow2', 'opadivb', 'opatimesb']);
  const clash = expandSweep(parse({ 'model.kind': ['mlp'], 'optimizer.kind': ['adamw'], seed: [3] }));
  assert.deepEqual(clash.map((r) => r.id), ['model.kindmlp_optimizer.kindadamw_seed3']);
});

test('a sweep without axes is one run of the base config', () => {
  const runs = expandSweep(parse({}));
  assert.equal(runs.length, 1);
  assert.equal(at(runs, 0).id, 'run');
  assert.deepEqual(at(runs, 0).params, {});
});

test('configHash is stable under key order and sensitive to every value', () => {
  const a = parse({ seed: [0, 1] });
  const reordered = JSON.parse(JSON.stringify(a, Object.keys(a).sort().reverse()));
  const h = configHash(a);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(configHash(a), h);
  assert.equal(configHash({ ...reordered, ...a }), h);
  assert.equal(configHash(ConfigSchema.parse({ name: 's', task: { kind: 'modular', op: 'a+b', modulus: 13 }, sweep: { seed: [0, 1] } })), h);
  assert.equal(configHash({ ...a, description: 'edited', $schema: '../x.json' }), h, 'a description or $schema edit does not change what trains');
  assert.notEqual(configHash({ ...a, seed: 1 }), h);
  assert.notEqual(configHash({ ...a, optimizer: { ...a.optimizer, lr: 0.0011 } }), h);
  assert.notEqual(configHash({ ...a, sweep: { seed: [1, 0] } }), h);
  const runs = expandSweep(a);
  assert.notEqual(configHash(at(runs, 0).config), configHash(at(runs, 1).config));
});

test('resolvedTrainSize: trainSize, trainFraction (rounded), default half', () => {
  assert.equal(resolvedTrainSize(parse({}, { trainSize: 100 }), 169), 100);
  assert.equal(resolvedTrainSize(parse({}, { trainFraction: 0.3 }), 169), 51);
  assert.equal(resolvedTrainSize(parse({}), 169), 85);
  const mix = ConfigSchema.parse({
    name: 'm', task: { kind: 'mixture', modulus: 5, components: [{ op: 'a+b', trainSize: 7 }, { op: 'a/b' }, { op: 'a*b' }] },
    training: { trainSize: 30 },
  });
  // 7 own; 30 shared over pools of 20 (a/b) and 25 (a*b) → 13 + 17.
  assert.equal(resolvedTrainSize(mix, 70), 37);
});
