// Limits before training (issue 16): a model too large for the engine is named by validate with
// the fields to change, and the sweep refuses that run by name (the others train) instead of dying
// in the engine; a sweep far beyond a sane compute budget gets a warning with its ETA.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { listRuns } from '../../src/store/reader';
import { createTrainer } from '../../src/trainer/engine/index';
import { engineChecks, estimateCompute } from '../../src/sweep/limits';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import type { WorkerMessage } from '../../src/sweep/worker/protocol';
import { tempDir } from '../sweep/helpers/fixtures';

const cli = join(__dirname, '..', '..', 'bin', 'grok.js');
const grok = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

const BIG = { name: 'big', task: { kind: 'modular', modulus: 97 }, model: { dModel: 4096, dMlp: 16384, heads: 4 }, training: { trainSize: 3000, steps: 20, evalEvery: 10 } };

function write(config: unknown): string {
  const file = join(tempDir('grok-limits-'), 'c.grok.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

test('validate --device cpu refuses dModel 4096 / dMlp 16384 naming the fields and the 4 GiB of wasm32; auto warns that only a GPU can train it', () => {
  const file = write(BIG);
  const cpu = grok('validate', file, '--device', 'cpu');
  assert.equal(cpu.status, 1, cpu.stdout + cpu.stderr);
  assert.match(cpu.stderr, /c\.grok\.json:1:\d+: model\.dModel: this run needs about \d+\.\d GiB on the CPU engine, more than the 4 GiB wasm32 addresses \(model\.dModel 4096, model\.dMlp 16384, model\.layers 1: .*\); make model\.dModel, model\.dMlp or model\.layers smaller, or set training\.batchSize/);
  const auto = grok('validate', file);
  assert.equal(auto.status, 0, auto.stderr);
  assert.match(auto.stdout, /memory per run: CPU engine \d+\.\d GiB \(wasm32 limit 4 GiB\), GPU \d+\.\d GiB \(one buffer\)/);
  assert.match(auto.stderr, /c\.grok\.json:1:\d+: warning: model\.dModel: this run needs about .* GiB on the CPU engine.*model\.dMlp 16384.*, and it needs about \d+\.\d GiB as one GPU buffer .* it will fail on either device/);
  const fitsGpu = grok('validate', write({ ...BIG, model: { dModel: 2048, dMlp: 16384, heads: 4 }, training: { trainSize: 6000, steps: 20 } }));
  assert.equal(fitsGpu.status, 0, fitsGpu.stderr);
  assert.match(fitsGpu.stderr, /warning: model\.dModel: this run needs about .* GiB on the CPU engine.*; only a GPU can train it \(\d+\.\d GiB there\); train it with --device gpu/);
});

test('the limit of a swept value points at that value, once per kind however many runs share it', () => {
  const text = JSON.stringify({ ...BIG, model: { dMlp: 16384, heads: 4 }, sweep: { 'model.dModel': [8, 4096], seed: [0, 1, 2] } });
  const r = loadConfig(text, 's.grok.json', { checks: engineChecks('cpu', 1) });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.equal(at(r.errors, 0).path, 'sweep["model.dModel"][1]');
  assert.match(at(r.errors, 0).message, /^model\.dModel = 4096: this run needs about/);
});

test('the sweep refuses the run too large for the CPU engine by name, without a stack trace; the other run trains', async () => {
  const configPath = write({ ...BIG, model: { dMlp: 16384, heads: 4 }, training: { trainSize: 3000, steps: 4, evalEvery: 2 }, sweep: { 'model.dModel': [8, 4096] } });
  const outDir = join(tempDir(), 'out');
  const errors: WorkerMessage[] = [];
  const status = await runSweep({ configPath, outDir, threads: 1 }, { ...projectDeps, createTrainer }, (m) => { if (m.type === 'error') errors.push(m); });
  assert.equal(status, 'failed');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const e = at(errors, 0);
  assert.ok(e.type === 'error');
  assert.equal(e.runId, 'dModel4096');
  assert.match(e.message, /this run needs about \d+\.\d GiB on the CPU engine, more than the 4 GiB wasm32 addresses \(model\.dModel 4096, model\.dMlp 16384/);
  assert.equal(e.cause, undefined, 'no stack trace');
  assert.deepEqual(listRuns(outDir).map((r) => [r.id, r.status]), [['dModel8', 'done'], ['dModel4096', 'failed']]);
});

test('steps: 1e12 is accepted with a warning naming training.steps and the ETA', () => {
  const file = write({ name: 'long', task: { kind: 'modular', modulus: 97 }, model: { dModel: 32, heads: 4 }, training: { trainSize: 3000, steps: 1e12, evalEvery: 1000 } });
  const r = grok('validate', file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /compute: about \d\.\de\+\d+ FLOPs, ETA about [\d,]+ h \([\d.]+ years\) on this machine's \d+ cores at ~30 GFLOP\/s each/);
  assert.match(r.stderr, /c\.grok\.json:1:\d+: warning: training\.steps: this sweep needs about .* FLOPs \(1 run, training\.steps up to 1000000000000\): an ETA of about [\d,]+ h/);
  assert.doesNotMatch(grok('validate', write({ ...BIG, model: { dModel: 32, heads: 4 } })).stderr, /warning/, 'a small sweep gets no warning');
});

test('the compute estimate is within 30% of the matrix-product FLOPs the engine counts (bench d128: 4.94e9 per step)', () => {
  const r = loadConfig(JSON.stringify({ name: 'd128', task: { kind: 'modular', modulus: 97 }, model: { dModel: 128, heads: 4 }, training: { trainSize: 3000, steps: 1, evalEvery: 1e6 } }), 'x');
  assert.ok(r.ok);
  if (!r.ok) return;
  const { flops } = estimateCompute(r.runs, 1);
  const perStep = flops - 2 * (flops / (6 * 3000 + 2 * 9409)) * 9409; // without the one evaluation
  const ratio = perStep / 4.94208e9; // npm run bench, case d128-m1: flopPerModelStep (counted kernel by kernel)
  assert.ok(ratio > 0.7 && ratio < 1.3, `ratio ${ratio}`);
});
