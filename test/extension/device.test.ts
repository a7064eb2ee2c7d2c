// Which device trains (src/extension/sweep/device.ts): from the worker's "training on ..." log line
// (src/sweep/runner.ts, descriptions from engine/device.ts), else the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceFromLog, deviceFromSetting } from '../../src/extension/sweep/device';

test('the worker log names the device: GPU with its adapter, CPU with why', () => {
  assert.deepEqual(deviceFromLog('training on GPU: NVIDIA H100 (WebGPU/Dawn; largest batch buffer 2048 MiB)'),
    { device: 'gpu', description: 'GPU: NVIDIA H100 (WebGPU/Dawn; largest batch buffer 2048 MiB)' });
  assert.deepEqual(deviceFromLog('training on CPU (--device cpu)'), { device: 'cpu', description: 'CPU (--device cpu)' });
  assert.deepEqual(deviceFromLog('training on CPU (no GPU adapter: webgpu is not installed)'),
    { device: 'cpu', description: 'CPU (no GPU adapter: webgpu is not installed)' });
  assert.equal(deviceFromLog('run r001 finished'), null);
  assert.equal(deviceFromLog('resumed training on 3 runs'), null);
});

test('before the report: the setting', () => {
  assert.equal(deviceFromSetting('auto').device, 'auto');
  assert.equal(deviceFromSetting('gpu').device, 'gpu');
  assert.match(deviceFromSetting('cpu').description, /grok\.device = cpu/);
});
