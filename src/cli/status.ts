// `grok status DIR`: a table of the sweep's runs (status, regime, step, final accuracies) and its
// critical data size estimates. Reads only; works while the sweep is running.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeHolder, readLock } from '../store/lock';
import { listRuns, readManifest, readSummary } from '../store/reader';
import { QUEUE_STATE_FILE } from '../sweep/queue/state';
import { formatCds, formatMemorization, formatRandomCount, formatSize } from '../analysis/format';
import type { RunSummary, Summary } from '../store/types';
import type { CliCommand } from './main';

export const statusCommand: CliCommand = {
  summary: 'show the runs of a results directory: status, regime, final accuracies',
  usage: [
    'Usage: grok status DIR [--json]',
    '',
    'Prints one row per run of the sweep in DIR: status, regime, last step, final train/val',
    'accuracy and why it stopped; then the steps trained in all, and per group the critical data',
    'size (with its bootstrap interval) and the memorization capacity, when known.',
    '',
    '  --json   print the runs as JSON (RunSummary[])',
  ].join('\n'),
  run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
    const [dir] = positionals;
    if (positionals.length !== 1 || dir === undefined) {
      console.error(`grok status: expected one DIR\n\n${statusCommand.usage}`);
      return 2;
    }
    const manifest = readManifest(dir);
    const runs = listRuns(dir);
    if (values.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    const summary = readSummary(dir);
    const writer = writerState(dir, summary);
    const shown = writer.interrupted ? runs.map(asInterrupted) : runs;
    console.log(`${manifest.name}: ${countBy(shown)}${writer.line ? `; ${writer.line}` : ''}`);
    console.log(formatTable(shown));
    console.log(`\nsteps trained: ${runs.reduce((n, r) => n + r.steps.last, 0)} over ${runs.length} runs`);
    const groups = summary ? formatGroups(summary) : '';
    if (groups) console.log(`\n${groups}`);
    return 0;
  },
};

/**
 * What summary.json's status means now. A sweep 'running' whose writer is gone (no lock, or a lock
 * whose process died: kill -9, a crash, a full disk) was interrupted; its runs resume with
 * `grok resume`. A sweep handed to queue workers (queue.json) has no local writer while it runs.
 */
function writerState(dir: string, summary: Summary | null): { line: string; interrupted: boolean } {
  const status = summary?.status;
  if (status !== 'running') return { line: status ? `sweep ${status}` : '', interrupted: false };
  const lock = readLock(dir);
  if (lock?.alive) return { line: `sweep running (written by ${describeHolder(lock.holder)})`, interrupted: false };
  if (existsSync(join(dir, QUEUE_STATE_FILE))) return { line: 'sweep running on queue workers (collect the results with `grok resume DIR`)', interrupted: false };
  const who = lock ? `its writer, ${describeHolder(lock.holder)}, is no longer running` : 'no process is writing it';
  return { line: `sweep interrupted (${who}); continue it with \`grok resume ${dir}\``, interrupted: true };
}

/** A run left 'running' by a writer that died: shown as interrupted (resume continues it from its checkpoint). */
function asInterrupted(run: RunSummary): RunSummary {
  return run.status === 'running' ? { ...run, status: 'stopped', stopReason: 'interrupted' } : run;
}

function countBy(runs: RunSummary[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return `${runs.length} runs (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')})`;
}

const acc = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));

export function formatTable(runs: RunSummary[]): string {
  const header = ['run', 'status', 'regime', 'step', 'train', 'val', 'stop'];
  const rows = runs.map((r) => [
    r.id, r.status, r.regime ?? '-', String(r.steps.last), acc(r.final?.trainAcc), acc(r.final?.valAcc),
    r.error ? `error: ${r.error}` : r.stopReason ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function groupName(group: Record<string, unknown>): string {
  return Object.entries(group).map(([k, v]) => `${k}=${v}`).join(' ') || '(all runs)';
}

export function formatGroups(summary: Summary): string {
  const cds = summary.criticalDataSize.map((c) => {
    return `critical data size ${groupName(c.group)}: ${formatCds(c)} (eps ${c.epsilon}, ${c.seeds} seeds)`;
  });
  const random = summary.randomCount
    ? summary.randomCount.accuracy.map((a) => `${summary.randomCount!.axis} ${groupName(a.group)}: ${formatRandomCount(a, summary.randomCount!.component)}`)
    : [];
  const mem = (summary.memorizationCapacity ?? []).map((m) => `memorization capacity ${groupName(m.group)}: ${formatMemorization(m)}`);
  const search = summary.search
    ? [`search over ${summary.search.axis}: ${summary.search.done ? 'done' : 'in progress'}`, ...summary.search.groups.map((g) =>
      `  ${groupName(g.params)}: bracket [${formatSize(g.lo)}, ${formatSize(g.hi)}], ${g.probes} probes, ${g.phase}` +
      (g.estimate ? `, ${formatCds(g.estimate)}` : ''))]
    : [];
  return [...cds, ...random, ...mem, ...search].join('\n');
}
