// Divergence (issue 16): with lr 1e30 the loss turns NaN; the run stops with reason "diverged" and
// gets its own regime label, which the regime map counts.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { join } from 'node:path';
import { test } from 'node:test';
import { regimeOf } from '../../src/analysis/regime';
import { listRuns, readRunMetrics, readSummary } from '../../src/store/reader';
import { projectDeps } from '../../src/sweep/projectDeps';
import { createTrainer } from '../../src/trainer/engine/index';
import { runSweep } from '../../src/sweep/runner';
import { tempDir, writeConfig } from '../sweep/helpers/fixtures';

test('lr 1e30 on the real CPU engine: the run stops at the first non-finite loss, reason and regime "diverged"', async () => {
  const outDir = join(tempDir(), 'r');
  const configPath = writeConfig({
    model: { kind: 'mlp', dModel: 8 }, optimizer: { lr: 1e30 },
    training: { steps: 400, evalEvery: 20, checkpointEvery: 100, trainSize: 60 }, sweep: { seed: [0] },
  });
  const errors: string[] = [];
  const status = await runSweep({ configPath, outDir, threads: 1, device: 'cpu' }, { ...projectDeps, createTrainer }, (m) => { if (m.type === 'error') errors.push(m.message); });
  assert.deepEqual(errors, []);
  assert.equal(status, 'done');
  const [run] = listRuns(outDir);
  assert.ok(run, 'the run is listed');
  assert.equal(run.stopReason, 'diverged');
  assert.equal(run.regime, 'diverged');
  const records = readRunMetrics(outDir, run.id);
  assert.ok(records.length < 400 / 20, `stopped early: ${records.length} evals`);
  assert.equal(Number.isFinite(records.at(-1)!.trainLoss), false, 'the last record is the non-finite one');
  assert.ok(records.slice(0, -1).every((r) => Number.isFinite(r.trainLoss)), 'it stopped at the first');
  const summary = readSummary(outDir)!;
  assert.equal(at(summary.runs, 0).regime, 'diverged');
});

test('regimeOf: a NaN loss anywhere makes the run "diverged", whatever its accuracies', () => {
  const h = [0, 100, 200].map((step) => ({ step, trainLoss: step === 200 ? Number.NaN : 1, valLoss: 1, trainAcc: 1, valAcc: 1, weightNorm: 1 }));
  const r = regimeOf(h as never);
  assert.equal(r.regime, 'diverged');
  assert.match(r.reason, /non-finite .* at step 200/);
});
