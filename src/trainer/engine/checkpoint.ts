// One model's checkpoint (docs/models.md): its parameters by name, AdamW state as adam.m.<name> and
// adam.v.<name>, and __metadata__ { step, format: "grok-1", kind, configHash }.
import { createHash } from 'node:crypto';
import type { ModelConfig } from '../../config/schema';
import type { ModelDims } from '../models/dims';
import { legacyParamName } from '../models/params';
import type { ModelPlan, TensorSlot } from './layout';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

export const CHECKPOINT_FORMAT = 'grok-1';

export interface ModelState {
  /** Optimizer steps taken. */
  step: number;
  params: Map<string, Float32Array>;
  /** Absent in an initial checkpoint read back: zeros. */
  adamM?: Map<string, Float32Array>;
  adamV?: Map<string, Float32Array>;
}

export function configHash(model: ModelConfig): string {
  const stable = JSON.stringify(Object.fromEntries(Object.entries(model).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(stable).digest('hex').slice(0, 16);
}

export function encodeCheckpoint(dims: ModelDims, tensors: TensorSlot[], state: ModelState, hash: string): Uint8Array {
  const out: NamedTensor[] = [];
  const add = (prefix: string, from: Map<string, Float32Array> | undefined): void => {
    for (const t of tensors) out.push({ name: prefix + t.name, shape: t.shape, data: from?.get(t.name) ?? new Float32Array(t.size) });
  };
  add('', state.params);
  add('adam.m.', state.adamM);
  add('adam.v.', state.adamV);
  return writeSafetensors(out, { step: String(state.step), format: CHECKPOINT_FORMAT, kind: dims.kind, configHash: hash });
}

/**
 * Checks the tensors against the model's and returns its state; missing adam.* tensors read as zeros.
 * A checkpoint from before models had depth names block 0's tensors without `blocks.0.` (attn.wq).
 */
export function decodeCheckpoint(dims: ModelDims, tensors: TensorSlot[], bytes: Uint8Array): ModelState {
  const file = readSafetensors(bytes);
  if (file.metadata.format && file.metadata.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint format ${file.metadata.format}, expected ${CHECKPOINT_FORMAT}`);
  if (file.metadata.kind && file.metadata.kind !== dims.kind) throw new Error(`checkpoint of a ${file.metadata.kind}, expected ${dims.kind}`);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const pick = (prefix: string, required: boolean): Map<string, Float32Array> | undefined => {
    const map = new Map<string, Float32Array>();
    for (const t of tensors) {
      const legacy = legacyParamName(t.name);
      const found = byName.get(prefix + t.name) ?? (legacy === null ? undefined : byName.get(prefix + legacy));
      if (!found) { if (required) throw new Error(`checkpoint lacks ${prefix + t.name}`); return undefined; }
      if (found.shape.join() !== t.shape.join()) throw new Error(`checkpoint ${prefix + t.name} is [${found.shape}], expected [${t.shape}]`);
      map.set(t.name, found.data);
    }
    return map;
  };
  return { step: Number(file.metadata.step ?? 0), params: pick('', true)!, adamM: pick('adam.m.', false), adamV: pick('adam.v.', false) };
}

/** Copies named tensors out of (or into) one of a model's blocks. */
export function readBlock(f32: Float32Array, plan: ModelPlan, block: number): Map<string, Float32Array> {
  return new Map(plan.tensors.map((t) => [t.name, f32.slice((block + t.offset) >>> 2, ((block + t.offset) >>> 2) + t.size)]));
}

export function writeBlock(f32: Float32Array, plan: ModelPlan, block: number, values: Map<string, Float32Array> | undefined): void {
  f32.fill(0, block >>> 2, (block >>> 2) + plan.blockFloats);
  if (!values) return;
  for (const t of plan.tensors) f32.set(values.get(t.name)!, (block + t.offset) >>> 2);
}
