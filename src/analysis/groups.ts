// Grouping runs by their sweep parameters.
import type { RunParams } from '../store/types';

/** A stable key for a parameter set (key order does not matter). */
export function paramKey(params: RunParams): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

/** The params without the given axes. */
export function withoutAxes(params: RunParams, axes: readonly string[]): RunParams {
  return Object.fromEntries(Object.entries(params).filter(([k]) => !axes.includes(k)));
}

export interface RunGroup<T> {
  /** paramKey(params). */
  key: string;
  /** The group's params: every axis except the ones grouped over. */
  params: RunParams;
  runs: T[];
}

/** Runs grouped by every axis except `axes`, in order of first appearance. */
export function groupBy<T extends { params: RunParams }>(runs: readonly T[], axes: readonly string[]): RunGroup<T>[] {
  const groups = new Map<string, RunGroup<T>>();
  for (const run of runs) {
    const params = withoutAxes(run.params, axes);
    const key = paramKey(params);
    const group = groups.get(key);
    if (group) group.runs.push(run); else groups.set(key, { key, params, runs: [run] });
  }
  return [...groups.values()];
}

/** Runs grouped by every axis except data size and seed: the unit of one critical data size. */
export function groupRuns<T extends { params: RunParams }>(runs: readonly T[], dataAxis: string, seedAxis: string): RunGroup<T>[] {
  return groupBy(runs, [dataAxis, seedAxis]);
}

/** The params every run shares with the same value: the group of an already-grouped list. */
export function sharedParams(runs: readonly { params: RunParams }[]): RunParams {
  const [first] = runs;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first.params).filter(([k, v]) => runs.every((r) => r.params[k] === v)));
}
