// safetensors encoding: round trip, byte layout, and files laid out the way other writers do it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { readSafetensors, writeSafetensors } from '../../src/trainer/engine/safetensors';

test('writes the documented layout and reads it back exactly', () => {
  const a = Float32Array.from([1.5, -2, 3.25, Math.PI, 0, -0, 1e-30, 7]);
  const b = Float32Array.from([42]);
  const bytes = writeSafetensors([{ name: 'w', shape: [2, 4], data: a }, { name: 'b', shape: [1], data: b }], { step: '12' });
  const headLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headLen) % 8, 0, 'data starts 8-byte aligned');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLen)));
  assert.deepEqual(header.w, { dtype: 'F32', shape: [2, 4], data_offsets: [0, 32] });
  assert.deepEqual(header.b, { dtype: 'F32', shape: [1], data_offsets: [32, 36] });
  assert.equal(bytes.length, 8 + headLen + 36);
  const back = readSafetensors(bytes);
  assert.deepEqual(back.metadata, { step: '12' });
  assert.deepEqual(back.tensors.map((t) => [t.name, t.shape]), [['w', [2, 4]], ['b', [1]]]);
  const w = at(back.tensors, 0);
  assert.deepEqual([...w.data], [...a]);
  assert.ok(Object.is(w.data[5], -0));
});

test('reads tensors stored out of header order, and rejects other dtypes', () => {
  const json = JSON.stringify({ z: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
  const head = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + head.length + 8);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  bytes.set(head, 8);
  view.setFloat32(8 + head.length, 1, true);
  view.setFloat32(8 + head.length + 4, 2, true);
  const file = readSafetensors(bytes);
  assert.deepEqual(Object.fromEntries(file.tensors.map((t) => [t.name, t.data[0]])), { z: 2, a: 1 });
  const f16 = new TextEncoder().encode(JSON.stringify({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }));
  const bad = new Uint8Array(8 + f16.length + 2);
  new DataView(bad.buffer).setBigUint64(0, BigInt(f16.length), true);
  bad.set(f16, 8);
  assert.throws(() => readSafetensors(bad), /F16/);
});

test('I32 tensors (token ids, split indices for the PyTorch reference) are written with their dtype; the reader refuses them', () => {
  const bytes = writeSafetensors([{ name: 'idx', shape: [3], data: Int32Array.from([7, -1, 2 ** 30]) }]);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.deepEqual(header.idx, { dtype: 'I32', shape: [3], data_offsets: [0, 12] });
  const data = new DataView(bytes.buffer, 8 + headerLength);
  assert.deepEqual([0, 1, 2].map((i) => data.getInt32(i * 4, true)), [7, -1, 2 ** 30]);
  assert.throws(() => readSafetensors(bytes), /I32/);
});
