// Paths inside a sweep directory (see types.ts for the layout). The only place that spells them.
import { dirname, join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const SUMMARY_FILE = 'summary.json';
export const METRICS_FILE = 'metrics.jsonl';
export const STATUS_FILE = 'status.json';

const CHECKPOINT_RE = /^ckpt-(\d+)\.safetensors$/;

/** Where a config's results go unless told otherwise: `.grok/<name>/` next to the config file. */
export const defaultResultsDir = (configPath: string, name: string): string => join(dirname(configPath), '.grok', name);
export const manifestPath = (dir: string): string => join(dir, MANIFEST_FILE);
export const summaryPath = (dir: string): string => join(dir, SUMMARY_FILE);
export const runDir = (dir: string, id: string): string => join(dir, 'runs', id);
export const metricsPath = (dir: string, id: string): string => join(runDir(dir, id), METRICS_FILE);
export const statusPath = (dir: string, id: string): string => join(runDir(dir, id), STATUS_FILE);
export const checkpointPath = (dir: string, id: string, step: number): string =>
  join(runDir(dir, id), `ckpt-${step}.safetensors`);

/** The step of a checkpoint file name, or null for any other file. */
export function checkpointStep(fileName: string): number | null {
  const m = CHECKPOINT_RE.exec(fileName);
  return m ? Number(m[1]) : null;
}
