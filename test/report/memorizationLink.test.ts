// D_mem on the regime map and in the report comes from a memorization measurement: the sweep's own
// memorization runs (a task.kind axis) or the sweep its config names in analysis.memorizationResults
// (src/store/memorizationLink.ts). The fixture: the stored modadd-grid sweep (dModel 16/32/64) linked
// to test/fixtures/results/memorization-link, a summary with a D_mem per dModel (made up for the test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { configHash } from '../../src/config/sweep';
import { buildReport, buildSweepReport } from '../../src/report/data';
import { renderReportHtml } from '../../src/report/html';
import { buildMapData } from '../../src/extension/model/mapModel';
import { mapTable } from '../../webview/regimeMap/table';
import { memorizationSource } from '../../src/store/memorizationLink';
import { requireConfigFile } from '../../src/config/load';
import { readManifest, readSummary } from '../../src/store/reader';
import type { Manifest } from '../../src/store/types';

const root = join(__dirname, '..', '..');
const GRID = join(root, 'test/fixtures/results/modadd-grid');
const MEM = join(root, 'test/fixtures/results/memorization-link');

/** A copy of the grid sweep whose config (in a temporary folder) links `link`; removed after `body`. */
function linked(link: string | undefined, body: (dir: string) => void): void {
  const tmp = mkdtempSync(join(tmpdir(), 'grok-memlink-'));
  try {
    const dir = join(tmp, '.grok', 'modadd-grid');
    cpSync(GRID, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    manifest.configPath = join(tmp, 'modadd-grid.grok.json');
    if (link !== undefined) manifest.config.analysis = { ...manifest.config.analysis, memorizationResults: link };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    body(dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('a linked memorization sweep gives D_mem per model size on the map, in the CDS tables and in the report text', () => {
  // The link is relative to the config's folder (two above the results folder .grok/<name>).
  linked(relative(join(tmpdir(), 'x'), MEM), (dir) => {
    const manifest = readManifest(dir);
    const source = memorizationSource(readManifest(dir), readSummary(dir));
    assert.equal(source.problem, null);
    assert.equal(source.linkedDir, MEM);
    assert.deepEqual(source.entries.map((m) => [m.group['model.dModel'], m.value]), [[16, 1000], [32, 2000], [64, 4000]]);

    const report = buildSweepReport(dir, 'modadd-grid');
    const panel = report.regimeMap!.panels[0]!;
    assert.deepEqual(panel.dMem.map((d) => [d.modelSize, d.value, d.kind]), [[16, 1000, 'interpolated'], [32, 2000, 'interpolated'], [64, 4000, 'not-reached']]);
    assert.deepEqual(report.cds.map((t) => t.memorization?.value), [1000, 2000, 4000]);
    assert.match(report.dMemSource!, /measured by .*memorization-link \(analysis\.memorizationResults\)/);
    assert.match(renderReportHtml(buildReport(dir, { now: new Date(0) }), ''), /memorization capacity measured by/);

    const map = buildMapData({ name: 'modadd-grid', resultsDir: dir, summary: readSummary(dir), runs: manifest.runs, epsilon: 0.95, memorization: source.entries });
    assert.deepEqual(map.dMem.map((l) => [l.x, l.value]), [[0, 1000], [1, 2000], [2, 4000]]);
    // The map's table view names them under the grid (4000: every grid size fitted, a lower bound).
    assert.deepEqual(mapTable(map).footer.find((f) => f.header === 'D_mem (measured)')?.cells, ['1000', '2000', '≥ 4000']);
  });
});

test('without a measurement there is no D_mem line; a bad link is a problem naming the field and the path', () => {
  linked(undefined, (dir) => {
    const report = buildSweepReport(dir, 'modadd-grid');
    assert.deepEqual(report.regimeMap!.panels[0]!.dMem, []);
    assert.match(report.dMemSource!, /none/);
  });
  linked('no-such-folder', (dir) => {
    const source = memorizationSource(readManifest(dir), readSummary(dir));
    assert.deepEqual(source.entries, []);
    assert.match(source.problem!, /modadd-grid\.grok\.json: analysis\.memorizationResults: .*no-such-folder does not exist/);
    assert.match(buildSweepReport(dir, 'x').dMemSource!, /does not exist/);
  });
  // A .grok.json link: its results are looked for in .grok/<name>/ next to it (a copy in a folder of
  // its own, never run: a problem; the bundled one may have been run in a checkout).
  const other = mkdtempSync(join(tmpdir(), 'grok-memlink-example-'));
  try {
    cpSync(join(root, 'examples/memorization-capacity.grok.json'), join(other, 'memorization-capacity.grok.json'));
    linked(join(other, 'memorization-capacity.grok.json'), (dir) => {
      const source = memorizationSource(readManifest(dir), readSummary(dir));
      assert.equal(source.linkedDir, join(other, '.grok/memorization-capacity'));
      assert.match(source.problem!, /has no memorization capacity yet/);
    });
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('the bundled example that shows the link: regime-map-dmem names memorization-capacity, a memorization sweep over the same widths and pairs', () => {
  const map = requireConfigFile(join(root, 'examples/regime-map-dmem.grok.json')).config;
  const link = map.analysis.memorizationResults;
  assert.equal(link, 'memorization-capacity.grok.json');
  const mem = requireConfigFile(join(root, 'examples', link)).config;
  assert.equal(mem.task.kind, 'memorization');
  // memorizationFor matches by model size: every width of the map has its measurement.
  assert.deepEqual(map.sweep['model.dModel'], mem.sweep['model.dModel']);
  assert.deepEqual([map.task.kind === 'modular' && map.task.op, map.task.kind === 'modular' && map.task.modulus], [mem.task.kind === 'memorization' && mem.task.op, mem.task.kind === 'memorization' && mem.task.modulus]);
  assert.deepEqual(map.model, mem.model);
});

test('the link trains nothing: adding it keeps the config hash (and so the results)', () => {
  const config = readManifest(GRID).config;
  assert.equal(configHash({ ...config, analysis: { ...config.analysis, memorizationResults: 'x' } }), configHash(config));
  assert.notEqual(configHash({ ...config, analysis: { ...config.analysis, epsilon: 0.9 } }), configHash(config));
});
