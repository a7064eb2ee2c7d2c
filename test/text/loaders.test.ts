import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTextTask } from '../../src/trainer/text/loaders';
import { tempTree, textTask } from './tmp';

const imdb = { kind: 'text', format: 'imdb', path: 'aclImdb' } as const;

test('imdb: pos = 1, neg = 0, files in id order, <br /> removed, test split read', () => {
  const dir = tempTree({
    'aclImdb/train/pos/10_9.txt': 'Great.<br /><br />Loved it',
    'aclImdb/train/pos/2_8.txt': 'Fine film',
    'aclImdb/train/neg/0_1.txt': 'Awful',
    'aclImdb/train/unsup/0_0.txt': 'ignored',
    'aclImdb/test/pos/0_10.txt': 'Superb',
    'aclImdb/test/neg/0_2.txt': 'Dull',
    'aclImdb/imdb.vocab': 'the\n',
  });
  const s = loadTextTask(textTask(imdb), dir);
  assert.deepEqual(s.train, { texts: ['Awful', 'Fine film', 'Great.  Loved it'], labels: [0, 1, 1] });
  assert.deepEqual(s.test, { texts: ['Dull', 'Superb'], labels: [0, 1] });
  assert.deepEqual(s.classes, ['negative', 'positive']);
});

test('imdb: absolute paths are used as given; no test folder means no test split', () => {
  const dir = tempTree({ 'd/train/pos/0_9.txt': 'good', 'd/train/neg/0_1.txt': 'bad' });
  const s = loadTextTask(textTask({ ...imdb, path: join(dir, 'd') }), '/somewhere/else');
  assert.equal(s.train.texts.length, 2);
  assert.equal(s.test, undefined);
});

test('imdb: a missing folder, a folder of another layout, and a train/ folder are explained', () => {
  const dir = tempTree({ 'other/README': 'x', 'other/reviews.csv': 'x', 'split/pos/0_9.txt': 'a', 'split/neg/0_1.txt': 'b' });
  assert.throws(() => loadTextTask(textTask(imdb), dir), {
    message: `task.path: ${join(dir, 'aclImdb')} does not exist; expected an IMDB folder (aclImdb) with train/pos/*.txt and train/neg/*.txt, and optionally test/pos and test/neg.`,
  });
  assert.throws(() => loadTextTask(textTask({ ...imdb, path: 'other' }), dir), {
    message: `task.path: ${join(dir, 'other')} is not an IMDB folder (aclImdb) with train/pos/*.txt and train/neg/*.txt, and optionally test/pos and test/neg; found README, reviews.csv.`,
  });
  assert.throws(() => loadTextTask(textTask({ ...imdb, path: 'split' }), dir), /holds pos\/ and neg\/ directly: point path at its parent folder/);
  assert.throws(() => loadTextTask(textTask({ ...imdb, path: 'other/README' }), dir), /other\/README is a file; expected an IMDB folder/);
});

test('imdb: a test folder needs both classes; testPath is not used', () => {
  const dir = tempTree({ 'aclImdb/train/pos/0_9.txt': 'a', 'aclImdb/train/neg/0_1.txt': 'b', 'aclImdb/test/pos/0_9.txt': 'c' });
  assert.throws(() => loadTextTask(textTask(imdb), dir), { message: `task.path: ${join(dir, 'aclImdb/test')} must hold both pos/ and neg/; found pos/.` });
  assert.throws(() => loadTextTask(textTask({ ...imdb, testPath: 'x' }), dir),
    { message: `task.testPath: not used with format "imdb"; the test split is read from ${join(dir, 'aclImdb/test')}.` });
});

test('imdb: a review in another encoding names the file and line', () => {
  const latin1 = Uint8Array.from([0x47, 0x6f, 0x6f, 0x64, 0x0a, 0x63, 0x61, 0x66, 0xe9]); // "Good\ncafé" in Latin-1
  const dir = tempTree({ 'aclImdb/train/pos/0_9.txt': latin1, 'aclImdb/train/neg/0_1.txt': 'bad' });
  const file = join(dir, 'aclImdb/train/pos/0_9.txt');
  assert.throws(() => loadTextTask(textTask(imdb), dir), { message: `${file}:2: not valid UTF-8 (byte offset 8). Re-save the file as UTF-8.` });
});

test('imdb: an empty review file is an error', () => {
  const dir = tempTree({ 'aclImdb/train/pos/0_9.txt': '', 'aclImdb/train/neg/0_1.txt': 'bad' });
  assert.throws(() => loadTextTask(textTask(imdb), dir), { message: `${join(dir, 'aclImdb/train/pos/0_9.txt')}: the file is empty; expected one review as UTF-8 text.` });
});

const yelp = { kind: 'text', format: 'yelp', path: 'train.csv', testPath: 'test.csv' } as const;

test('yelp: no header, 1 = negative, 2 = positive, quoting and literal \\n line breaks', () => {
  const dir = tempTree({
    'train.csv': '"2","Loved it, ""really"".\\nWould go again"\n"1","Cold food\nand slow"\n',
    'test.csv': '"1","Meh"\r\n',
  });
  const s = loadTextTask(textTask(yelp), dir);
  assert.deepEqual(s.train, { texts: ['Loved it, "really".\nWould go again', 'Cold food\nand slow'], labels: [1, 0] });
  assert.deepEqual(s.test, { texts: ['Meh'], labels: [0] });
  assert.deepEqual(s.classes, ['negative', 'positive']);
});

test('yelp: an unknown label or a wrong column count names file:line', () => {
  const dir = tempTree({ 'train.csv': '"2","ok"\n"3","three stars"\n', 'test.csv': '"1","a","b"\n' });
  assert.throws(() => loadTextTask(textTask(yelp), dir),
    { message: `${join(dir, 'train.csv')}:2: unknown label "3"; expected one of "1", "2" (Yelp polarity: 1 = negative, 2 = positive).` });
  assert.throws(() => loadTextTask(textTask({ ...yelp, path: 'test.csv' }), dir),
    { message: `${join(dir, 'test.csv')}:1: expected 2 columns "label","text" (Yelp polarity, no header), found 3.` });
});

test('yelp: a missing file says what was expected; an empty file too', () => {
  const dir = tempTree({ 'train.csv': '', 'test.csv': '"1","x"\n' });
  assert.throws(() => loadTextTask(textTask({ ...yelp, testPath: 'nope.csv' }), dir),
    { message: `task.testPath: ${join(dir, 'nope.csv')} does not exist (expected a yelp file).` });
  assert.throws(() => loadTextTask(textTask(yelp), dir),
    { message: `${join(dir, 'train.csv')}: the file is empty; expected Yelp Review Polarity CSV rows "label","text" without a header, label 1 (negative) or 2 (positive).` });
});

const csv = { kind: 'text', format: 'csv', path: 'train.csv' } as const;

test('csv: columns chosen by name, string labels sorted to classes, test labels mapped the same way', () => {
  const dir = tempTree({
    'train.csv': 'id,review,sentiment\n1,"good, fun",positive\n2,bad,negative\n3,ok,Positive\n',
    'test.csv': 'id,review,sentiment\n9,meh,negative\n',
  });
  const s = loadTextTask(textTask({ ...csv, testPath: 'test.csv', textField: 'review', labelField: 'sentiment' }), dir);
  assert.deepEqual(s.train, { texts: ['good, fun', 'bad', 'ok'], labels: [1, 0, 1] });
  assert.deepEqual(s.test?.labels, [0]);
  assert.deepEqual(s.classes, ['negative', 'positive']);
});

test('csv: a byte order mark and CRLF line ends are accepted', () => {
  const dir = tempTree({ 'train.csv': '\ufefftext,label\r\nhi,1\r\nyo,0\r\n' });
  assert.deepEqual(loadTextTask(textTask(csv), dir).train, { texts: ['hi', 'yo'], labels: [1, 0] });
});

test('csv: a missing label column lists the columns found', () => {
  const dir = tempTree({ 'train.csv': 'text,stars\nhi,5\n' });
  assert.throws(() => loadTextTask(textTask(csv), dir),
    { message: `${join(dir, 'train.csv')}:1: no column "label" (task.labelField); the header has columns "text", "stars".` });
});

test('csv: a short row, an empty label and a test label unseen in training name file:line', () => {
  const dir = tempTree({ 'a.csv': 'text,label\nhi,1\nno label\n', 'b.csv': 'text,label\nhi,\n', 'c.csv': 'text,label\nx,0\ny,1\n', 'd.csv': 'text,label\n"z",2\n' });
  assert.throws(() => loadTextTask(textTask({ ...csv, path: 'a.csv' }), dir), { message: `${join(dir, 'a.csv')}:3: expected 2 columns like the header (text,label), found 1.` });
  assert.throws(() => loadTextTask(textTask({ ...csv, path: 'b.csv' }), dir), { message: `${join(dir, 'b.csv')}:2: the label ("label") is empty.` });
  assert.throws(() => loadTextTask(textTask({ ...csv, path: 'c.csv', testPath: 'd.csv' }), dir),
    { message: `${join(dir, 'd.csv')}:2: unknown label "2"; expected one of "0", "1" (the labels of the training split).` });
});

const jsonl = { kind: 'text', format: 'jsonl', path: 'train.jsonl' } as const;

test('jsonl: configurable keys, numeric labels, blank lines skipped', () => {
  const dir = tempTree({ 'train.jsonl': '{"body":"nice","y":1}\n\n{"body":"poor","y":0}\r\n{"body":"top","y":1.0}\n' });
  const s = loadTextTask(textTask({ ...jsonl, textField: 'body', labelField: 'y' }), dir);
  assert.deepEqual(s.train, { texts: ['nice', 'poor', 'top'], labels: [1, 0, 1] });
  assert.deepEqual(s.classes, ['0', '1']);
});

test('jsonl: a bad line and a missing key name file:line', () => {
  const dir = tempTree({ 'bad.jsonl': '{"text":"a","label":1}\n{"text": "b", label: 0}\n', 'key.jsonl': '{"text":"a","label":1}\n{"txt":"b","label":0}\n' });
  assert.throws(() => loadTextTask(textTask({ ...jsonl, path: 'bad.jsonl' }), dir), new RegExp(`^Error: ${join(dir, 'bad.jsonl')}:2: not valid JSON \\(.+\\); expected JSON Lines: one object per line with keys "text" and "label"\\.$`));
  assert.throws(() => loadTextTask(textTask({ ...jsonl, path: 'key.jsonl' }), dir),
    { message: `${join(dir, 'key.jsonl')}:2: no key "text" (task.textField); keys found: "txt", "label".` });
});

test('a folder where a file is expected, and a file of only blank lines', () => {
  const dir = tempTree({ 'folder/x': '', 'blank.jsonl': '\n\n' });
  assert.throws(() => loadTextTask(textTask({ ...jsonl, path: 'folder' }), dir), { message: `task.path: ${join(dir, 'folder')} is a folder, expected a jsonl file.` });
  assert.throws(() => loadTextTask(textTask({ ...jsonl, path: 'blank.jsonl' }), dir),
    { message: `${join(dir, 'blank.jsonl')}: no examples; expected JSON Lines: one object per line with keys "text" and "label".` });
});
