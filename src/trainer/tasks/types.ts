// A dataset shared by every model of a lock-step batch. Each model picks its own train/validation
// subsets of it by index (see split.ts), so different trainSizes and seeds can train together.

export interface Dataset {
  /** Token ids, row-major [count, seqLen]. */
  inputs: Int32Array;
  /** Class label of each example, 0..numClasses-1. */
  labels: Int32Array;
  count: number;
  seqLen: number;
  vocabSize: number;
  numClasses: number;
  /** Mixture tasks: component index of each example (else all 0). */
  component: Uint8Array;
  componentNames: string[];
  /** Text tasks: number of real (non-pad) tokens per example; absent for fixed-length tasks. */
  lengths?: Int32Array;
  /** Text tasks: the padding token id. */
  padToken?: number;
  /** Where a predefined split exists (text test files): indices that may only be used for validation. */
  fixedValidation?: Int32Array;
}

/** Indices into a Dataset. */
export interface Split {
  train: Int32Array;
  val: Int32Array;
  /** Size of the pool the train set was drawn from (for reporting). */
  poolSize: number;
}
