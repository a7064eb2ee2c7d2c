// The worker side of the protocol: waits for `start`, runs the sweep with the given engine
// dependencies, obeys cancel/pause/resume, and exits after the final `done` message.
import { runSweep } from '../runner';
import { SweepControl } from '../control';
import type { SweepDeps } from '../deps';
import type { HostMessage, WorkerMessage } from './protocol';
import { createBatchedSender } from './sender';

export function serveWorker(deps: SweepDeps): void {
  if (!process.send) throw new Error('the sweep worker must be started with child_process.fork (it talks over IPC)');
  // `done` is the last message: exit once it is handed to the IPC channel.
  const post = (m: WorkerMessage): void => {
    const after = m.type === 'done' ? () => process.exit(0) : undefined;
    if (process.connected) process.send!(m, undefined, {}, after);
    else after?.();
  };
  const send = createBatchedSender(post);
  const control = new SweepControl();
  let started = false;

  process.on('message', (msg: HostMessage) => {
    switch (msg.type) {
      case 'start':
        if (started) return;
        started = true;
        void runSweep(msg.options, deps, send, control)
          .catch((e: Error) => {
            send({ type: 'error', message: e.message, cause: e.stack });
            send({ type: 'done', status: 'failed', outDir: null, error: e.message });
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
