// `grok report` on stored results (test/fixtures/report-results/, three tiny sweeps trained on the real
// engine by scripts/repro-fixture.sh): the report data against the analysis module, and the HTML in
// headless Chromium: every chart draws, nothing is fetched, no page errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { criticalDataSize, convergedOutcome, regimeOf, analysisOptionsOf, dataRunOf, formatCds, SEED_AXIS } from '../../src/analysis/index';
import { buildReport, buildSweepReport, phasesOf, sweepDirsOf } from '../../src/report/data';
import { inlineScript, renderReportHtml, scriptJson } from '../../src/report/html';
import { listRuns, readManifest, readRunMetrics } from '../../src/store/reader';
import { chartCount, REPORT_DATA_ID, type ReportData } from '../../webview/report/model';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test/fixtures/report-results');
const CLI = join(root, 'bin/grok.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

function grok(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: root });
}

test('the fixture holds three sweeps and the report finds them all', () => {
  const dirs = sweepDirsOf(FIXTURE).map((d) => d.slice(FIXTURE.length + 1));
  assert.deepEqual(dirs, ['grid', 'mixture', 'weights']);
  assert.deepEqual(sweepDirsOf(join(FIXTURE, 'grid')), [join(FIXTURE, 'grid')]);
  assert.throws(() => sweepDirsOf(join(FIXTURE, 'grid', 'runs')), /not a results folder/);
});

test('the CDS table reads as the lens does: bracket first, estimate, 90% interval, budget flag; and the steps peak', () => {
  const data = buildReport(join(FIXTURE, 'grid'), { now: new Date(0) });
  const html = renderReportHtml(data, '');
  const tables = at(data.sweeps, 0).cds;
  assert.ok(tables.length >= 2);
  for (const t of tables) {
    const line = formatCds(t.cds).replace(/^CDS /, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // The same text the lens and grok status print (format.ts), in the group's row, then kind and steps peak.
    assert.ok(html.includes(`<td>${line}</td><td>${t.cds.kind}</td><td>${t.cds.stepsPeak ?? '–'}</td>`), `${t.label}: ${line}`);
    assert.ok(t.cds.bracket && 'budgetLimited' in t.cds, 'the entry carries its bracket and budget flag');
  }
  assert.match(html, /<th>steps peak \(Zhu et al\.\)<\/th>/);
  assert.match(html, /its 90% interval/);
  // The runs table shows each run's converged outcome (median of the last evals), not its last eval.
  const dir = join(FIXTURE, 'grid');
  const opts = analysisOptionsOf(readManifest(dir).config);
  for (const row of at(data.sweeps, 0).runs) {
    const o = convergedOutcome(readRunMetrics(dir, row.id), opts)!;
    assert.deepEqual([row.trainAcc, row.valAcc, row.moving], [o.trainAcc, o.valAcc, o.moving], row.id);
  }
  assert.match(html, /<th>val acc \(converged\)<\/th>/);
});

test('regime map, CDS and regimes come from the analysis module over the stored histories', () => {
  const dir = join(FIXTURE, 'grid');
  const s = buildSweepReport(dir, 'grid');
  const config = readManifest(dir).config;
  const opts = analysisOptionsOf(config);
  // Every run's regime is regimeOf of its metrics.jsonl.
  for (const row of s.runs) {
    assert.equal(row.regime, regimeOf(readRunMetrics(dir, row.id), opts).regime, row.id);
  }
  // The map: 2 model sizes × 3 data sizes, each cell holding its 2 seeds.
  assert.ok(s.regimeMap);
  assert.deepEqual(s.regimeMap.modelSizes, [8, 32]);
  assert.deepEqual(s.regimeMap.dataSizes, [150, 300, 400]);
  assert.equal(s.regimeMap.panels.length, 1);
  for (const row of at(s.regimeMap.panels, 0).cells) for (const cell of row) assert.equal(cell.runIds.length, 2);
  // D_crit per model size equals criticalDataSize over that model's finished runs.
  // (with the converged outcome of each run's metrics, as the runner writes it today)
  const runs = listRuns(dir).map((r) => ({ ...r, regime: null, final: r.final, outcome: { ...convergedOutcome(readRunMetrics(dir, r.id), opts)!, moving: convergedOutcome(readRunMetrics(dir, r.id), opts)!.moving } }));
  for (const t of s.cds) {
    const points = runs.filter((r) => r.params['model.dModel'] === t.group['model.dModel'])
      .map((r) => dataRunOf(r, 'training.trainSize', SEED_AXIS)).filter((p) => p !== null);
    const expected = criticalDataSize(points, opts.epsilon, { ...opts, group: t.group });
    assert.equal(t.cds.value, expected.value);
    assert.equal(t.cds.kind, expected.kind);
    assert.equal(t.rows.length, 3);
    assert.equal(t.rows.reduce((n, r) => n + r.runs, 0), 6);
  }
  // The smallest data size only memorizes, the largest generalizes (what the fixture was made to show).
  const cells = at(s.regimeMap.panels, 0).cells;
  assert.ok(cells.every((row) => at(row, 0).regime === 'ungrokking'), 'trainSize 150: memorization only');
  assert.ok(cells.every((row) => (at(row, 2).meanValAcc ?? 0) > 0.9), 'trainSize 400 generalizes');
  // Curves: one chart per model size, one banded line per data size, over 2 seeds.
  assert.equal(s.curves.length, 2);
  for (const c of s.curves) {
    assert.equal(c.series.length, 3);
    for (const line of c.series) {
      assert.equal(line.seeds, 2);
      line.steps.forEach((_, i) => assert.ok(at(line.val.min, i) <= at(line.val.mean, i) + 1e-9 && at(line.val.mean, i) <= at(line.val.max, i) + 1e-9));
    }
  }
});

test('emergence of the mixture and the weight-norm phases with heatmaps from snapshots', () => {
  const mix = buildSweepReport(join(FIXTURE, 'mixture'), 'mixture');
  assert.ok(mix.emergence);
  assert.deepEqual(mix.emergence.lines.map((l) => l.component), ['a+b'], 'only the op-labelled component');
  assert.deepEqual(at(mix.emergence.lines, 0).points.map((p) => p.modelSize), [4, 8, 16, 32]);
  const params = at(mix.emergence.lines, 0).points.map((p) => p.params!);
  assert.ok(params.every((p, i) => i === 0 || p > at(params, i - 1)), 'parameter counts grow with dModel');
  assert.equal(mix.uCurves.length, 1, 'dModel has 4 sizes: a U-curve panel');

  const w = buildSweepReport(join(FIXTURE, 'weights'), 'weights');
  assert.equal(w.weightNorm.length, 1);
  const view = at(w.weightNorm, 0);
  assert.deepEqual(view.phases.map((p) => p.name), ['fit', 'norm growth', 'decay', 'grok', 'settle']);
  view.phases.forEach((p, i) => {
    assert.ok(p.from <= p.to);
    if (i > 0) assert.equal(p.from, at(view.phases, i - 1).to);
  });
  assert.equal(view.phases.at(-1)!.to, view.steps.at(-1));
  assert.ok(view.heatmaps.length >= 2);
  for (const h of view.heatmaps) {
    assert.equal(h.tensor, 'unembed.w');
    assert.deepEqual([h.rows, h.cols], [48, 23], 'MLP unembedding [dMlp, P]');
    assert.equal(h.values.length, 48 * 23);
    assert.ok(h.absMax > 0);
  }
  assert.deepEqual(view.heatmaps.map((h) => h.step), [...view.heatmaps.map((h) => h.step)].sort((a, b) => a - b));
});

test('phases are clamped in order when the norm peaks after the grok', () => {
  const report = regimeOf([
    { step: 0, trainLoss: 3, trainAcc: 0, valLoss: 3, valAcc: 0, weightNorm: 10, norms: {} },
    { step: 100, trainLoss: 0, trainAcc: 1, valLoss: 3, valAcc: 0.05, weightNorm: 12, norms: {} },
    { step: 500, trainLoss: 0, trainAcc: 1, valLoss: 1, valAcc: 0.5, weightNorm: 14, norms: {} },
    { step: 900, trainLoss: 0, trainAcc: 1, valLoss: 0, valAcc: 1, weightNorm: 16, norms: {} },
    { step: 1300, trainLoss: 0, trainAcc: 1, valLoss: 0, valAcc: 1, weightNorm: 15, norms: {} },
  ], { numClasses: 23 });
  const { phases } = phasesOf(report);
  assert.deepEqual(phases.map((p) => [p.name, p.from, p.to]), [
    ['fit', 0, 100], ['norm growth', 100, 900], ['decay', 900, 900], ['grok', 900, 900], ['settle', 900, 1300],
  ]);
});

test('norm growth ends at the largest norm after train fit, not at the initial norm', () => {
  // Weight decay shrinks the initial weights before the fit (the run's largest norm is at step 0);
  // the norm then grows to 31 at step 300 and decays while validation rises.
  const history = [
    { step: 0, trainLoss: 3, trainAcc: 0, valLoss: 3, valAcc: 0, weightNorm: 34, norms: {} },
    { step: 100, trainLoss: 0, trainAcc: 1, valLoss: 3, valAcc: 0.05, weightNorm: 30, norms: {} },
    { step: 300, trainLoss: 0, trainAcc: 1, valLoss: 3, valAcc: 0.05, weightNorm: 31, norms: {} },
    { step: 600, trainLoss: 0, trainAcc: 1, valLoss: 2, valAcc: 0.3, weightNorm: 28, norms: {} },
    { step: 900, trainLoss: 0, trainAcc: 1, valLoss: 0, valAcc: 1, weightNorm: 24, norms: {} },
    { step: 1000, trainLoss: 0, trainAcc: 1, valLoss: 0, valAcc: 1, weightNorm: 24, norms: {} },
  ];
  const report = regimeOf(history, { numClasses: 23 });
  assert.equal(report.weightNormPeakStep, 0, 'regimeOf: the peak over the whole run');
  assert.deepEqual(phasesOf(report).phases.map((p) => [p.name, p.from, p.to]), [
    ['fit', 0, 100], ['norm growth', 100, 100], ['decay', 100, 600], ['grok', 600, 900], ['settle', 900, 1000],
  ]);
  const { phases, boundaries } = phasesOf(report, history);
  assert.equal(boundaries.normPeak, 300);
  assert.deepEqual(phases.map((p) => [p.name, p.from, p.to]), [
    ['fit', 0, 100], ['norm growth', 100, 300], ['decay', 300, 600], ['grok', 600, 900], ['settle', 900, 1000],
  ]);
});

test('the D_crit direction is called no clear trend when the two ends\' intervals overlap', () => {
  const data = buildReport(join(FIXTURE, 'grid'), { now: new Date(0) });
  const [small, large] = at(data.sweeps, 0).cds;
  assert.ok(small && large, 'two model sizes');
  const set = (t: NonNullable<typeof small>, value: number, low: number, high: number) => { t.cds = { ...t.cds, kind: 'interpolated', value, low, high }; };
  set(small, 300, 298, 334); set(large, 318, 297, 333);
  assert.match(renderReportHtml(data, ''), /D_crit <b>rises<\/b> as model.dModel grows \(within the confidence intervals of both ends: not a clear trend\): 8 → 300, 32 → 318/);
  set(large, 250, 240, 260);
  assert.match(renderReportHtml(data, ''), /D_crit <b>falls<\/b> as model.dModel grows: 8 → 300, 32 → 250/);
});

test('an emergence line that never reaches ε gets a lower bound on the ratio', () => {
  const data = buildReport(join(FIXTURE, 'mixture'), { now: new Date(0) });
  const e = at(data.sweeps, 0).emergence;
  assert.ok(e, 'the mixture has an emergence view');
  const line = at(e.lines, 0);
  line.best = { ...line.best, value: 5, kind: 'interpolated' };
  e.lines.push({ ...line, label: 'a+b (with memorization)', best: { ...line.best, value: null, kind: 'not-reached' } });
  const last = line.points.at(-1)!;
  const html = renderReportHtml(data, '');
  assert.ok(html.includes(`<td>&gt; ${(last.modelSize / 5).toFixed(2)}× in model.dModel`), 'lower bound in model size');
  assert.match(html, new RegExp(`not reached up to ${last.modelSize}: a lower bound`));
});

test('embedded JSON and the inlined bundle cannot close their <script> element', () => {
  const evil = '</script><script>window.pwned=1</script>';
  assert.ok(!scriptJson({ a: evil }).includes('</'));
  assert.deepEqual(JSON.parse(scriptJson({ a: evil, b: '\u2028' })), { a: evil, b: '\u2028' });
  const js = inlineScript('var s="</script>";\n//# sourceMappingURL=webview-report.js.map');
  assert.ok(!/<\/script/i.test(js));
  assert.ok(!js.includes('sourceMappingURL'));
  const data = buildReport(join(FIXTURE, 'weights'), { now: new Date(0) });
  at(data.sweeps, 0).description = evil;
  const html = renderReportHtml(data, '');
  assert.equal(html.split('</script>').length - 1, 2, 'only the data and the bundle elements close');
  assert.ok(html.includes('&#60;/script&#62;'));
});

test('the report\'s CSP allows only its own inline scripts, by hash: no \'unsafe-inline\' for scripts', () => {
  const data = buildReport(join(FIXTURE, 'weights'), { now: new Date(0) });
  const bundle = 'document.body.dataset.charts = "0";\n//# sourceMappingURL=webview-report.js.map';
  const html = renderReportHtml(data, bundle);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(csp, 'a CSP meta element');
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  const scriptSrc = directives.get('script-src') ?? [];
  assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"), `script-src ${scriptSrc.join(' ')}`);
  // Every script the browser would run is listed by the SHA-256 of its exact text; the data block is not a script.
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  const executable = scripts.filter(([, attrs = '']) => !/type="application\/json"/.test(attrs));
  assert.equal(executable.length, 1, 'one inline script: the bundle');
  assert.equal(scripts.length - executable.length, 1, 'one JSON data block');
  for (const [, , body = ''] of executable) { // both groups always take part
    const hash = `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;
    assert.ok(scriptSrc.includes(hash), `${hash} in script-src ${scriptSrc.join(' ')}`);
  }
  assert.ok(!/\son[a-z]+=/i.test(html.replace(/<script[\s\S]*?<\/script>/g, '')), 'no inline event handlers (a hash does not cover them)');
});

test('grok report: usage errors and a folder without results', () => {
  assert.equal(grok('report').status, 2);
  const r = grok('report', join(FIXTURE, 'grid', 'runs'));
  assert.equal(r.status, 2, 'a folder without results is bad usage');
  assert.match(r.stderr, /not a results folder/);
});

test('the HTML report draws every chart offline in headless Chromium', async () => {
  // No skip: CI installs chromium (.ci/run), and without a browser nothing checks that the charts draw.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is absent: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium)`);
  const out = mkdtempSync(join(tmpdir(), 'grok-report-'));
  const file = join(out, 'report.html');
  try {
    const r = grok('report', FIXTURE, '--out', file);
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(file, 'utf8');
    assert.ok(!/<script[^>]+src=|<link[^>]+href=|@import|url\(http/i.test(html), 'nothing is loaded from outside the file');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    const embedded = JSON.parse(html.slice(html.indexOf('>', html.indexOf(`id="${REPORT_DATA_ID}"`)) + 1, html.indexOf('</script>', html.indexOf(`id="${REPORT_DATA_ID}"`)))) as ReportData;
    const expected = chartCount(embedded);
    // grid: 1 map + 2 curve charts + 1 CDS chart + the norm of its first grokking run; mixture: 1 curve
    // chart + 1 U-curve + 1 emergence; weights: 1 curve chart + 1 norm chart + its heatmaps.
    assert.equal(at(embedded.sweeps, 0).weightNorm.length, 1);
    assert.equal(expected, 5 + 3 + 2 + at(at(embedded.sweeps, 2).weightNorm, 0).heatmaps.length);

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('request', (req) => { if (req.url() !== `file://${file}`) requests.push(req.url()); });
      await page.goto(`file://${file}`);
      await page.waitForFunction('document.body.dataset.charts !== undefined', undefined, { timeout: 20000 });
      const drawn = await page.evaluate('Number(document.body.dataset.charts)');
      const canvases = await page.evaluate('document.querySelectorAll("canvas[data-chart]").length');
      const status = await page.evaluate('document.getElementById("status").textContent');
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [], 'no network requests');
      assert.equal(canvases, expected);
      assert.equal(drawn, expected, String(status));
      // Every canvas has ink: enough opaque pixels, in more than two colours.
      const ink = await page.evaluate(`[...document.querySelectorAll('canvas[data-chart]')].map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let opaque = 0; const colours = new Set();
        for (let i = 0; i < d.length; i += 16) { if (d[i + 3] > 0) { opaque++; colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4)); } }
        return { chart: c.dataset.chart, w: c.width, h: c.height, fraction: opaque / (d.length / 16), colours: colours.size };
      })`) as Array<{ chart: string; w: number; h: number; fraction: number; colours: number }>;
      for (const c of ink) {
        assert.ok(c.w > 100 && c.h > 100, `${c.chart}: ${c.w}×${c.h}`);
        assert.ok(c.fraction > 0.005 && c.colours > 2, `${c.chart} looks blank: ${JSON.stringify(c)}`);
      }
      const kinds = ink.map((c) => c.chart).sort();
      for (const kind of ['regime', 'curves', 'cds', 'ucurve', 'emergence', 'norm', 'heatmap']) assert.ok(kinds.includes(kind), `a ${kind} chart`);
      // The regime map's cells carry their regime colours (grokking green, ungrokking red, ...).
      const legendText = await page.evaluate('document.querySelector("table.cds-summary").textContent');
      assert.match(String(legendText), /dModel=8/);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
