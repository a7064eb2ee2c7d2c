// The GPU engine's memory plan: one device buffer, addressed in bytes like the CPU engine's memory
// (the models' code is shared), but laid out for the GPU: a whole training batch is one pass
// (activation buffers hold the full batch), and each model has a statistics region (evaluation
// sums, read back at eval steps) and a scratch region (split-K partial sums).
//
//   [dataset: tokens, labels, components] then per model:
//   [params | grads | adam m | adam v] [activations for `cap` rows] [train idx | val idx | batch idx]
//   [loss | correct] [stats] [partials]
import type { Dataset } from '../../tasks/types';
import type { ModelDims } from '../../models/dims';
import type { Tensors } from '../../models/network';
import { Arena } from '../arena';
import type { Ptr } from '../backend';
import { networkKind, tensorSlots, type TensorSlot } from '../layout';
import type { ModelRunSpec } from '../types';

/** Evaluation walks the splits in chunks of max(batch rows, this) examples. */
export const EVAL_ROWS = 4096;
/** Offset 0 means "absent" to the kernels: nothing lives below this. */
const BASE = 256;

export interface GpuModelPlan {
  params: Ptr; grads: Ptr; adamM: Ptr; adamV: Ptr;
  buffers: Tensors; scratch: Ptr;
  /** Rows the activation buffers hold. */
  cap: number;
  trainIdx: Ptr; trainCount: number; valIdx: Ptr; valCount: number;
  /** Minibatch indices, uploaded each step; batchSize null = full batch. */
  batchIdx: Ptr; batchSize: number | null;
  loss: Ptr; correct: Ptr;
  /** Evaluation sums: [split][component][loss, correct], then Σx² per tensor. */
  stats: Ptr;
  /** Split-K partial sums (size known after planning the kernels: see withPartials). */
  partial: Ptr;
  run: { seed: number; lr: number; weightDecay: number; warmupSteps: number };
}

export interface GpuPlan {
  dims: ModelDims;
  tensors: TensorSlot[];
  /** Floats per block (params, grads, m, v), padding included. */
  blockFloats: number;
  betas: [number, number]; eps: number;
  inputs: Ptr; labels: Ptr; component: Ptr; componentCount: number;
  statsFloats: number;
  models: GpuModelPlan[];
  bytes: number;
}

/** Plans everything but the partial-sum regions, which get `partialFloats` each. */
export function planGpu(dims: ModelDims, data: Dataset, runs: ModelRunSpec[], batchSize: number | null,
  optimizer: { betas: [number, number]; eps: number }, partialFloats = 0): GpuPlan {
  const arena = new Arena(BASE);
  const inputs = arena.alloc(data.count * data.seqLen);
  const labels = arena.alloc(data.count);
  const component = arena.alloc(Math.ceil(data.count / 4));
  const componentCount = Math.max(1, data.componentNames.length);
  const kind = networkKind(dims);
  const { tensors, blockFloats } = tensorSlots(dims);
  const statsFloats = 4 * componentCount + tensors.length;
  const models = runs.map((run): GpuModelPlan => {
    const trainCount = run.trainIdx.length, valCount = run.valIdx.length;
    const full = batchSize === null || batchSize >= trainCount;
    const rows = full ? trainCount : batchSize;
    const cap = Math.max(1, rows, Math.min(EVAL_ROWS, Math.max(trainCount, valCount)));
    const params = arena.alloc(blockFloats), grads = arena.alloc(blockFloats);
    const adamM = arena.alloc(blockFloats), adamV = arena.alloc(blockFloats);
    const buffers: Tensors = {};
    for (const [name, size] of Object.entries(kind.bufferSizes(dims, cap))) buffers[name] = arena.alloc(size);
    return {
      params, grads, adamM, adamV, buffers, scratch: arena.alloc(4), cap,
      trainIdx: arena.alloc(trainCount), trainCount, valIdx: arena.alloc(valCount), valCount,
      batchIdx: arena.alloc(full ? 0 : rows), batchSize: full ? null : batchSize,
      loss: arena.alloc(cap), correct: arena.alloc(cap),
      stats: arena.alloc(statsFloats), partial: arena.alloc(partialFloats),
      run: { seed: run.seed, lr: run.lr, weightDecay: run.weightDecay, warmupSteps: run.warmupSteps },
    };
  });
  return {
    dims, tensors, blockFloats, betas: optimizer.betas, eps: optimizer.eps,
    inputs, labels, component, componentCount, statsFloats, models, bytes: arena.size,
  };
}
