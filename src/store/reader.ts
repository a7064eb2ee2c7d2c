// Read side of the results store, for the extension, `grok status`/`export` and the report.
// Everything here tolerates a sweep that is being written at the same time.
import { existsSync, readFileSync } from 'node:fs';
import { readJsonl } from './jsonl';
import { manifestPath, metricsPath, statusPath, summaryPath } from './layout';
import type { EvalRecord, Manifest, RunSummary, Summary } from './types';

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${path}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

export function isSweepDir(dir: string): boolean {
  return existsSync(manifestPath(dir));
}

export function readManifest(dir: string): Manifest {
  if (!isSweepDir(dir)) throw new Error(`${dir}: not a sweep directory (no manifest.json)`);
  return readJson<Manifest>(manifestPath(dir), 'manifest');
}

/** summary.json, or null before the first one is written (or when it is damaged: writers rewrite it). */
export function readSummary(dir: string): Summary | null {
  const p = summaryPath(dir);
  if (!existsSync(p)) return null;
  try {
    return readJson<Summary>(p, 'summary');
  } catch {
    return null;
  }
}

/** Every complete eval record of one run (a torn last line, mid-write, is skipped). */
export function readRunMetrics(dir: string, id: string): EvalRecord[] {
  return readJsonl<EvalRecord>(metricsPath(dir, id)).records;
}

/** The run's status.json, or null if the run has not started (or the file is damaged). */
export function readRunStatus(dir: string, id: string): RunSummary | null {
  return readRunStatusChecked(dir, id).status;
}

const RUN_STATUSES = new Set(['pending', 'running', 'done', 'stopped', 'failed']);

/** The run's status.json and, when it cannot be used, why (`damage`); status is then null. */
export function readRunStatusChecked(dir: string, id: string): { status: RunSummary | null; damage?: string } {
  const p = statusPath(dir, id);
  if (!existsSync(p)) return { status: null };
  let value: Partial<RunSummary>;
  try {
    value = JSON.parse(readFileSync(p, 'utf8')) as Partial<RunSummary>;
  } catch (e) {
    return { status: null, damage: `is not valid JSON (${(e as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || !RUN_STATUSES.has(String(value.status)) || typeof value.steps?.last !== 'number') {
    return { status: null, damage: 'is not a run status (no valid "status" and "steps")' };
  }
  return { status: value as RunSummary };
}

/**
 * Every run of the sweep, in manifest order, with its latest known state. A run whose status.json
 * is damaged is shown as stopped, with the last step of its metrics and the damage as its reason:
 * one damaged run does not make the folder unreadable (the next writer repairs it).
 */
export function listRuns(dir: string): RunSummary[] {
  const manifest = readManifest(dir);
  return manifest.runs.map((r) => {
    const { status, damage } = readRunStatusChecked(dir, r.id);
    if (status) return status;
    if (!damage) return pendingRun(r.id, r.params);
    const last = readRunMetrics(dir, r.id).at(-1)?.step ?? 0;
    return { ...pendingRun(r.id, r.params), status: 'stopped', stopReason: `damaged: status.json ${damage}; resume repairs it`, steps: { trainFit: null, valFit: null, last } };
  });
}

export function pendingRun(id: string, params: RunSummary['params']): RunSummary {
  return { id, params, status: 'pending', regime: null, final: null, steps: { trainFit: null, valFit: null, last: 0 } };
}
