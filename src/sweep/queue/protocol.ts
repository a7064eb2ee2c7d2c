// What travels through Redis for a distributed sweep:
//   BullMQ queue (default "grok")      one job per lock-step batch (or a chunk of one): BatchJobData
//   grok:sweep:<hash>:events           a Redis Stream per sweep: every eval record, run status and
//                                      batch attempt, XADDed by the workers, XREAD by coordinators
//   grok:sweep:<hash>:ckpt:<run id>    the run's latest checkpoint (hash: step, bytes, records), TTL
// <hash> is the sweep's config hash, so every submission of the same config shares them.
import type { ExperimentConfig } from '../../config/schema';
import type { EvalRecord, RunStatus } from '../../store/types';

export const DEFAULT_QUEUE_NAME = 'grok';
export const JOB_NAME = 'batch';
export const PROTOCOL_VERSION = 1;

export interface BatchJobData {
  v: number;
  /** The sweep's resolved config (defaults filled, CLI overrides applied), as in manifest.json. */
  config: ExperimentConfig;
  /** configHash(config): the worker checks it, and it names the sweep's stream and checkpoints. */
  configHash: string;
  /** The sweep's name (for logs). */
  name: string;
  /** Folder of the config file: relative data paths resolve against it (a shared filesystem). */
  configDir: string;
  /** The runs of this batch (ids of expandSweep(config)); they train in one lock-step trainer. */
  runIds: string[];
}

/** What a job returns when it completes. */
export interface BatchJobResult {
  worker: string;
  runs: Array<{ id: string; status: RunStatus; step: number }>;
}

export const streamKey = (configHash: string): string => `grok:sweep:${configHash}:events`;
export const checkpointKey = (configHash: string, runId: string): string => `grok:sweep:${configHash}:ckpt:${runId}`;

/** One entry of a sweep's stream (what the workers tell the coordinator; not the SweepEvents of ../events.ts). */
export type StreamEntry =
  | { type: 'metrics'; runId: string; record: EvalRecord }
  | { type: 'status'; runId: string; status: RunStatus; stopReason?: string; error?: string }
  /** A worker starts (or resumes, resumeStep > 0) some runs of a job. */
  | { type: 'attempt'; jobId: string; attempt: number; worker: string; resumeStep: number | null; runIds: string[] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; jobId?: string };

const TYPE_CODES = { metrics: 'm', status: 's', attempt: 'a', log: 'l' } as const;
const CODE_TYPES: Record<string, StreamEntry['type']> = { m: 'metrics', s: 'status', a: 'attempt', l: 'log' };

/** The stream fields of an event: t (type code), r (run id, if any), d (JSON body). */
export function encodeEvent(e: StreamEntry): string[] {
  const { type, ...body } = e;
  const runId = 'runId' in e ? e.runId : '';
  return ['t', TYPE_CODES[type], 'r', runId, 'd', JSON.stringify(body)];
}

/** The event of an entry's fields, or null for an entry this version does not know. */
export function decodeEvent(fields: string[]): StreamEntry | null {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const type = CODE_TYPES[map.get('t') ?? ''];
  if (!type) return null;
  try {
    return { type, ...(JSON.parse(map.get('d') ?? '{}') as object) } as StreamEntry;
  } catch {
    return null;
  }
}
