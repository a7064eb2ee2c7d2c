// Host side of the sweep worker: used by the CLI and by the VS Code extension (no `vscode` import
// here). Training always runs in a separate process (dist/worker.js), never in the host.
//
//   const sweep = startSweep({ configPath: 'examples/sweep-small.grok.json' });
//   sweep.on('started', (s) => ...).on('progress', (p) => ...).on('runFinished', (m) => ...);
//   sweep.cancel();                    // stops within one eval interval; results so far are kept
//   const { status, outDir, error } = await sweep.done;   // never rejects
//
// `done` resolves with status 'done' | 'stopped' (cancelled) | 'failed'. A worker that crashes, is
// killed or runs out of memory resolves it with 'failed' and an `error` naming the cause (exit code
// or signal, and the tail of its stderr), after an 'error' event.
import { fork, type ChildProcess } from 'node:child_process';
import { distAsset } from '../../util/assets';
import { SweepEmitter, type SweepHandle, type SweepResult } from '../events';
import type { SweepOptions } from '../options';
import type { HostMessage, WorkerMessage } from './protocol';

export interface StartSweepOptions extends SweepOptions {
  /** The worker script (default dist/worker.js). Tests pass a worker wired to a fake engine. */
  workerPath?: string;
  /** Node flags for the worker process (e.g. ['--max-old-space-size=4096']). */
  execArgv?: string[];
  /** Environment of the worker (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

const STDERR_TAIL_CHARS = 4000;

class WorkerSweep extends SweepEmitter implements SweepHandle {
  readonly done: Promise<SweepResult>;
  private readonly child: ChildProcess;
  private outputTail = '';
  private finished: SweepResult | null = null;
  private outDir: string | null = null;

  constructor(options: StartSweepOptions) {
    super();
    const { workerPath, execArgv, env, ...sweepOptions } = options;
    this.child = fork(workerPath ?? distAsset('worker.js'), [], {
      silent: true, // own stdout/stderr: their tail explains a crash
      execArgv: execArgv ?? [],
      env: env ?? process.env,
      serialization: 'advanced',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => { this.outputTail = (this.outputTail + chunk).slice(-STDERR_TAIL_CHARS); });
    }
    this.done = new Promise<SweepResult>((resolve) => {
      this.child.on('message', (m: WorkerMessage) => {
        if (m.type === 'started') this.outDir = m.outDir;
        if (m.type === 'done') this.finished = { status: m.status, outDir: m.outDir, ...(m.error ? { error: m.error } : {}) };
        this.deliver(m);
      });
      this.child.on('error', (e) => this.crashed(resolve, `could not run the sweep worker: ${e.message}`));
      this.child.on('exit', (code, signal) => {
        if (this.finished) resolve(this.finished);
        else this.crashed(resolve, describeExit(code, signal, this.outputTail));
      });
    });
    this.send({ type: 'start', options: sweepOptions });
  }

  get pid(): number | undefined { return this.child.pid; }

  cancel(): void { this.send({ type: 'cancel' }); }
  pause(): void { this.send({ type: 'pause' }); }
  resume(): void { this.send({ type: 'resume' }); }

  private send(m: HostMessage): void {
    if (this.child.connected) this.child.send(m);
  }

  private crashed(resolve: (r: SweepResult) => void, message: string): void {
    if (this.finished) return;
    const tail = this.outputTail.trim();
    this.finished = { status: 'failed', outDir: this.outDir, error: message };
    this.deliver({ type: 'error', message, ...(tail ? { cause: tail } : {}) });
    resolve(this.finished);
  }
}

/** Why a worker process ended without finishing its sweep. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, output: string): string {
  const outOfMemory = /heap out of memory|Allocation failed|Cannot allocate memory|RangeError: Array buffer allocation failed|WebAssembly.Memory/i.test(output);
  let what: string;
  if (outOfMemory) what = `ran out of memory (${signal ?? `exit code ${code}`}); try fewer runs per batch or a smaller model`;
  else if (signal === 'SIGKILL') what = 'was killed (SIGKILL; the system may have run out of memory)';
  else if (signal) what = `was killed by ${signal}`;
  else what = `exited with code ${code} before finishing`;
  // V8's native stack frames after a fatal error say nothing to a user: keep the message lines.
  const lastLines = output.trim().split('\n').filter((l) => !/^\s*\d+: 0x[0-9a-f]+|Native stack trace/.test(l)).slice(-8).join('\n');
  return `the sweep worker ${what}` + (lastLines ? `\n--- last output of the worker ---\n${lastLines}` : '');
}

export function startSweep(options: StartSweepOptions): SweepHandle {
  return new WorkerSweep(options);
}
