// The encoder in the lock-step engine: padding is invisible (more padding, same logits), results do
// not depend on the thread count (a model's batch split over threads included), checkpoints resume
// exactly, and it learns a padded text task. Gradients are checked in gradcheck.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrainer, prepareEngine } from '../../src/trainer/engine/index';
import { readBlock, writeBlock } from '../../src/trainer/engine/checkpoint';
import { ModelRunner } from '../../src/trainer/engine/runner';
import { instantiateKernels } from '../../src/trainer/engine/wasm';
import type { LockstepTrainer } from '../../src/trainer/engine/types';
import type { Dataset } from '../../src/trainer/tasks/types';
import { modelConfig, paddedTextDataset, run, spec } from './helpers';

/** The same rows padded to a longer sequence. */
function repad(data: Dataset, S: number): Dataset {
  const inputs = new Int32Array(data.count * S);
  for (let i = 0; i < data.count; i++) inputs.set(data.inputs.subarray(i * data.seqLen, (i + 1) * data.seqLen), i * S);
  return { ...data, inputs, seqLen: S };
}

async function logitsOf(data: Dataset, pooling: 'cls' | 'mean', weights?: Map<string, Float32Array>): Promise<{ logits: Float32Array; params: Map<string, Float32Array> }> {
  const s = spec(data, modelConfig({ kind: 'encoder', dModel: 16, heads: 4, dMlp: 24, layerNorm: 'post', activation: 'gelu', pooling, initStd: 0.3 }),
    [run(data, data.count, 1)]);
  const { plan, memory, module, f32 } = await prepareEngine(s);
  const m = plan.models[0];
  assert.ok(m, 'the plan has the one model');
  if (weights) {
    const mine = readBlock(f32, m, m.params);
    for (const [name, t] of mine) t.set(weights.get(name)!.subarray(0, t.length));
    writeBlock(f32, m, m.params, mine);
  }
  const runner = new ModelRunner(instantiateKernels(module, memory), plan, 0);
  runner.forward(m.trainIdx, m.trainCount, false);
  const logitsAt = m.buffers.logits, order = s.runs[0]?.trainIdx;
  assert.ok(logitsAt !== undefined && order, 'a logits buffer and the run');
  const logits = f32.slice(logitsAt >> 2, (logitsAt >> 2) + data.count * data.numClasses);
  const byExample = new Float32Array(logits.length);
  order.forEach((e, j) => byExample.set(logits.subarray(j * data.numClasses, (j + 1) * data.numClasses), e * data.numClasses));
  return { logits: byExample, params: readBlock(f32, m, m.params) };
}

for (const pooling of ['cls', 'mean'] as const) {
  test(`encoder: extra padding leaves every logit unchanged (${pooling} pooling)`, async () => {
    const short = paddedTextDataset(40, 7, 20, 3);
    const long = repad(short, 19);
    // Same weights: the long model's extra position rows are random and must not matter.
    const a = await logitsOf(long, pooling);
    const b = await logitsOf(short, pooling, a.params);
    assert.ok(a.logits.some((v) => Math.abs(v) > 1e-2), 'logits are not trivial');
    assert.equal(a.logits.length, b.logits.length);
    for (let i = 0; i < a.logits.length; i++) assert.ok(Math.abs(a.logits[i]! - b.logits[i]!) <= 1e-5, `logit ${i}: ${a.logits[i]} vs ${b.logits[i]}`);
  });
}

async function fingerprint(t: LockstepTrainer): Promise<string> {
  const evals = await t.evaluate();
  const ckpts = Array.from({ length: t.modelCount }, (_, i) => Buffer.from(t.saveCheckpoint(i)).toString('base64'));
  return JSON.stringify({ evals, ckpts });
}

test('encoder: bitwise identical on 1 and 2 threads, for two models and for one model split in chunks', async () => {
  const data = paddedTextDataset(1300, 10, 25, 2);
  const model = modelConfig({ kind: 'encoder', dModel: 16, heads: 2, dMlp: 32, layerNorm: 'post', activation: 'gelu', pooling: 'mean', initStd: 0.02 });
  const layouts = [
    [run(data, 300, 1, { initScale: 3, weightDecay: 0.01 }), run(data, 200, 2, { lr: 2e-3, weightDecay: 0 })],
    [run(data, 1100, 3)], // 3 chunks of ≤ 512 rows
  ];
  for (const runs of layouts) {
    const prints: string[] = [];
    for (const threads of [1, 2]) {
      const t = await createTrainer(spec(data, model, runs, { threads }));
      for (let k = 0; k < 3; k++) await t.trainStep();
      prints.push(await fingerprint(t));
      await t.dispose();
    }
    assert.equal(prints[0], prints[1]);
  }
});

test('encoder: checkpoint at step k, resume in a fresh trainer: bitwise the same as training straight on', async () => {
  const data = paddedTextDataset(200, 8, 20, 2);
  const s = spec(data, modelConfig({ kind: 'encoder', dModel: 8, heads: 2, dMlp: 16, layerNorm: 'pre', pooling: 'cls' }), [run(data, 120, 4)], { batchSize: 32 });
  const straight = await createTrainer(s);
  for (let k = 0; k < 10; k++) await straight.trainStep();
  const half = await createTrainer(s);
  for (let k = 0; k < 4; k++) await half.trainStep();
  const ckpt = half.saveCheckpoint(0);
  await half.dispose();
  const resumed = await createTrainer(s);
  resumed.loadCheckpoint(0, ckpt);
  for (let k = 0; k < 6; k++) await resumed.trainStep();
  assert.equal(await fingerprint(resumed), await fingerprint(straight));
  await straight.dispose(); await resumed.dispose();
});

test('encoder: learns a padded sequence task (train accuracy rises well above chance)', async () => {
  // Label: whether token 3 occurs in the row; needs attention over the unpadded positions.
  const data = paddedTextDataset(400, 8, 8, 2);
  for (let i = 0; i < data.count; i++) data.labels[i] = data.inputs.subarray(i * 8, i * 8 + 8).includes(3) ? 1 : 0;
  const t = await createTrainer(spec(data, modelConfig({ kind: 'encoder', dModel: 16, heads: 2, dMlp: 32, layerNorm: 'post', activation: 'gelu', pooling: 'cls', initStd: 0.1 }),
    [run(data, 300, 5, { lr: 3e-3, weightDecay: 0 })]));
  const [before] = await t.evaluate();
  for (let k = 0; k < 150; k++) await t.trainStep();
  const [after] = await t.evaluate();
  await t.dispose();
  assert.ok(before && after, 'one model evaluated');
  assert.ok(after.trainLoss < 0.5 * before.trainLoss, `train loss ${before.trainLoss} -> ${after.trainLoss}`);
  assert.ok(after.trainAcc > 0.9 && after.valAcc > 0.8, `train ${after.trainAcc}, val ${after.valAcc}`);
});
