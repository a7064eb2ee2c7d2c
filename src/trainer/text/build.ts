// Labelled texts → the fixed-length token arrays a Dataset holds: train rows first, then the kept
// test rows (whose indices become the dataset's fixedValidation).
import { Rng } from '../../util/rng';
import type { LabeledTexts } from './labels';
import type { TextSplits } from './loaders';
import { buildWordVocab, encodeFixed, WordTokenizer, type Tokenizer } from './tokenizer';
import type { TokenizerConfig } from './types';

export interface TextData {
  /** Row-major [count, seqLen]. */
  inputs: Int32Array;
  labels: Int32Array;
  /** Real tokens per row, [CLS] included. */
  lengths: Int32Array;
  seqLen: number;
  vocabSize: number;
  classes: string[];
  /** Rows 0..trainCount-1 are the training split; the rest are the (kept) test split. */
  trainCount: number;
  testCount: number;
  /** Rows cut to seqLen (overflow "truncate") or left out (overflow "drop"). */
  truncated: number;
  dropped: number;
}

/** Seed stream of the fixed validation sample (independent of every run's own seed). */
const VAL_SAMPLE_STREAM = 0x7e57;

/** The word vocabulary comes from the training split only, so validation words stay unseen. */
export function wordTokenizer(train: LabeledTexts, cfg: TokenizerConfig): WordTokenizer {
  return new WordTokenizer(buildWordVocab(train.texts, cfg), cfg.lowercase);
}

export function buildTextData(splits: TextSplits, tok: Tokenizer, cfg: TokenizerConfig, valSize?: number): TextData {
  const encodeSplit = (s: LabeledTexts): { ids: number[][]; labels: number[]; dropped: number } => {
    // Keep at most maxLength ids per row: enough for encodeFixed to see which rows overflow.
    let ids = s.texts.map((t) => tok.tokenize(t).slice(0, cfg.maxLength));
    let labels = s.labels;
    const before = ids.length;
    if (cfg.overflow === 'drop') {
      const fits = ids.map((x) => x.length < cfg.maxLength);
      ids = ids.filter((_, i) => fits[i]);
      labels = labels.filter((_, i) => fits[i]);
    }
    return { ids, labels, dropped: before - ids.length };
  };
  const train = encodeSplit(splits.train);
  const test = splits.test ? encodeSplit(splits.test) : { ids: [], labels: [], dropped: 0 };
  if (valSize !== undefined && test.ids.length > valSize) {
    // The sample is sorted, so filtering by it keeps the rows in the same order as picking them.
    const keep = new Set(sampleSorted(test.ids.length, valSize));
    test.ids = test.ids.filter((_, i) => keep.has(i));
    test.labels = test.labels.filter((_, i) => keep.has(i));
  }
  const { inputs, lengths, truncated } = encodeFixed([...train.ids, ...test.ids], tok, cfg.maxLength);
  return {
    inputs,
    labels: Int32Array.from([...train.labels, ...test.labels]),
    lengths,
    seqLen: cfg.maxLength,
    vocabSize: tok.vocab.length,
    classes: splits.classes,
    trainCount: train.ids.length,
    testCount: test.ids.length,
    truncated,
    dropped: train.dropped + test.dropped,
  };
}

/** `k` of `0..n-1`, a fixed seeded sample, in increasing order. */
function sampleSorted(n: number, k: number): number[] {
  const idx = new Rng(0, VAL_SAMPLE_STREAM).shuffle(Array.from({ length: n }, (_, i) => i));
  return idx.slice(0, k).sort((a, b) => a - b);
}
