// Rough memory need of one model inside a lock-step trainer, used to size batches. It errs high:
// an overestimate only makes batches smaller, an underestimate can run the worker out of memory.
import type { ModelConfig } from '../config/schema';
import { modelDims } from '../trainer/models/dims';
import { paramSpecs, sizeOf } from '../trainer/models/params';
import type { Dataset } from '../trainer/tasks/types';

export type DatasetShape = Pick<Dataset, 'count' | 'seqLen' | 'vocabSize' | 'numClasses'>;

const F32 = 4;

/** The model's parameter count (docs/models.md's tensors, every block included). */
export function parameterCount(model: ModelConfig, data: DatasetShape): number {
  return paramSpecs(modelDims(model, data)).reduce((n, p) => n + sizeOf(p.shape), 0);
}

/** Bytes for one model: weights, gradients and AdamW's two moments, plus activations over the dataset. */
export function estimateModelBytes(model: ModelConfig, data: DatasetShape): number {
  const d = model.dModel;
  const f = model.dMlp ?? 4 * d;
  const state = 4 * parameterCount(model, data) * F32;
  // Per example and layer (each keeps its activations for the backward pass): q/k/v/attention
  // output and residuals (~6d per position), attention weights, the MLP hidden layer before and
  // after the activation; then the logits. Forward values are matched by as many gradients (x2).
  const perLayer = data.seqLen * (6 * d + 2 * f + model.heads * data.seqLen);
  const perExample = model.layers * perLayer + 2 * data.numClasses;
  return state + 2 * data.count * perExample * F32;
}
