// Entry point of text tasks: the config's data set as a Dataset, tokenized once per sweep and
// cached (see cache.ts). Rows are the training split, then the test split (fixedValidation).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Dataset } from '../tasks/types';
import { buildTextData, wordTokenizer, type TextData } from './build';
import { contentKey, lookupStat, readCache, rememberStat, statKey, writeCache, type KeyedFile } from './cache';
import { loadTextSplits, readText, type ReadFile } from './loaders';
import { resolveSources, type TextSources } from './sources';
import { parseVocabFile, WordPieceTokenizer, type Tokenizer } from './tokenizer';
import type { TextTask } from './types';

export type { TextTask } from './types';
export type { TextData } from './build';

export interface LoadedText {
  data: TextData;
  /** sha256 of the sources and settings (null without a cache folder). */
  key: string | null;
  /** "stat": found by file stats alone; "content": by hashing the files; "miss": tokenized now. */
  cache: 'stat' | 'content' | 'miss' | 'off';
}

/** The text task's data set. Relative paths resolve against `configDir`; `cacheDir` keeps the tokens. */
export async function loadTextDataset(task: TextTask, configDir: string, cacheDir?: string): Promise<Dataset> {
  return toDataset(loadTextData(task, configDir, cacheDir).data);
}

export function loadTextData(task: TextTask, configDir: string, cacheDir?: string): LoadedText {
  const sources = resolveSources(task, configDir);
  if (cacheDir === undefined) return { data: tokenizeTask(task, sources, readFileSync).data, key: null, cache: 'off' };

  const files = keyedFiles(task, sources);
  const settings = cacheSettings(task);
  const stat = statKey(files, settings);
  const known = lookupStat(cacheDir, stat);
  const byStat = known === null ? null : readCache(cacheDir, known);
  if (byStat) return { data: byStat, key: known, cache: 'stat' };

  // Read each file once: the same bytes feed the hash and, on a miss, the parser.
  const bytes = new Map<string, Uint8Array>();
  const read: ReadFile = (p) => {
    let b = bytes.get(p);
    if (b === undefined) { b = readFileSync(p); bytes.set(p, b); }
    return b;
  };
  const key = contentKey(files, read, settings);
  const byContent = readCache(cacheDir, key);
  if (byContent) {
    rememberStat(cacheDir, stat, key);
    return { data: byContent, key, cache: 'content' };
  }
  const { data, vocab } = tokenizeTask(task, sources, read);
  writeCache(cacheDir, key, data, settings, vocab);
  rememberStat(cacheDir, stat, key);
  return { data, key, cache: 'miss' };
}

/** Reads, labels and tokenizes; `vocab` is the word vocabulary when one was built. */
export function tokenizeTask(task: TextTask, sources: TextSources, read: ReadFile): { data: TextData; vocab?: string[] } {
  const splits = loadTextSplits(task, sources, read);
  const cfg = task.tokenizer;
  let tok: Tokenizer;
  if (cfg.kind === 'word') tok = wordTokenizer(splits.train, cfg);
  else {
    const file = sources.vocabFile!;
    tok = new WordPieceTokenizer(parseVocabFile(readText(file, read, 'a WordPiece vocab.txt, one token per line'), file), cfg.lowercase);
  }
  const data = buildTextData(splits, tok, cfg, task.valSize);
  if (data.trainCount === 0) {
    throw new Error(`task.path: every training example is longer than tokenizer.maxLength = ${cfg.maxLength} with overflow "drop"; raise maxLength or use "truncate".`);
  }
  return { data, vocab: cfg.kind === 'word' ? tok.vocab : undefined };
}

export function toDataset(d: TextData): Dataset {
  const count = d.labels.length;
  return {
    inputs: d.inputs,
    labels: d.labels,
    count,
    seqLen: d.seqLen,
    vocabSize: d.vocabSize,
    numClasses: d.classes.length,
    component: new Uint8Array(count),
    componentNames: ['text'],
    lengths: d.lengths,
    padToken: 0,
    fixedValidation: d.testCount > 0 ? Int32Array.from({ length: d.testCount }, (_, i) => d.trainCount + i) : undefined,
  };
}

/** Every file the tokens depend on: IMDB reviews by their path in the tree, other files by role. */
function keyedFiles(task: TextTask, s: TextSources): KeyedFile[] {
  const name = (role: string, path: string): string => (task.format === 'imdb' ? relative(s.root, path) : role);
  return [
    ...s.train.map((f) => ({ name: name('train', f.path), path: f.path })),
    ...s.test.map((f) => ({ name: name('test', f.path), path: f.path })),
    ...(s.vocabFile ? [{ name: 'vocab', path: s.vocabFile }] : []),
  ];
}

/** The task fields that shape the arrays (paths are not among them: the file contents are). */
function cacheSettings(task: TextTask): unknown {
  const { format, textField, labelField, valSize } = task;
  const { vocabFile: _path, ...tokenizer } = task.tokenizer;
  return { format, textField, labelField, tokenizer, valSize: valSize ?? null };
}
