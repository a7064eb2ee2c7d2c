// Which device trains (src/extension/sweep/device.ts): the sweep's `started` event names it (a
// typed TrainingDevice from src/sweep/events.ts, with the GPU adapter), else the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deviceFromEvent, deviceFromSetting } from '../../src/extension/sweep/device';
import { startSweep } from '../../src/sweep/worker/client';
import type { TrainingDevice } from '../../src/sweep/events';
import { tempDir, writeConfig } from '../sweep/helpers/fixtures';

test('the started event names the device: GPU with its adapter, CPU with why', () => {
  assert.deepEqual(deviceFromEvent({ kind: 'gpu', description: 'GPU: NVIDIA H100 (WebGPU/Dawn; largest batch buffer 2048 MiB)', adapter: 'NVIDIA H100' }),
    { device: 'gpu', description: 'GPU: NVIDIA H100 (WebGPU/Dawn; largest batch buffer 2048 MiB)' });
  assert.deepEqual(deviceFromEvent({ kind: 'cpu', description: 'CPU (--device cpu)' }), { device: 'cpu', description: 'CPU (--device cpu)' });
  assert.deepEqual(deviceFromEvent({ kind: 'queue', description: 'the workers of queue "grok" at redis://h:6379' }).device, 'queue');
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
