// What the Grok view and the runs table show of a results folder: the sweep, its groups (runs that
// differ only in seed) and each run's status, regime, converged accuracies and stop reason.
// No vscode import (unit-tested).
import { basename } from 'node:path';
import type { RunParams, RunSummary } from '../../store/types';
import { outcomeOf } from '../../analysis/runs';
import type { TableRow } from '../../../webview/runsTable/protocol';
import { listRuns, readManifest } from '../results/store';

export type SweepState = 'running' | 'done' | 'unfinished' | 'failed' | 'empty';

export interface SweepOverview {
  dir: string;
  name: string;
  configPath: string | null;
  runs: RunSummary[];
  groups: RunGroupOverview[];
  /** Swept axes other than the seed, in manifest order. */
  axes: string[];
  counts: Record<RunSummary['status'], number>;
  state: SweepState;
}

export interface RunGroupOverview {
  key: string;
  label: string;
  params: RunParams;
  runs: RunSummary[];
}

const isSeed = (k: string) => k === 'seed' || k.endsWith('.seed');
export const shortAxis = (k: string) => k.slice(k.lastIndexOf('.') + 1);

export function paramsText(params: RunParams, keys = Object.keys(params)): string {
  return keys.map((k) => `${shortAxis(k)}=${String(params[k])}`).join(' ') || 'all runs';
}

/** Reads a results folder; `running`: a sweep is writing it now (this window or another). */
export function sweepOverview(dir: string, running = false): SweepOverview {
  const manifest = readManifest(dir);
  const runs = listRuns(dir);
  const axes: string[] = [];
  const seen = new Map<string, Set<string>>();
  for (const r of runs) for (const [k, v] of Object.entries(r.params)) (seen.get(k) ?? seen.set(k, new Set()).get(k)!).add(String(v));
  for (const [k, vs] of seen) if (!isSeed(k) && vs.size > 1) axes.push(k);
  const groups = new Map<string, RunGroupOverview>();
  for (const r of runs) {
    const params: RunParams = {};
    for (const k of axes) if (k in r.params) params[k] = r.params[k]!;
    const key = JSON.stringify(params);
    const g = groups.get(key) ?? { key, label: paramsText(params), params, runs: [] };
    g.runs.push(r);
    groups.set(key, g);
  }
  const counts = { pending: 0, running: 0, done: 0, stopped: 0, failed: 0 } as Record<RunSummary['status'], number>;
  for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const state: SweepState = running ? 'running'
    : !runs.length ? 'empty'
    : counts.done === runs.length ? 'done'
    : counts.failed > 0 && counts.failed + counts.done === runs.length ? 'failed'
    : 'unfinished';
  return { dir, name: manifest?.name ?? basename(dir), configPath: manifest?.configPath ?? null, runs, groups: [...groups.values()], axes, counts, state };
}

const pct = (v: number | undefined | null) => (v == null || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`);

/** One line about a run: status, regime, converged val/train accuracy, stop reason. */
export function runDescription(r: RunSummary): string {
  const parts: string[] = [r.status];
  if (r.regime) parts.push(r.regime);
  const o = outcomeOf(r);
  if (o) parts.push(`val ${pct(o.valAcc)} / train ${pct(o.trainAcc)}${o.moving ? ' (moving)' : ''}`);
  if (r.stopReason) parts.push(r.stopReason);
  if (r.error) parts.push(r.error.split('\n')[0]!);
  return parts.join(' · ');
}

/** A group's line: the regimes of its seeds and its mean converged validation accuracy. */
export function groupDescription(g: RunGroupOverview): string {
  const regimes = new Map<string, number>();
  for (const r of g.runs) if (r.regime) regimes.set(r.regime, (regimes.get(r.regime) ?? 0) + 1);
  const vals = g.runs.map((r) => outcomeOf(r)?.valAcc).filter((v): v is number => v != null);
  const done = g.runs.filter((r) => r.status === 'done').length;
  const parts = [[...regimes].map(([k, n]) => `${n}× ${k}`).join(', ') || 'no regime yet'];
  if (vals.length) parts.push(`val ${pct(vals.reduce((a, b) => a + b, 0) / vals.length)}`);
  parts.push(`${done}/${g.runs.length} done`);
  return parts.join(' · ');
}

export function sweepDescription(s: SweepOverview): string {
  const c = s.counts;
  const bits = [`${c.done}/${s.runs.length} done`];
  if (c.running) bits.push(`${c.running} running`);
  if (c.failed) bits.push(`${c.failed} failed`);
  if (c.stopped) bits.push(`${c.stopped} stopped`);
  return `${s.state === 'running' ? 'running · ' : ''}${bits.join(' · ')}`;
}

/** One row of the runs table: the table webview's own row type, shared by both sides. */
export type RunRow = TableRow;

export function runRows(s: SweepOverview): RunRow[] {
  return s.runs.map((r) => ({
    sweep: s.name, dir: s.dir, id: r.id, params: r.params, status: r.status, regime: r.regime,
    valAcc: r.final?.valAcc ?? null, trainAcc: r.final?.trainAcc ?? null, valLoss: r.final?.valLoss ?? null, trainLoss: r.final?.trainLoss ?? null,
    trainFitStep: r.steps.trainFit, valFitStep: r.steps.valFit, lastStep: r.steps.last, stopReason: r.stopReason ?? r.error?.split('\n')[0] ?? null,
  }));
}
