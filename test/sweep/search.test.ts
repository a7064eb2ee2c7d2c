// Adaptive critical-data-size search with the fake engine (train fractions >= 0.5 generalize, so
// on a+b mod 11, 121 pairs, the critical size is 61).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runSweep } from '../../src/sweep/runner';
import { SweepControl } from '../../src/sweep/control';
import { projectDeps } from '../../src/sweep/projectDeps';
import { readManifest, readSummary } from '../../src/store/reader';
import { fakeCreateTrainer } from './helpers/fakeEngine';
import { metricsOf, tempDir, writeConfig } from './helpers/fixtures';

const deps = { ...projectDeps, createTrainer: fakeCreateTrainer() };
const configPath = writeConfig({
  sweep: { 'model.dModel': [8, 16] },
  search: { axis: 'training.trainSize', range: [10, 110], seeds: 2, tolerance: 0.1 },
});

test('the search bisects the data size per group and writes its estimates to summary.json', async () => {
  const outDir = join(tempDir(), 'search');
  assert.equal(await runSweep({ configPath, outDir }, deps, () => {}), 'done');
  const summary = readSummary(outDir)!;
  assert.equal(summary.status, 'done');
  assert.equal(summary.search!.done, true);
  assert.equal(summary.search!.groups.length, 2);
  for (const g of summary.search!.groups) {
    assert.ok(g.lo < 61 && 61 <= g.hi, `bracket [${g.lo}, ${g.hi}] holds 61`);
    assert.ok((g.hi - g.lo) / g.hi < 0.1 || g.hi - g.lo <= 1);
    assert.equal(g.estimate!.kind, 'interpolated');
    assert.ok(g.estimate!.value! > g.lo - 1 && g.estimate!.value! <= g.hi, `estimate ${g.estimate!.value}`);
  }
  // Only the probes were trained, each recorded in the manifest with its size and seed.
  const runs = readManifest(outDir).runs;
  assert.equal(runs.length, summary.search!.groups.reduce((n, g) => n + g.probes, 0));
  assert.ok(runs.every((r) => typeof r.params['training.trainSize'] === 'number' && (r.params.seed === 0 || r.params.seed === 1)));
  assert.ok(runs.length < 2 * 2 * 100, 'far fewer runs than a grid over every size');
  assert.equal(summary.runs.length, runs.length);
});

test('an interrupted search resumes to the same probes and estimates', async () => {
  const reference = join(tempDir(), 'ref');
  await runSweep({ configPath, outDir: reference }, deps, () => {});
  const outDir = join(tempDir(), 'cut');
  const control = new SweepControl();
  let finished = 0;
  const first = await runSweep({ configPath, outDir }, deps, (m) => { if (m.type === 'runFinished' && ++finished === 10) control.cancel(); }, control);
  assert.equal(first, 'stopped');
  assert.equal(readSummary(outDir)!.search!.done, false);
  assert.equal(await runSweep({ configPath, outDir }, deps, () => {}), 'done');
  assert.deepEqual(readSummary(outDir)!.search, readSummary(reference)!.search);
  assert.deepEqual(metricsOf(outDir), metricsOf(reference));
});
