import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { corpusFiles, DEFAULT_CORPUS, generateReviews, writeCorpus } from '../../scripts/gen-sentiment-corpus';
import { tempTree } from './tmp';

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  (function walk(d: string): void {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.set(relative(dir, join(d, e.name)), readFileSync(join(d, e.name), 'utf8'));
    }
  })(dir);
  return out;
}

test('regenerating writes identical files', () => {
  const a = tempTree();
  const b = tempTree();
  writeCorpus(a, { train: 40, test: 10, seed: 3 });
  writeCorpus(b, { train: 40, test: 10, seed: 3 });
  const ta = readTree(a);
  assert.equal(ta.size, 40 + 10 + 2);
  assert.deepEqual(ta, readTree(b));
  writeCorpus(b, { train: 40, test: 10, seed: 4 });
  assert.notDeepEqual(readTree(b), ta);
});

test('the committed sample is exactly what the script generates', () => {
  const dir = resolve(__dirname, '../../examples/data/sentiment-sample');
  const committed = readTree(dir);
  committed.delete('README.md');
  assert.deepEqual(committed, corpusFiles());
});

test('reviews: balanced labels, 8-40 words, negations present, test split independent of the train size', () => {
  const { train, test: testSplit } = generateReviews();
  assert.equal(train.length, DEFAULT_CORPUS.train);
  assert.equal(train.filter((r) => r.label === 1).length, DEFAULT_CORPUS.train / 2);
  for (const r of [...train, ...testSplit]) {
    const words = r.text.split(' ').length;
    assert.ok(words >= 8 && words <= 40, `${words} words: ${r.text}`);
    assert.ok(r.label === 1 ? r.rating >= 7 : r.rating <= 4);
  }
  const negated = train.filter((r) => /\b(not|never|wasn't|isn't|didn't)\b/.test(r.text)).length;
  assert.ok(negated > train.length / 2, `${negated} reviews with a negation`);
  assert.deepEqual(generateReviews({ train: 10 }).test, testSplit);
});
