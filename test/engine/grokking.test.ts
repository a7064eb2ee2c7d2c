// Grokking on the engine: a small MLP on (a + b) mod 23 with 60% of the pairs and weight decay 1
// fits its training set within ~50 steps, while validation accuracy stays low, and generalizes
// more than an order of magnitude later (about step 1200 across seeds 1–3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrainer } from '../../src/trainer/engine/index';
import { additionDataset, modelConfig, run, spec } from './helpers';

const P = 23, EVAL_EVERY = 50, MAX_STEPS = 4000;

test('a small model memorizes first and generalizes much later (grokking)', async () => {
  const data = additionDataset(P);
  const trainer = await createTrainer(spec(data, modelConfig({ kind: 'mlp', dModel: 32 }),
    [run(data, Math.round(0.6 * data.count), 1, { lr: 1e-2, weightDecay: 1 })]));
  let fitAt = 0, fitValAcc = 0, grokAt = 0;
  for (let step = EVAL_EVERY; step <= MAX_STEPS && !grokAt; step += EVAL_EVERY) {
    for (let s = 0; s < EVAL_EVERY; s++) await trainer.trainStep();
    const [m] = await trainer.evaluate();
    assert.ok(m, 'one model evaluated');
    if (!fitAt && m.trainAcc >= 0.99) { fitAt = step; fitValAcc = m.valAcc; }
    if (m.valAcc >= 0.99) grokAt = step;
  }
  await trainer.dispose();
  assert.ok(fitAt > 0, 'the training set is fitted');
  assert.ok(fitValAcc < 0.5, `validation is still poor when train fits (${fitValAcc})`);
  assert.ok(grokAt >= 2 * fitAt, `validation reaches 0.99 at step ${grokAt}, train at ${fitAt}`);
});
