// The worker side of the IPC: waits for `start`, runs the sweep core with the given engine
// dependencies, obeys cancel/pause/resume, sends every SweepEvent to the host, and exits after `done`.
import { SweepControl } from '../control';
import type { SweepDeps } from '../deps';
import { runSweep } from '../runner';
import type { HostMessage, WorkerMessage } from './protocol';

export function serveWorker(deps: SweepDeps): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('the sweep worker must be started with child_process.fork (it talks over IPC)');
  // `done` is the last message: exit once it is handed to the IPC channel.
  const post = (m: WorkerMessage): void => {
    const after = m.type === 'done' ? () => process.exit(0) : undefined;
    if (process.connected) send(m, undefined, {}, after);
    else after?.();
  };
  const control = new SweepControl();
  let started = false;

  process.on('message', (msg: HostMessage) => {
    switch (msg.type) {
      case 'start':
        if (started) return;
        started = true;
        void runSweep(msg.options, deps, post, control).catch((e: Error) => {
          post({ type: 'error', message: e.message, ...(e.stack ? { cause: e.stack } : {}) });
          post({ type: 'done', status: 'failed', outDir: null, error: e.message });
        });
        break;
      case 'cancel': control.cancel(); break;
      case 'pause': control.pause(); break;
      case 'resume': control.resume(); break;
    }
  });
  // The host went away (window closed, CLI killed), or Ctrl-C in the terminal (which signals the
  // whole process group): stop like a cancel, keeping everything so far.
  process.on('disconnect', () => control.cancel());
  process.on('SIGINT', () => control.cancel());
  process.on('SIGTERM', () => control.cancel());
}
