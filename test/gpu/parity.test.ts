// The GPU kernels against the CPU engine, model by model: forward loss and every gradient tensor,
// for each model kind (transformer with LayerNorm none/pre/post × ReLU/GELU; MLP × ReLU/GELU; 2- and
// 4-layer transformers and MLPs, also the models of the parity suite's depth cases at their sizes;
// the text encoder on padded sequences, LayerNorm × activation × CLS/mean pooling),
// with two models of different training-set sizes in one dispatch. Odd sizes (7 classes, dMlp 20,
// 3 heads of 4) reach the edges of the 32×32 tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { prepareEngine } from '../../src/trainer/engine/index';
import { readBlock } from '../../src/trainer/engine/checkpoint';
import { ModelRunner } from '../../src/trainer/engine/runner';
import { instantiateKernels } from '../../src/trainer/engine/wasm';
import { GpuHost } from '../../src/trainer/engine/webgpu/host';
import { additionDataset, modelConfig, paddedTextDataset, run, spec } from '../engine/helpers';
import { adapterOrSkip, assertClose, DEPTH_KINDS, ENCODER_KINDS, KINDS, PARITY_DEPTH_KINDS, noiseFloor, TOL } from './helpers';

const addition = additionDataset(7);
/** Padded sequences of 2..7 tokens (CLS, words, PAD = 0), vocabulary 20, 3 classes. */
const text = paddedTextDataset(60, 7, 20, 3);

for (const [name, over] of [...KINDS, ...DEPTH_KINDS, ...PARITY_DEPTH_KINDS, ...ENCODER_KINDS]) {
  test(`forward loss and gradients match the CPU engine: ${name}`, async (t) => {
    const adapter = await adapterOrSkip(t);
    if (!adapter) return;
    const data = over.kind === 'encoder' ? text : addition;
    const s = spec(data, modelConfig(over), [run(data, 30, 1), run(data, 19, 2, { initScale: 0.7 })]);
    const host = await GpuHost.create(adapter, s);
    try {
      await host.gradients([0, 1]);
      const cpu = await prepareEngine(s);
      const kernels = instantiateKernels(cpu.module, cpu.memory);
      for (const i of [0, 1]) {
        const m = cpu.plan.models[i], g = host.plan.models[i];
        assert.ok(m && g, `model ${i} planned on both devices`);
        new ModelRunner(kernels, cpu.plan, i).gradients(m.trainIdx, m.trainCount);
        const want = readBlock(cpu.f32, m, m.grads);
        const [grads, loss] = await host.readFloats([{ ptr: g.grads, count: host.plan.blockFloats }, { ptr: g.loss, count: g.trainCount }]);
        assert.ok(grads && loss, 'both buffers read');
        const meanLoss = loss.reduce((a, b) => a + b, 0) / g.trainCount;
        const cpuMean = cpu.f32.subarray(m.loss >> 2, (m.loss >> 2) + m.trainCount).reduce((a, b) => a + b, 0) / m.trainCount;
        assert.ok(Math.abs(meanLoss - cpuMean) <= TOL * Math.abs(cpuMean), `model ${i} loss ${meanLoss} vs ${cpuMean}`);
        for (const slot of host.plan.tensors) {
          assertClose(grads.subarray(slot.offset / 4, slot.offset / 4 + slot.size), want.get(slot.name)!, `model ${i} d${slot.name}`, noiseFloor(want.values()));
        }
      }
    } finally {
      await host.destroy();
    }
  });
}

test('split-K weight gradients and column sums (400-row batch) match the CPU engine', async (t) => {
  for (const over of [at(KINDS, 3)[1], at(KINDS, 7)[1]]) {
    const adapter = await adapterOrSkip(t);
    if (!adapter) return;
    const data = additionDataset(23);
    const s = spec(data, modelConfig(over), [run(data, 400, 5), run(data, 130, 6)]);
    const host = await GpuHost.create(adapter, s);
    try {
      await host.gradients([0, 1]);
      const cpu = await prepareEngine(s);
      const kernels = instantiateKernels(cpu.module, cpu.memory);
      for (const i of [0, 1]) {
        const m = cpu.plan.models[i], g = host.plan.models[i];
        assert.ok(m && g, `model ${i} planned on both devices`);
        new ModelRunner(kernels, cpu.plan, i).gradients(m.trainIdx, m.trainCount);
        const want = readBlock(cpu.f32, m, m.grads);
        const [grads] = await host.readFloats([{ ptr: g.grads, count: host.plan.blockFloats }]);
        assert.ok(grads, 'the gradient buffer read');
        for (const slot of host.plan.tensors) {
          assertClose(grads.subarray(slot.offset / 4, slot.offset / 4 + slot.size), want.get(slot.name)!, `${over.kind} model ${i} d${slot.name}`);
        }
      }
    } finally {
      await host.destroy();
    }
  }
});
