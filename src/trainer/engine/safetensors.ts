// The safetensors format (F32 tensors; I32 for writing index data): an 8-byte little-endian header length, a JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: { string: string } }, then the
// raw little-endian data. Tensors are written in the given order, densely packed.

export interface NamedTensor { name: string; shape: number[]; data: Float32Array }

export interface Safetensors { tensors: NamedTensor[]; metadata: Record<string, string> }

/** What the writer takes: F32 weights, or I32 data (token ids, split indices) for the PyTorch reference. */
export interface WritableTensor { name: string; shape: number[]; data: Float32Array | Int32Array }

export function writeSafetensors(tensors: WritableTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${t.name}: shape [${t.shape}] does not match ${t.data.length} values`);
    header[t.name] = { dtype: t.data instanceof Int32Array ? 'I32' : 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keeps the data 8-byte aligned, as the reference writer does
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    const le = new DataView(out.buffer, at, t.data.length * 4);
    if (t.data instanceof Int32Array) for (let i = 0; i < t.data.length; i++) le.setInt32(i * 4, t.data[i]!, true);
    else for (let i = 0; i < t.data.length; i++) le.setFloat32(i * 4, t.data[i]!, true);
    at += t.data.length * 4;
  }
  return out;
}

export function readSafetensors(bytes: Uint8Array): Safetensors {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = Number(view.getBigUint64(0, true));
  if (8 + headLen > bytes.length) throw new Error('safetensors: truncated header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLen))) as Record<string, unknown>;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const base = 8 + headLen;
  const tensors: NamedTensor[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [begin, end] } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32') throw new Error(`safetensors: tensor ${name} is ${dtype}, only F32 is supported`);
    if (base + end > bytes.length || end - begin !== shape.reduce((a, b) => a * b, 1) * 4) throw new Error(`safetensors: bad offsets for ${name}`);
    const data = new Float32Array((end - begin) / 4);
    const le = new DataView(bytes.buffer, bytes.byteOffset + base + begin, end - begin);
    for (let i = 0; i < data.length; i++) data[i] = le.getFloat32(i * 4, true);
    tensors.push({ name, shape, data });
  }
  return { tensors, metadata };
}
