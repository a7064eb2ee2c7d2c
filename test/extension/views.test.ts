// What the webviews draw, computed without a DOM: the curves (webview/curves/model.ts: run selection
// by axis values, log-x, smoothing, seed mean with a min–max or ±std band, weight norm, mixture
// components, CSV) and the regime map's geometry and SVG (webview/regimeMap/{geometry,svg}.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { aggregate, buildSeries, curvesCsv, smooth, type ViewOptions } from '../../webview/curves/model';
import type { CurvePoint, CurveRun } from '../../webview/curves/protocol';
import { cellAlpha, valueToIndex } from '../../webview/regimeMap/geometry';
import { heatmapSvg } from '../../webview/regimeMap/svg';
import { lineChartSvg } from '../../webview/shared/svg';
import { stackSvgs } from '../../webview/shared/svgStack';
import { REGIMES, type RegimeName } from '../../webview/regimeMap/protocol';
import { groupDescription, runDescription } from '../../src/extension/model/runsModel';
import type { RunSummary } from '../../src/store/types';
import { buildMapData } from '../../src/extension/model/mapModel';
import { mapTable } from '../../webview/regimeMap/table';
import { formatCds } from '../../src/analysis/format';
import { readManifest, readSummary } from '../../src/extension/results/store';

const pt = (step: number, valAcc: number, extra: Partial<CurvePoint> = {}): CurvePoint =>
  ({ step, trainAcc: 1, valAcc, trainLoss: 0.1, valLoss: 1 - valAcc, weightNorm: 10 - step / 100, ...extra });
const runs: CurveRun[] = [
  { id: 'a0', params: { 'model.dModel': 8, seed: 0 }, status: 'done', regime: 'grokking' },
  { id: 'a1', params: { 'model.dModel': 8, seed: 1 }, status: 'done', regime: 'grokking' },
  { id: 'b0', params: { 'model.dModel': 32, seed: 0 }, status: 'running', regime: null },
];
const points: Record<string, CurvePoint[]> = {
  a0: [pt(0, 0), pt(100, 0.2), pt(200, 0.6)],
  a1: [pt(0, 0), pt(100, 0.4), pt(200, 1)],
  b0: [pt(0, 0), pt(100, 0.9, { components: { add: { trainAcc: 1, valAcc: 1 }, mul: { trainAcc: 1, valAcc: 0.8 } } })],
};
const opts = (o: Partial<ViewOptions> = {}): ViewOptions => ({ selection: {}, smoothing: 0, logX: true, logY: false, band: 'minmax', aggregate: true, components: true, ...o });

describe('curves', () => {
  test('seed mean with a min–max band; log-x drops step 0', () => {
    const s = buildSeries('acc', runs, points, opts()).find((x) => x.label.startsWith('dModel=8') && x.split === 'val')!;
    assert.equal(s.label, 'dModel=8 val (2 seeds)');
    assert.deepEqual(s.points, [{ x: 100, y: 0.30000000000000004 }, { x: 200, y: 0.8 }]);
    assert.deepEqual(s.band, { lo: [{ x: 100, y: 0.2 }, { x: 200, y: 0.6 }], hi: [{ x: 100, y: 0.4 }, { x: 200, y: 1 }] });
    const lin = buildSeries('acc', runs, points, opts({ logX: false })).find((x) => x.label === 'dModel=8 val (2 seeds)')!;
    assert.equal(lin.points[0]!.x, 0, 'linear x keeps step 0');
  });

  test('±std band, per-seed lines, selection by axis value', () => {
    const std = buildSeries('acc', runs, points, opts({ band: 'std' })).find((x) => x.label === 'dModel=8 val (2 seeds)')!;
    assert.ok(Math.abs(std.band!.hi[1]!.y - 1.0) < 1e-12 && Math.abs(std.band!.lo[1]!.y - 0.6) < 1e-12, 'mean 0.8 ± std 0.2');
    const perSeed = buildSeries('acc', runs, points, opts({ aggregate: false })).filter((x) => x.split === 'val').map((x) => x.label);
    assert.deepEqual(perSeed, ['dModel=8 seed=0 val', 'dModel=8 seed=1 val', 'dModel=32 seed=0 val']);
    const only32 = buildSeries('acc', runs, points, opts({ selection: { 'model.dModel': 32 } }));
    assert.deepEqual(only32.filter((x) => x.split === 'val').map((x) => x.points), [[{ x: 100, y: 0.9 }]], 'only the run of the selected model size');
  });

  test('weight norm, mixture components, smoothing, CSV', () => {
    const norm = buildSeries('norm', runs, points, opts({ aggregate: false }));
    assert.ok(norm.every((x) => x.split === 'norm'));
    assert.deepEqual(norm[0]!.points.map((p) => p.y), [9, 8]);
    const comps = buildSeries('acc', runs, points, opts()).filter((x) => x.split === 'component').map((x) => x.label);
    assert.deepEqual(comps, ['dModel=32 seed=0 add val', 'dModel=32 seed=0 mul val']);
    assert.equal(buildSeries('acc', runs, points, opts({ components: false })).filter((x) => x.split === 'component').length, 0);
    assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
    const sm = smooth([0, 1, 1, 1], 0.5);
    assert.equal(sm[0], 0, 'debiased: the first value is kept');
    assert.ok(sm[1]! < 1 && sm[3]! > sm[1]!, 'smoothing lags and converges');
    const agg = aggregate([[{ x: 1, y: 0 }], [{ x: 1, y: 1 }, { x: 2, y: 1 }]]);
    assert.deepEqual(agg.map((a) => [a.x, a.n, a.mean]), [[1, 2, 0.5], [2, 2, 0.5]], 'a seed that stopped holds its last value');
    const csv = curvesCsv(runs, points, { 'model.dModel': 32 }).trim().split('\n');
    assert.equal(csv[0], 'run,model.dModel,seed,step,trainAcc,valAcc,trainLoss,valLoss,weightNorm,add.trainAcc,add.valAcc,mul.trainAcc,mul.valAcc');
    assert.equal(csv.length, 3);
  });
});

describe('regime map', () => {
  test('data sizes on the index axis, cell opacity from validation accuracy', () => {
    assert.equal(valueToIndex(3000, [2000, 3000, 4000]), 1);
    assert.equal(valueToIndex(2500, [2000, 3000, 4000]), 0.5);
    assert.equal(valueToIndex(4400, [2000, 3000, 4000]), 2.4);
    assert.equal(valueToIndex(9000, [2000, 3000, 4000]), null, 'beyond half a cell: not drawn');
    assert.equal(cellAlpha({ valAcc: null }), 0.08);
    assert.equal(cellAlpha({ valAcc: 1 }), 1);
    assert.ok(Math.abs(cellAlpha({ valAcc: 0 }) - 0.2) < 1e-12);
  });

  test('the SVG export has one coloured cell per grid cell and the D_crit line', () => {
    const dir = join(__dirname, '../fixtures/results/modadd-grid');
    const map = buildMapData({ name: 'modadd-grid', resultsDir: dir, summary: readSummary(dir), runs: readManifest(dir)!.runs, epsilon: 0.95 });
    const colors = Object.fromEntries(REGIMES.map((r, i) => [r, `#00000${i}`])) as Record<RegimeName, string>;
    const svg = heatmapSvg(map, colors);
    const cells = [...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="(#00000\d)"/g)];
    assert.equal(cells.length, 9);
    assert.match(svg, /<path d="M[^"]+L[^"]+L[^"]+"[^>]*><title>D_crit \(ε=0\.95\)<\/title>/, 'D_crit through the 3 model sizes');
  });

  test('the map line reads like the lens (bracket first); over a random-label count there is no D_crit line, and the map says why', () => {
    const dir = join(__dirname, '../fixtures/results/modadd-grid');
    const input = { name: 'modadd-grid', resultsDir: dir, summary: readSummary(dir), runs: readManifest(dir)!.runs, epsilon: 0.95, dataAxis: 'training.trainSize' };
    assert.deepEqual(buildMapData(input).dCrit.map((d) => d.text), [
      'CDS ≥ 3000 · ≈ 3939 (90% CI 3049–3994) · budget-limited', 'CDS ≥ 3000 · ≈ 3887 (90% CI 3046–3933)', 'CDS ≥ 2000 · ≈ 2883 (90% CI 2043–2945)',
    ]);
    // The lens reads the stored summary.json: the same text (the fixture's summary comes from the same analysis).
    assert.deepEqual(readSummary(dir)!.criticalDataSize.map(formatCds), buildMapData(input).dCrit.map((d) => d.text));
    // The keyboard table lists the same lines under the grid, one per model size.
    assert.deepEqual(mapTable(buildMapData(input)).footer, [{ header: 'D_crit (ε=0.95)', cells: buildMapData(input).dCrit.map((d) => d.text!) }]);
    // The same runs read as if their data axis counted a random-label component's samples.
    const random = buildMapData({ ...input, component: { index: 1, name: 'random(a-b)', random: true } });
    assert.deepEqual([random.dCrit, random.cells.length], [[], 9]);
    assert.match(random.problem ?? '', /^No D_crit line: the data axis counts random\(a-b\)'s random-label samples/);
    assert.deepEqual(mapTable(random).footer, []);
  });

  test('the SVG export escapes a hostile sweep name, axis names and values: it parses as XML with no markup of theirs', () => {
    const dir = join(__dirname, '../fixtures/results/modadd-grid');
    const hostile = '<script>alert(1)</script>"&\'\u0001]]>';
    const map = buildMapData({ name: hostile, resultsDir: dir, summary: readSummary(dir), runs: readManifest(dir)!.runs, epsilon: 0.95 });
    map.xAxis = { ...map.xAxis, path: `x"<b onload="alert(2)">&amp;` };
    map.yAxis = { ...map.yAxis, path: `y</text><script>alert(3)</script>`, values: map.yAxis.values.map((v, i) => (i === 0 ? '<g/>&"\'' : v) as never) };
    const colors = Object.fromEntries(REGIMES.map((r) => [r, '"/><script>alert(4)</script>'])) as Record<RegimeName, string>;
    const heat = heatmapSvg(map, colors, '#333"<', '#fff');
    const lines = lineChartSvg({ title: hostile, xLabel: map.xAxis.path, yLabel: 'val', logX: true, series: [{ label: hostile, color: '#f00', points: [{ x: 1, y: 0.5 }, { x: 10, y: 0.6 }] }] });
    for (const svg of [heat, stackSvgs([{ svg: heat, width: 560, height: 460 }, { svg: lines, width: 560, height: 460 }], 'horizontal')]) {
      const parsed = parseXml(svg);
      assert.equal(parsed.error, undefined, `not well-formed XML: ${parsed.error}\n${svg.slice(0, 400)}`);
      assert.deepEqual(parsed.elements.filter((e) => !['svg', 'rect', 'text', 'title', 'path', 'g', 'line'].includes(e)), [], 'only the SVG elements the export draws');
      assert.deepEqual(parsed.attributes.filter((a) => /^on/i.test(a)), [], 'no event-handler attributes');
      // The hostile strings are there as text, minus the character XML cannot hold.
      assert.ok(parsed.text.includes('<script>alert(1)</script>"&\']]>'), 'the name, as text');
      assert.ok(parsed.text.includes('y</text><script>alert(3)</script>'), 'the y axis name, as text');
      assert.ok(parsed.text.includes('<g/>&"\''), 'the axis value, as text');
    }
  });
});

/** Parses XML with Python's standard library (a strict, well-formedness-checking parser). */
function parseXml(xml: string): { error?: string; elements: string[]; attributes: string[]; text: string } {
  const script = [
    'import sys, json, xml.dom.minidom as m',
    'try: doc = m.parseString(sys.stdin.buffer.read())',
    'except Exception as e: print(json.dumps({"error": str(e), "elements": [], "attributes": [], "text": ""})); sys.exit(0)',
    'els = doc.getElementsByTagName("*")',
    'text = []',
    'def walk(n):',
    '  for c in n.childNodes:',
    '    if c.nodeType == c.TEXT_NODE: text.append(c.data)',
    '    walk(c)',
    'walk(doc)',
    'print(json.dumps({"elements": sorted({e.tagName for e in els}), "attributes": sorted({a for e in els for a in e.attributes.keys()}), "text": "\\n".join(text)}))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: xml, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { error?: string; elements: string[]; attributes: string[]; text: string };
}

test('the Grok view describes runs and groups by their converged outcome (as the map and the CDS), not the last eval', () => {
  const run = (id: string, valAcc: number, moving = false): RunSummary => ({
    id, params: { seed: 0 }, status: 'done', regime: 'grokking', stopReason: 'steps',
    final: { trainAcc: 1, valAcc: 0.5, trainLoss: 0, valLoss: 1 }, outcome: { trainAcc: 1, valAcc, moving },
    steps: { trainFit: 100, valFit: 900, last: 1000 },
  });
  assert.equal(runDescription(run('a', 0.9, true)), 'done · grokking · val 90.0% / train 100.0% (moving) · steps');
  assert.equal(groupDescription({ key: 'k', label: 'all', params: {}, runs: [run('a', 0.9), run('b', 0.7)] }), '2× grokking · val 80.0% · 2/2 done');
});
