// What a model implementation is to the engine: forward to logits, backward from dlogits
// (written in place over the logits by the loss kernel), over n examples chosen by idx.
import type { Kernels, Ptr } from '../engine/backend';
import type { ModelDims } from './dims';
import { paramSpecs } from './params';

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

/**
 * The network of `kind` over `parts`, once every parameter of paramSpecs and every buffer of the
 * kind's bufferSizes has a pointer. The models read them by name without a check of their own
 * (`w['attn.wq']!`, `b.K!`: the names they read are among these; gradients come under the
 * parameters' names), so a missing one fails here, naming it, and never reaches a kernel.
 */
export function createNetwork(kind: NetworkKind, parts: NetworkParts): Network {
  const missing = [
    ...paramSpecs(parts.dims).map((s) => s.name).filter((name) => parts.params[name] === undefined),
    ...Object.keys(kind.bufferSizes(parts.dims, 1)).filter((name) => parts.buffers[name] === undefined),
  ];
  if (missing.length > 0) throw new Error(`${parts.dims.kind} model: no pointer for ${missing.join(', ')}`);
  return kind.create(parts);
}
