// Device selection and the errors of the GPU path: what 'cpu', 'auto' and 'gpu' resolve to, the
// message that lists what was tried, software adapters, a lost device, a batch over the adapter's
// largest buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { GpuMachine } from '../../src/trainer/engine/webgpu/gpu';
import { GpuHost } from '../../src/trainer/engine/webgpu/host';
import { createDeviceTrainer, isGpuTrainer, selectDevice } from '../../src/trainer/engine/webgpu/index';
import { describeAdapter } from '../../src/trainer/engine/webgpu/select';
import { additionDataset, modelConfig, run, spec } from '../engine/helpers';
import { adapterOrSkip, testAttempt } from './helpers';

const data = additionDataset(7);

test("'cpu' resolves without Dawn; 'auto' without an adapter falls back to the CPU, saying why", async () => {
  assert.deepEqual(await selectDevice('cpu'), { kind: 'cpu', reason: 'cpu requested', tried: [] });
  const auto = await selectDevice('auto', { attempts: [] });
  assert.equal(auto.kind, 'cpu');
  assert.match((auto as { reason: string }).reason, /no GPU adapter/);
});

test("'gpu' without an adapter fails with what was tried", async () => {
  await assert.rejects(selectDevice('gpu', { attempts: [] }), /--device gpu: no GPU adapter \(tried: \).*--device cpu/);
  const bogus = { label: 'Dawn null backend', flags: ['backend=null'], featureLevel: 'core' as const };
  await assert.rejects(selectDevice('gpu', { attempts: [bogus] }), /Dawn null backend: Dawn's null backend \(computes nothing\), not used/);
});

test('a software adapter is not a GPU unless allowed', async (t) => {
  const adapter = await adapterOrSkip(t);
  if (!adapter) return;
  const { software, description } = describeAdapter(adapter);
  if (!software) { t.skip(`the test adapter is hardware (${description})`); return; }
  await assert.rejects(selectDevice('gpu', { attempts: [testAttempt()], allowSoftware: false }), /only a software adapter \(.*llvmpipe/);
  assert.equal((await selectDevice('auto', { attempts: [testAttempt()], allowSoftware: false })).kind, 'cpu');
  const allowed = await selectDevice('gpu', { attempts: [testAttempt()], allowSoftware: true });
  assert.equal(allowed.kind, 'gpu');
});

test('createDeviceTrainer: auto without a GPU trains on the CPU; gpu without one is an error', async (t) => {
  const s = spec(data, modelConfig(), [run(data, 20, 1)]);
  const cpu = await createDeviceTrainer(s, 'auto', { attempts: [] });
  assert.equal(isGpuTrainer(cpu), false);
  await cpu.trainStep();
  assert.equal(cpu.step, 1);
  await cpu.dispose();
  await assert.rejects(createDeviceTrainer(s, 'gpu', { attempts: [] }), /no GPU adapter/);
  if (!(await adapterOrSkip(t))) return;
  const gpu = await createDeviceTrainer(s, 'gpu', { attempts: [testAttempt()], allowSoftware: true });
  assert.equal(isGpuTrainer(gpu), true);
  await gpu.trainStep();
  assert.equal(at(await gpu.evaluate(), 0).step, 1);
  await gpu.dispose();
});

test('a lost device is reported with its cause', async (t) => {
  const adapter = await adapterOrSkip(t);
  if (!adapter) return;
  const host = await GpuHost.create(adapter, spec(data, modelConfig(), [run(data, 20, 1)]));
  await host.train([{ model: 0, step: 1 }]);
  host.machine.device.destroy();
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(host.train([{ model: 0, step: 2 }]), /GPU device lost \(destroyed\)/);
  await assert.rejects(host.readState(0), /GPU device lost/);
});

test('a batch over the largest storage buffer is refused with the sizes', async (t) => {
  const adapter = await adapterOrSkip(t);
  if (!adapter) return;
  await assert.rejects(GpuMachine.create(adapter, 2 ** 40, 1), /needs 1048576\.0 MiB, over the adapter's largest storage buffer \(\d+\.\d MiB\)/);
});
