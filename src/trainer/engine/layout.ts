// Where everything lives in the shared memory. The dataset (tokens, labels, components) is stored
// once; each model then gets its own arena: parameters, gradients, AdamW m and v (blocks with the
// same internal layout, every tensor padded to 16 bytes), its train/validation index lists, and
// one or more "lanes" of activation buffers.
//
// A batch is processed in chunks of CHUNK_ROWS rows; chunk c accumulates its gradient into its own
// block (chunk 0 into `grads`), and the blocks are summed in chunk order before AdamW. Chunking is
// fixed by the spec, so results are the same bit for bit however chunks are spread over threads:
// with fewer models than threads, a model's chunks run in several lanes (one per thread) at once.
// The plan is plain data, so it can be posted to worker threads, which address the same memory.
import type { Dataset } from '../tasks/types';
import type { ModelDims } from '../models/dims';
import type { NetworkKind, Tensors } from '../models/network';
import { paramSpecs, sizeOf } from '../models/params';
import { transformer } from '../models/transformer';
import { mlp } from '../models/mlp';
import { encoder } from '../models/encoder';
import { Arena } from './arena';
import type { Ptr } from './backend';
import type { ModelRunSpec } from './types';
import { RESERVED_BYTES } from './wasm';

/** Rows per chunk of a batch (training) or of a split (evaluation). */
export const CHUNK_ROWS = 512;

export interface TensorSlot { name: string; shape: number[]; size: number; /** Bytes from the start of a block. */ offset: number }

/** One set of activation buffers: what a thread needs to run a chunk of a model. */
export interface Lane {
  buffers: Tensors; scratch: Ptr;
  /** Per-example loss and correctness (f32) of the lane's last forward pass. */
  loss: Ptr; correct: Ptr;
}

export interface ModelPlan {
  tensors: TensorSlot[];
  /** Floats per block (params, grads, m, v), padding included. */
  blockFloats: number;
  params: Ptr; grads: Ptr; adamM: Ptr; adamV: Ptr;
  /** Gradient block of each chunk of a training batch; chunkGrads[0] is grads. */
  chunkGrads: Ptr[];
  /** Rows a lane holds. */
  cap: number;
  lanes: Lane[];
  /** Lane 0's buffers and outputs (what a single-lane user needs). */
  buffers: Tensors; scratch: Ptr; loss: Ptr; correct: Ptr;
  trainIdx: Ptr; trainCount: number; valIdx: Ptr; valCount: number;
  /** Minibatch indices (i32), written each step; unused for full batch. */
  batchIdx: Ptr; batchSize: number | null;
  /** Lanes done with the current step's chunks (i32, atomic): the last one takes the update. */
  lanesDone: Ptr;
  run: { seed: number; lr: number; weightDecay: number; warmupSteps: number };
}

export interface EnginePlan {
  dims: ModelDims;
  betas: [number, number];
  eps: number;
  /** Dataset tokens [count, S] (i32), labels (i32), component of each example (u8). */
  inputs: Ptr; labels: Ptr; component: Ptr;
  /** 0..count-1 (i32): the index list of a forward pass over every example (logits for the progress measures). */
  allIdx: Ptr; count: number;
  /** The next job of a step that threads take (i32, atomic; see executor.ts). */
  nextJob: Ptr;
  componentCount: number;
  models: ModelPlan[];
  bytes: number;
}

export function networkKind(dims: ModelDims): NetworkKind {
  return dims.kind === 'mlp' ? mlp : dims.kind === 'encoder' ? encoder : transformer;
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

/** Rows of one training step. */
function batchRows(trainCount: number, batchSize: number | null): number {
  return batchSize === null ? trainCount : Math.min(batchSize, trainCount);
}

export function chunkCount(rows: number): number {
  return Math.max(1, Math.ceil(rows / CHUNK_ROWS));
}

/**
 * `threads` only decides how many lanes a model gets (enough for its chunks to use idle threads
 * when the models do not divide evenly over the threads); it never changes what is computed.
 */
export function planEngine(dims: ModelDims, data: Dataset, runs: ModelRunSpec[], batchSize: number | null,
  optimizer: { betas: [number, number]; eps: number }, threads = 1): EnginePlan {
  const arena = new Arena(RESERVED_BYTES);
  const inputs = arena.alloc(data.count * data.seqLen);
  const labels = arena.alloc(data.count);
  const component = arena.alloc(Math.ceil(data.count / 4));
  const allIdx = arena.alloc(data.count);
  const nextJob = arena.alloc(1);
  const kind = networkKind(dims);
  const { tensors, blockFloats } = tensorSlots(dims);
  const models = runs.map((run, index): ModelPlan => {
    const trainCount = run.trainIdx.length, valCount = run.valIdx.length;
    const rows = batchRows(trainCount, batchSize);
    const chunks = chunkCount(rows);
    const cap = Math.max(1, Math.min(CHUNK_ROWS, Math.max(rows, trainCount, valCount)));
    const block = (): Ptr => arena.alloc(blockFloats);
    const params = block(), grads = block(), adamM = block(), adamV = block();
    const chunkGrads = [grads, ...Array.from({ length: chunks - 1 }, block)];
    // Models beyond the last full round of `threads` (all of them when fewer than threads) get a lane
    // per thread, so their chunks keep every thread busy; the others run whole on one thread each.
    const laneCount = index >= runs.length - (runs.length % threads) ? Math.min(threads, chunks) : 1;
    const lanes = Array.from({ length: laneCount }, (): Lane => {
      const buffers: Tensors = {};
      for (const [name, size] of Object.entries(kind.bufferSizes(dims, cap))) buffers[name] = arena.alloc(size);
      return { buffers, scratch: arena.alloc(kind.scratchSize(dims)), loss: arena.alloc(cap), correct: arena.alloc(cap) };
    });
    const [lane0] = lanes;
    if (lane0 === undefined) throw new Error(`engine plan: model ${index} has no lane (${threads} threads, ${chunks} chunks)`);
    return {
      tensors, blockFloats, params, grads, adamM, adamV, chunkGrads, cap, lanes, ...lane0,
      trainIdx: arena.alloc(trainCount), trainCount, valIdx: arena.alloc(valCount), valCount,
      batchIdx: arena.alloc(batchSize === null ? 0 : rows), batchSize: batchSize === null || batchSize >= trainCount ? null : batchSize,
      lanesDone: arena.alloc(1),
      run: { seed: run.seed, lr: run.lr, weightDecay: run.weightDecay, warmupSteps: run.warmupSteps },
    };
  });
  return {
    dims, betas: optimizer.betas, eps: optimizer.eps, inputs, labels, component, allIdx, count: data.count, nextJob,
    componentCount: Math.max(1, data.componentNames.length), models, bytes: arena.size,
  };
}

/** Tensor name → absolute offset, for one of a model's blocks. */
export function tensorPtrs(plan: ModelPlan, block: Ptr): Tensors {
  const out: Tensors = {};
  for (const t of plan.tensors) out[t.name] = block + t.offset;
  return out;
}

