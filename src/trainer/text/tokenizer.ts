// Text → token ids. Two tokenizers share one interface: a word-level vocabulary built from the
// training split, and BERT WordPiece from a user's vocab.txt. Ids 0..2 of the word vocabulary are
// [PAD], [UNK], [CLS]; a WordPiece vocab.txt must have [PAD] on its first line (as BERT's does).

export const PAD = '[PAD]';
export const UNK = '[UNK]';
export const CLS = '[CLS]';

export interface Tokenizer {
  /** Token strings by id. */
  readonly vocab: string[];
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  /** Token ids of a text, without [CLS], padding or truncation. */
  tokenize(text: string): number[];
}

// ---- word level ----

const WORD = /[\p{L}\p{M}\p{N}]+(?:'[\p{L}\p{M}\p{N}]+)*/gu;

/** Words: runs of letters and digits, keeping an apostrophe inside a word (don't, l'amour). */
export function splitWords(text: string, lowercase: boolean): string[] {
  const t = (lowercase ? text.toLowerCase() : text).replace(/[\u2018\u2019\u02bc]/g, "'");
  return t.match(WORD) ?? [];
}

export interface WordVocabOptions {
  /** Largest vocabulary, counting the 3 special tokens. */
  maxVocab: number;
  /** Smallest count for a word to enter. */
  minFreq: number;
  lowercase: boolean;
}

/** The vocabulary of the given (training) texts: most frequent words first, ties by code point. */
export function buildWordVocab(texts: Iterable<string>, opts: WordVocabOptions): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of splitWords(text, opts.lowercase)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].filter(([, n]) => n >= opts.minFreq)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, opts.maxVocab - 3))
    .map(([w]) => w);
  return [PAD, UNK, CLS, ...words];
}

export class WordTokenizer implements Tokenizer {
  readonly padId = 0;
  readonly unkId = 1;
  readonly clsId = 2;
  private readonly ids: Map<string, number>;

  constructor(readonly vocab: string[], private readonly lowercase: boolean) {
    this.ids = new Map(vocab.map((w, i) => [w, i]));
  }

  tokenize(text: string): number[] {
    return splitWords(text, this.lowercase).map((w) => this.ids.get(w) ?? this.unkId);
  }
}

// ---- WordPiece (BERT) ----

/** Parses a BERT vocab.txt: one token per line, id = line number - 1; [PAD] first, [UNK] and [CLS] present. */
export function parseVocabFile(text: string, file: string): string[] {
  const vocab = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (vocab.length > 0 && vocab[vocab.length - 1] === '') vocab.pop();
  if (vocab.length === 0) throw new Error(`${file}: the vocabulary is empty; expected one WordPiece token per line.`);
  if (vocab[0] !== PAD) {
    throw new Error(`${file}:1: expected "${PAD}" on the first line (padding must be id 0, as in BERT's vocab.txt), found ${JSON.stringify(vocab[0])}.`);
  }
  for (const special of [UNK, CLS]) {
    if (!vocab.includes(special)) throw new Error(`${file}: no "${special}" line; a WordPiece vocab.txt must contain ${PAD}, ${UNK} and ${CLS}.`);
  }
  return vocab;
}

export class WordPieceTokenizer implements Tokenizer {
  readonly padId = 0;
  readonly unkId: number;
  readonly clsId: number;
  private readonly ids = new Map<string, number>();
  /** BERT gives up on longer words (they become [UNK]). */
  private static readonly MAX_WORD_CHARS = 100;

  constructor(readonly vocab: string[], private readonly lowercase: boolean) {
    // The first occurrence of a duplicated line keeps its id.
    vocab.forEach((t, i) => { if (!this.ids.has(t)) this.ids.set(t, i); });
    this.unkId = this.ids.get(UNK)!;
    this.clsId = this.ids.get(CLS)!;
  }

  tokenize(text: string): number[] {
    const out: number[] = [];
    for (const word of basicTokenize(text, this.lowercase)) this.wordPieces(word, out);
    return out;
  }

  /** Greedy longest-match-first; a word with any unmatched part becomes one [UNK]. */
  private wordPieces(word: string, out: number[]): void {
    const chars = Array.from(word);
    if (chars.length > WordPieceTokenizer.MAX_WORD_CHARS) { out.push(this.unkId); return; }
    const pieces: number[] = [];
    for (let start = 0; start < chars.length;) {
      let end = chars.length;
      let id: number | undefined;
      while (start < end) {
        const sub = chars.slice(start, end).join('');
        id = this.ids.get(start > 0 ? `##${sub}` : sub);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) { out.push(this.unkId); return; }
      pieces.push(id);
      start = end;
    }
    out.push(...pieces);
  }
}

/**
 * BERT's BasicTokenizer: drop control characters, split on whitespace, put spaces around CJK
 * ideographs, lowercase and strip accents (when lowercasing), and split off every punctuation mark.
 */
export function basicTokenize(text: string, lowercase: boolean): string[] {
  let t = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      // ASCII fast path: whitespace is space, tab, CR and LF; other codes below 32 and DEL are control.
      if (cp === 32 || cp === 9 || cp === 10 || cp === 13) t += ' ';
      else if (cp >= 32 && cp !== 127) t += ch;
      continue;
    }
    if (cp === 0xfffd || /[\p{Cc}\p{Cf}]/u.test(ch)) continue;
    if (/\p{Zs}/u.test(ch)) t += ' ';
    else if (isCjk(cp)) t += ` ${ch} `;
    else t += ch;
  }
  const out: string[] = [];
  for (let word of t.split(' ')) {
    if (word === '') continue;
    if (lowercase) word = word.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    let cur = '';
    for (const ch of word) {
      if (isPunctuation(ch)) {
        if (cur !== '') out.push(cur);
        out.push(ch);
        cur = '';
      } else cur += ch;
    }
    if (cur !== '') out.push(cur);
  }
  return out;
}

/** ASCII symbols count as punctuation, as in BERT ($, +, ^ are not Unicode P*). */
function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
  return /\p{P}/u.test(ch);
}

function isCjk(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df)
    || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

// ---- fixed-length encoding ----

export interface Encoded {
  /** Row-major [count, maxLength]. */
  inputs: Int32Array;
  /** Real tokens per row, [CLS] included. */
  lengths: Int32Array;
  /** How many rows lost tokens to truncation. */
  truncated: number;
}

/**
 * Every row is [CLS] followed by the text's tokens, cut to `maxLength` and padded with `padId`.
 * [CLS] is always there, so `pooling: "cls"` and `"mean"` read the same data.
 */
export function encodeFixed(tokenized: number[][], tok: Tokenizer, maxLength: number): Encoded {
  const inputs = new Int32Array(tokenized.length * maxLength).fill(tok.padId);
  const lengths = new Int32Array(tokenized.length);
  let truncated = 0;
  tokenized.forEach((ids, r) => {
    const n = Math.min(ids.length + 1, maxLength);
    if (ids.length + 1 > maxLength) truncated++;
    const row = r * maxLength;
    inputs[row] = tok.clsId;
    for (let k = 1; k < n; k++) inputs[row + k] = ids[k - 1];
    lengths[r] = n;
  });
  return { inputs, lengths, truncated };
}
