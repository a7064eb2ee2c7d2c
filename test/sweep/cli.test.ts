// grok status / export on a results directory made by the runner (fake engine), and grok sweep's
// argument errors, through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runSweep } from '../../src/sweep/runner';
import { projectDeps } from '../../src/sweep/projectDeps';
import { readRunMetrics, readManifest } from '../../src/store/reader';
import { fakeCreateTrainer } from './helpers/fakeEngine';
import { tempDir, writeConfig } from './helpers/fixtures';
import { kernelBuild } from '../../src/trainer/engine/wasm';

const cli = join(__dirname, '..', '..', 'bin', 'grok.js');
const grok = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

async function results(): Promise<string> {
  const outDir = join(tempDir(), 'r');
  await runSweep({ configPath: writeConfig(), outDir }, { ...projectDeps, createTrainer: fakeCreateTrainer() }, () => {});
  return outDir;
}

test('grok export --csv: one row per eval per run, with the run params and every metric', async () => {
  const dir = await results();
  const r = grok('export', dir, '--csv');
  assert.equal(r.status, 0, r.stderr);
  const [header = '', ...rows] = r.stdout.trimEnd().split('\n'); // split gives at least one line
  assert.deepEqual(header.split(',').slice(0, 9), ['run', 'training.trainSize', 'seed', 'step', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'weightNorm']);
  assert.ok(header.includes('norm.w'));
  const runs = readManifest(dir).runs;
  const total = runs.reduce((n, run) => n + readRunMetrics(dir, run.id).length, 0);
  assert.equal(rows.length, total);
  const run0 = at(runs, 0).id, first = at(readRunMetrics(dir, run0), 0);
  assert.deepEqual(at(rows, 0).split(',').slice(0, 6), [run0, '30', '0', '0', String(first.trainLoss), String(first.trainAcc)]);
});

test('the manifest records the CPU kernel build (relaxed SIMD or the plain fallback) of the process that started the sweep', async () => {
  const dir = await results();
  const recorded = readManifest(dir).cpuKernels;
  assert.deepEqual(recorded, kernelBuild());
  assert.ok(recorded && ['relaxed-simd', 'simd'].includes(recorded.name));
});

test('grok status: a row per run with status, regime, step, accuracies and stop reason', async () => {
  const dir = await results();
  const r = grok('status', dir);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(at(lines, 0), /^tiny: 4 runs \(4 done\); sweep done$/);
  assert.match(at(lines, 1), /^run\s+status\s+regime\s+step\s+train\s+val\s+stop$/);
  assert.match(r.stdout, /\ntrainSize90_seed0\s+done\s+progression\s+\d+\s+1\.000\s+(1\.000|0\.99\d)\s+generalized\n/);
  assert.match(r.stdout, /\ntrainSize30_seed1\s+done\s+ungrokking\s+\d+\s+(1\.000|0\.99\d)\s+0\.05\d\s+plateau\n/);
  // The bracket first (two seeds at 1.0 are not 3 standard errors above ε: it may be open above).
  assert.match(r.stdout, /critical data size \(all runs\): CDS (\d+–\d+|≥ \d+) · ≈ \d+ \(90% CI [\d.–≥≤ ]+\)/);
});

test('grok sweep: bad arguments name the option; a missing file names the file', () => {
  const threads = grok('sweep', 'x.grok.json', '--threads', 'two');
  assert.equal(threads.status, 2);
  assert.match(threads.stderr, /--threads: expected a whole number >= 1, got "two"/);
  const device = grok('sweep', 'x.grok.json', '--device', 'tpu');
  assert.equal(device.status, 2);
  assert.match(device.stderr, /--device: expected cpu, gpu or auto/);
  const missing = grok('sweep', join(tempDir(), 'nope.grok.json'));
  assert.equal(missing.status, 2, 'a missing config file is bad usage');
  assert.match(missing.stderr, /nope\.grok\.json.*cannot read the experiment file \(no such file/);
  // Dawn's null backend only (GROK_WEBGPU_BACKEND=null): no usable adapter on any machine.
  const gpu = spawnSync(process.execPath, [cli, 'sweep', writeConfig(), '--device', 'gpu'], { encoding: 'utf8', env: { ...process.env, GROK_WEBGPU_BACKEND: 'null' } });
  assert.equal(gpu.status, 1);
  assert.match(gpu.stderr, /--device gpu: no GPU adapter \(tried: Dawn null backend.*\).*--device cpu/);
});
