// queue.json in a sweep's results folder: which queue the sweep was submitted to, and how far this
// folder has read the sweep's stream (the last entry id applied). Written atomically after each batch
// of entries is in metrics.jsonl / status.json, so a coordinator killed at any point re-reads at most
// a few entries, which the coordinator drops as duplicates (run id + step). Holds no credentials.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../store/atomic';

export const QUEUE_STATE_FILE = 'queue.json';

export interface QueueState {
  version: 1;
  /** The Redis URL without credentials. */
  url: string;
  queueName: string;
  configHash: string;
  stream: string;
  /** The last stream entry id applied to this folder ('0-0': none). */
  lastId: string;
  /** Jobs of the sweep. */
  jobs: number;
  /** The plan's parameters: a later submission plans the same jobs (the same ids) with them. */
  runsPerJob: number | null;
  memoryBudget: number;
  updatedAt: string;
}

export function queueStatePath(dir: string): string {
  return join(dir, QUEUE_STATE_FILE);
}

export function readQueueState(dir: string): QueueState | null {
  const p = queueStatePath(dir);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as QueueState;
  } catch (e) {
    throw new Error(`${p}: not valid JSON (${(e as Error).message}); delete it to read the stream from the start`);
  }
}

export function writeQueueState(dir: string, state: QueueState): void {
  writeJsonAtomic(queueStatePath(dir), { ...state, updatedAt: new Date().toISOString() });
}
