// Per-run checkpoints: only the latest is kept. The new file is written (atomically) before the
// older ones are removed, so a kill at any point leaves at least one complete checkpoint.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import { checkpointPath, checkpointStep, runDir } from './layout';

/** Steps of the checkpoints of a run, ascending. */
export function listCheckpoints(dir: string, id: string): number[] {
  const d = runDir(dir, id);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .map(checkpointStep)
    .filter((s): s is number => s !== null)
    .sort((a, b) => a - b);
}

export function latestCheckpoint(dir: string, id: string): number | null {
  const steps = listCheckpoints(dir, id);
  return steps.at(-1) ?? null;
}

export function writeCheckpoint(dir: string, id: string, step: number, bytes: Uint8Array): void {
  writeFileAtomic(checkpointPath(dir, id, step), bytes);
  pruneCheckpoints(dir, id, step);
}

export function readCheckpoint(dir: string, id: string, step: number): Uint8Array {
  return new Uint8Array(readFileSync(checkpointPath(dir, id, step)));
}

/** Removes every checkpoint of the run other than `keepStep`. */
export function pruneCheckpoints(dir: string, id: string, keepStep: number | null): void {
  for (const s of listCheckpoints(dir, id)) {
    if (s !== keepStep) unlinkSync(checkpointPath(dir, id, s));
  }
}

/**
 * Why a checkpoint file cannot be loaded (truncated, a bad header), or null when it is whole: the
 * safetensors header is read and the file must hold exactly the tensors it lists.
 */
export function checkpointDamage(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8) return `is truncated (${size} bytes)`;
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const headLen = Number(head.readBigUInt64LE(0));
    if (headLen > size - 8 || headLen > 64 * 2 ** 20) return 'is truncated or damaged (header length past the end of the file)';
    const json = Buffer.alloc(headLen);
    readSync(fd, json, 0, headLen, 8);
    let header: Record<string, { data_offsets?: [number, number] }>;
    try {
      header = JSON.parse(json.toString('utf8')) as typeof header;
    } catch {
      return 'has a damaged header (not JSON)';
    }
    let end = 0;
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const offsets = t?.data_offsets;
      if (!Array.isArray(offsets) || offsets.length !== 2) return `has a damaged header (tensor ${name} without data_offsets)`;
      end = Math.max(end, offsets[1]);
    }
    if (8 + headLen + end !== size) return `is truncated (${size} bytes, its header lists ${8 + headLen + end})`;
    return null;
  } finally {
    closeSync(fd);
  }
}
