// The sweep runner in-process with the fake engine: results layout, early stop, resume after an
// interruption (with a torn metrics line), and the changed-config refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runSweep } from '../../src/sweep/runner';
import { SweepControl } from '../../src/sweep/control';
import { projectDeps } from '../../src/sweep/projectDeps';
import type { SweepEvent } from '../../src/sweep/events';
import type { SweepDeps } from '../../src/sweep/deps';
import { readSummary, readManifest } from '../../src/store/reader';
import { latestCheckpoint } from '../../src/store/checkpoints';
import { fakeCreateTrainer } from './helpers/fakeEngine';
import { metricsOf, statusesOf, tempDir, writeConfig } from './helpers/fixtures';

const deps = { ...projectDeps, createTrainer: fakeCreateTrainer() };

/** The deps with a fake engine that calls `onEvaluate` with the step of each eval. */
const watching = (onEvaluate: (step: number) => void): SweepDeps => ({ ...projectDeps, createTrainer: fakeCreateTrainer({ onEvaluate }) });

async function sweep(options: Parameters<typeof runSweep>[0], control?: SweepControl, onMessage?: (m: SweepEvent) => void, engine: SweepDeps = deps) {
  const messages: SweepEvent[] = [];
  const status = await runSweep(options, engine, (m) => { messages.push(m); onMessage?.(m); }, control);
  return { status, messages };
}

test('a sweep writes manifest, per-run metrics and status, and summary.json in the Summary shape', async () => {
  const configPath = writeConfig();
  const { status, messages } = await sweep({ configPath });
  assert.equal(status, 'done');
  const dir = join(dirname(configPath), '.grok', 'tiny');
  const manifest = readManifest(dir);
  assert.equal(manifest.runs.length, 4);
  const summary = readSummary(dir)!;
  assert.equal(summary.status, 'done');
  assert.equal(summary.configHash, manifest.configHash);
  assert.equal(summary.runs.length, 4);
  for (const run of summary.runs) {
    assert.equal(run.status, 'done');
    assert.ok(run.final && run.final.trainAcc > 0.99, `${run.id} fits its train set`);
    // Early stop ended every run before its 400 steps, for the documented reasons.
    assert.ok(run.steps.last < 400, `${run.id} stopped at ${run.steps.last}`);
    const generalizes = run.params['training.trainSize'] === 90;
    assert.equal(run.stopReason, generalizes ? 'generalized' : 'plateau');
    assert.equal(latestCheckpoint(dir, run.id), run.steps.last, 'the final weights are kept');
  }
  assert.ok(Array.isArray(summary.criticalDataSize) && Array.isArray(summary.memorizationCapacity));
  const done = messages.at(-1)!;
  assert.deepEqual(done, { type: 'done', status: 'done', outDir: dir });
  assert.equal(messages.filter((m) => m.type === 'runFinished').length, 4);
  // Evals are every 20 steps from 0, none repeated.
  for (const records of Object.values(metricsOf(dir))) {
    assert.deepEqual(records.map((r) => r.step), records.map((_, i) => i * 20));
  }
});

test('--no-early-stop trains every run to its last step, and that is part of the config', async () => {
  const configPath = writeConfig();
  const outDir = join(tempDir(), 'out');
  assert.equal((await sweep({ configPath, outDir, earlyStop: false })).status, 'done');
  const summary = readSummary(outDir)!;
  assert.ok(summary.runs.every((r) => r.steps.last === 400 && r.stopReason === 'steps'));
  assert.equal(readManifest(outDir).config.training.earlyStop.enabled, false);
});

test('an interrupted sweep resumes from checkpoints, tolerating a torn metrics line, with identical results', async () => {
  const configPath = writeConfig();
  const reference = join(tempDir(), 'ref');
  await sweep({ configPath, outDir: reference });

  const outDir = join(tempDir(), 'interrupted');
  const control = new SweepControl();
  const first = await sweep({ configPath, outDir }, control, undefined, watching((step) => { if (step >= 150) control.cancel(); }));
  assert.equal(first.status, 'stopped');
  assert.equal(readSummary(outDir)!.status, 'stopped');
  const statuses = Object.values(statusesOf(outDir));
  assert.ok(statuses.includes('stopped'), `some run was stopped: ${statuses}`);
  // A kill in the middle of an append leaves half a line behind.
  const someRun = at(readManifest(outDir).runs, 0).id;
  appendFileSync(join(outDir, 'runs', someRun, 'metrics.jsonl'), '{"step":160,"trainLoss":0.');

  const stopped = Object.entries(statusesOf(outDir)).filter(([, s]) => s === 'stopped').map(([id]) => id);
  const retrained: number[] = [];
  const second = await sweep({ configPath, outDir }, undefined, undefined, watching((step) => retrained.push(step)));
  assert.equal(second.status, 'done');
  // Stopped runs (the only unfinished ones) continued from their checkpoints rather than from step 0.
  assert.ok(stopped.length > 0);
  assert.ok(retrained.length > 0 && Math.min(...retrained) >= 150, `resumed steps start at ${Math.min(...retrained)}`);
  assert.equal((second.messages[0] as { resumed: boolean }).resumed, true);
  assert.deepEqual(metricsOf(outDir), metricsOf(reference));
  assert.deepEqual(statusesOf(outDir), statusesOf(reference));
});

test('a changed config is refused with the changed fields, and --fresh keeps the old results aside', async () => {
  const configPath = writeConfig();
  await sweep({ configPath });
  const dir = join(dirname(configPath), '.grok', 'tiny');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  config.training.steps = 300;
  config.sweep.seed = [0, 1, 2];
  writeFileSync(configPath, JSON.stringify(config));

  const refused = await sweep({ configPath });
  assert.equal(refused.status, 'failed');
  const error = refused.messages.find((m) => m.type === 'error') as { message: string; cause?: string };
  assert.match(error.message, /config changed/);
  assert.match(error.message, /training\.steps: 400 -> 300/);
  assert.match(error.message, /sweep\.seed: \[0,1\] -> \[0,1,2\]/);
  assert.match(error.message, /--fresh/);
  assert.equal(error.cause, undefined, 'a user error carries no stack trace');
  assert.equal(readManifest(dir).config.training.steps, 400, 'the old results are untouched');

  const fresh = await sweep({ configPath, fresh: true });
  assert.equal(fresh.status, 'done');
  assert.equal(readManifest(dir).runs.length, 6);
  const moved = fresh.messages.find((m) => m.type === 'log') as { message: string };
  const aside = moved.message.replace(/^.* to /, '');
  assert.ok(existsSync(join(aside, 'summary.json')), 'the previous sweep was moved aside, not deleted');
});

test('--device gpu is refused clearly', async () => {
  const { status, messages } = await sweep({ configPath: writeConfig(), device: 'gpu' });
  assert.equal(status, 'failed');
  assert.match((messages[0] as { message: string }).message, /no GPU backend in this build/);
});

test('pause holds training (progress says paused) until resume', async () => {
  const control = new SweepControl();
  let pausedAt = 0;
  let resumedAt = 0;
  const afterPause: number[] = []; // steps evaluated while paused
  const progress: boolean[] = [];
  const { status } = await sweep({ configPath: writeConfig(), outDir: join(tempDir(), 'p') }, control, (m) => {
    if (m.type === 'progress') progress.push(m.paused);
  }, watching((step) => {
    // The eval of the step being recorded when the pause came still finishes; none after it.
    if (pausedAt && !resumedAt && step > 100) afterPause.push(step);
    if (!pausedAt && step === 100) {
      pausedAt = Date.now();
      control.pause();
      setTimeout(() => { resumedAt = Date.now(); control.resume(); }, 300);
    }
  }));
  assert.equal(status, 'done');
  assert.ok(resumedAt - pausedAt >= 300);
  assert.deepEqual(afterPause, [], 'no evals while paused');
  assert.ok(progress.includes(true), 'a progress message reported the pause');
});

test('grok resume DIR refuses when the config file changed since, naming the fields; --ignore-config-change resumes the stored config', async () => {
  const configPath = writeConfig();
  const outDir = join(tempDir(), 'out');
  const control = new SweepControl();
  let finished = 0;
  assert.equal((await sweep({ configPath, outDir }, control, (m) => { if (m.type === 'runFinished' && ++finished === 1) control.cancel(); })).status, 'stopped');
  const text = readFileSync(configPath, 'utf8');
  writeFileSync(configPath, text.replace('"steps": 400', '"steps": 500'));
  const refused = await sweep({ outDir });
  assert.equal(refused.status, 'failed');
  const error = refused.messages.find((m) => m.type === 'error') as { message: string };
  assert.match(error.message, /tiny\.grok\.json changed since the sweep in .* was started; changed fields:\n {2}training\.steps: 400 -> 500\n/);
  assert.match(error.message, /--fresh.*--ignore-config-change/s);
  assert.notEqual(readSummary(outDir)!.status, 'done', 'nothing was trained');
  // With the flag, the stored config (400 steps) is what trains.
  assert.equal((await sweep({ outDir, ignoreConfigChange: true })).status, 'done');
  assert.ok(readSummary(outDir)!.runs.every((r) => r.status === 'done' && r.steps.last <= 400));
  // The file restored: resume is allowed again; a file that is gone is no change either.
  writeFileSync(configPath, text);
  assert.equal((await sweep({ outDir })).status, 'done');
  writeFileSync(configPath, '{ not json');
  assert.equal((await sweep({ outDir })).status, 'done');
});

test('grok resume DIR of a --no-early-stop sweep is not taken for a config change', async () => {
  const configPath = writeConfig({ training: { steps: 100, evalEvery: 20, checkpointEvery: 100 } });
  const outDir = join(tempDir(), 'out');
  assert.equal((await sweep({ configPath, outDir, earlyStop: false })).status, 'done');
  assert.equal((await sweep({ outDir })).status, 'done');
});
