// Per-run checkpoints: only the latest is kept. The new file is written (atomically) before the
// older ones are removed, so a kill at any point leaves at least one complete checkpoint.
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
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
  return steps.length ? steps[steps.length - 1] : null;
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
