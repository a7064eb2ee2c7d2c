// Reads a sweep's results folder (layout in src/store/types.ts). Thin and tolerant: a folder being
// written by a running sweep can have a missing summary or a half-written last metrics line.
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvalRecord, RunParams, RunStatus, Summary } from '../../store/types';

export interface Manifest {
  name: string;
  configHash?: string;
  config?: unknown;
  runs: Array<{ id: string; params: RunParams }>;
  createdAt?: string;
}

/** `.grok/<name>/` next to the config file: where a config's results go. */
export function resultsDirFor(configPath: string, name: string): string {
  return join(dirname(configPath), '.grok', name);
}

/** A path inside the results folder, refusing anything that would escape it. */
export function insideResults(resultsDir: string, ...parts: string[]): string {
  const p = join(resultsDir, ...parts);
  const root = join(resultsDir, '/');
  if (p !== resultsDir && !p.startsWith(root)) throw new Error(`${p} is outside the results folder ${resultsDir}`);
  return p;
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function hasResults(dir: string): boolean {
  return existsSync(join(dir, 'manifest.json')) || existsSync(join(dir, 'summary.json'));
}

export const readManifest = (dir: string) => readJson<Manifest>(join(dir, 'manifest.json'));
export const readSummary = (dir: string) => readJson<Summary>(join(dir, 'summary.json'));
export const readRunStatus = (dir: string, id: string) =>
  readJson<{ status: RunStatus; stopReason?: string; error?: string }>(insideResults(dir, 'runs', id, 'status.json'));

/** Parses metrics.jsonl text; skips a torn last line. */
export function parseMetricsLines(text: string): EvalRecord[] {
  const out: EvalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as EvalRecord;
      if (typeof r.step === 'number') out.push(r);
    } catch {
      // a line being written
    }
  }
  return out;
}

export async function readRunMetrics(dir: string, id: string): Promise<EvalRecord[]> {
  try {
    return parseMetricsLines(await fs.readFile(insideResults(dir, 'runs', id, 'metrics.jsonl'), 'utf8'));
  } catch {
    return [];
  }
}

/** Run ids from the manifest, else from the runs/ folder. */
export async function listRuns(dir: string): Promise<string[]> {
  const m = await readManifest(dir);
  if (m?.runs?.length) return m.runs.map((r) => r.id);
  try {
    return (await fs.readdir(join(dir, 'runs'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
}
