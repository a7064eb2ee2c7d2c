import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv } from '../../src/trainer/text/csv';

test('quoted fields keep commas, doubled quotes and newlines; records know their first line', () => {
  const text = 'a,b\r\n"x, y","say ""hi"""\n"multi\nline",2\n\n"",last\n';
  const rows = parseCsv(text, 'f.csv');
  assert.deepEqual(rows.map((r) => r.fields), [['a', 'b'], ['x, y', 'say "hi"'], ['multi\nline', '2'], ['', 'last']]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2, 3, 6]);
});

test('a last record without a newline and a stray quote inside unquoted data are kept', () => {
  assert.deepEqual(parseCsv('1,it"s fine', 'f.csv').map((r) => r.fields), [['1', 'it"s fine']]);
  assert.deepEqual(parseCsv('1,', 'f.csv').map((r) => r.fields), [['1', '']]);
});

test('an unclosed quote names the line it opened on', () => {
  assert.throws(() => parseCsv('a,b\n1,"never\nclosed\n', 'data/train.csv'),
    { message: `data/train.csv:2: a quoted field is never closed (missing '"').` });
});

test('text after a closing quote is an error that explains doubling', () => {
  assert.throws(() => parseCsv('"a"b,1\n', 'y.csv'), /^Error: y\.csv:1: unexpected "b" after a closing quote; a '"' inside a quoted field must be doubled/);
});
