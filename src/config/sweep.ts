// Sweep expansion: the grid product of the axes, one resolved config per run, with stable
// readable ids; and the config hash that identifies results.
import { createHash } from 'node:crypto';
import type { PathSegment } from './errors';
import { dataSizeSibling, isDataSizePath, namesDiscriminator, parseDottedPath, withValueAtPath } from './paths';
import { ConfigSchema, type ExperimentConfig, type SweepValue } from './schema';

export { resolvedTrainSize } from './trainSize';

export interface RunPlan {
  /** Filesystem-safe, readable, unique within the sweep, e.g. `dModel16_trainSize1000_seed0`. */
  id: string;
  /** Position in the grid (last axis fastest). */
  index: number;
  /** Axis path → this run's value, e.g. `{ "model.dModel": 16, seed: 0 }`. */
  params: Record<string, SweepValue>;
  /** The resolved config of this run (its `sweep` is empty). */
  config: ExperimentConfig;
}

export interface SweepAxis {
  key: string;
  path: PathSegment[];
  values: SweepValue[];
}

export function sweepAxes(config: Pick<ExperimentConfig, 'sweep'>): SweepAxis[] {
  return Object.entries(config.sweep).map(([key, values]) => ({ key, path: parseDottedPath(key), values }));
}

export function runCount(config: Pick<ExperimentConfig, 'sweep'>): number {
  return sweepAxes(config).reduce((n, a) => n * a.values.length, 1);
}

/** The value index on each axis of grid position `index` (last axis fastest). */
export function axisValueIndices(axes: readonly SweepAxis[], index: number): number[] {
  const out = new Array<number>(axes.length);
  for (let a = axes.length - 1; a >= 0; a--) {
    const size = axes[a]!.values.length;
    out[a] = index % size;
    index = Math.floor(index / size);
  }
  return out;
}

/**
 * A run's config with the field at `path` set to `value`, not yet re-validated, and without the
 * sweep (a run sweeps nothing; copying the axes per value made validation quadratic). Setting a
 * data size clears its alternative (trainSize ↔ trainFraction), so the axis wins over the base.
 * Only the objects on the path are copied.
 */
export function withFieldValue(config: ExperimentConfig, path: readonly PathSegment[], value: SweepValue): Record<string, unknown> {
  return withField({ ...config, sweep: {} }, path, value);
}

function withField(config: Record<string, unknown>, path: readonly PathSegment[], value: SweepValue): Record<string, unknown> {
  const copy = withValueAtPath(config, path, value);
  return isDataSizePath(path) ? withValueAtPath(copy, dataSizeSibling(path), undefined) : copy;
}

/**
 * One run per point of the grid, for a validated config (whose sweep values each passed
 * validation). Runs are re-parsed only when an axis switches a kind (task.kind), so that the new
 * kind's defaults fill in: the schema has no cross-field rules, so other runs need no re-parse.
 */
export function expandSweep(config: ExperimentConfig): RunPlan[] {
  const axes = sweepAxes(config);
  const reparse = axes.some((a) => namesDiscriminator(ConfigSchema, a.path, config));
  const labels = axisLabels(axes);
  const total = runCount(config);
  const base: ExperimentConfig = { ...config, sweep: {} };
  const seen = new Set<string>();
  const runs: RunPlan[] = [];
  for (let index = 0; index < total; index++) {
    const picks = axisValueIndices(axes, index);
    // Copy-on-write along the swept paths: runs share the unswept parts of the config (a deep
    // copy per run made a 100k-run sweep spend seconds in the garbage collector).
    let run = base as Record<string, unknown>;
    const params: Record<string, SweepValue> = {};
    // picks and labels hold one entry per axis, and picks[a] < that axis's value count.
    axes.forEach((axis, a) => {
      const value = axis.values[picks[a]!]!;
      params[axis.key] = value;
      run = withField(run, axis.path, value);
    });
    let id = axes.length === 0 ? 'run' : axes.map((axis, a) => labels[a]! + safeToken(axis.values[picks[a]!]!)).join('_');
    if (seen.has(id)) id += `_run${index}`;
    seen.add(id);
    runs.push({ id, index, params, config: reparse ? ConfigSchema.parse(run) : (run as ExperimentConfig) });
  }
  return runs;
}

/** The last path segment names an axis in ids, unless two axes share it: then the whole path does. */
function axisLabels(axes: readonly SweepAxis[]): string[] {
  const last = axes.map((a) => String(a.path[a.path.length - 1]));
  return axes.map((a, i) => {
    const own = last[i]!; // one per axis
    return safeToken(last.filter((l) => l === own).length > 1 ? a.key : own);
  });
}

// Spelled-out operators keep op values apart in ids ("a+b" → "aplusb", "a-b" stays "a-b").
const SPELLED: Record<string, string> = { '+': 'plus', '*': 'times', '/': 'div', '^': 'pow', '=': 'eq', ' ': '-' };

/** A value or name as letters, digits, ".", "_" and "-" only. */
function safeToken(v: SweepValue): string {
  return String(v).replace(/[^A-Za-z0-9._-]/g, (c) => SPELLED[c] ?? (c === '(' || c === ')' ? '' : '-'));
}

/** sha256 (hex) of the canonical JSON of a config: keys sorted, undefined fields left out. */
/** Fields that do not change what trains: editing them must not make a sweep's results stale. */
const NOT_HASHED = ['$schema', 'description'];

/** The analysis section without `memorizationResults`: a link to other results trains nothing. */
function withoutLink(analysis: unknown): unknown {
  if (analysis === null || typeof analysis !== 'object' || !('memorizationResults' in analysis)) return analysis;
  const { memorizationResults: _link, ...rest } = analysis as Record<string, unknown>;
  return rest;
}

export function configHash(config: unknown): string {
  const trained = config !== null && typeof config === 'object' && !Array.isArray(config)
    ? Object.fromEntries(Object.entries(config).filter(([k]) => !NOT_HASHED.includes(k)).map(([k, v]) => [k, k === 'analysis' ? withoutLink(v) : v]))
    : config;
  return createHash('sha256').update(canonicalJson(trained)).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.keys(v).sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v);
}
