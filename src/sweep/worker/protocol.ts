// The IPC between the host (CLI or VS Code extension) and the forked sweep worker: commands one
// way, the sweep's events (../events.ts) the other. Eval records do not travel here: the worker
// writes them to the results folder, which the host tails (src/store/tail.ts).
import type { SweepEvent } from '../events';
import type { SweepOptions } from '../options';

/** host -> worker */
export type HostMessage =
  | { type: 'start'; options: SweepOptions }
  | { type: 'cancel' }
  | { type: 'pause' }
  | { type: 'resume' };

/** worker -> host: the sweep's events, `done` last (the worker exits after it). */
export type WorkerMessage = SweepEvent;
