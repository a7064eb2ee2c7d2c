// What a model implementation is to the engine: forward to logits, backward from dlogits
// (written in place over the logits by the loss kernel), over n examples chosen by idx.
import type { Kernels, Ptr } from '../engine/backend';
import type { ModelDims } from './dims';

/** Tensor name → byte offset. */
export type Tensors = Record<string, Ptr>;

export interface NetworkParts {
  kernels: Kernels;
  dims: ModelDims;
  params: Tensors;
  /** Activation buffers, by the names of the kind's bufferSizes(). */
  buffers: Tensors;
  /** Room for the transpose of the largest weight matrix. */
  scratch: Ptr;
}

export interface Network {
  /** [n, C] logits after forward; dlogits before backward. */
  readonly logits: Ptr;
  /** inputs: the dataset's tokens [count, S]; idx: n example indices (i32). */
  forward(inputs: Ptr, idx: Ptr, n: number): void;
  /** Accumulates into grads (same names as the params), which the caller zeroes first. */
  backward(inputs: Ptr, idx: Ptr, n: number, grads: Tensors): void;
}

export interface NetworkKind {
  /** Float counts of each activation buffer for batches of up to `cap` rows. */
  bufferSizes(dims: ModelDims, cap: number): Record<string, number>;
  scratchSize(dims: ModelDims): number;
  create(parts: NetworkParts): Network;
}
