// Where workers keep the runs' checkpoints, so that the next worker resumes a batch whose worker
// died. A checkpoint travels with the run's eval records up to its step: the resuming worker replays
// them through early stop and goes on with the run's clock, exactly as a local resume does.
//   RedisCheckpoints  one hash per run (step, bytes, records) with a TTL; a checkpoint over the
//                     size cap is not stored (the batch then restarts from its previous one or step 0)
//   DirCheckpoints    a shared directory (NFS, a cluster's scratch): <dir>/<hash>/runs/<id>/ckpt-<step>.safetensors
//                     and records-<step>.json next to it, written before the checkpoint
import { existsSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../../util/dirs';
import type Redis from 'ioredis';
import { writeFileAtomic } from '../../store/atomic';
import { latestCheckpoint, readCheckpoint, writeCheckpoint } from '../../store/checkpoints';
import { runDir } from '../../store/layout';
import type { EvalRecord } from '../../store/types';
import { checkpointKey } from './protocol';

export interface SavedCheckpoint {
  step: number;
  bytes: Uint8Array;
  /** The run's eval records up to `step`. */
  records: EvalRecord[];
}

export interface CheckpointStore {
  /** Where they are, in words. */
  readonly description: string;
  /** The run's latest checkpoint, or null. */
  load(runId: string): Promise<SavedCheckpoint | null>;
  /** Replaces the run's checkpoint. Returns false (with a reason) when it is not stored. */
  save(runId: string, ckpt: SavedCheckpoint): Promise<{ stored: true } | { stored: false; reason: string }>;
}

export const DEFAULT_CHECKPOINT_MAX_BYTES = 64 * 2 ** 20;
export const DEFAULT_CHECKPOINT_TTL_SEC = 7 * 24 * 3600;

export class RedisCheckpoints implements CheckpointStore {
  readonly description: string;

  constructor(private readonly redis: Redis, private readonly configHash: string,
    private readonly maxBytes = DEFAULT_CHECKPOINT_MAX_BYTES, private readonly ttlSec = DEFAULT_CHECKPOINT_TTL_SEC) {
    this.description = `Redis (at most ${(maxBytes / 2 ** 20).toFixed(1)} MiB a checkpoint, kept ${Math.round(ttlSec / 3600)} h)`;
  }

  async load(runId: string): Promise<SavedCheckpoint | null> {
    const h = await this.redis.hgetallBuffer(checkpointKey(this.configHash, runId));
    if (!h.step || !h.bytes || !h.records) return null;
    return { step: Number(h.step.toString()), bytes: new Uint8Array(h.bytes), records: JSON.parse(h.records.toString('utf8')) as EvalRecord[] };
  }

  async save(runId: string, ckpt: SavedCheckpoint): Promise<{ stored: true } | { stored: false; reason: string }> {
    if (ckpt.bytes.byteLength > this.maxBytes) {
      return {
        stored: false,
        reason: `checkpoint of ${(ckpt.bytes.byteLength / 2 ** 20).toFixed(1)} MiB is over the Redis cap of ${(this.maxBytes / 2 ** 20).toFixed(1)} MiB ` +
          '(raise --checkpoint-max-mb or use --checkpoint-dir on a shared filesystem)',
      };
    }
    const key = checkpointKey(this.configHash, runId);
    // One HSET: the step, bytes and records change together (a reader never sees a mix).
    await this.redis.multi()
      .hset(key, 'step', String(ckpt.step), 'bytes', Buffer.from(ckpt.bytes.buffer, ckpt.bytes.byteOffset, ckpt.bytes.byteLength), 'records', JSON.stringify(ckpt.records))
      .expire(key, this.ttlSec)
      .exec();
    return { stored: true };
  }
}

const RECORDS_RE = /^records-(\d+)\.json$/;

export class DirCheckpoints implements CheckpointStore {
  readonly description: string;
  private readonly root: string;

  constructor(dir: string, configHash: string) {
    this.root = join(dir, configHash);
    this.description = `directory ${this.root}`;
  }

  async load(runId: string): Promise<SavedCheckpoint | null> {
    const step = latestCheckpoint(this.root, runId);
    if (step === null) return null;
    const recordsFile = join(runDir(this.root, runId), `records-${step}.json`);
    if (!existsSync(recordsFile)) return null;
    return { step, bytes: readCheckpoint(this.root, runId, step), records: JSON.parse(readFileSync(recordsFile, 'utf8')) as EvalRecord[] };
  }

  async save(runId: string, ckpt: SavedCheckpoint): Promise<{ stored: true }> {
    const dir = runDir(this.root, runId);
    // writeCheckpoint creates nothing above the file: make the run's folder first.
    makeDirs(dir);
    writeFileAtomic(join(dir, `records-${ckpt.step}.json`), JSON.stringify(ckpt.records));
    writeCheckpoint(this.root, runId, ckpt.step, ckpt.bytes);
    for (const f of readdirSync(dir)) {
      const m = RECORDS_RE.exec(f);
      if (m && Number(m[1]) !== ckpt.step) unlinkSync(join(dir, f));
    }
    return { stored: true };
  }
}
