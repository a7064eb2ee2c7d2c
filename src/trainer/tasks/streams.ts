// RNG stream ids of the data pipeline, so that labels, splits and validation caps drawn from one
// seed are independent of each other (and of the model init, which uses its own streams).
export const STREAM = {
  /** Random labels; mixtures add the component index. */
  labels: 0x1abe1000,
  /** Train/validation permutation of each pool; mixtures add the component index. */
  split: 0x5b117000,
  /** Sample of a fixed validation set (text test files) when capped by valSize. */
  fixedValidation: 0xf1ed0000,
} as const;
