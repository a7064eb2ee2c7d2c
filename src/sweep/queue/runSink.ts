// The queue's RunSink: a worker trains a job with the sweep core's own trainBatch (../batch.ts),
// handing it this sink instead of a results folder. Eval records and run states go to the sweep's
// Redis Stream, checkpoints to the CheckpointStore (with the run's records up to their step), and
// what trainBatch reads back (the latest checkpoint and the records before it) comes from what the
// job loaded before it started. RunSink calls are synchronous: the Redis writes are queued on one
// connection (so they reach Redis in call order) and awaited by the StreamWriter's `flush()`.
import type Redis from 'ioredis';
import type { EvalRecord, RunSummary } from '../../store/types';
import type { RunSink } from '../sink';
import type { CheckpointStore, SavedCheckpoint } from './checkpoints';
import { encodeEvent, type StreamEntry } from './protocol';

/** Appends entries to one stream; `flush` waits for every write and throws the first failure. */
export class StreamWriter {
  private readonly pending = new Set<Promise<unknown>>();
  private failure: Error | null = null;

  /** `onFailure`: called once, at the first failed write (the job then stops early and is retried). */
  constructor(private readonly redis: Redis, readonly key: string, private readonly ttlSec: number, private readonly onFailure: (e: Error) => void = () => undefined) {}

  append(entry: StreamEntry): void {
    this.track(this.redis.xadd(this.key, '*', ...encodeEvent(entry)));
  }

  /** Waits for an async write, keeping its failure for `flush`. */
  track(p: Promise<unknown>): void {
    const tracked = p.catch((e: Error) => {
      if (this.failure) return;
      this.failure = e;
      this.onFailure(e);
    }).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  get failed(): Error | null { return this.failure; }

  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
    if (this.failure) throw this.failure;
    await this.redis.expire(this.key, this.ttlSec);
  }
}

export interface QueueRunSinkOptions {
  stream: StreamWriter;
  checkpoints: CheckpointStore;
  /** The runs' checkpoints loaded before the batch (null: none). */
  loaded: Map<string, SavedCheckpoint | null>;
  /** True once the worker is shutting down: 'stopped' states then mean "re-queued", not news. */
  shuttingDown: () => boolean;
  /** A checkpoint that could not be stored (over the size cap): reported once per job. */
  onSkipped: (runId: string, reason: string) => void;
}

/** The RunSink of one job on a worker. */
export class QueueRunSink implements RunSink {
  /** Each run's eval records of this job (the loaded ones, then the new ones). */
  private readonly records = new Map<string, EvalRecord[]>();
  private readonly latest = new Map<string, SavedCheckpoint>();

  constructor(private readonly opts: QueueRunSinkOptions) {
    for (const [id, ckpt] of opts.loaded) if (ckpt) this.latest.set(id, ckpt);
  }

  writeRunStatus(run: RunSummary): void {
    // A failure is the job's: BullMQ retries it, and the coordinator marks the runs failed only when
    // the job is out of attempts. A stop while shutting down is a re-queue, not a state to show.
    if (run.status === 'failed') return;
    if (run.status === 'stopped' && this.opts.shuttingDown()) return;
    const event: StreamEntry = { type: 'status', runId: run.id, status: run.status };
    if (run.stopReason) event.stopReason = run.stopReason;
    if (run.error) event.error = run.error;
    this.opts.stream.append(event);
  }

  appendMetrics(id: string, record: EvalRecord): void {
    this.runRecords(id).push(record);
    this.opts.stream.append({ type: 'metrics', runId: id, record });
  }

  saveCheckpoint(id: string, step: number, bytes: Uint8Array): void {
    const ckpt: SavedCheckpoint = { step, bytes: bytes.slice(), records: this.runRecords(id).filter((r) => r.step <= step) };
    this.latest.set(id, ckpt);
    this.opts.stream.track(this.opts.checkpoints.save(id, ckpt).then((r) => {
      if (!r.stored) this.opts.onSkipped(id, r.reason);
    }));
  }

  loadCheckpoint(id: string, step: number): Uint8Array {
    const ckpt = this.latest.get(id);
    if (!ckpt || ckpt.step !== step) throw new Error(`run ${id}: no checkpoint at step ${step} in this job`);
    return ckpt.bytes;
  }

  latestCheckpoint(id: string): number | null {
    return this.latest.get(id)?.step ?? null;
  }

  rewindMetrics(id: string, step: number): EvalRecord[] {
    const kept = (this.latest.get(id)?.records ?? []).filter((r) => r.step <= step);
    this.records.set(id, [...kept]);
    return kept;
  }

  private runRecords(id: string): EvalRecord[] {
    let list = this.records.get(id);
    if (!list) this.records.set(id, (list = []));
    return list;
  }
}
