// Which files a text task reads, checked against the layout its format expects. Relative paths
// resolve against the config file's folder; absolute ones (a shared IMDB copy) are used as given.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { TextTask } from './types';

export interface TextSources {
  /** Folder (imdb) or train file. */
  root: string;
  /** imdb: review files per split and class; other formats: one file per split. */
  train: SourceFile[];
  test: SourceFile[];
  /** The WordPiece vocab.txt, when used. */
  vocabFile?: string;
}

export interface SourceFile {
  path: string;
  /** imdb only: the class folder the file sits in. */
  label?: 'neg' | 'pos';
}

const IMDB_LAYOUT = 'an IMDB folder (aclImdb) with train/pos/*.txt and train/neg/*.txt, and optionally test/pos and test/neg';

export function resolvePath(configDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(configDir, p);
}

export function resolveSources(task: TextTask, configDir: string): TextSources {
  const root = resolvePath(configDir, task.path);
  const vocabFile = task.tokenizer.kind === 'wordpiece' ? wordpieceVocab(task, configDir) : undefined;
  if (task.format === 'imdb') {
    if (task.testPath !== undefined) {
      throw new Error(`task.testPath: not used with format "imdb"; the test split is read from ${join(root, 'test')}.`);
    }
    return { root, ...imdbFiles(root), vocabFile };
  }
  const train = [{ path: requireFile(root, 'task.path', task.format) }];
  const test = task.testPath === undefined ? [] : [{ path: requireFile(resolvePath(configDir, task.testPath), 'task.testPath', task.format) }];
  return { root, train, test, vocabFile };
}

function wordpieceVocab(task: TextTask, configDir: string): string {
  if (task.tokenizer.vocabFile === undefined) {
    throw new Error('task.tokenizer.vocabFile: required with tokenizer kind "wordpiece" (a BERT-style vocab.txt, one token per line).');
  }
  return requireFile(resolvePath(configDir, task.tokenizer.vocabFile), 'task.tokenizer.vocabFile', 'vocab.txt');
}

function statOrNull(p: string): Stats | null {
  try { return statSync(p); } catch { return null; }
}

function requireFile(p: string, field: string, what: string): string {
  const st = statOrNull(p);
  if (st === null) throw new Error(`${field}: ${p} does not exist (expected a ${what} file).`);
  if (!st.isFile()) throw new Error(`${field}: ${p} is a folder, expected a ${what} file.`);
  return p;
}

function imdbFiles(root: string): { train: SourceFile[]; test: SourceFile[] } {
  const st = statOrNull(root);
  if (st === null) throw new Error(`task.path: ${root} does not exist; expected ${IMDB_LAYOUT}.`);
  if (!st.isDirectory()) throw new Error(`task.path: ${root} is a file; expected ${IMDB_LAYOUT}.`);
  const has = (sub: string): boolean => statOrNull(join(root, sub))?.isDirectory() === true;
  if (!has('train/pos') || !has('train/neg')) {
    const hint = has('pos') && has('neg') ? ' It holds pos/ and neg/ directly: point path at its parent folder.' : '';
    throw new Error(`task.path: ${root} is not ${IMDB_LAYOUT}; found ${describeFolder(root)}.${hint}`);
  }
  const split = (name: string): SourceFile[] => (['neg', 'pos'] as const).flatMap((label) =>
    reviewFiles(join(root, name, label)).map((path) => ({ path, label })));
  const train = split('train');
  if (train.length === 0) throw new Error(`task.path: ${join(root, 'train')}/pos and /neg hold no .txt reviews.`);
  const hasTest = has('test/pos') || has('test/neg');
  if (hasTest && (!has('test/pos') || !has('test/neg'))) {
    throw new Error(`task.path: ${join(root, 'test')} must hold both pos/ and neg/; found ${describeFolder(join(root, 'test'))}.`);
  }
  return { train, test: hasTest ? split('test') : [] };
}

/** The *.txt files of a folder, in numeric order of their id (IMDB names them <id>_<rating>.txt). */
function reviewFiles(dir: string): string[] {
  const named = readdirSync(dir).filter((n) => n.endsWith('.txt')).map((n) => {
    const m = /^(\d+)/.exec(n);
    return { n, id: m ? Number(m[1]) : Infinity };
  });
  named.sort((a, b) => a.id - b.id || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  return named.map(({ n }) => join(dir, n));
}

function describeFolder(dir: string): string {
  const entries = readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  if (entries.length === 0) return 'an empty folder';
  const shown = entries.slice(0, 12).join(', ');
  return entries.length > 12 ? `${shown}, … (${entries.length} entries)` : shown;
}
