// Analytic gradients of the f32 WASM engine against float64 central differences of the plain-JS
// reference, for every parameter tensor of every model, every LayerNorm placement and activation,
// at depth 1, 2 and 3 (and, for the encoder, both poolings over padded sequences).
// Shapes are odd on purpose (5 classes, dMlp 12, 7 examples) to exercise the kernels' edge tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelConfig } from '../../src/config/schema';
import { prepareEngine } from '../../src/trainer/engine/index';
import { readBlock, writeBlock } from '../../src/trainer/engine/checkpoint';
import { ModelRunner } from '../../src/trainer/engine/runner';
import { instantiateKernels } from '../../src/trainer/engine/wasm';
import { modelDims } from '../../src/trainer/models/dims';
import { foldsEmbedding } from '../../src/trainer/models/transformer';
import { referenceLogits, referenceLoss, type RefParams } from '../../src/trainer/models/reference';
import { Rng } from '../../src/util/rng';
import type { Dataset } from '../../src/trainer/tasks/types';
import { additionDataset, modelConfig, paddedTextDataset, run, spec } from './helpers';

const P = 5;
const EXAMPLES = 7;

async function check(model: ModelConfig, data: Dataset = additionDataset(P)): Promise<void> {
  const s = spec(data, model, [run(data, EXAMPLES, 3)]);
  const S = data.seqLen;
  const { plan, memory, module, f32 } = await prepareEngine(s);
  const m = plan.models[0];
  assert.ok(m, 'the plan has the one model');
  // Move away from the init (LayerNorm g = 1, b = 0) so every parameter matters.
  const rng = new Rng(11);
  const params = readBlock(f32, m, m.params);
  for (const t of params.values()) for (let i = 0; i < t.length; i++) t[i]! += 0.3 * rng.normal();
  writeBlock(f32, m, m.params, params);

  const runner = new ModelRunner(instantiateKernels(module, memory), plan, 0);
  runner.gradients(m.trainIdx, m.trainCount);
  const grads = readBlock(f32, m, m.grads);
  const dims = modelDims(model, data);
  const ref: RefParams = Object.fromEntries([...params].map(([k, v]) => [k, Float64Array.from(v)]));
  const examples = s.runs[0]?.trainIdx;
  assert.ok(examples && examples.length === EXAMPLES, `${EXAMPLES} training examples`);
  const logitsAt = m.buffers.logits;
  assert.ok(logitsAt !== undefined, 'a logits buffer');

  // Forward: f32 logits and loss against the f64 reference.
  runner.forward(m.trainIdx, m.trainCount, false);
  let loss = 0;
  for (let j = 0; j < EXAMPLES; j++) {
    const e = examples[j]!;
    const want = referenceLogits(dims, ref, data.inputs.subarray(e * S, e * S + S));
    for (let c = 0; c < dims.C; c++) {
      const got = f32[(logitsAt >> 2) + j * dims.C + c]!, wanted = want[c]!; // c < C, the reference's logit count
      assert.ok(Math.abs(got - wanted) <= 1e-4 * (1 + Math.abs(wanted)), `logit ${j},${c}: ${got} vs ${wanted}`);
    }
    loss += f32[(m.loss >> 2) + j]!;
  }
  const refLoss = referenceLoss(dims, ref, data.inputs, data.labels, examples);
  assert.ok(Math.abs(loss / EXAMPLES - refLoss) <= 1e-5 * (1 + refLoss), `loss ${loss / EXAMPLES} vs ${refLoss}`);

  // Backward: every entry of every tensor.
  const h = 1e-5;
  for (const [name, p] of Object.entries(ref)) {
    const g = grads.get(name);
    assert.ok(g && g.length === p.length, `a gradient of ${name}'s size`);
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      p[i] = keep + h; const up = referenceLoss(dims, ref, data.inputs, data.labels, examples);
      p[i] = keep - h; const down = referenceLoss(dims, ref, data.inputs, data.labels, examples);
      p[i] = keep;
      const numeric = (up - down) / (2 * h);
      const analytic = g[i]!;
      assert.ok(Math.abs(analytic - numeric) <= 2e-5 + 2e-3 * Math.abs(numeric), `${name}[${i}]: analytic ${analytic} vs numeric ${numeric}`);
    }
  }
}

const shapes = { dModel: 8, heads: 2, dMlp: 12 };
for (const layerNorm of ['none', 'pre', 'post'] as const) {
  for (const activation of ['relu', 'gelu'] as const) {
    test(`transformer gradients match float64 finite differences (layerNorm ${layerNorm}, ${activation})`, () =>
      check(modelConfig({ ...shapes, layerNorm, activation })));
  }
}
// The first block's K and V come from the embedding tables where the tables are small next to the
// batch (foldsEmbedding): 6 + 3 table rows for 7 examples above; with P = 11 (12 + 3 rows) the
// products run over the rows, as they do for minibatches of big vocabularies.
test('the checks above fold the first block through the embedding tables; P = 11 does not, and checks the row products', async () => {
  const dims = (p: number) => modelDims(modelConfig({ ...shapes }), additionDataset(p));
  assert.equal(foldsEmbedding(dims(P), 0, EXAMPLES), true);
  assert.equal(foldsEmbedding(dims(P), 1, EXAMPLES), false, 'only the first block sees the embeddings');
  assert.equal(foldsEmbedding(modelDims(modelConfig({ ...shapes, layerNorm: 'pre' }), additionDataset(P)), 0, EXAMPLES), false, 'pre-LN: the first block sees LN(X)');
  assert.equal(foldsEmbedding(dims(11), 0, EXAMPLES), false);
  assert.equal(foldsEmbedding({ ...dims(P), d: 128 }, 0, 512), false, 'd = 128 keeps the row products (FOLD_MAX_WIDTH)');
  for (const layerNorm of ['none', 'post'] as const) await check(modelConfig({ ...shapes, layerNorm }), additionDataset(11));
});

for (const activation of ['relu', 'gelu'] as const) {
  test(`mlp gradients match float64 finite differences (${activation})`, () =>
    check(modelConfig({ kind: 'mlp', ...shapes, activation })));
}

// Deeper models: 2 and 3 decoder blocks (causal attention below the last block) and hidden layers.
for (const layers of [2, 3]) {
  for (const layerNorm of ['none', 'pre', 'post'] as const) {
    for (const activation of ['relu', 'gelu'] as const) {
      test(`${layers}-layer transformer gradients match float64 finite differences (layerNorm ${layerNorm}, ${activation})`, () =>
        check(modelConfig({ ...shapes, layers, layerNorm, activation })));
    }
  }
  for (const activation of ['relu', 'gelu'] as const) {
    test(`${layers}-layer mlp gradients match float64 finite differences (${activation})`, () =>
      check(modelConfig({ kind: 'mlp', ...shapes, layers, activation })));
  }
}

// The encoder on padded rows of 2..6 tokens (7 training examples): many positions are padded.
const text = paddedTextDataset(12, 6, 9, 3);
for (const [layerNorm, pooling, activation] of [['post', 'cls', 'gelu'], ['post', 'mean', 'gelu'], ['pre', 'cls', 'relu'], ['pre', 'mean', 'gelu'], ['none', 'mean', 'relu'], ['none', 'cls', 'gelu']] as const) {
  test(`encoder gradients match float64 finite differences (layerNorm ${layerNorm}, ${pooling} pooling, ${activation})`, () =>
    check(modelConfig({ kind: 'encoder', ...shapes, layerNorm, pooling, activation }), text));
}
