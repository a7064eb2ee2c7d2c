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

/** summary.json, or null before the first one is written. */
export function readSummary(dir: string): Summary | null {
  const p = summaryPath(dir);
  return existsSync(p) ? readJson<Summary>(p, 'summary') : null;
}

/** Every complete eval record of one run (a torn last line, mid-write, is skipped). */
export function readRunMetrics(dir: string, id: string): EvalRecord[] {
  return readJsonl<EvalRecord>(metricsPath(dir, id)).records;
}

/** The run's status.json, or null if the run has not started. */
export function readRunStatus(dir: string, id: string): RunSummary | null {
  const p = statusPath(dir, id);
  return existsSync(p) ? readJson<RunSummary>(p, 'run status') : null;
}

/** Every run of the sweep, in manifest order, with its latest known state. */
export function listRuns(dir: string): RunSummary[] {
  const manifest = readManifest(dir);
  return manifest.runs.map((r) => readRunStatus(dir, r.id) ?? pendingRun(r.id, r.params));
}

export function pendingRun(id: string, params: RunSummary['params']): RunSummary {
  return { id, params, status: 'pending', regime: null, final: null, steps: { trainFit: null, valFit: null, last: 0 } };
}
