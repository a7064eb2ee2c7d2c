// --device on whole sweeps (the runner in-process, with the GPU thread of dist/gpu-thread.js):
// what auto/gpu/cpu resolve to, the memory budget deciding how many models share a GPU batch, and
// a lost device: reported with its cause, then the runs resume from their checkpoints on the CPU
// (auto, in the same sweep) or with a second invocation on the CPU or the GPU (--device gpu).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { join } from 'node:path';
import { createTrainer } from '../../src/trainer/engine/index';
import type { LockstepSpec, LockstepTrainer } from '../../src/trainer/engine/types';
import { isGpuTrainer } from '../../src/trainer/engine/webgpu/index';
import { openSweepDevice, type SweepDevice, type SweepDeviceOptions } from '../../src/trainer/engine/device';
import { describeAdapter } from '../../src/trainer/engine/webgpu/select';
import { createGpuTrainer } from '../../src/trainer/engine/webgpu/trainer';
import { readManifest, readSummary } from '../../src/store/reader';
import { runSweep } from '../../src/sweep/runner';
import { projectDeps } from '../../src/sweep/projectDeps';
import { estimateModelBytes } from '../../src/sweep/memory';
import type { SweepEvent } from '../../src/sweep/events';
import type { SweepOptions } from '../../src/sweep/options';
import type { DevicePreference as Device } from '../../src/trainer/engine/device';
import { additionDataset, modelConfig, run, spec } from '../engine/helpers';
import { metricsOf, tempDir, writeConfig } from '../sweep/helpers/fixtures';
import { skipWithoutAdapter, testAdapter, testAttempt } from './helpers';

/** 2 seeds × 2 train sizes of a small MLP on a+b mod 11: 40 steps, a checkpoint every 10. */
const CONFIG = {
  model: { kind: 'mlp', dModel: 8, dMlp: 16 },
  training: { steps: 40, evalEvery: 10, checkpointEvery: 10, earlyStop: { enabled: false } },
};

interface Trace {
  /** Per trainer created: its device and how many models it holds. */
  trainers: { gpu: boolean; models: number }[];
  /** Steps the checkpoints were loaded at (resumed batches). */
  loads: number[];
}

/** The sweep's device, with every trainer it creates traced (and `hook` run on GPU trainers). */
function tracedDevice(trace: Trace, options: SweepDeviceOptions, hook?: (t: LockstepTrainer) => void) {
  const traced = (t: LockstepTrainer, gpu: boolean, models: number): LockstepTrainer => {
    trace.trainers.push({ gpu, models });
    const load = t.loadCheckpoint.bind(t);
    t.loadCheckpoint = (i, bytes) => { load(i, bytes); trace.loads.push(t.step); };
    if (gpu) hook?.(t);
    return t;
  };
  return async (pref: Device): Promise<SweepDevice> => {
    const device = await openSweepDevice(pref, { ...options, cpu: async (s: LockstepSpec) => traced(await createTrainer(s), false, s.runs.length) });
    const create = device.createTrainer.bind(device);
    device.createTrainer = async (s) => {
      const t = await create(s);
      return isGpuTrainer(t) ? traced(t, true, s.runs.length) : t;
    };
    return device;
  };
}

async function sweep(options: SweepOptions, openDevice: (pref: Device) => Promise<SweepDevice>) {
  const messages: SweepEvent[] = [];
  const status = await runSweep(options, { ...projectDeps, createTrainer, openDevice }, (m) => messages.push(m));
  const logs = messages.filter((m) => m.type === 'log').map((m) => (m as { message: string }).message);
  const started = messages.find((m) => m.type === 'started');
  const device = started?.type === 'started' ? started.device : null;
  const errors = messages.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message);
  return { status, messages, logs, errors, device };
}

const software: SweepDeviceOptions = { attempts: [testAttempt()], allowSoftware: true };
/** auto taking the (software) adapter without measuring it against the CPU first: for the tests of auto's GPU failure paths. */
const softwareUnmeasured: SweepDeviceOptions = { ...software, measure: false };

async function skipWithoutGpu(t: { skip(msg: string): void }): Promise<boolean> {
  const a = await testAdapter();
  if (typeof a === 'string') { skipWithoutAdapter(t, a); return true; }
  return false;
}

/** Loses the GPU trainer's device after its `after`-th step, as a driver reset would. */
function loseAfter(after: number) {
  return (t: LockstepTrainer): void => {
    const step = t.trainStep.bind(t);
    let n = 0;
    t.trainStep = async () => {
      if (++n === after + 1 && isGpuTrainer(t)) await t.loseDevice();
      return step();
    };
  };
}

test('--device: cpu never loads Dawn; auto without an adapter trains on the CPU; gpu without one fails before writing anything', async () => {
  const cpu = await openSweepDevice('cpu');
  assert.deepEqual([cpu.kind, cpu.description], ['cpu', 'CPU (--device cpu)']);

  const trace: Trace = { trainers: [], loads: [] };
  const auto = await sweep({ configPath: writeConfig(CONFIG), device: 'auto' }, tracedDevice(trace, { attempts: [] }));
  assert.equal(auto.status, 'done');
  assert.equal(auto.device?.kind, 'cpu');
  assert.match(auto.device?.description ?? '', /^CPU \(no GPU adapter/);
  assert.ok(trace.trainers.length > 0 && trace.trainers.every((t) => !t.gpu));

  const gpu = await sweep({ configPath: writeConfig(CONFIG), device: 'gpu' }, tracedDevice(trace, { attempts: [] }));
  assert.equal(gpu.status, 'failed');
  assert.match(gpu.errors[0] ?? '', /^--device gpu: no GPU adapter \(tried: \).*--device cpu/);
  assert.deepEqual(gpu.messages.at(-1), { type: 'done', status: 'failed', outDir: null, error: gpu.errors[0] });
});

test('auto does not count a software adapter as a GPU unless allowed; then it trains on it', async (t) => {
  const adapter = await testAdapter();
  if (typeof adapter === 'string') { skipWithoutAdapter(t, adapter); return; }
  const { software: isSoftware, description } = describeAdapter(adapter);
  if (!isSoftware) { t.skip(`the test adapter is hardware (${description})`); return; }
  const strict = await openSweepDevice('auto', { attempts: [testAttempt()], allowSoftware: false });
  assert.equal(strict.kind, 'cpu');
  assert.match(strict.description, /only a software adapter \(.*\), not used/);
  await assert.rejects(openSweepDevice('gpu', { attempts: [testAttempt()], allowSoftware: false }), /--device gpu: no GPU adapter .*only a software adapter/);
  const allowed = await openSweepDevice('auto', software);
  assert.equal(allowed.measuring, true, 'allowed: auto measures it against the CPU on the first batch');
  assert.match(allowed.description, /^the faster of the CPU and GPU: .*largest batch buffer \d+ MiB.*, measured on the first batch/);
  const unmeasured = await openSweepDevice('auto', softwareUnmeasured);
  assert.equal(unmeasured.kind, 'gpu');
  assert.match(unmeasured.description, /^GPU: .*largest batch buffer \d+ MiB/);
  assert.equal(unmeasured.adapter, description, 'the adapter, for the started event');
  unmeasured.close();
  allowed.close();
});

test('auto measures the first batch on the CPU and the GPU and trains on the faster: here (a software adapter) the CPU; the manifest has both timings; results equal --device cpu', async (t) => {
  const adapter = await testAdapter();
  if (typeof adapter === 'string') { skipWithoutAdapter(t, adapter); return; }
  const { software: isSoftware } = describeAdapter(adapter);
  // A transformer with enough work per step that llvmpipe's cost shows through the noise of a
  // loaded machine (on a tiny MLP the two are close, and either may win a measurement).
  const configPath = writeConfig({ ...CONFIG, task: { kind: 'modular', op: 'a+b', modulus: 23 }, model: { kind: 'transformer', dModel: 32, heads: 4 },
    training: { ...CONFIG.training, steps: 20, trainSize: 200 } });
  const trace: Trace = { trainers: [], loads: [] };
  const outDir = join(tempDir(), 'auto-measured');
  const r = await sweep({ configPath, outDir, device: 'auto' }, tracedDevice(trace, software));
  assert.equal(r.status, 'done', r.errors.join('\n'));
  const device = readManifest(outDir).device!;
  assert.equal(device.pref, 'auto');
  const [cpu, gpu] = device.measured!.timings;
  assert.deepEqual([cpu!.device, gpu!.device], ['cpu', 'gpu']);
  for (const x of [cpu!, gpu!]) {
    assert.equal(x.error, undefined);
    assert.equal(x.models, 4, 'the first batch: all 4 runs');
    assert.ok(x.msPerStep! > 0 && x.steps >= 1 && x.setupMs! > 0, JSON.stringify(x));
  }
  assert.equal(device.chosen, gpu!.msPerStep! < cpu!.msPerStep! ? 'gpu' : 'cpu', 'the faster one');
  if (isSoftware) {
    assert.equal(device.chosen, 'cpu', `llvmpipe is slower than the CPU engine: ${device.measured!.reason}`);
    assert.match(r.logs.at(-1) ?? '', /^training on CPU \(the faster on the first batch: measured cpu [\d.]+ ms\/step, gpu [\d.]+ ms\/step: cpu \([\d.]+x faster\)\)$/);
    // A fresh CPU trainer measured (the GPU one is made inside the device, untraced), then the batch trained from step 0 on another.
    assert.deepEqual(trace.trainers, [{ gpu: false, models: 4 }, { gpu: false, models: 4 }]);
  }
  // Measuring leaves no trace in the results: they equal a sweep forced onto the chosen device.
  const forced = join(tempDir(), 'forced');
  const f = await sweep({ configPath, outDir: forced, device: device.chosen }, tracedDevice({ trainers: [], loads: [] }, software));
  assert.equal(f.status, 'done');
  const strip = (m: Record<string, Array<Record<string, unknown>>>) => JSON.stringify(Object.values(m).map((rs) => rs.map(({ wallMs: _, ...x }) => x)));
  assert.equal(strip(metricsOf(outDir) as never), strip(metricsOf(forced) as never));
  assert.equal(readManifest(forced).device?.pref, device.chosen);
  assert.equal(readManifest(forced).device?.measured, undefined);
});

test('the memory budget decides how many models share a GPU batch; the adapter\'s largest buffer caps it', async (t) => {
  if (await skipWithoutGpu(t)) return;
  const device = await openSweepDevice('gpu', software);
  const max = Number(/largest batch buffer (\d+) MiB/.exec(device.description)![1]) * 2 ** 20;
  assert.ok(Math.abs(device.batchBudget(undefined, 1) - max) < 2 ** 20, 'default: the largest buffer');
  assert.equal(device.batchBudget(2 ** 50, 1), device.batchBudget(undefined, 1), 'a larger request is capped');
  assert.equal(device.batchBudget(12345, 1), 12345);

  // 4 seeds of one training size: every run has the same GPU memory plan, which the runner asks the
  // device for (recorded here); smaller than the CPU engine's estimate.
  const config = { ...CONFIG, training: { ...CONFIG.training, trainSize: 60 }, sweep: { seed: [0, 1, 2, 3] } };
  const asked: number[] = [];
  const open = (trace: Trace) => async (pref: Device) => {
    const d = await tracedDevice(trace, software)(pref);
    const bytes = d.modelBytes.bind(d);
    d.modelBytes = (...a) => { const b = bytes(...a); asked.push(b); return b; };
    return d;
  };
  const shapes: number[][] = [];
  for (const models of [4, 1, 2]) {
    const trace: Trace = { trainers: [], loads: [] };
    const perModel = Math.max(0, ...asked);
    const memoryBudget = models === 4 ? undefined : models * perModel + perModel / 2;
    const r = await sweep({ configPath: writeConfig(config), device: 'gpu', memoryBudget }, open(trace));
    assert.equal(r.status, 'done', r.errors.join('\n'));
    assert.ok(trace.trainers.every((x) => x.gpu));
    shapes.push(trace.trainers.map((x) => x.models));
  }
  assert.equal(new Set(asked).size, 1, 'one plan size for every run');
  assert.ok(at(asked, 0) < estimateModelBytes(modelConfig(CONFIG.model as never), additionDataset(11)), `${asked[0]} B`);
  assert.deepEqual(shapes, [[4], [1, 1, 1, 1], [2, 2]]);
});

test('auto: a lost device is reported with its cause, and the batch resumes from its checkpoints on the CPU', async (t) => {
  if (await skipWithoutGpu(t)) return;
  const trace: Trace = { trainers: [], loads: [] };
  const outDir = join(tempDir(), 'auto');
  const r = await sweep({ configPath: writeConfig(CONFIG), outDir, device: 'auto' }, tracedDevice(trace, softwareUnmeasured, loseAfter(15)));
  assert.equal(r.status, 'done', r.errors.join('\n'));
  assert.match(r.errors[0] ?? '', /GPU device lost \(destroyed\)/);
  assert.ok(r.logs.some((l) => /^the GPU failed \(GPU device lost \(destroyed\).*\); resuming the unfinished runs from their checkpoints on the CPU$/.test(l)), r.logs.join('\n'));
  // One GPU batch of all 4 runs (lost at step 16), then the CPU from the checkpoints of step 10.
  assert.deepEqual(trace.trainers, [{ gpu: true, models: 4 }, { gpu: false, models: 4 }]);
  assert.deepEqual(trace.loads, [10, 10, 10, 10]);
  assert.ok(readSummary(outDir)!.runs.every((x) => x.status === 'done' && x.steps.last === 40));
  for (const records of Object.values(metricsOf(outDir))) assert.deepEqual(records.map((x) => x.step), [0, 10, 20, 30, 40]);
});

test('--device gpu: a lost device fails the runs with its cause; they resume from their checkpoints on the CPU or the GPU', async (t) => {
  if (await skipWithoutGpu(t)) return;
  for (const resumeOn of ['cpu', 'gpu'] as const) {
    const outDir = join(tempDir(), 'gpu');
    const configPath = writeConfig(CONFIG);
    const trace: Trace = { trainers: [], loads: [] };
    const lost = await sweep({ configPath, outDir, device: 'gpu' }, tracedDevice(trace, software, loseAfter(25)));
    assert.equal(lost.status, 'failed');
    assert.match(lost.errors[0] ?? '', /GPU device lost \(destroyed\)/);
    assert.ok(lost.logs.some((l) => l.includes('grok resume') && l.includes('--device cpu')), lost.logs.join('\n'));
    const failed = readSummary(outDir)!.runs;
    assert.ok(failed.every((x) => x.status === 'failed' && /GPU device lost/.test(x.error ?? '')), JSON.stringify(failed));

    const again: Trace = { trainers: [], loads: [] };
    const resumed = await sweep({ outDir, device: resumeOn }, tracedDevice(again, software));
    assert.equal(resumed.status, 'done', resumed.errors.join('\n'));
    assert.deepEqual(again.trainers, [{ gpu: resumeOn === 'gpu', models: 4 }]);
    assert.deepEqual(again.loads, [20, 20, 20, 20]);
    for (const records of Object.values(metricsOf(outDir))) assert.deepEqual(records.map((x) => x.step), [0, 10, 20, 30, 40]);
  }
});

test('a model kind without GPU kernels: auto trains it on the CPU, gpu refuses it clearly', async (t) => {
  // Every kind of this build has kernels; a future one without them goes through this path.
  const data = additionDataset(7);
  const s = spec(data, modelConfig({ kind: 'rnn' as never }), [run(data, 20, 1)]);
  assert.equal(await createGpuTrainer(s, { pref: 'auto', attempts: [] }), null);
  await assert.rejects(createGpuTrainer(s, { pref: 'gpu', attempts: [] }),
    /--device gpu: the GPU backend has no 'rnn' model yet \(it has transformer, mlp, encoder\); use --device cpu/);
  if (await skipWithoutGpu(t)) return;
  const cpuTrainers: LockstepSpec[] = [];
  const device = await openSweepDevice('auto', {
    ...softwareUnmeasured, cpu: async (x) => { cpuTrainers.push(x); return { modelCount: 1 } as unknown as LockstepTrainer; },
  });
  assert.equal(device.kind, 'gpu');
  await device.createTrainer(s);
  assert.equal(cpuTrainers.length, 1, 'the unknown kind went to the CPU engine');
});

test('a batch the GPU cannot hold is reported with both sizes; auto then trains on the CPU', async (t) => {
  if (await skipWithoutGpu(t)) return;
  const device = await openSweepDevice('auto', softwareUnmeasured);
  const max = device.batchBudget(undefined, 1);
  if (max > 256 * 2 ** 20) { t.skip(`this adapter's largest buffer (${max >> 20} MiB) is too large to overflow cheaply`); return; }
  // 97² examples in one full batch of a d=128 transformer: activations alone are several hundred MiB.
  const data = additionDataset(97);
  const big = spec(data, modelConfig({ dModel: 128, heads: 4 }), [run(data, 9000, 1)]);
  assert.equal(device.failure, null);
  await assert.rejects(device.createTrainer(big), /the engine memory of this batch needs \d+\.\d MiB, over the adapter's largest storage buffer \(\d+\.\d MiB\)/);
  assert.match(device.failure ?? '', /over the adapter's largest storage buffer/);
  assert.equal(device.fellBack, true);
  const small = spec(additionDataset(7), modelConfig(), [run(additionDataset(7), 20, 1)]);
  const next = await device.createTrainer(small);
  assert.equal(isGpuTrainer(next), false, 'after a GPU failure, auto trains on the CPU');
  await next.dispose();
});
