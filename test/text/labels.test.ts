import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLabelMap } from '../../src/trainer/text/labels';

const order = (values: string[]): [string, number][] => {
  const m = buildLabelMap(values);
  return [...m.index].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
};

test('sentiment names: negative = 0 and positive = 1 in any case or spelling, whatever order they come in', () => {
  assert.deepEqual(buildLabelMap(['pos', 'neg']).classes, ['negative', 'positive']);
  assert.deepEqual(order(['Positive', 'neg', 'POS', 'negative']), [['neg', 0], ['negative', 0], ['POS', 1], ['Positive', 1]]);
});

test('numbers sort numerically and are written canonically', () => {
  assert.deepEqual(buildLabelMap(['2', '1', '10', '2.0']).classes, ['1', '2', '10']);
  assert.deepEqual(buildLabelMap(['1', '-1']).classes, ['-1', '1']);
});

test('other strings sort by code point, independent of their order in the file', () => {
  assert.deepEqual(buildLabelMap(['sports', 'World', 'business', 'sports']).classes, ['World', 'business', 'sports']);
  assert.deepEqual(buildLabelMap(['b', 'a']).classes, buildLabelMap(['a', 'b']).classes);
});
