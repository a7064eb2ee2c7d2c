import assert from 'node:assert/strict';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTextData } from '../../src/trainer/text/index';
import { tempTree, textTask } from './tmp';

const csvTask = textTask({ format: 'csv', path: 'train.csv', testPath: 'test.csv', tokenizer: { minFreq: 1, maxLength: 8 } });
const files = { 'train.csv': 'text,label\ngood film,pos\nbad film,neg\n', 'test.csv': 'text,label\nnot good,neg\n' };

test('a second load is found by file stats alone and returns the same arrays', () => {
  const dir = tempTree(files);
  const cache = join(dir, 'cache');
  const first = loadTextData(csvTask, dir, cache);
  assert.equal(first.cache, 'miss');
  assert.match(first.key!, /^[0-9a-f]{64}$/);
  const written = readdirSync(cache);
  assert.deepEqual(written.filter((f) => f.startsWith(`text-${first.key}`)).sort(), [`text-${first.key}.bin`, `text-${first.key}.json`, `text-${first.key}.vocab.txt`]);
  assert.equal(written.filter((f) => /^text-stat-[0-9a-f]{64}$/.test(f)).length, 1);
  const second = loadTextData(csvTask, dir, cache);
  assert.equal(second.cache, 'stat');
  assert.equal(second.key, first.key);
  assert.deepEqual(second.data, first.data);
});

test('a stat hit does not read the sources: new bytes behind the same size and mtime go unseen', () => {
  const dir = tempTree(files);
  const cache = join(dir, 'cache');
  const train = join(dir, 'train.csv');
  const stamp = 1_700_000_000; // whole seconds, so it can be set back exactly
  utimesSync(train, stamp, stamp);
  const before = loadTextData(csvTask, dir, cache);
  const size = statSync(train).size;
  writeFileSync(train, 'text,label\nfood film,pos\nbad film,neg\n');
  utimesSync(train, stamp, stamp);
  assert.equal(statSync(train).size, size);
  const after = loadTextData(csvTask, dir, cache);
  assert.equal(after.cache, 'stat');
  assert.deepEqual(after.data, before.data);
});

test('changing a file changes the key; touching it without a change finds the entry by content', () => {
  const dir = tempTree(files);
  const cache = join(dir, 'cache');
  const train = join(dir, 'train.csv');
  const a = loadTextData(csvTask, dir, cache);
  const later = new Date(Date.now() + 5000);
  utimesSync(train, later, later);
  const touched = loadTextData(csvTask, dir, cache);
  assert.equal(touched.cache, 'content');
  assert.equal(touched.key, a.key);
  writeFileSync(train, 'text,label\ngood great film,pos\nbad film,neg\n');
  const b = loadTextData(csvTask, dir, cache);
  assert.equal(b.cache, 'miss');
  assert.notEqual(b.key, a.key);
  assert.equal(b.data.vocabSize, a.data.vocabSize + 1); // "great" joined "good"
});

test('tokenizer settings are part of the key; the data set\'s location is not', () => {
  const dir = tempTree(files);
  const other = tempTree(files);
  const cache = join(dir, 'cache');
  const a = loadTextData(csvTask, dir, cache);
  const longer = loadTextData({ ...csvTask, tokenizer: { ...csvTask.tokenizer, maxLength: 9 } }, dir, cache);
  assert.notEqual(longer.key, a.key);
  assert.equal(longer.data.seqLen, 9);
  const moved = loadTextData(csvTask, other, cache);
  assert.equal(moved.cache, 'content');
  assert.equal(moved.key, a.key);
});

test('without a cache folder nothing is written and the data is the same', () => {
  const dir = tempTree(files);
  const off = loadTextData(csvTask, dir);
  assert.equal(off.cache, 'off');
  assert.deepEqual(readdirSync(dir).sort(), ['test.csv', 'train.csv']);
  assert.deepEqual(off.data, loadTextData(csvTask, dir, join(dir, 'c')).data);
});

test('a damaged cache entry is rebuilt', () => {
  const dir = tempTree(files);
  const cache = join(dir, 'cache');
  const a = loadTextData(csvTask, dir, cache);
  writeFileSync(join(cache, `text-${a.key}.bin`), new Uint8Array(12));
  const b = loadTextData(csvTask, dir, cache);
  assert.equal(b.cache, 'miss');
  assert.deepEqual(b.data, a.data);
});
