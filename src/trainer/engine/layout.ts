// Where everything lives in the shared memory. The dataset (tokens, labels, components) is stored
// once; each model then gets its own arena: parameters, gradients, AdamW m and v (four blocks with
// the same internal layout, every tensor padded to 16 bytes), its train/validation index lists,
// activation buffers and per-example loss outputs. The plan is plain data, so it can be posted to
// worker threads, which address the same memory with it.
import type { Dataset } from '../tasks/types';
import type { ModelDims } from '../models/dims';
import type { NetworkKind, Tensors } from '../models/network';
import { paramSpecs, sizeOf } from '../models/params';
import { transformer } from '../models/transformer';
import { mlp } from '../models/mlp';
import { Arena } from './arena';
import type { Ptr } from './backend';
import type { ModelRunSpec } from './types';
import { RESERVED_BYTES } from './wasm';

/** Largest evaluation chunk, in examples (evaluation walks the splits in chunks of the batch capacity). */
const EVAL_CHUNK = 2048;

export interface TensorSlot { name: string; shape: number[]; size: number; /** Bytes from the start of a block. */ offset: number }

export interface ModelPlan {
  tensors: TensorSlot[];
  /** Floats per block (params, grads, m, v), padding included. */
  blockFloats: number;
  params: Ptr; grads: Ptr; adamM: Ptr; adamV: Ptr;
  buffers: Tensors; scratch: Ptr;
  /** Rows the buffers hold: the largest batch, and the evaluation chunk. */
  cap: number;
  trainIdx: Ptr; trainCount: number; valIdx: Ptr; valCount: number;
  /** Minibatch indices (i32), written each step; unused for full batch. */
  batchIdx: Ptr; batchSize: number | null;
  /** Per-example loss and correctness (f32) of the last forward pass. */
  loss: Ptr; correct: Ptr;
  run: { seed: number; lr: number; weightDecay: number; warmupSteps: number };
}

export interface EnginePlan {
  dims: ModelDims;
  betas: [number, number];
  eps: number;
  /** Dataset tokens [count, S] (i32), labels (i32), component of each example (u8). */
  inputs: Ptr; labels: Ptr; component: Ptr;
  componentCount: number;
  models: ModelPlan[];
  bytes: number;
}

export function networkKind(dims: ModelDims): NetworkKind {
  return dims.kind === 'mlp' ? mlp : transformer;
}

export function tensorSlots(dims: ModelDims): { tensors: TensorSlot[]; blockFloats: number } {
  let floats = 0;
  const tensors = paramSpecs(dims).map(({ name, shape }) => {
    const size = sizeOf(shape);
    const slot = { name, shape, size, offset: floats * 4 };
    floats += Math.ceil(size / 4) * 4;
    return slot;
  });
  return { tensors, blockFloats: floats };
}

export function planEngine(dims: ModelDims, data: Dataset, runs: ModelRunSpec[], batchSize: number | null,
  optimizer: { betas: [number, number]; eps: number }): EnginePlan {
  const arena = new Arena(RESERVED_BYTES);
  const inputs = arena.alloc(data.count * data.seqLen);
  const labels = arena.alloc(data.count);
  const component = arena.alloc(Math.ceil(data.count / 4));
  const kind = networkKind(dims);
  const { tensors, blockFloats } = tensorSlots(dims);
  const models = runs.map((run): ModelPlan => {
    const trainCount = run.trainIdx.length, valCount = run.valIdx.length;
    const rows = batchSize === null ? trainCount : Math.min(batchSize, trainCount);
    const cap = Math.max(1, rows, Math.min(EVAL_CHUNK, Math.max(trainCount, valCount)));
    const block = (): Ptr => arena.alloc(blockFloats);
    const params = block(), grads = block(), adamM = block(), adamV = block();
    const buffers: Tensors = {};
    for (const [name, size] of Object.entries(kind.bufferSizes(dims, cap))) buffers[name] = arena.alloc(size);
    return {
      tensors, blockFloats, params, grads, adamM, adamV, buffers,
      scratch: arena.alloc(kind.scratchSize(dims)), cap,
      trainIdx: arena.alloc(trainCount), trainCount, valIdx: arena.alloc(valCount), valCount,
      batchIdx: arena.alloc(batchSize === null ? 0 : rows), batchSize: batchSize === null || batchSize >= trainCount ? null : batchSize,
      loss: arena.alloc(cap), correct: arena.alloc(cap),
      run: { seed: run.seed, lr: run.lr, weightDecay: run.weightDecay, warmupSteps: run.warmupSteps },
    };
  });
  return {
    dims, betas: optimizer.betas, eps: optimizer.eps, inputs, labels, component,
    componentCount: Math.max(1, data.componentNames.length), models, bytes: arena.size,
  };
}

/** Tensor name → absolute offset, for one of a model's blocks. */
export function tensorPtrs(plan: ModelPlan, block: Ptr): Tensors {
  const out: Tensors = {};
  for (const t of plan.tensors) out[t.name] = block + t.offset;
  return out;
}

