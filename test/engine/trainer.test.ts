// The LockstepTrainer contract: per-model runs, thread-count independence (bit for bit),
// exact checkpoint resume, early-stop freezing, mixture metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { createTrainer, initialCheckpoint, readSafetensors, trainerFromCheckpoint, writeSafetensors } from '../../src/trainer/engine/index';
import type { EvalMetrics, LockstepSpec, LockstepTrainer } from '../../src/trainer/engine/types';
import { additionDataset, mixtureDataset, modelConfig, run, spec } from './helpers';

const data = additionDataset(11);

/** Three models that differ in everything a run may set. */
function threeRuns(over: Partial<LockstepSpec> = {}, layers = 1): LockstepSpec {
  return spec(data, modelConfig({ layerNorm: 'pre', activation: 'gelu', layers }), [
    run(data, 60, 1),
    run(data, 80, 2, { lr: 3e-3, weightDecay: 0.1, warmupSteps: 5, initScale: 0.5 }),
    run(data, 50, 3, { lr: 2e-3, weightDecay: 0 }),
  ], over);
}

async function trainFor(t: LockstepTrainer, steps: number): Promise<void> {
  for (let s = 0; s < steps; s++) await t.trainStep();
}

async function fingerprint(t: LockstepTrainer): Promise<string> {
  const evals = await t.evaluate();
  const ckpts = Array.from({ length: t.modelCount }, (_, i) => Buffer.from(t.saveCheckpoint(i)).toString('base64'));
  return JSON.stringify({ evals, ckpts });
}

// Determinism holds per kernel build: the relaxed-SIMD (FMA) build and the plain-SIMD fallback.
for (const kernels of ['relaxed-simd', 'simd'] as const) {
  for (const batchSize of [null, 16]) {
    test(`${kernels}: results are bitwise identical for 1 and 2 threads (batch ${batchSize ?? 'full'})`, async () => {
      const prints: string[] = [];
      for (const threads of [1, 2]) {
        const t = await createTrainer(threeRuns({ threads, batchSize, kernels }));
        await trainFor(t, 12);
        prints.push(await fingerprint(t));
        await t.dispose();
      }
      assert.equal(prints[0], prints[1]);
    });
  }
}

test('the relaxed-SIMD (FMA) and plain-SIMD builds train the same models to float32 rounding', async () => {
  const metrics: EvalMetrics[][] = [];
  for (const kernels of ['relaxed-simd', 'simd'] as const) {
    const t = await createTrainer(threeRuns({ threads: 2, kernels }));
    await trainFor(t, 12);
    metrics.push(await t.evaluate());
    await t.dispose();
  }
  const [relaxed, simd] = metrics;
  assert.ok(relaxed && simd, 'both kernel builds evaluated');
  relaxed.forEach((m, i) => {
    for (const key of ['trainLoss', 'valLoss', 'weightNorm'] as const) {
      const a = m[key], b = at(simd, i)[key];
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `model ${i} ${key}: ${a} (relaxed) vs ${b} (simd)`);
    }
  });
});

test('models whose batches are split over 2 threads (one model; the third of three) get bitwise the same results as on 1', async () => {
  const big = additionDataset(37);
  for (const [batchSize, runs] of [[null, [run(big, 1200, 4)]], [1100, [run(big, 1200, 4)]], [null, [run(big, 1200, 4), run(big, 1100, 5), run(big, 1300, 6)]]] as const) {
    const prints: string[] = [];
    for (const threads of [1, 2]) {
      const t = await createTrainer(spec(big, modelConfig({ layerNorm: 'post' }), [...runs], { threads, batchSize }));
      await trainFor(t, 5);
      prints.push(await fingerprint(t));
      await t.dispose();
    }
    assert.equal(prints[0], prints[1]);
  }
});

test('models train independently and lower their training loss', async () => {
  const t = await createTrainer(threeRuns());
  const before = await t.evaluate();
  await trainFor(t, 40);
  const after = await t.evaluate();
  assert.equal(t.step, 40);
  for (let i = 0; i < 3; i++) {
    const was = at(before, i), now = at(after, i);
    assert.equal(now.step, 40);
    assert.ok(now.trainLoss < was.trainLoss - 0.1, `model ${i}: ${was.trainLoss} -> ${now.trainLoss}`);
    assert.ok(now.weightNorm > 0 && Number.isFinite(now.valLoss));
    const sumSq = Object.values(now.norms).reduce((a, n) => a + n * n, 0);
    assert.ok(Math.abs(Math.sqrt(sumSq) - now.weightNorm) < 1e-9);
  }
  assert.notEqual(at(after, 0).trainLoss, at(after, 2).trainLoss);
  // A lone model of the batch gets the same result as in company.
  const alone = await createTrainer(spec(data, modelConfig({ layerNorm: 'pre', activation: 'gelu' }), [at(threeRuns().runs, 2)]));
  await trainFor(alone, 40);
  assert.equal(at(await alone.evaluate(), 0).trainLoss, at(after, 2).trainLoss);
  await Promise.all([t.dispose(), alone.dispose()]);
});

for (const batchSize of [null, 16]) {
  test(`save at step k, load into a fresh trainer, train on: bitwise the same (batch ${batchSize ?? 'full'})`, async () => {
    const straight = await createTrainer(threeRuns({ batchSize }));
    await trainFor(straight, 7);
    const saved = [0, 1, 2].map((i) => straight.saveCheckpoint(i));
    await trainFor(straight, 9);
    const resumed = await trainerFromCheckpoint(threeRuns({ batchSize }), saved);
    assert.equal(resumed.step, 7);
    await trainFor(resumed, 9);
    assert.equal(await fingerprint(resumed), await fingerprint(straight));
    await Promise.all([straight.dispose(), resumed.dispose()]);
  });
}

test('checkpoints hold every parameter and AdamW state by name, with metadata', async () => {
  const s = threeRuns();
  const t = await createTrainer(s);
  await trainFor(t, 3);
  const file = readSafetensors(t.saveCheckpoint(1));
  assert.equal(file.metadata.step, '3');
  assert.equal(file.metadata.format, 'grok-1');
  assert.equal(file.metadata.kind, 'transformer');
  const names = file.tensors.map((x) => x.name);
  for (const n of ['embed.tok', 'embed.pos', 'blocks.0.attn.wq', 'blocks.0.mlp.w1', 'blocks.0.mlp.b2', 'unembed.w', 'blocks.0.ln1.g', 'blocks.0.ln2.b', 'lnf.g']) {
    assert.ok(names.includes(n) && names.includes(`adam.m.${n}`) && names.includes(`adam.v.${n}`), n);
  }
  assert.deepEqual(file.tensors.find((x) => x.name === 'embed.tok')!.shape, [12, 16]);
  assert.deepEqual(file.tensors.find((x) => x.name === 'blocks.0.mlp.w1')!.shape, [16, 64]);
  // The initial checkpoint is the trainer's init: loading it changes nothing.
  const init = readSafetensors(initialCheckpoint(s, 1));
  assert.equal(init.metadata.step, '0');
  const fresh = await createTrainer(s);
  const before = await fingerprint(fresh);
  fresh.loadCheckpoint(1, initialCheckpoint(s, 1));
  assert.equal(await fingerprint(fresh), before);
  assert.throws(() => fresh.loadCheckpoint(0, initialCheckpoint(spec(data, modelConfig(), [run(data, 10, 1)]))), /lacks|expected/);
  await Promise.all([t.dispose(), fresh.dispose()]);
});

test('deeper models: thread-invariant bit for bit, every block named in the checkpoint', async () => {
  const prints: string[] = [];
  for (const threads of [1, 2]) {
    const t = await createTrainer(threeRuns({ threads, batchSize: 16 }, 3));
    await trainFor(t, 6);
    prints.push(await fingerprint(t));
    if (threads === 1) {
      const names = readSafetensors(t.saveCheckpoint(0)).tensors.map((x) => x.name);
      for (const l of [0, 1, 2]) for (const n of ['attn.wq', 'attn.wo', 'mlp.w1', 'mlp.b2', 'ln1.g', 'ln2.b']) assert.ok(names.includes(`blocks.${l}.${n}`), `blocks.${l}.${n}`);
      assert.ok(!names.includes('blocks.3.attn.wq') && names.includes('lnf.g'));
    }
    await t.dispose();
  }
  assert.equal(prints[0], prints[1]);
});

test('a 1-layer checkpoint written before depth (attn.wq, not blocks.0.attn.wq) still loads', async () => {
  const t = await createTrainer(threeRuns());
  await trainFor(t, 3);
  const current = readSafetensors(t.saveCheckpoint(1));
  const legacy = writeSafetensors(current.tensors.map((x) => ({ ...x, name: x.name.replace(/^(adam\.[mv]\.)?blocks\.0\./, '$1') })), current.metadata);
  assert.ok(readSafetensors(legacy).tensors.some((x) => x.name === 'adam.m.attn.wq'));
  const fresh = await createTrainer(threeRuns());
  fresh.loadCheckpoint(1, legacy);
  assert.ok(Buffer.from(fresh.saveCheckpoint(1)).equals(Buffer.from(t.saveCheckpoint(1))));
  await Promise.all([t.dispose(), fresh.dispose()]);
});

test('deactivate freezes one model while the others train on', async () => {
  const t = await createTrainer(threeRuns({ threads: 2 }));
  await trainFor(t, 3);
  t.deactivate(1);
  const frozen = Buffer.from(t.saveCheckpoint(1));
  const moving = Buffer.from(t.saveCheckpoint(0));
  await trainFor(t, 4);
  assert.ok(frozen.equals(Buffer.from(t.saveCheckpoint(1))));
  assert.ok(!moving.equals(Buffer.from(t.saveCheckpoint(0))));
  const evals = await t.evaluate();
  assert.deepEqual(evals.map((e) => e.step), [7, 3, 7]);
  assert.equal(t.step, 7);
  await t.dispose();
});

test('mixture datasets report metrics per component', async () => {
  const mix = mixtureDataset(7);
  const t = await createTrainer(spec(mix, modelConfig({ kind: 'mlp' }), [run(mix, 40, 1)]));
  await trainFor(t, 5);
  const [e] = await t.evaluate();
  assert.ok(e?.components, 'metrics per component');
  assert.deepEqual(Object.keys(e.components), ['a+b', 'a-b']);
  const trainIdx = run(mix, 40, 1).trainIdx;
  const plusCount = [...trainIdx].filter((i) => mix.component[i] === 0).length;
  const plus = e.components['a+b'], minus = e.components['a-b'];
  assert.ok(plus && minus);
  const weighted = (plus.train.acc * plusCount + minus.train.acc * (40 - plusCount)) / 40;
  assert.ok(Math.abs(weighted - e.trainAcc) < 1e-12);
  assert.ok(Math.abs((plus.val.loss * (49 - plusCount) + minus.val.loss * (49 - 40 + plusCount)) / 58 - e.valLoss) < 1e-6);
  await t.dispose();
  const single = await createTrainer(spec(data, modelConfig(), [run(data, 40, 1)]));
  assert.equal(at(await single.evaluate(), 0).components, undefined);
  await single.dispose();
});

test('an MLP takes any width (it has no heads); a transformer needs heads that divide dModel', async () => {
  const t = await createTrainer(spec(data, modelConfig({ kind: 'mlp', dModel: 6, heads: 4 }), [run(data, 60, 1)]));
  const before = at(await t.evaluate(), 0).trainLoss;
  await trainFor(t, 20);
  assert.ok(at(await t.evaluate(), 0).trainLoss < before, 'the 6-wide MLP trains');
  await t.dispose();
  await assert.rejects(createTrainer(spec(data, modelConfig({ dModel: 6, heads: 4 }), [run(data, 60, 1)])), /heads \(4\) must divide dModel \(6\)/);
});
