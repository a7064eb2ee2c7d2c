// Lens text and positions (src/extension/lenses/lensModel.ts), without VS Code: anchors found in a
// config's text, the top-line lenses per sweep state, and the CDS / regime lenses from a summary.json.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSize } from '../../src/analysis/format';
import {
  cdsText, findAnchors, formatDuration, progressText, regimesText, topLenses, valueLenses, valueLensTitle,
} from '../../src/extension/lenses/lensModel';
import { readSummary } from '../../src/extension/results/store';
import { formatGroups } from '../../src/cli/status';
import type { Summary } from '../../src/store/types';

const FIXTURE = join(__dirname, '../fixtures/results/modadd-grid');
const summary = readSummary(FIXTURE)!;

// The fixture's sweep, written the way a user would (comments, one value per line for dModel).
const CONFIG = `{
  // modular addition, 3 model sizes x 3 data sizes x 3 seeds
  "name": "modadd-grid",
  "task": { "kind": "modular", "op": "a+b", "modulus": 113 },
  "model": { "kind": "transformer", "dModel": 128 },
  "analysis": { "epsilon": 0.95 },
  "sweep": {
    "model.dModel": [
      16,
      32,
      64
    ],
    "training.trainSize": [2000, 3000, 4000],
    "seed": [0, 1, 2],
  }
}
`;

/** The (line, character) of the n-th occurrence of `needle` in CONFIG. */
function at(needle: string, nth = 0): { line: number; character: number } {
  let off = -1;
  for (let i = 0; i <= nth; i++) off = CONFIG.indexOf(needle, off + 1);
  assert.ok(off >= 0, `${needle} in the config`);
  const before = CONFIG.slice(0, off).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

describe('findAnchors', () => {
  test('finds the top line, the model-size and data-size values at their exact positions', () => {
    const a = findAnchors(CONFIG)!;
    assert.equal(a.name, 'modadd-grid');
    assert.equal(a.modelAxis, 'model.dModel');
    assert.equal(a.dataAxis, 'training.trainSize');
    assert.equal(a.epsilon, 0.95);
    assert.equal(a.seedsPerCell, 3);
    // The top lens sits on the first property ("name"), after the comment.
    assert.deepEqual(a.top.start, at('"name"'));
    assert.deepEqual(a.modelValues.map((v) => v.value), [16, 32, 64]);
    assert.deepEqual(a.modelValues.map((v) => v.span.start), [at('16,'), at('32,'), at('64\n')]);
    assert.deepEqual(a.modelValues[0]!.span.end, { line: at('16,').line, character: at('16,').character + 2 });
    assert.deepEqual(a.dataValues.map((v) => v.value), [2000, 3000, 4000]);
    assert.deepEqual(a.dataValues.map((v) => v.span.start), [at('2000'), at('3000'), at('4000')]);
  });

  test('the search axis and its epsilon win over the defaults; no sweep, no value anchors', () => {
    const a = findAnchors(`{"name":"s","search":{"axis":"task.trainFraction","epsilon":0.9},"sweep":{"model.dMlp":[8,16],"task.trainFraction":[0.3,0.5]}}`)!;
    assert.equal(a.dataAxis, 'task.trainFraction');
    assert.equal(a.modelAxis, 'model.dMlp');
    assert.equal(a.epsilon, 0.9);
    assert.equal(a.seedsPerCell, 1);
    const none = findAnchors(`{"name":"x"}`)!;
    assert.equal(none.modelAxis, null);
    assert.deepEqual(none.modelValues, []);
    assert.equal(findAnchors('[1,2]'), null, 'not an object: no lenses');
  });
});

describe('top-line lenses', () => {
  const titles = (l: ReturnType<typeof topLenses>) => l.map((x) => x.title);
  test('idle and trusted: ▶ Run sweep, plus ↻ Resume and the views once results exist', () => {
    assert.deepEqual(titles(topLenses({ status: 'idle' }, { trusted: true, hasResults: false, complete: false })), ['▶ Run sweep']);
    const partial = topLenses({ status: 'idle' }, { trusted: true, hasResults: true, complete: false });
    assert.deepEqual(titles(partial), ['▶ Run sweep', '↻ Resume', 'Curves', 'Regime map']);
    assert.deepEqual(partial.map((l) => l.command), ['grok.startSweep', 'grok.resumeSweep', 'grok.showCurves', 'grok.showRegimeMap']);
    assert.deepEqual(titles(topLenses({ status: 'idle' }, { trusted: true, hasResults: true, complete: true })), ['▶ Run sweep', 'Curves', 'Regime map']);
  });

  test('running: ■ Stop and progress; untrusted: no run lens, a trust lens instead', () => {
    const running = topLenses({ status: 'running', done: 3, total: 8, etaMs: 65_000 }, { trusted: true, hasResults: true, complete: false });
    assert.deepEqual(titles(running), ['■ Stop', '3/8 runs · ETA 1m 05s', 'Curves', 'Regime map']);
    assert.equal(running[0]!.command, 'grok.stopSweep');
    const untrusted = topLenses({ status: 'idle' }, { trusted: false, hasResults: true, complete: true });
    assert.ok(!untrusted.some((l) => l.command === 'grok.startSweep' || l.command === 'grok.resumeSweep'), 'no sweep starts untrusted');
    assert.equal(untrusted[0]!.command, 'workbench.trust.manage');
    assert.ok(untrusted.some((l) => l.command === 'grok.showRegimeMap'), 'stored results still show');
  });

  test('progress and durations', () => {
    assert.equal(progressText({ status: 'running', done: 0, total: 8 }), '0/8 runs');
    assert.equal(progressText({ status: 'running', done: 2, total: 8, etaMs: 0 }), '2/8 runs');
    assert.equal(formatDuration(42_400), '42s');
    assert.equal(formatDuration(3_725_000), '1h 02m');
    assert.equal(formatSize(3932.08), '3932');
    assert.equal(formatSize(0.3456), '0.346');
    assert.equal(formatSize(12.34), '12');
    assert.equal(formatSize(1.234), '1.23');
  });
});

describe('value lenses from summary.json', () => {
  test('CDS lens under each model size: bracket, estimate, interval, budget flag, ε and seeds', () => {
    // dModel 16: a semi-grokking run at 3000 was still moving when its budget ended.
    assert.equal(cdsText('model.dModel', 16, summary, [2000, 3000, 4000]), 'CDS ≥ 3000 · ≈ 3939 (90% CI 3049–3994) · budget-limited @ ε=0.95 · 3 seeds');
    assert.equal(cdsText('model.dModel', 64, summary, [2000, 3000, 4000]), 'CDS ≥ 2000 · ≈ 2883 (90% CI 2043–2945) @ ε=0.95 · 3 seeds');
    assert.equal(cdsText('model.dModel', 16, null, []), 'CDS: no results yet');
    assert.equal(cdsText('model.dModel', 999, summary, []), 'CDS: no runs');
  });

  test('a sweep over a random-label count: no CDS, the op component\'s val accuracy per count; grok status says the same', () => {
    const rc: Summary = { ...summary, criticalDataSize: [], randomCount: {
      axis: 'task.components.1.trainSize', component: 'random(a-b)',
      accuracy: [{ group: { 'model.dMlp': 8 }, component: 'a+b', points: [{ size: 1, valAcc: 0.991, seeds: 2, moving: false }, { size: 250, valAcc: 0.104, seeds: 2, moving: true }] }],
    } };
    assert.equal(cdsText('model.dMlp', 8, rc, [1, 250]),
      'a+b val 0.99 @ 1 · 0.10 @ 250 random(a-b) samples · budget-limited · no CDS (the swept size is a random-label count) · 2 seeds');
    assert.match(cdsText('model.dMlp', 512, rc, [1, 250]), /^no CDS \(the swept size counts random\(a-b\) samples\)/);
    assert.equal(formatGroups(rc),
      'task.components.1.trainSize model.dMlp=8: a+b val 0.99 @ 1 · 0.10 @ 250 random(a-b) samples · budget-limited · no CDS (the swept size is a random-label count)');
  });

  test('grok status: each group\'s CDS, the search estimate and D_mem read as the lens does', () => {
    const cds = summary.criticalDataSize[0]!;
    const s: Summary = { ...summary, criticalDataSize: [cds],
      memorizationCapacity: [{ group: { 'model.dModel': 16 }, value: 450, kind: 'not-reached', bracket: [450, null], budgetLimited: false }],
      search: { axis: 'training.trainSize', epsilon: 0.95, done: true, groups: [{ params: { 'model.dModel': 16 }, lo: 3000, hi: 4000, phase: 'done', probes: 5, estimate: cds }] } };
    assert.equal(formatGroups(s), [
      'critical data size model.dModel=16: CDS ≥ 3000 · ≈ 3939 (90% CI 3049–3994) · budget-limited (eps 0.95, 3 seeds)',
      'memorization capacity model.dModel=16: D_mem ≥ 450 (every grid size fits)',
      'search over training.trainSize: done',
      '  model.dModel=16: bracket [3000, 4000], 5 probes, done, CDS ≥ 3000 · ≈ 3939 (90% CI 3049–3994) · budget-limited',
    ].join('\n'));
  });

  test('CDS not reached, below the grid, and pending runs', () => {
    const base: Summary = { ...summary, criticalDataSize: [] };
    const one = (c: Partial<Summary['criticalDataSize'][number]>): Summary => ({
      ...base, criticalDataSize: [{ group: { 'model.dModel': 16 }, epsilon: 0.95, value: null, low: null, high: null, seeds: 1, kind: 'not-reached', ...c }],
    });
    assert.equal(cdsText('model.dModel', 16, one({}), [2000, 4000]), 'CDS > 4000 (not reached) @ ε=0.95 · 1 seed');
    assert.equal(cdsText('model.dModel', 16, one({ kind: 'below-grid', value: 2000, seeds: 2 }), [2000, 4000]), 'CDS ≤ 2000 (below the grid) @ ε=0.95 · 2 seeds');
    const half: Summary = { ...base, runs: base.runs.map((r, i) => (i % 2 ? { ...r, status: 'running' as const, regime: null } : r)) };
    assert.match(cdsText('model.dModel', 16, half, []), /^CDS: pending \(\d+\/9 runs done\)$/);
  });

  test('regime lens under each data size counts the regimes of its runs', () => {
    const t = regimesText('training.trainSize', 4000, summary);
    assert.match(t, /^regimes: /);
    const n = summary.runs.filter((r) => r.params['training.trainSize'] === 4000);
    const total = [...t.matchAll(/ (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(total, n.length, `${t}: every run of the data size counted once`);
    assert.equal(regimesText('training.trainSize', 4000, null), 'regimes: no results yet');
  });

  test('values sharing a line are prefixed with their value; resolve computes the same title', () => {
    const a = findAnchors(CONFIG)!;
    const lenses = valueLenses(a, summary);
    assert.equal(lenses.length, 6);
    const cds = lenses.filter((l) => l.kind === 'cds');
    assert.ok(cds.every((l) => l.title.startsWith('CDS ')), 'one model size per line: no prefix');
    const reg = lenses.filter((l) => l.kind === 'regimes');
    assert.deepEqual(reg.map((l) => l.title.split(':')[0]), ['trainSize=2000', 'trainSize=3000', 'trainSize=4000']);
    assert.equal(valueLensTitle(a, 'cds', 2, summary), cds[2]!.title);
    assert.equal(valueLensTitle(a, 'regimes', 0, summary), reg[0]!.title);
    assert.equal(valueLensTitle(a, 'regimes', 9, summary), '', 'a stale index gives no title');
  });

  test('the bundled e2e example gets lenses under its two model sizes and two data sizes', () => {
    const text = readFileSync(join(__dirname, '../../examples/e2e-tiny.grok.json'), 'utf8');
    const a = findAnchors(text)!;
    assert.equal(a.name, 'e2e-tiny');
    assert.equal(a.modelValues.length, 2);
    assert.equal(a.dataValues.length, 2);
    for (const v of [...a.modelValues, ...a.dataValues]) {
      assert.equal(text.split('\n')[v.span.start.line]!.slice(v.span.start.character, v.span.end.character), String(v.value));
    }
  });
});
