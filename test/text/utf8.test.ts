import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUtf8, firstInvalidByte } from '../../src/util/utf8';

test('valid UTF-8 decodes, a BOM is dropped', () => {
  assert.equal(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9, 0xf0, 0x9f, 0x99, 0x82]), 'f'), 'hé🙂');
});

test('the first bad byte is found: stray continuation, overlong form, surrogate, truncated sequence', () => {
  assert.equal(firstInvalidByte(Uint8Array.from([0x61, 0x80])), 1);
  assert.equal(firstInvalidByte(Uint8Array.from([0x61, 0xc0, 0xaf])), 1);
  assert.equal(firstInvalidByte(Uint8Array.from([0xe0, 0x80, 0xaf])), 0);
  assert.equal(firstInvalidByte(Uint8Array.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2);
  assert.equal(firstInvalidByte(Uint8Array.from([0x61, 0xe2, 0x82])), 1);
  assert.equal(firstInvalidByte(Uint8Array.from([0xe2, 0x82, 0xac])), 3);
});

test('UTF-16 text is rejected with the file and line', () => {
  const utf16 = Uint8Array.from([0xff, 0xfe, 0x61, 0x00]);
  assert.throws(() => decodeUtf8(utf16, 'reviews.csv'), { message: 'reviews.csv:1: not valid UTF-8 (byte offset 0). Re-save the file as UTF-8.' });
});
