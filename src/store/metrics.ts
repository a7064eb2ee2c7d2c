// What one eval of a run measures: the engine returns it, metrics.jsonl keeps it (with the wall
// clock), analysis reads it. Its one definition, in the lowest layer that stores it.

export interface SplitMetrics { loss: number; acc: number }

export interface EvalMetrics {
  step: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  /** Total L2 norm of all parameters. */
  weightNorm: number;
  /** L2 norm per parameter tensor, by name. */
  norms: Record<string, number>;
  /** Mixture tasks: metrics per component name. */
  components?: Record<string, { train: SplitMetrics; val: SplitMetrics }>;
  /** Modular tasks: the mechanistic progress measures (src/trainer/progress, docs/progress.md); added by the sweep runner. */
  progress?: ProgressMeasures;
}

/** One eval's progress measures, stored as EvalRecord.progress (names documented in docs/progress.md; computed in src/trainer/progress). */
export interface ProgressMeasures {
  /** Embedding norm per frequency k = 0..floor(P/2) (k = 0: the constant component). */
  spectrum: number[];
  /** The keyCount frequencies (k >= 1) with the largest norm, largest first. */
  keyFreqs: number[];
  /** Σ norm² over keyFreqs / Σ norm² over every k >= 1. */
  keyFraction: number;
  /** Gini coefficient of the norms of k >= 1: 0 = spread evenly, -> 1 = all in one frequency. */
  gini: number;
  /** Mean cross-entropy on the training set of the restricted / excluded logits (absent where the op has no additive Fourier circuit). */
  restrictedLoss?: number;
  excludedLoss?: number;
  /** Wall time of computing these, ms (the logits' extra forward pass included). */
  ms?: number;
}

/** One line of metrics.jsonl. */
export type EvalRecord = EvalMetrics & { wallMs?: number };
