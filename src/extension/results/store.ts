// The extension's view of a sweep's results folder: the store's readers (src/store), made tolerant
// (a folder being written by a running sweep can lack a summary; nothing here throws).
import { join, relative, isAbsolute } from 'node:path';
import { defaultResultsDir } from '../../store/layout';
import { readManifest as storeManifest, readRunMetrics as storeMetrics, readSummary as storeSummary, listRuns as storeListRuns } from '../../store/reader';
import type { EvalRecord, Manifest, RunSummary, Summary } from '../../store/types';

export type { Manifest };
export { isSweepDir } from '../../store/reader';

/** `.grok/<name>/` next to the config file: where a config's results go (the runner's default). */
export const resultsDirFor = defaultResultsDir;

/** A path inside the results folder; refuses anything that would escape it. */
export function insideResults(resultsDir: string, ...parts: string[]): string {
  const p = join(resultsDir, ...parts);
  const rel = relative(resultsDir, p);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${p} is outside the results folder ${resultsDir}`);
  return p;
}

export function readManifest(dir: string): Manifest | null {
  try { return storeManifest(dir); } catch { return null; }
}

export function readSummary(dir: string): Summary | null {
  try { return storeSummary(dir); } catch { return null; }
}

export function readRunMetrics(dir: string, id: string): EvalRecord[] {
  try { return storeMetrics(dir, id); } catch { return []; }
}

/** Every planned run with its latest state (pending ones too). */
export function listRuns(dir: string): RunSummary[] {
  try { return storeListRuns(dir); } catch { return []; }
}
