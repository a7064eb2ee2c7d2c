// The tokenized data set on disk, so a sweep reads and tokenizes its text once. Entries are keyed
// by a sha256 of the source files' names and bytes plus every setting that shapes the tokens:
//   text-<key>.bin   inputs | labels | lengths, Int32 in host byte order (checked on read)
//   text-<key>.json  header (shapes, classes, counts); written last, so it marks a whole entry
//   text-<key>.vocab.txt  the word vocabulary, one token per line (id = line - 1), to read tokens back
// Hashing still reads every byte, so a second index maps a stat fingerprint (paths, sizes,
// mtimes) to the content key: an unchanged data set is found without opening its files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../../util/dirs';
import { writeFileAtomic, writeJsonAtomic } from '../../store/atomic';
import type { TextData } from './build';

/** Bump when loading or tokenizing changes in a way that changes the arrays. */
export const TEXT_CACHE_VERSION = 1;

interface Header extends Omit<TextData, 'inputs' | 'labels' | 'lengths'> {
  version: number;
  key: string;
  count: number;
  byteOrder: 'LE' | 'BE';
  settings: unknown;
}

/** A source file as the key sees it: `name` is relative to the data set (so moving it keeps the key). */
export interface KeyedFile {
  name: string;
  path: string;
}

export function statKey(files: KeyedFile[], settings: unknown): string {
  const h = createHash('sha256').update(JSON.stringify({ v: TEXT_CACHE_VERSION, settings }));
  for (const f of files) {
    const st = statSync(f.path);
    h.update(`\n${f.path}\0${st.size}\0${st.mtimeMs}`);
  }
  return h.digest('hex');
}

export function contentKey(files: KeyedFile[], bytesOf: (path: string) => Uint8Array, settings: unknown): string {
  const h = createHash('sha256').update(JSON.stringify({ v: TEXT_CACHE_VERSION, settings }));
  for (const f of files) {
    const bytes = bytesOf(f.path);
    h.update(`\n${f.name}\0${bytes.length}\0`).update(bytes);
  }
  return h.digest('hex');
}

export function lookupStat(dir: string, stat: string): string | null {
  const p = join(dir, `text-stat-${stat}`);
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : null;
}

export function rememberStat(dir: string, stat: string, key: string): void {
  makeDirs(dir);
  writeFileAtomic(join(dir, `text-stat-${stat}`), key);
}

/** The cached arrays of `key`, or null when absent, partial or from another version or byte order. */
export function readCache(dir: string, key: string): TextData | null {
  const headerPath = join(dir, `text-${key}.json`);
  const binPath = join(dir, `text-${key}.bin`);
  if (!existsSync(headerPath) || !existsSync(binPath)) return null;
  let header: Header;
  try { header = JSON.parse(readFileSync(headerPath, 'utf8')) as Header; } catch { return null; }
  if (header.version !== TEXT_CACHE_VERSION || header.key !== key || header.byteOrder !== endianness()) return null;
  const bytes = readFileSync(binPath);
  const cells = header.count * header.seqLen;
  if (bytes.byteLength !== 4 * (cells + 2 * header.count)) return null;
  // Copy into a fresh aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  const all = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(all.buffer).set(bytes);
  const { version: _v, key: _k, count: _c, byteOrder: _b, settings: _s, ...meta } = header;
  return {
    ...meta,
    inputs: all.subarray(0, cells),
    labels: all.subarray(cells, cells + header.count),
    lengths: all.subarray(cells + header.count),
  };
}

export function writeCache(dir: string, key: string, data: TextData, settings: unknown, vocab?: string[]): void {
  makeDirs(dir);
  const { inputs, labels, lengths, ...meta } = data;
  const bin = new Uint8Array(4 * (inputs.length + labels.length + lengths.length));
  let at = 0;
  for (const a of [inputs, labels, lengths]) {
    bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  writeFileAtomic(join(dir, `text-${key}.bin`), bin);
  if (vocab) writeFileAtomic(join(dir, `text-${key}.vocab.txt`), vocab.join('\n') + '\n');
  const header: Header = { version: TEXT_CACHE_VERSION, key, count: labels.length, byteOrder: endianness(), settings, ...meta };
  writeJsonAtomic(join(dir, `text-${key}.json`), header);
}
