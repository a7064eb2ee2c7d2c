// Which device trains (src/extension/sweep/device.ts): the sweep's `started` event names it (a
// typed TrainingDevice from src/sweep/events.ts, with the GPU adapter), else the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deviceFromEvent, deviceFromSetting, statusDevice } from '../../src/extension/sweep/device';
import { startSweep } from '../../src/sweep/worker/client';
import type { TrainingDevice } from '../../src/sweep/events';
import { tempDir, writeConfig } from '../sweep/helpers/fixtures';

test('the started event names the device: GPU with its adapter, CPU with why', () => {
  assert.deepEqual(deviceFromEvent({ kind: 'gpu', description: 'GPU: NVIDIA H100 (WebGPU/Dawn; largest batch buffer 2048 MiB)', adapter: 'NVIDIA H100' }),
    { device: 'gpu', description: 'GPU: NVIDIA H100 (WebGPU/Dawn; largest batch buffer 2048 MiB)', adapter: 'NVIDIA H100' });
  assert.deepEqual(deviceFromEvent({ kind: 'cpu', description: 'CPU (--device cpu)' }), { device: 'cpu', description: 'CPU (--device cpu)' });
  assert.deepEqual(deviceFromEvent({ kind: 'queue', description: 'the workers of queue "grok" at redis://h:6379' }).device, 'queue');
});

test('the status bar says gpu with the adapter the worker got; an adapter measured but not chosen is not named', () => {
  const llvmpipe = 'llvmpipe-llvm-15-0-6-256-bits- / OpenGL version OpenGL ES 3.2 Mesa 22.3.6';
  assert.equal(statusDevice(deviceFromEvent({ kind: 'gpu', description: `GPU: ${llvmpipe} (WebGPU/Dawn, a software adapter)`, adapter: llvmpipe })), 'gpu (llvmpipe-llvm-15-0-6-256-bits)');
  assert.equal(statusDevice(deviceFromEvent({ kind: 'gpu', description: 'GPU: nvidia / ampere', adapter: 'nvidia / ampere / NVIDIA GeForce RTX 3090' })), 'gpu (nvidia)');
  assert.equal(statusDevice(deviceFromEvent({ kind: 'gpu', description: 'GPU', adapter: 'x'.repeat(40) })), `gpu (${'x'.repeat(31)}…)`);
  assert.equal(statusDevice(deviceFromEvent({ kind: 'cpu', description: 'CPU (the faster on the first batch)', adapter: llvmpipe })), 'cpu');
  assert.equal(statusDevice(deviceFromSetting('gpu')), 'gpu', 'before the worker has said: the setting alone');
});

test('before the report: the setting', () => {
  assert.equal(deviceFromSetting('auto').device, 'auto');
  assert.equal(deviceFromSetting('gpu').device, 'gpu');
  assert.match(deviceFromSetting('cpu').description, /grok\.device = cpu/);
});

test('the forked worker sends the device as part of its started event (no log line to parse)', async () => {
  const sweep = startSweep({ configPath: writeConfig({ training: { steps: 40, evalEvery: 20, checkpointEvery: 20 } }), outDir: join(tempDir(), 'd'), threads: 1, device: 'cpu' });
  const devices: TrainingDevice[] = [];
  const logs: string[] = [];
  sweep.on('started', (m) => devices.push(m.device));
  sweep.on('log', (m) => logs.push(m.message));
  assert.equal((await sweep.done).status, 'done');
  assert.equal(devices.length, 1);
  assert.equal(devices[0]?.kind, 'cpu');
  assert.match(devices[0]?.description ?? '', /^CPU \(--device cpu\), .*SIMD/, 'the CPU and its kernel build');
  assert.ok(!logs.some((l) => /training on/.test(l)), 'the device is not a log line any more');
});

test('auto without a usable GPU adapter: the forked worker trains on the CPU and says why once (its started event, which the extension logs), not per batch', async () => {
  // Dawn's null backend is an adapter that computes nothing, so it never counts: no GPU here, on any
  // machine (and where Dawn cannot load at all, the reason is that).
  const sweep = startSweep({
    // 4 runs, a batch each (the smallest memory budget): the reason is not repeated per batch.
    configPath: writeConfig({ training: { steps: 40, evalEvery: 20, checkpointEvery: 20 } }),
    outDir: join(tempDir(), 'd'), threads: 1, memoryBudget: 1,
    env: { ...process.env, GROK_WEBGPU_BACKEND: 'null', GROK_WEBGPU_ALLOW_SOFTWARE: '1' },
  });
  const said: string[] = [];
  const devices: TrainingDevice[] = [];
  sweep.on('started', (m) => { devices.push(m.device); said.push(m.device.description); });
  sweep.on('device', (m) => { devices.push(m.device); said.push(m.device.description); });
  sweep.on('log', (m) => said.push(m.message));
  sweep.on('error', (m) => said.push(m.message));
  assert.equal((await sweep.done).status, 'done');
  assert.equal(devices.length, 1, 'one device report: no change of device later');
  assert.equal(devices[0]?.kind, 'cpu');
  const why = /^CPU \((no GPU adapter \(tried: .*null backend.*not used\)|the GPU backend could not start: .*)\)/.exec(devices[0]?.description ?? '');
  assert.ok(why, `the CPU, and why: ${devices[0]?.description}`);
  assert.equal(said.filter((m) => m.includes(why[1]!)).length, 1, `the reason is said once: ${JSON.stringify(said)}`);
});
