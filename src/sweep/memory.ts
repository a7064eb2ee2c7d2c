// Rough memory need of one model inside a lock-step trainer, used to size batches. It errs high:
// an overestimate only makes batches smaller, an underestimate can run the worker out of memory.
import type { ModelConfig } from '../config/schema';
import type { Dataset } from '../trainer/tasks/types';

export type DatasetShape = Pick<Dataset, 'count' | 'seqLen' | 'vocabSize' | 'numClasses'>;

const F32 = 4;

export function parameterCount(model: ModelConfig, data: DatasetShape): number {
  const d = model.dModel;
  const f = model.dMlp ?? 4 * d;
  const { seqLen: s, vocabSize: v, numClasses: c } = data;
  const layerNorms = model.layerNorm === 'pre' ? 6 * d : model.layerNorm === 'post' ? 4 * d : 0;
  switch (model.kind) {
    case 'mlp':
      return v * d + s * d * f + f + f * c + c;
    case 'encoder':
      return v * d + s * d + 4 * d * d + 2 * d * f + f + d + d * c + c + layerNorms;
    case 'transformer':
      return v * d + s * d + 4 * d * d + 2 * d * f + f + d + d * c + layerNorms;
  }
}

/** Bytes for one model: weights, gradients and AdamW's two moments, plus activations over the dataset. */
export function estimateModelBytes(model: ModelConfig, data: DatasetShape): number {
  const d = model.dModel;
  const f = model.dMlp ?? 4 * d;
  const state = 4 * parameterCount(model, data) * F32;
  // Per example: q/k/v/attention output and residuals (~6d per position), attention weights,
  // the MLP hidden layer before and after the activation, logits. Forward values are kept and
  // matched by as many gradients in the backward pass (x2).
  const perExample = data.seqLen * (6 * d + 2 * f + model.heads * data.seqLen) + 2 * data.numClasses;
  return state + 2 * data.count * perExample * F32;
}
