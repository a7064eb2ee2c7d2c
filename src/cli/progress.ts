// Shows a running sweep on stderr: a one-line progress bar on a terminal (runs done, steps/s,
// ETA), plain lines otherwise; one line per finished run; errors with their cause. Ctrl-C cancels
// (the worker checkpoints and keeps everything), a second Ctrl-C stops at once.
import type { ProgressInfo, SweepHandle, SweepResult } from '../sweep/events';
import type { DevicePreference } from '../trainer/engine/device';
import { join } from 'node:path';
import { readSummary } from '../store/reader';
import type { RunSummary, Summary } from '../store/types';
import { formatGroups } from './status';

const PLAIN_EVERY_MS = 10_000;
const BAR_WIDTH = 24;

export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLine(p: ProgressInfo, bar: boolean): string {
  const frac = p.runsTotal ? p.runsDone / p.runsTotal : 0;
  const filled = Math.round(frac * BAR_WIDTH);
  const head = bar ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
  return `${head}${p.runsDone}/${p.runsTotal} runs  ${Math.round(p.stepsPerSec)} steps/s  ETA ${formatDuration(p.etaSec)}${p.paused ? '  (paused)' : ''}`;
}

export function runLine(run: RunSummary): string {
  const acc = run.final ? `train ${run.final.trainAcc.toFixed(3)}  val ${run.final.valAcc.toFixed(3)}` : 'no evals';
  const why = run.error ? `: ${run.error}` : run.stopReason ? ` (${run.stopReason})` : '';
  return `${run.status.padEnd(7)} ${run.id}  step ${run.steps.last}  ${acc}${run.regime ? `  ${run.regime}` : ''}${why}`;
}

export interface FollowOptions {
  stream?: NodeJS.WriteStream;
  /** Handle SIGINT (the CLI does; tests do not). */
  handleSigint?: boolean;
}

/** Follows the sweep until it ends; resolves to its result. */
export function followSweep(sweep: SweepHandle, options: FollowOptions = {}): Promise<SweepResult> {
  const out = options.stream ?? process.stderr;
  const tty = Boolean(out.isTTY);
  const startedAt = Date.now();
  let barShown = false;
  let lastPlain = 0;
  const print = (line: string): void => {
    if (barShown) out.write('\r\x1b[2K');
    out.write(line + '\n');
    barShown = false;
  };

  sweep.on('started', (m) => {
    if (m.device.kind !== 'queue') print(`grok: training on ${m.device.description}`);
    print(`grok: ${m.resumed ? 'resuming' : 'running'} ${m.name}: ${m.runsTotal} runs (${m.runsDone} already done) -> ${m.outDir}`);
  });
  sweep.on('log', (m) => print(`grok: ${m.message}`));
  sweep.on('runFinished', (m) => print(`  ${runLine(m.run)}`));
  // A stack trace (an internal error's cause) only with --debug: one line otherwise.
  sweep.on('error', (m) => print(`grok: error${m.runId ? ` in run ${m.runId}` : ''}: ${m.message}${m.cause
    ? process.env.GROK_DEBUG === '1' ? `\n${m.cause}` : ' (an internal error: run again with --debug for its stack trace)' : ''}`));
  sweep.on('progress', (p) => {
    if (tty) {
      out.write(`\r\x1b[2K${progressLine(p, true)}`);
      barShown = true;
    } else if (Date.now() - lastPlain >= PLAIN_EVERY_MS) {
      lastPlain = Date.now();
      out.write(`grok: ${progressLine(p, false)}\n`);
    }
  });

  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      print('grok: stopping after the current step (results so far are kept); Ctrl-C again to stop at once');
      sweep.cancel();
    } else {
      if (sweep.pid) process.kill(sweep.pid, 'SIGKILL');
    }
  };
  if (options.handleSigint) process.on('SIGINT', onSigint);
  return sweep.done.then((result) => {
    if (options.handleSigint) process.off('SIGINT', onSigint);
    if (barShown) out.write('\n');
    if (result.outDir) {
      let summary: Summary | null = null;
      try { summary = readSummary(result.outDir); } catch { /* a torn or missing summary: no closing lines */ }
      if (summary) print(closingLines(summary, result.status, (Date.now() - startedAt) / 1000, join(result.outDir, 'summary.json')));
    }
    return result;
  });
}

/** What a finished (or stopped) sweep prints last: counts, steps trained, wall time, D_crit / D_mem. */
export function closingLines(summary: Summary, status: string, wallSec: number, summaryPath: string): string {
  const done = summary.runs.filter((r) => r.status === 'done').length;
  const steps = summary.runs.reduce((n, r) => n + r.steps.last, 0);
  const groups = formatGroups(summary);
  return `grok: sweep ${status} in ${formatDuration(wallSec)}: ${done}/${summary.runs.length} runs done, ${steps} steps trained; ${summaryPath}` +
    (groups ? `\n${groups}` : '');
}

/** Exit code of a finished sweep: 0 done, 130 stopped (cancelled), 1 failed. */
export function exitCodeOf(result: SweepResult): number {
  return result.status === 'done' ? 0 : result.status === 'stopped' ? 130 : 1;
}

const DEVICES: readonly DevicePreference[] = ['cpu', 'gpu', 'auto'];

/** --threads and --device of `grok sweep`, `grok resume` and `grok worker`; throws a usage message when invalid. */
export function parseEngineFlags(values: { threads?: string; device?: string }): { threads: number | undefined; device: DevicePreference } {
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`--threads: expected a whole number >= 1, got "${values.threads}"`);
  }
  const device = (values.device ?? 'auto') as DevicePreference;
  if (!DEVICES.includes(device)) throw new Error(`--device: expected cpu, gpu or auto, got "${values.device}"`);
  return { threads, device };
}
