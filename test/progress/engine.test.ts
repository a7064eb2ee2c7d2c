// The engine's logits over every example (what the progress measures read) agree with its own
// evaluation, on one thread and on two; and a real sweep stores the measures with its metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { dirname, join } from 'node:path';
import { createTrainer } from '../../src/trainer/engine/index';
const deps = { ...projectDeps, createTrainer };
import { runSweep } from '../../src/sweep/runner';
import { projectDeps } from '../../src/sweep/projectDeps';
import { readRunMetrics, readManifest } from '../../src/store/reader';
import { additionDataset, modelConfig, run, spec } from '../engine/helpers';
import { tempDir, writeConfig } from '../sweep/helpers/fixtures';

function meanLoss(logits: Float32Array, labels: Int32Array, idx: Int32Array, C: number): { loss: number; acc: number } {
  let loss = 0, correct = 0;
  for (const e of idx) {
    const row = logits.subarray(e * C, (e + 1) * C);
    const max = Math.max(...row);
    loss += max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - at(row, at(labels, e));
    correct += row.indexOf(max) === labels[e] ? 1 : 0;
  }
  return { loss: loss / idx.length, acc: correct / idx.length };
}

for (const threads of [1, 2]) {
  test(`logits over every example match evaluate's loss and accuracy (${threads} thread(s))`, async () => {
    const data = additionDataset(11);
    const runs = [run(data, 60, 1), run(data, 80, 2)];
    const trainer = await createTrainer(spec(data, modelConfig(), runs, { threads }));
    try {
      for (let s = 0; s < 5; s++) await trainer.trainStep();
      const metrics = await trainer.evaluate();
      for (let i = 0; i < runs.length; i++) {
        const logits = await trainer.logits!(i);
        assert.equal(logits.length, data.count * 11);
        const r = at(runs, i), m = at(metrics, i);
        const train = meanLoss(logits, data.labels, r.trainIdx, 11), val = meanLoss(logits, data.labels, r.valIdx, 11);
        assert.ok(Math.abs(train.loss - m.trainLoss) < 1e-5, `${train.loss} vs ${m.trainLoss}`);
        assert.ok(Math.abs(val.loss - m.valLoss) < 1e-5);
        assert.equal(train.acc, m.trainAcc);
        assert.equal(val.acc, m.valAcc);
      }
    } finally {
      await trainer.dispose();
    }
  });
}

test('a modular sweep stores the progress measures at every eval; progress.enabled false leaves them out', async () => {
  const configPath = writeConfig({ sweep: { 'training.trainSize': [90] }, training: { steps: 40, evalEvery: 20, progress: { keyFrequencies: 2 } } });
  assert.equal(await runSweep({ configPath, threads: 1 }, deps, () => {}), 'done');
  const dir = join(dirname(configPath), '.grok', 'tiny');
  const id = at(readManifest(dir).runs, 0).id;
  const records = readRunMetrics(dir, id);
  assert.deepEqual(records.map((r) => r.step), [0, 20, 40]);
  for (const r of records) {
    const p = r.progress!;
    assert.ok(p, `step ${r.step} has progress measures`);
    assert.equal(p.spectrum.length, 6) // P = 11: k = 0..5);
    assert.equal(p.keyFreqs.length, 2);
    assert.ok(p.keyFraction > 0 && p.keyFraction < 1 && p.gini >= 0 && p.gini < 1);
    assert.ok(Number.isFinite(p.restrictedLoss) && Number.isFinite(p.excludedLoss));
    assert.ok(p.ms! >= 0);
  }

  const off = writeConfig({ sweep: { 'training.trainSize': [90] }, training: { steps: 20, evalEvery: 20, progress: { enabled: false } } });
  const outDir = join(tempDir(), 'off');
  assert.equal(await runSweep({ configPath: off, outDir, threads: 1 }, deps, () => {}), 'done');
  for (const r of readRunMetrics(outDir, at(readManifest(outDir).runs, 0).id)) assert.equal(r.progress, undefined);
});
