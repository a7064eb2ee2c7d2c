// The messages between the host (CLI or VS Code extension) and the sweep worker process, over
// Node's IPC channel (child_process.fork). The one definition both sides use.
import type { EvalRecord, RunSummary, SweepStatus } from '../../store/types';

export type Device = 'cpu' | 'gpu' | 'auto';

export interface SweepOptions {
  /** The *.grok.json file. Needed for a new sweep; `resume` runs may give only outDir. */
  configPath?: string;
  /** Results directory (default `.grok/<name>/` next to the config file). */
  outDir?: string;
  /** Engine threads (default: available cores). Results do not depend on it. */
  threads?: number;
  device?: Device;
  /** false = --no-early-stop (recorded in the manifest's config). */
  earlyStop?: boolean;
  /** Start over even if the directory holds a sweep of a different config (the old one is moved aside). */
  fresh?: boolean;
  /** Resume (outDir only) although the config file the sweep came from changed since (the stored config is trained). */
  ignoreConfigChange?: boolean;
  /** Memory budget of one lock-step batch, in bytes (default: from the machine's memory). */
  memoryBudget?: number;
  /** Who writes the results folder, as its lock names the holder ("grok sweep", "the extension"). */
  writer?: string;
}

// host -> worker
export type HostMessage =
  | { type: 'start'; options: SweepOptions }
  | { type: 'cancel' }
  | { type: 'pause' }
  | { type: 'resume' };

export interface ProgressInfo {
  runsDone: number;
  runsTotal: number;
  /** Model-steps per second over all models training now (a lock-step step of M models counts M). */
  stepsPerSec: number;
  /** Seconds left if every unfinished run trains to its last step (early stop makes it shorter); null before a rate is known. */
  etaSec: number | null;
  paused: boolean;
}

export interface RunMetrics { runId: string; records: EvalRecord[] }

// worker -> host
export type WorkerMessage =
  | { type: 'started'; outDir: string; name: string; runsTotal: number; runsDone: number; resumed: boolean }
  | ({ type: 'progress' } & ProgressInfo)
  /** Eval records since the last metrics message, batched (at most a few messages a second). */
  | { type: 'metrics'; runs: RunMetrics[] }
  | { type: 'runFinished'; run: RunSummary }
  | { type: 'error'; message: string; runId?: string; cause?: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The last message of a sweep: the worker exits after it. */
  | { type: 'done'; status: SweepStatus; outDir: string | null; error?: string };

export const METRICS_INTERVAL_MS = 250;
export const PROGRESS_INTERVAL_MS = 500;
