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
  /** Code points of the longest entry (without "##"). */
  private readonly longest: number;
  /** BERT gives up on longer words (they become [UNK]). */
  private static readonly MAX_WORD_CHARS = 100;

  constructor(readonly vocab: string[], private readonly lowercase: boolean) {
    // The first occurrence of a duplicated line keeps its id.
    vocab.forEach((t, i) => { if (!this.ids.has(t)) this.ids.set(t, i); });
    let longest = 1;
    for (const t of vocab) longest = Math.max(longest, Array.from(t.startsWith('##') ? t.slice(2) : t).length);
    this.longest = longest;
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
    const whole = this.ids.get(word); // the first candidate of the greedy search, and the usual answer
    if (whole !== undefined && word.length <= WordPieceTokenizer.MAX_WORD_CHARS) { out.push(whole); return; }
    // Code point boundaries, so pieces never split a surrogate pair.
    const cuts = [0];
    for (let i = 0; i < word.length;) { i += word.codePointAt(i)! > 0xffff ? 2 : 1; cuts.push(i); }
    const n = cuts.length - 1;
    if (n > WordPieceTokenizer.MAX_WORD_CHARS) { out.push(this.unkId); return; }
    const pieces: number[] = [];
    for (let start = 0; start < n;) {
      // No piece is longer than the longest vocabulary entry, so longer candidates are skipped.
      let end = Math.min(n, start + this.longest);
      let id: number | undefined;
      for (; start < end; end--) {
        const sub = word.slice(cuts[start], cuts[end]);
        id = this.ids.get(start > 0 ? `##${sub}` : sub);
        if (id !== undefined) break;
      }
      if (id === undefined) { out.push(this.unkId); return; }
      pieces.push(id);
      start = end;
    }
    for (const id of pieces) out.push(id);
  }
}

// BERT's character classes: punctuation is Unicode P* plus every ASCII symbol ($, +, ^ are not P*);
// CJK ideographs become single tokens; whitespace is space, tab, CR, LF and Zs.
const PUNCT = '\\p{P}!-\\/:-@\\[-`{-~';
const CJK = '\\u4e00-\\u9fff\\u3400-\\u4dbf\\uf900-\\ufaff\\u{20000}-\\u{2a6df}\\u{2a700}-\\u{2ceaf}\\u{2f800}-\\u{2fa1f}';
const PIECE = new RegExp(`[${PUNCT}]|[${CJK}]|[^\\p{Zs}${PUNCT}${CJK}]+`, 'gu');
/** Control and format characters are dropped, except tab, CR and LF, which are whitespace. */
const CONTROL = /[\p{Cc}\p{Cf}\ufffd]/gu;

/**
 * BERT's BasicTokenizer: drop control characters, lowercase and strip accents (when lowercasing),
 * then cut at whitespace, around every punctuation mark and around each CJK ideograph.
 */
export function basicTokenize(text: string, lowercase: boolean): string[] {
  let t = text.replace(CONTROL, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : ''));
  if (lowercase) t = t.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
  return t.match(PIECE) ?? [];
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
    for (let k = 1; k < n; k++) inputs[row + k] = ids[k - 1]!; // k - 1 < n - 1 <= ids.length
    lengths[r] = n;
  });
  return { inputs, lengths, truncated };
}
