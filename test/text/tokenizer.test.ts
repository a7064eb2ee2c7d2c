import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  basicTokenize, buildWordVocab, encodeFixed, parseVocabFile, splitWords, WordPieceTokenizer, WordTokenizer,
} from '../../src/trainer/text/tokenizer';

test('words: lowercase, split on anything but letters and digits, apostrophes kept inside words', () => {
  assert.deepEqual(splitWords("Don't STOP—it's 10/10! 'Quoted' rock'n'roll café", true),
    ["don't", 'stop', "it's", '10', '10', 'quoted', "rock'n'roll", 'café']);
  assert.deepEqual(splitWords('It’s Fine', false), ["It's", 'Fine']);
});

test('word vocabulary: specials first, then by frequency with ties by code point, min frequency and max size', () => {
  const texts = ['b a c a', 'a b d', 'e'];
  assert.deepEqual(buildWordVocab(texts, { maxVocab: 100, minFreq: 1, lowercase: true }), ['[PAD]', '[UNK]', '[CLS]', 'a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(buildWordVocab(texts, { maxVocab: 100, minFreq: 2, lowercase: true }), ['[PAD]', '[UNK]', '[CLS]', 'a', 'b']);
  assert.deepEqual(buildWordVocab(texts, { maxVocab: 4, minFreq: 1, lowercase: true }), ['[PAD]', '[UNK]', '[CLS]', 'a']);
});

test('word tokenizer: unknown words are [UNK] = 1', () => {
  const tok = new WordTokenizer(['[PAD]', '[UNK]', '[CLS]', 'good', 'not'], true);
  assert.deepEqual(tok.tokenize('Not GOOD, not great'), [4, 3, 4, 1]);
});

test('fixed length: [CLS] first, then tokens, padded with 0 or cut; lengths count [CLS]', () => {
  const tok = new WordTokenizer(['[PAD]', '[UNK]', '[CLS]', 'a', 'b'], true);
  const e = encodeFixed([[3, 4], [], [3, 3, 4, 4, 3]], tok, 4);
  assert.deepEqual([...e.inputs], [2, 3, 4, 0, /**/ 2, 0, 0, 0, /**/ 2, 3, 3, 4]);
  assert.deepEqual([...e.lengths], [3, 1, 4]);
  assert.equal(e.truncated, 1);
});

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'un', '##aff', '##able', 'play', '##ing', '##s', 'the', ',', '!', 'cafe', 'a'];

test('wordpiece: greedy longest match with ## pieces; a word with an unmatched part is one [UNK]', () => {
  const tok = new WordPieceTokenizer(VOCAB, true);
  const ids = (text: string): string[] => tok.tokenize(text).map((i) => VOCAB[i] ?? `<no token ${i}>`);
  assert.deepEqual(ids('Unaffable playing, the plays!'), ['un', '##aff', '##able', 'play', '##ing', ',', 'the', 'play', '##s', '!']);
  assert.deepEqual(ids('unaffablex the xyz'), ['[UNK]', 'the', '[UNK]']);
  assert.deepEqual(ids('Café'), ['cafe']); // lowercased and accents stripped, as bert-base-uncased
  assert.deepEqual(ids('a'.repeat(101)), ['[UNK]']); // BERT gives up on words over 100 characters
});

test('basic tokenization: punctuation split off, CJK characters separate, control characters dropped', () => {
  assert.deepEqual(basicTokenize("Hello,world! Isn't\u0000 it\t$5? 中文", true), ['hello', ',', 'world', '!', 'isn', "'", 't', 'it', '$', '5', '?', '中', '文']);
  assert.deepEqual(basicTokenize('KEEP Case', false), ['KEEP', 'Case']);
});

test('vocab.txt: id = line - 1; [PAD] must be first and [UNK], [CLS] present', () => {
  assert.deepEqual(parseVocabFile('[PAD]\r\n[UNK]\r\n[CLS]\r\nx\r\n', 'v.txt'), ['[PAD]', '[UNK]', '[CLS]', 'x']);
  assert.throws(() => parseVocabFile('[UNK]\n[PAD]\n[CLS]\n', 'v.txt'),
    { message: 'v.txt:1: expected "[PAD]" on the first line (padding must be id 0, as in BERT\'s vocab.txt), found "[UNK]".' });
  assert.throws(() => parseVocabFile('[PAD]\n[UNK]\nx\n', 'v.txt'), { message: 'v.txt: no "[CLS]" line; a WordPiece vocab.txt must contain [PAD], [UNK] and [CLS].' });
});
