// The engine's public face: what the sweep core sees, whichever backend trains (CPU or GPU, engine/device.ts).
// One LockstepTrainer trains M models of the same shapes at once; every tensor carries a leading
// model dimension. Models differ in seed, init, train/validation indices and per-model scalars.
import type { ModelConfig, OptimizerConfig } from '../../config/schema';
import type { EvalMetrics } from '../../store/metrics';
import type { Dataset } from '../tasks/types';

export type { EvalMetrics, SplitMetrics } from '../../store/metrics';

export interface ModelRunSpec {
  /** Seed of this model's init (and minibatch order). */
  seed: number;
  /** Indices into the dataset. */
  trainIdx: Int32Array;
  valIdx: Int32Array;
  /** Per-model scalars: may differ across models of one batch. */
  initScale: number;
  lr: number;
  weightDecay: number;
  warmupSteps: number;
}

export interface LockstepSpec {
  model: ModelConfig;
  /** Shared optimizer settings (betas, eps); lr, weightDecay and warmup are per model. */
  optimizer: Pick<OptimizerConfig, 'betas' | 'eps'>;
  dataset: Dataset;
  runs: ModelRunSpec[];
  /** null = full batch. */
  batchSize: number | null;
  /** Worker threads (default: available cores). Results are bitwise identical for any count. */
  threads?: number;
  /**
   * Kernel build (default: this process's kernelBuild(): relaxed SIMD where available). Results are
   * bitwise identical across thread counts for one build; the builds differ in rounding (FMA).
   */
  kernels?: 'relaxed-simd' | 'simd';
  /** Stored in checkpoint metadata (default: a hash of `model`). */
  configHash?: string;
}

export interface LockstepTrainer {
  readonly modelCount: number;
  /** Steps taken so far (the same for every model). */
  readonly step: number;
  /** One optimizer step for every active model. */
  trainStep(): Promise<void>;
  /** Metrics of every model, in run order (inactive models too). */
  evaluate(): Promise<EvalMetrics[]>;
  /**
   * Logits [dataset count, classes] of model i over every example (the progress measures use them).
   * Optional: a backend without it gets the weight-only measures.
   */
  logits?(i: number): Promise<Float32Array>;
  /** Stop updating model i (early stop); the others go on. */
  deactivate(i: number): void;
  /** Weights, AdamW state and step of model i, as a safetensors file. */
  saveCheckpoint(i: number): Uint8Array;
  /** Restore model i from saveCheckpoint's bytes; training then continues exactly. */
  loadCheckpoint(i: number, bytes: Uint8Array): void;
  dispose(): Promise<void>;
}
