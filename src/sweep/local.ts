// The local front-end: a sweep in this process, as a SweepHandle (the same interface as the forked
// worker's client and the queue coordinator). For tests, scripts and embedding; the CLI and the
// extension train in the forked worker (worker/client.ts) so that a crash cannot take them down.
import { SweepControl } from './control';
import type { SweepDeps } from './deps';
import { SweepEmitter, type SweepHandle, type SweepResult } from './events';
import type { SweepOptions } from './options';
import { runSweep } from './runner';

class LocalSweep extends SweepEmitter implements SweepHandle {
  readonly done: Promise<SweepResult>;
  readonly pid = process.pid;
  private readonly control = new SweepControl();

  constructor(options: SweepOptions, deps: SweepDeps) {
    super();
    let result: SweepResult = { status: 'failed', outDir: null, error: 'the sweep ended without a result' };
    // Start on the next turn: the caller attaches its listeners first.
    this.done = new Promise<void>((r) => setImmediate(r))
      .then(() => runSweep(options, deps, (e) => {
        if (e.type === 'done') result = { status: e.status, outDir: e.outDir, ...(e.error ? { error: e.error } : {}) };
        this.deliver(e);
      }, this.control))
      .then(() => result, (e: Error) => ({ status: 'failed', outDir: null, error: e.message }));
  }

  cancel(): void { this.control.cancel(); }
  pause(): void { this.control.pause(); }
  resume(): void { this.control.resume(); }
}

export function startLocalSweep(options: SweepOptions, deps: SweepDeps): SweepHandle {
  return new LocalSweep(options, deps);
}
