// Read side of the results store, for the extension, `grok status`/`export` and the report.
// Everything here tolerates a sweep that is being written at the same time.
// An error in a store file is one line naming the file, the field and the reason (a StoreError:
// the user's to fix, so the CLI shows it without a stack trace).
import { existsSync, readFileSync } from 'node:fs';
import { checkConfigValue } from '../config/load';
import { formatPath, type ConfigProblem } from '../config/errors';
import { environmentMessage, UsageError, UserError } from '../util/userError';
import { readJsonl } from './jsonl';
import { manifestPath, metricsPath, statusPath, summaryPath } from './layout';
import type { EvalRecord, Manifest, RunSummary, Summary } from './types';

/** A store file that cannot be used: `file: field: reason`. */
export class StoreError extends UserError {
  constructor(readonly file: string, readonly field: string, readonly reason: string) {
    super(`${file}: ${field ? `${field}: ` : ''}${reason}`);
  }
}

function readJsonText(path: string, what: string): { text: string; value: unknown } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StoreError(path, '', `cannot read the ${what} (${environmentMessage(e) ?? (e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (e) {
    throw new StoreError(path, '', `the ${what} is damaged: not valid JSON (${(e as Error).message}); restore it from a copy, or train the sweep again into a new folder (--out DIR)`);
  }
}

function readJson<T>(path: string, what: string): T {
  return readJsonText(path, what).value as T;
}

/** Bad usage: the folder given is not a results folder. */
function notSweepDir(dir: string): UsageError {
  const why = existsSync(dir) ? 'no manifest.json' : 'no such folder';
  return new UsageError(`${dir}: not a results folder (${why}); give the folder a sweep wrote, e.g. .grok/<name>/ next to the experiment file`);
}

export function isSweepDir(dir: string): boolean {
  return existsSync(manifestPath(dir));
}

/** The texts of manifests that passed validation, per file: an unchanged manifest is not checked again. */
const validManifests = new Map<string, string>();

export function readManifest(dir: string): Manifest {
  if (!isSweepDir(dir)) throw notSweepDir(dir);
  const path = manifestPath(dir);
  const { text, value } = readJsonText(path, 'manifest');
  if (validManifests.get(path) !== text) {
    const problem = manifestProblem(value);
    if (problem) throw new StoreError(path, problem.field, `${problem.reason}; the manifest was edited or damaged: restore it, or start the sweep again with \`grok sweep CONFIG --fresh\` (the old results are kept, moved aside)`);
    validManifests.set(path, text);
  }
  return value as Manifest;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * What makes a manifest unusable by the readers and the runner (the first problem, or null): its
 * own fields, every run's id and params, and the stored config (schema, sweep axes and values: what
 * expanding and analysing it needs; not the data files, which may have moved since). `config: false`:
 * only the manifest's own fields and runs (what following the runs' files needs).
 */
export function manifestProblem(m: unknown, opts: { config?: boolean } = {}): { field: string; reason: string } | null {
  if (!isObject(m)) return { field: '', reason: 'expected a JSON object' };
  for (const key of ['name', 'configHash'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') return { field: key, reason: `expected a non-empty string, found ${describe(m[key])}` };
  }
  if (m.configPath !== undefined && typeof m.configPath !== 'string') return { field: 'configPath', reason: `expected a string, found ${describe(m.configPath)}` };
  if (!Array.isArray(m.runs)) return { field: 'runs', reason: `expected an array of runs, found ${describe(m.runs)}` };
  const ids = new Set<string>();
  for (let i = 0; i < m.runs.length; i++) {
    const run: unknown = m.runs[i];
    if (!isObject(run)) return { field: `runs[${i}]`, reason: `expected a run { id, params }, found ${describe(run)}` };
    // An id names the run's folder under runs/: no separators, nothing that leaves the results folder.
    if (typeof run.id !== 'string' || !/^[^/\\\0]+$/.test(run.id) || run.id === '.' || run.id === '..') return { field: `runs[${i}].id`, reason: `expected a run id (a folder name under runs/), found ${describe(run.id)}` };
    if (ids.has(run.id)) return { field: `runs[${i}].id`, reason: `duplicate run id ${JSON.stringify(run.id)}` };
    ids.add(run.id);
    if (!isObject(run.params)) return { field: `runs[${i}].params`, reason: `expected an object of sweep values, found ${describe(run.params)}` };
    for (const [k, v] of Object.entries(run.params)) {
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') return { field: `runs[${i}].params${formatPath([k]).replace(/^(?!\[)/, '.')}`, reason: `expected a number, string or boolean, found ${describe(v)}` };
    }
  }
  if (opts.config === false) return null;
  if (!isObject(m.config)) return { field: 'config', reason: `expected the sweep's config object, found ${describe(m.config)}` };
  const check = checkConfigValue(m.config);
  if (!check.ok) return configProblem(check.problems);
  return null;
}

function configProblem(problems: ConfigProblem[]): { field: string; reason: string } {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in the config)` : '';
  return { field: `config${formatPath(first.path).replace(/^(?=[^[])/, '.')}`, reason: `${first.message}${more}` };
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  const json = JSON.stringify(x) ?? String(x);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** summary.json, or null before the first one is written (or when it is damaged: writers rewrite it). */
export function readSummary(dir: string): Summary | null {
  const p = summaryPath(dir);
  if (!existsSync(p)) return null;
  try {
    const value = readJson<unknown>(p, 'summary');
    return summaryProblem(value) ? null : value as Summary;
  } catch {
    return null;
  }
}

/** Why a summary.json cannot be read as one (its readers index these fields), or null. */
export function summaryProblem(s: unknown): string | null {
  if (!isObject(s)) return 'expected a JSON object';
  for (const key of ['runs', 'criticalDataSize', 'memorizationCapacity'] as const) {
    if (s[key] !== undefined && !(Array.isArray(s[key]) && (s[key] as unknown[]).every(isObject))) return `${key}: expected an array of objects`;
  }
  if (s.status !== undefined && typeof s.status !== 'string') return 'status: expected a string';
  if (s.search !== undefined && !isObject(s.search)) return 'search: expected an object';
  return null;
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
  const field = runStatusFieldProblem(value);
  if (field) return { status: null, damage: `is not a run status (${field})` };
  return { status: value as RunSummary };
}

/** The first field of a status.json that its readers could not use, or null. */
function runStatusFieldProblem(v: Partial<RunSummary>): string | null {
  const optionalString = (x: unknown) => x === undefined || x === null || typeof x === 'string';
  if (!optionalString(v.regime)) return '"regime": expected a string or null';
  if (!optionalString(v.stopReason)) return '"stopReason": expected a string';
  if (!optionalString(v.error)) return '"error": expected a string';
  if (v.final !== undefined && v.final !== null && !isObject(v.final)) return '"final": expected an object or null';
  if (!isObject(v.steps)) return '"steps": expected an object';
  return null;
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
