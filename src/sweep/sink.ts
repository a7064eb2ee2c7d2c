// Where a batch's records go: every eval, the checkpoints (and the rewind to one on resume), and
// each run's status. Two implementations, nothing shared between them but this interface:
//   the results folder   SweepStore (src/store/writer.ts): metrics.jsonl, ckpt-<step>.safetensors, status.json
//   the queue's stream   QueueRunSink (queue/runSink.ts): the sweep's Redis Stream and the workers' checkpoint store
// The calls are synchronous (trainBatch appends an eval before the next step); a sink that writes
// asynchronously queues the writes in call order and waits for them itself.
import type { EvalRecord, Manifest, RunSummary, Summary } from '../store/types';

export interface RunSink {
  /** One eval of a run, kept before the next training step. */
  appendMetrics(runId: string, record: EvalRecord): void;
  /** The run's latest checkpoint (the older ones may go). */
  saveCheckpoint(runId: string, step: number, bytes: Uint8Array): void;
  loadCheckpoint(runId: string, step: number): Uint8Array;
  /** Step of the run's latest checkpoint, or null. */
  latestCheckpoint(runId: string): number | null;
  /**
   * Makes the run's records agree with a restart from `step` (-1: from scratch): records after it
   * are dropped (they will be computed again). Returns the kept ones.
   */
  rewindMetrics(runId: string, step: number): EvalRecord[];
  writeRunStatus(run: RunSummary): void;
}

/** The sweep-wide files: only where the whole sweep is kept (the results folder), not on a queue worker. */
export interface SweepFiles {
  writeManifest(manifest: Manifest): void;
  writeSummary(summary: Summary): void;
}
