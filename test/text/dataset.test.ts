import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import { ConfigSchema } from '../../src/config/schema';
import { loadTextData, loadTextDataset } from '../../src/trainer/text/index';
import { tempTree, textTask } from './tmp';

const examples = resolve(__dirname, '../../examples');
const exampleTask = (name: string) => {
  // Examples are JSONC (comments say, e.g., which init the paper used).
  const config = ConfigSchema.parse(parseJsonc(readFileSync(join(examples, `${name}.grok.json`), 'utf8')));
  assert.equal(config.task.kind, 'text');
  return config.task as ReturnType<typeof textTask>;
};

test('the shipped sample as a Dataset: train rows, then test rows as fixed validation', async () => {
  const ds = await loadTextDataset(exampleTask('text-sample'), examples);
  assert.equal(ds.count, 4000);
  assert.equal(ds.seqLen, 48);
  assert.equal(ds.inputs.length, 4000 * 48);
  assert.equal(ds.numClasses, 2);
  assert.equal(ds.padToken, 0);
  assert.deepEqual(ds.componentNames, ['text']);
  assert.ok(ds.component.every((c) => c === 0));
  assert.deepEqual([...ds.fixedValidation!], Array.from({ length: 1000 }, (_, i) => 3000 + i));
  assert.equal(ds.labels.slice(0, 3000).reduce((s, l) => s + l, 0), 1500);
  for (let r = 0; r < ds.count; r++) {
    const row = ds.inputs.subarray(r * ds.seqLen, (r + 1) * ds.seqLen);
    const n = ds.lengths?.[r];
    assert.ok(n !== undefined, `row ${r} has a length`);
    assert.equal(row[0], 2, 'every row starts with [CLS]');
    assert.ok(n > 8 && row.subarray(1, n).every((t) => t > 2 && t < ds.vocabSize), `row ${r}: real tokens`);
    assert.ok(row.subarray(n).every((t) => t === 0), `row ${r}: padding`);
  }
});

test('the sample\'s IMDB tree and its CSV copy give the same examples', () => {
  const imdb = loadTextData(exampleTask('text-sample'), examples).data;
  const csv = loadTextData(exampleTask('text-sample-csv'), examples).data;
  assert.equal(imdb.vocabSize, csv.vocabSize);
  assert.deepEqual(imdb.classes, ['negative', 'positive']);
  assert.deepEqual(csv.classes, imdb.classes);
  const rows = (d: typeof imdb, from: number, to: number): string[] => {
    const out: string[] = [];
    for (let r = from; r < to; r++) out.push(`${d.labels[r]}:${d.inputs.subarray(r * d.seqLen, (r + 1) * d.seqLen).join(',')}`);
    return out.sort();
  };
  assert.deepEqual(rows(imdb, 0, 3000), rows(csv, 0, 3000));
  assert.deepEqual(rows(imdb, 3000, 4000), rows(csv, 3000, 4000));
});

test('valSize keeps a fixed sample of the test split; overflow "drop" leaves long examples out', () => {
  const dir = tempTree({
    'train.jsonl': ['one', 'one two', 'one two three four five six'].map((t, i) => JSON.stringify({ text: t, label: i % 2 })).join('\n'),
    'test.jsonl': Array.from({ length: 10 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2 })).join('\n'),
  });
  const base = { format: 'jsonl', path: 'train.jsonl', testPath: 'test.jsonl' };
  const capped = loadTextData(textTask({ ...base, valSize: 4, tokenizer: { minFreq: 1, maxLength: 4 } }), dir).data;
  assert.equal(capped.trainCount, 3);
  assert.equal(capped.testCount, 4);
  assert.equal(capped.truncated, 1);
  const again = loadTextData(textTask({ ...base, valSize: 4, tokenizer: { minFreq: 1, maxLength: 4 } }), dir).data;
  assert.deepEqual(again.labels, capped.labels);
  const dropped = loadTextData(textTask({ ...base, tokenizer: { minFreq: 1, maxLength: 4, overflow: 'drop' } }), dir).data;
  assert.equal(dropped.trainCount, 2);
  assert.equal(dropped.dropped, 1);
  assert.equal(dropped.truncated, 0);
});

test('the word vocabulary comes from the training split only', () => {
  const dir = tempTree({ 'train.csv': 'text,label\nalpha,0\nbeta,1\n', 'test.csv': 'text,label\ngamma alpha,0\n' });
  const d = loadTextData(textTask({ format: 'csv', path: 'train.csv', testPath: 'test.csv', tokenizer: { minFreq: 1, maxLength: 4 } }), dir).data;
  assert.equal(d.vocabSize, 5);
  assert.deepEqual([...d.inputs.subarray(8, 12)], [2, 1, 3, 0]); // [CLS] [UNK] alpha [PAD]
});

test('wordpiece end to end: the vocab file is resolved next to the config and its ids used', () => {
  const dir = tempTree({
    'data/vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\ngood\nbad\n##ly\n',
    'data/train.csv': 'text,label\nGoodly,1\nBADLY done,0\n',
  });
  const task = textTask({ format: 'csv', path: 'data/train.csv', tokenizer: { kind: 'wordpiece', vocabFile: 'data/vocab.txt', maxLength: 4 } });
  const d = loadTextData(task, dir, join(dir, 'cache'));
  assert.equal(d.data.vocabSize, 7);
  assert.deepEqual([...d.data.inputs], [2, 4, 6, 0, /**/ 2, 5, 6, 1]);
  assert.throws(() => loadTextData({ ...task, tokenizer: { ...task.tokenizer, vocabFile: undefined } }, dir),
    { message: 'task.tokenizer.vocabFile: required with tokenizer kind "wordpiece" (a BERT-style vocab.txt, one token per line).' });
});
