import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { at, entry } from '../assertions';
import { ConfigSchema } from '../../src/config/schema';
import { summarize, dataAxisOf, type RunWithHistory } from '../../src/analysis/summarize';
import { regimeMapData } from '../../src/analysis/regimeMap';
import type { Regime, RunSummary } from '../../src/store/types';
import type { EvalMetrics } from '../../src/store/metrics';
import { flat, history, jump, ramp } from './histories';

const config = (extra: Record<string, unknown> = {}) => ConfigSchema.parse({
  name: 'grid', task: { kind: 'modular', modulus: 113 },
  sweep: { 'model.dModel': [32], 'training.trainSize': [2000, 3000, 4000], seed: [0, 1] },
  ...extra,
});

/** Histories by data size: memorize only below 3000, grok at 3000, progress above. */
const HISTORY = {
  2000: history(5000, ramp(0, 1, 0, 500), flat(0.02)),
  3000: history(5000, ramp(0, 1, 0, 500), jump(0.01, 1, 3000)),
  4000: history(5000, ramp(0, 1, 0, 1000), ramp(0, 1, 0, 1000)),
} satisfies Record<number, EvalMetrics[]>;

function gridRuns(): RunWithHistory[] {
  return ([2000, 3000, 4000] as const).flatMap((n) => [0, 1].map((seed) => ({
    id: `n${n}-s${seed}`, params: { 'model.dModel': 32, 'training.trainSize': n, seed }, status: 'done' as const, history: HISTORY[n],
  })));
}

const META = { configHash: 'abc', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('summarize', () => {
  test('fills regime, fit steps and final metrics per run', () => {
    const s = summarize(gridRuns(), config(), META);
    assert.deepEqual([s.name, s.configHash, s.updatedAt], ['grid', 'abc', META.updatedAt]);
    const byId = Object.fromEntries(s.runs.map((r) => [r.id, r]));
    assert.equal(entry(byId, 'n2000-s0').regime, 'ungrokking');
    assert.equal(entry(byId, 'n3000-s0').regime, 'grokking');
    assert.equal(entry(byId, 'n4000-s1').regime, 'progression');
    assert.deepEqual(entry(byId, 'n3000-s0').steps, { trainFit: 500, valFit: 3000, valReach: 3000, last: 5000 });
    assert.deepEqual(entry(byId, 'n2000-s0').steps, { trainFit: 500, valFit: null, valReach: null, last: 5000 });
    assert.deepEqual(entry(byId, 'n2000-s0').outcome, { trainAcc: 1, valAcc: 0.02, moving: false });
    assert.equal(entry(byId, 'n2000-s0').final!.valAcc, 0.02);
    assert.equal(entry(byId, 'n2000-s0').final!.trainAcc, 1);
  });

  test('critical data size and memorization capacity per group', () => {
    const s = summarize(gridRuns(), config(), META);
    assert.equal(s.criticalDataSize.length, 1);
    const c = at(s.criticalDataSize, 0);
    assert.deepEqual(c.group, { 'model.dModel': 32 });
    assert.equal(c.epsilon, 0.95);
    assert.equal(c.kind, 'interpolated');
    // Two seeds at 3000 are not 3 standard errors above ε: the bracket stays open above 2000.
    assert.deepEqual(c.bracket, [2000, null]);
    assert.ok(Math.abs(c.value! - Math.exp(Math.log(2000) + (0.93 / 0.98) * Math.log(1.5))) < 1e-9);
    assert.deepEqual([c.seeds, c.budgetLimited, c.stepsPeak], [2, false, 3000]);
    assert.deepEqual(s.memorizationCapacity, [], 'D_mem comes from a memorization sweep only');
  });

  test('a task.kind axis: memorization runs measure D_mem, the others D_crit, and the map draws that D_mem', () => {
    // Memorization runs fit (train 1.0) up to 3000 examples, not at 4000 (train 0.6).
    const mem = (n: number) => history(5000, n <= 3000 ? ramp(0, 1, 0, 1000) : flat(0.6), flat(0.01));
    const runs: RunWithHistory[] = [...gridRuns().map((r) => ({ ...r, id: `modular-${r.id}`, params: { ...r.params, 'task.kind': 'modular' } })),
      ...[2000, 3000, 4000].flatMap((n) => [0, 1].map((seed) => ({
        id: `mem-n${n}-s${seed}`, params: { 'task.kind': 'memorization', 'model.dModel': 32, 'training.trainSize': n, seed }, status: 'done' as const, history: mem(n),
      })))];
    const s = summarize(runs, config({ sweep: { 'task.kind': ['modular', 'memorization'], 'model.dModel': [32], 'training.trainSize': [2000, 3000, 4000], seed: [0, 1] } }), META);
    assert.deepEqual(s.criticalDataSize.map((c) => c.group), [{ 'task.kind': 'modular', 'model.dModel': 32 }]);
    assert.deepEqual(s.memorizationCapacity.map((m) => [m.group, m.value, m.kind]), [[{ 'task.kind': 'memorization', 'model.dModel': 32 }, 3000, 'interpolated']]);
    const map = regimeMapData(s.runs, { model: 'model.dModel', data: 'training.trainSize', seed: 'seed' }, { memorization: s.memorizationCapacity });
    const modular = map.panels.find((p) => p.fixed['task.kind'] === 'modular')!;
    assert.deepEqual(modular.dMem.map((d) => [d.modelSize, d.value]), [[32, 3000]]);
    // The memorization panel's own regimes say nothing about D_mem: no line there.
    assert.deepEqual(map.panels.find((p) => p.fixed['task.kind'] === 'memorization')!.dMem, []);
  });

  test('the analysis section of the config is in force', () => {
    const s = summarize(gridRuns(), config({ analysis: { epsilon: 0.5, plateauRatio: 6 } }), META);
    assert.ok(Math.abs(at(s.criticalDataSize, 0).value! - Math.exp(Math.log(2000) + (0.48 / 0.98) * Math.log(1.5))) < 1e-9);
    // A plateau of 2500 steps < 6 × the 500 steps train took to fit: the 3000 runs no longer count as grokking.
    assert.equal(s.runs.find((r) => r.id === 'n3000-s0')!.regime, 'progression');
  });

  test('unfinished, stopped and failed runs: summarized, but only done runs enter D_crit', () => {
    const runs = gridRuns();
    runs[0] = { ...at(runs, 0), status: 'failed', error: 'boom' };
    runs[1] = { ...at(runs, 1), status: 'running', history: HISTORY[2000].slice(0, 5) };
    // Cancelled before it grokked: its low final accuracy is not an outcome.
    runs[2] = { ...at(runs, 2), status: 'stopped', stopReason: 'cancelled', history: HISTORY[2000] };
    runs.push({ id: 'pending', params: { 'model.dModel': 32, 'training.trainSize': 2000, seed: 2 }, status: 'pending', history: [] });
    const s = summarize(runs, config(), META);
    const byId = Object.fromEntries(s.runs.map((r) => [r.id, r]));
    assert.equal(entry(byId, 'n2000-s0').regime, null);
    assert.equal(entry(byId, 'n2000-s0').error, 'boom');
    assert.equal(entry(byId, 'n2000-s1').regime, 'unsettled'); // provisional: still climbing
    assert.deepEqual([entry(byId, 'pending').regime, entry(byId, 'pending').final, entry(byId, 'pending').steps], [null, null, { trainFit: null, valFit: null, valReach: null, last: 0 }]);
    assert.equal(entry(byId, 'n3000-s0').stopReason, 'cancelled');
    // No done run at 2000 is left, and only seed 1 at 3000, so the grid starts at 3000, already at ε.
    assert.deepEqual([at(s.criticalDataSize, 0).kind, at(s.criticalDataSize, 0).value], ['below-grid', 3000]);
  });

  test('mixture components come from the last eval', () => {
    const h = HISTORY[3000].map((e) => ({ ...e, components: { add: { train: { loss: 0, acc: 1 }, val: { loss: 0, acc: 0.9 } } } }));
    const s = summarize([{ id: 'm', params: {}, status: 'done', history: h }], config({ sweep: {} }), META);
    assert.deepEqual(at(s.runs, 0).components, { add: { trainAcc: 1, valAcc: 0.9 } });
  });

  // repro-emergence's shape: a+b (300 samples) next to 1 or 250 random-label a-b samples.
  const mixture = (sweep: Record<string, unknown>) => config({
    task: { kind: 'mixture', modulus: 23, components: [{ op: 'a+b', trainSize: 300 }, { op: 'a-b', labels: 'random', trainSize: 250 }] },
    model: { kind: 'mlp', dModel: 8, dMlp: 64 }, sweep,
  });
  /** A history whose last evals give a+b val `add` (and 0.05 for the random labels). */
  const mixed = (add: number, moving = false) => history(5000, flat(1), moving ? ramp(0, 1, 0, 5000) : flat(add)).map((e) => ({
    ...e, components: { 'a+b': { train: { loss: 0, acc: 1 }, val: { loss: 0, acc: moving ? add * e.valAcc : add } }, 'random(a-b)': { train: { loss: 0, acc: 1 }, val: { loss: 3, acc: 0.05 } } },
  }));

  test('a random-label component count is no data size: no CDS along it, a+b val accuracy per count instead', () => {
    const cfg = mixture({ 'task.components.1.trainSize': [1, 250], 'model.dMlp': [8, 512], seed: [0, 1] });
    assert.equal(dataAxisOf(cfg), 'task.components.1.trainSize');
    const add = { 8: { 1: 0.99, 250: 0.1 }, 512: { 1: 1, 250: 0.97 } } as const;
    const runs: RunWithHistory[] = ([8, 512] as const).flatMap((w) => ([1, 250] as const).flatMap((n) => [0, 1].map((seed) => ({
      id: `w${w}-n${n}-s${seed}`, params: { 'task.components.1.trainSize': n, 'model.dMlp': w, seed }, status: 'done' as const,
      history: mixed(add[w][n], w === 8 && n === 250 && seed === 1),
    }))));
    const s = summarize(runs, cfg, META);
    assert.deepEqual(s.criticalDataSize, [], 'a "CDS > 250 (not reached)" along the random count is no critical data size of anything');
    assert.equal(s.randomCount?.axis, 'task.components.1.trainSize');
    assert.equal(s.randomCount?.component, 'random(a-b)');
    const rows = s.randomCount!.accuracy.map((a) => [a.group, a.component, a.points.map((p) => [p.size, Number(p.valAcc.toFixed(3)), p.seeds, p.moving])]);
    assert.deepEqual(rows, [
      // dMlp 8 at 250: one seed converged at 0.1, one still rising to 0.1 at its end (median of the last 3 evals: 0.098).
      [{ 'model.dMlp': 8 }, 'a+b', [[1, 0.99, 2, false], [250, 0.099, 2, true]]],
      [{ 'model.dMlp': 512 }, 'a+b', [[1, 1, 2, false], [250, 0.97, 2, false]]],
    ]);
    // The converged outcome carries each component's median of the last evals.
    assert.deepEqual(s.runs.find((r) => r.id === 'w512-n250-s0')!.outcome!.components, { 'a+b': { trainAcc: 1, valAcc: 0.97 }, 'random(a-b)': { trainAcc: 1, valAcc: 0.05 } });
    // The map over that count draws no D_crit either.
    const map = regimeMapData(s.runs, { model: 'model.dMlp', data: 'task.components.1.trainSize', seed: 'seed' }, { component: { index: 1, name: 'random(a-b)', random: true } });
    assert.deepEqual(map.panels.map((p) => p.dCrit), [[]]);
  });

  test('a swept op component size is the data axis, and its own val accuracy decides the CDS', () => {
    const cfg = mixture({ 'task.components.1.trainSize': [250], 'task.components.0.trainSize': [100, 200, 300], seed: [0, 1, 2, 3] });
    assert.equal(dataAxisOf(cfg), 'task.components.0.trainSize', 'the op component before the random one');
    // a+b reaches 1.0 from 200 on; the overall val (flat 0.5, the random labels at chance) never reaches ε.
    const runs: RunWithHistory[] = [100, 200, 300].flatMap((n) => [0, 1, 2, 3].map((seed) => ({
      id: `n${n}-s${seed}`, params: { 'task.components.1.trainSize': 250, 'task.components.0.trainSize': n, seed }, status: 'done' as const,
      history: mixed(n >= 200 ? 1 : 0.2).map((e) => ({ ...e, valAcc: 0.5 })),
    })));
    const s = summarize(runs, cfg, META);
    assert.equal(s.randomCount, undefined);
    const c = at(s.criticalDataSize, 0);
    assert.deepEqual([c.kind, c.bracket], ['interpolated', [100, 200]]);
  });

  test('an unswept data size is read from the config', () => {
    const cfg = config({ sweep: { seed: [0, 1] }, training: { trainSize: 3000 } });
    const s = summarize(gridRuns().filter((r) => r.params['training.trainSize'] === 3000).map((r) => ({ ...r, params: { seed: entry(r.params, 'seed') } })), cfg, META);
    assert.deepEqual([at(s.criticalDataSize, 0).kind, at(s.criticalDataSize, 0).value], ['below-grid', 3000]);
    assert.equal(at(s.runs, 0).params['training.trainSize'], undefined); // stored params are untouched
  });

  test('the data axis: search.axis, else the swept size or fraction', () => {
    assert.equal(dataAxisOf(config()), 'training.trainSize');
    assert.equal(dataAxisOf(config({ sweep: { 'training.trainFraction': [0.3, 0.5] } })), 'training.trainFraction');
    assert.equal(dataAxisOf(config({ sweep: { 'task.components.0.trainSize': [1, 2] } })), 'task.components.0.trainSize');
    assert.equal(dataAxisOf(config({ search: { axis: 'training.trainFraction', range: [0.1, 0.9] } })), 'training.trainFraction');
  });
});

describe('regimeMapData', () => {
  const run = (d: number, n: number, seed: number, regime: Regime | null, valAcc: number, lr = 1e-3): RunSummary => ({
    id: `d${d}-n${n}-s${seed}-lr${lr}`,
    params: { 'model.dModel': d, 'training.trainSize': n, seed, 'optimizer.lr': lr },
    status: 'done', regime,
    final: { trainAcc: 1, valAcc, trainLoss: 0, valLoss: 1 },
    steps: { trainFit: 100, valFit: null, last: 1000 },
  });
  const AXES = { model: 'model.dModel', data: 'training.trainSize', seed: 'seed' };
  const runs: RunSummary[] = [
    run(32, 2000, 0, 'ungrokking', 0.01), run(32, 2000, 1, 'ungrokking', 0.03),
    run(32, 4000, 0, 'progression', 1), run(32, 4000, 1, 'progression', 0.98),
    run(64, 2000, 0, 'semi-grokking', 0.5), run(64, 2000, 1, 'grokking', 0.96),
    run(64, 4000, 0, 'progression', 1), run(64, 4000, 1, 'progression', 1),
  ];

  test('rows are model sizes, columns data sizes; each cell has majority, counts, mean and run ids', () => {
    const map = regimeMapData(runs, AXES);
    assert.deepEqual([map.modelSizes, map.dataSizes], [[32, 64], [2000, 4000]]);
    assert.equal(map.panels.length, 1);
    const panel = at(map.panels, 0);
    assert.deepEqual(panel.fixed, { 'optimizer.lr': 1e-3 });
    const cell = at(at(panel.cells, 0), 0);
    assert.deepEqual([cell.modelSize, cell.dataSize, cell.regime], [32, 2000, 'ungrokking']);
    assert.equal(cell.counts.ungrokking, 2);
    assert.equal(cell.counts.progression, 0);
    assert.ok(Math.abs(cell.meanValAcc! - 0.02) < 1e-12);
    assert.deepEqual(cell.runIds, ['d32-n2000-s0-lr0.001', 'd32-n2000-s1-lr0.001']);
    // A 1-1 tie goes to the regime listed first (grokking before semi-grokking).
    assert.equal(at(at(panel.cells, 1), 0).regime, 'grokking');
  });

  test('D_crit and D_mem per model size', () => {
    const panel = at(regimeMapData(runs, AXES, { epsilon: 0.95 }).panels, 0);
    assert.equal(at(panel.dCrit, 0).modelSize, 32);
    const logLerp = (t: number) => Math.exp(Math.log(2000) + t * Math.log(2));
    assert.ok(Math.abs(at(panel.dCrit, 0).value! - logLerp((0.95 - 0.02) / (0.99 - 0.02))) < 1e-9);
    assert.ok(Math.abs(at(panel.dCrit, 1).value! - logLerp((0.95 - 0.73) / (1 - 0.73))) < 1e-9);
    assert.deepEqual(at(panel.dCrit, 0).bracket, [2000, null]);
    assert.deepEqual(panel.dMem, [], 'no memorization measurement given: no D_mem line');
    const measuredPanels = regimeMapData(runs, AXES, { memorization: [{ group: { 'model.dModel': 32 }, value: 250, kind: 'interpolated' }] }).panels;
    const measured = at(measuredPanels, 0);
    assert.deepEqual(measured.dMem.map((d) => [d.modelSize, d.kind, d.value]), [[32, 'interpolated', 250], [64, 'not-reached', null]]);
  });

  test('another swept axis splits the map into panels on one shared grid; empty cells stay', () => {
    const more = [...runs, run(32, 3000, 0, 'grokking', 1, 3e-3)];
    const map = regimeMapData(more, AXES);
    assert.deepEqual(map.dataSizes, [2000, 3000, 4000]);
    assert.equal(map.panels.length, 2);
    const [a, b] = map.panels;
    assert.ok(a && b, 'two panels');
    assert.deepEqual(b.fixed, { 'optimizer.lr': 3e-3 });
    assert.equal(at(at(a.cells, 0), 1).regime, null);
    assert.deepEqual(at(at(a.cells, 0), 1).runIds, []);
    assert.equal(at(at(a.cells, 0), 1).meanValAcc, null);
    assert.equal(at(at(b.cells, 0), 1).regime, 'grokking');
    assert.equal(at(b.dCrit, 1).kind, 'not-reached'); // no runs at d=64 in that panel
  });
});

describe('summarize: a memorization sweep', () => {
  test('D_mem per model size from the random-label runs\' converged train accuracy', () => {
    const cfg = ConfigSchema.parse({
      name: 'mem', task: { kind: 'memorization', modulus: 23, symmetric: true },
      sweep: { 'model.dModel': [8, 16], 'training.trainSize': [100, 200, 300], seed: [0] },
    });
    // dModel 8 fits 100 only; dModel 16 fits up to 200.
    const fits = (d: number, n: number) => (d === 8 ? n <= 100 : n <= 200);
    const runs: RunWithHistory[] = [8, 16].flatMap((d) => [100, 200, 300].map((n) => ({
      id: `d${d}-n${n}`, params: { 'model.dModel': d, 'training.trainSize': n, seed: 0 }, status: 'done' as const,
      history: history(3000, fits(d, n) ? ramp(0, 1, 0, 1000) : ramp(0, 0.8, 0, 1000), flat(0.04)),
    })));
    const s = summarize(runs, cfg, META);
    assert.deepEqual(s.memorizationCapacity.map((m) => [m.group['model.dModel'], m.value, m.bracket, m.kind]),
      [[8, 100, [100, 200], 'interpolated'], [16, 200, [200, 300], 'interpolated']]);
  });
});
