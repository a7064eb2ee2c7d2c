// The device choice that measures (src/trainer/engine/measure.ts), with fake devices on a fake
// clock: a slow and a fast device, each way round; a device that fails to start or mid-step; the
// early stop of a device that is already slower; ties; every measuring trainer disposed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { chooseDevice, measureDevices, type DeviceCandidate, type DeviceTiming } from '../../src/trainer/engine/measure';
import type { EvalMetrics, LockstepTrainer } from '../../src/trainer/engine/types';

/** A fake clock: fake trainers advance it by their step time. */
class Clock {
  wall = 1000;
  cpu = 0;
  now = (): number => this.wall;
  cpuNow = (): number => this.cpu;
}

interface FakeLog { steps: number; disposed: boolean; flushed: number }

/** A fake device whose step takes `msPerStep` (and `cpuMsPerStep` of this process's CPU); optionally queues like a GPU. */
function fakeDevice(clock: Clock, device: 'cpu' | 'gpu', msPerStep: number, opts: { cpuMsPerStep?: number; queued?: boolean; failCreate?: string; failAtStep?: number; setupMs?: number } = {}): DeviceCandidate & { log: FakeLog } {
  const log: FakeLog = { steps: 0, disposed: false, flushed: 0 };
  let pending = 0;
  const run = (n: number) => { clock.wall += n * msPerStep; clock.cpu += n * (opts.cpuMsPerStep ?? msPerStep); };
  const trainer: LockstepTrainer & { flush?: () => Promise<void> } = {
    modelCount: 4,
    get step() { return log.steps; },
    async trainStep() {
      log.steps++;
      if (opts.failAtStep === log.steps) throw new Error('GPU device lost (unknown): fake');
      if (opts.queued) pending++; else run(1);
    },
    async evaluate(): Promise<EvalMetrics[]> { return []; },
    deactivate() { /* fake */ },
    saveCheckpoint() { return new Uint8Array(); },
    loadCheckpoint() { /* fake */ },
    async dispose() { log.disposed = true; },
  };
  // A queued device (the GPU) does its work when flushed, as GpuTrainer does.
  if (opts.queued) trainer.flush = async () => { log.flushed++; run(pending); pending = 0; };
  return {
    device, description: `${device} fake ${msPerStep} ms`, log,
    async create() {
      clock.wall += opts.setupMs ?? 0;
      if (opts.failCreate) throw new Error(opts.failCreate);
      return trainer;
    },
  };
}

test('a fast GPU beats a slow CPU, and a slow GPU loses to a fast CPU; both timings recorded', async () => {
  for (const [cpuMs, gpuMs, expected] of [[20, 2, 'gpu'], [2, 20, 'cpu']] as const) {
    const clock = new Clock();
    const cpu = fakeDevice(clock, 'cpu', cpuMs);
    const gpu = fakeDevice(clock, 'gpu', gpuMs, { queued: true, cpuMsPerStep: 0.5, setupMs: 300 });
    const m = await measureDevices([cpu, gpu], { now: clock.now, cpuNow: clock.cpuNow });
    assert.equal(m.chosen, expected, `cpu ${cpuMs} ms, gpu ${gpuMs} ms`);
    assert.equal(m.description, expected === 'gpu' ? gpu.description : cpu.description);
    const [tc, tg] = m.timings;
    assert.ok(tc && tg, 'both devices timed');
    assert.deepEqual([tc.device, tc.msPerStep, tc.cpuMsPerStep, tc.models], ['cpu', cpuMs, cpuMs, 4]);
    assert.equal(tg.device, 'gpu');
    assert.equal(tg.msPerStep, gpuMs, 'a queued device is timed to the end of its work (flushed)');
    assert.equal(tg.cpuMsPerStep, 0.5);
    assert.equal(tg.setupMs, 300 + gpuMs, 'setup: creating the trainer and the warm-up step');
    assert.match(m.reason, new RegExp(`^measured cpu ${cpuMs.toPrecision(3)} ms/step, gpu ${gpuMs.toPrecision(3)} ms/step: ${expected} \\(10\\.0x faster\\)$`));
    assert.ok(cpu.log.disposed && gpu.log.disposed, 'the measuring trainers are disposed');
  }
});

test('a device that is already more than twice as slow stops measuring early', async () => {
  const clock = new Clock();
  const cpu = fakeDevice(clock, 'cpu', 1);
  const gpu = fakeDevice(clock, 'gpu', 50, { queued: true });
  const m = await measureDevices([cpu, gpu], { steps: 5, warmup: 1, now: clock.now, cpuNow: clock.cpuNow });
  assert.equal(cpu.log.steps, 6, 'the first device: 1 warm-up + 5 timed steps');
  assert.equal(at(m.timings, 1).steps, 1, 'the slow one: one timed step already took 10x the other\'s whole measurement');
  assert.equal(gpu.log.steps, 2);
  assert.equal(m.chosen, 'cpu');
});

test('a device that cannot start or fails mid-step is recorded with its error, and the other chosen', async () => {
  const clock = new Clock();
  const noAdapter = await measureDevices([fakeDevice(clock, 'cpu', 5), fakeDevice(clock, 'gpu', 1, { failCreate: 'GPU out of memory' })], { now: clock.now, cpuNow: clock.cpuNow });
  assert.equal(noAdapter.chosen, 'cpu');
  assert.equal(at(noAdapter.timings, 1).error, 'GPU out of memory');
  assert.equal(at(noAdapter.timings, 1).msPerStep, null);
  assert.match(noAdapter.reason, /gpu failed \(GPU out of memory\)/);

  const lost = fakeDevice(clock, 'gpu', 1, { failAtStep: 3 });
  const m = await measureDevices([fakeDevice(clock, 'cpu', 5), lost], { now: clock.now, cpuNow: clock.cpuNow });
  assert.equal(m.chosen, 'cpu');
  assert.match(at(m.timings, 1).error ?? '', /device lost/);
  assert.ok(lost.log.disposed, 'a trainer that failed is disposed too');
});

test('chooseDevice: the fewer ms per step; a tie or nothing measured is the CPU', () => {
  const t = (device: 'cpu' | 'gpu', msPerStep: number | null, error?: string): DeviceTiming =>
    ({ device, description: device, models: 1, steps: 3, msPerStep, cpuMsPerStep: null, setupMs: null, ...(error ? { error } : {}) });
  assert.equal(chooseDevice([t('cpu', 3), t('gpu', 2.9)]).chosen, 'gpu');
  assert.equal(chooseDevice([t('gpu', 3), t('cpu', 3.1)]).chosen, 'gpu');
  assert.equal(chooseDevice([t('gpu', 3), t('cpu', 3)]).chosen, 'cpu', 'a tie goes to the CPU');
  assert.equal(chooseDevice([t('cpu', 3), t('gpu', 3)]).chosen, 'cpu');
  assert.equal(chooseDevice([t('cpu', null, 'boom'), t('gpu', null, 'no adapter')]).chosen, 'cpu');
  assert.match(chooseDevice([t('cpu', null, 'boom'), t('gpu', null, 'no adapter')]).reason, /^no device measured/);
  assert.equal(chooseDevice([t('cpu', null, 'wasm failed'), t('gpu', 40)]).chosen, 'gpu', 'the only device that measured');
});
