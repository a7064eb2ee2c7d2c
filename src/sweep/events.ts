// The one event stream of a running sweep. A local run, the forked worker (over IPC), the queue
// worker and the queue coordinator all emit these; the CLI and the extension consume them through a
// SweepHandle. Eval records are not events: they go to the results folder (RunSink), and live views
// tail it (src/store/tail.ts).
import { EventEmitter } from 'node:events';
import type { RunSummary, SweepStatus } from '../store/types';
import { isUserCaused, userMessage } from '../util/userError';

export { UserError } from '../util/userError';

export interface ProgressInfo {
  runsDone: number;
  runsTotal: number;
  /** Model-steps per second over all models training now (a lock-step step of M models counts M). */
  stepsPerSec: number;
  /** Seconds left if every unfinished run trains to its last step (early stop makes it shorter); null before a rate is known. */
  etaSec: number | null;
  paused: boolean;
}

/** What trains the sweep: the engine's device (with the GPU adapter), or a queue's workers. */
export interface TrainingDevice {
  kind: 'cpu' | 'gpu' | 'queue';
  /** For people: "GPU: <adapter> (...)", "CPU (why)", "the workers of queue grok at redis://...". */
  description: string;
  /** The GPU adapter (vendor / architecture / device), when a GPU trains. */
  adapter?: string;
}

export type LogLevel = 'info' | 'warn' | 'error';

export type SweepEvent =
  | { type: 'started'; outDir: string; name: string; runsTotal: number; runsDone: number; resumed: boolean; device: TrainingDevice }
  /** The device changed after `started`: --device auto measured the first batch and chose, or a GPU failure moved the sweep to the CPU. */
  | { type: 'device'; device: TrainingDevice }
  | ({ type: 'progress' } & ProgressInfo)
  | { type: 'runFinished'; run: RunSummary }
  | { type: 'error'; message: string; runId?: string; cause?: string }
  | { type: 'log'; level: LogLevel; message: string }
  /** The last event of a sweep. 'running': submitted to a queue and left to its workers (--detach). */
  | { type: 'done'; status: SweepStatus; outDir: string | null; error?: string };

export type SweepEventOf<T extends SweepEvent['type']> = Extract<SweepEvent, { type: T }>;
export type SweepListeners = { [T in SweepEvent['type']]: (event: SweepEventOf<T>) => void };
export type Emit = (event: SweepEvent) => void;

/** Progress events are sent at most this often. */
export const PROGRESS_INTERVAL_MS = 500;

export interface SweepResult {
  status: SweepStatus;
  /** The results directory (null when the sweep failed before creating it). */
  outDir: string | null;
  error?: string;
}

/** A sweep in progress, whatever runs it (the forked worker, or a queue coordinator). */
export interface SweepHandle {
  on<E extends keyof SweepListeners>(event: E, listener: SweepListeners[E]): this;
  off<E extends keyof SweepListeners>(event: E, listener: SweepListeners[E]): this;
  /** Stop after the current step: active runs are checkpointed and marked 'stopped'. */
  cancel(): void;
  pause(): void;
  resume(): void;
  /** Never rejects: a failure resolves with status 'failed' and its error. */
  readonly done: Promise<SweepResult>;
  /** The training process's id, where there is one here (for diagnostics, and a second Ctrl-C). */
  readonly pid: number | undefined;
}

/** The typed event emitter of a SweepHandle. */
export class SweepEmitter extends EventEmitter {
  override on<E extends keyof SweepListeners>(event: E, listener: SweepListeners[E]): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof SweepListeners>(event: E, listener: SweepListeners[E]): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  /** Hands an event to its listeners. Errors also reach `done`: one nobody listens to is dropped (EventEmitter would throw). */
  deliver(event: SweepEvent): void {
    if (event.type === 'error' && this.listenerCount('error') === 0) return;
    this.emit(event.type, event);
  }
}

/** `emit` for progress events, at most every `intervalMs` unless forced. */
export function throttledProgress(emit: (p: ProgressInfo) => void, intervalMs = PROGRESS_INTERVAL_MS): (snapshot: () => ProgressInfo, force?: boolean) => void {
  let last = 0;
  return (snapshot, force = false) => {
    const now = Date.now();
    if (!force && now - last < intervalMs) return;
    last = now;
    emit(snapshot());
  };
}

/**
 * An `error` event: a user's mistake (bad config, wrong directory, full disk, unusable queue)
 * without a stack trace, anything else with its stack as the cause.
 */
export function errorEvent(e: unknown, runId?: string, context?: string): SweepEventOf<'error'> {
  const err = e instanceof Error ? e : new Error(String(e));
  const text = userMessage(err);
  const message = context ? `${context}: ${text}` : text;
  const event: SweepEventOf<'error'> = { type: 'error', message };
  if (runId) event.runId = runId;
  const userCaused = isUserCaused(err) || err.name === 'QueueConnectionError';
  if (!userCaused && err.stack) event.cause = err.stack;
  return event;
}
