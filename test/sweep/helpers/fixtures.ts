// Small sweep configs in temporary directories, and helpers to compare results directories.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns, readManifest, readRunMetrics } from '../../../src/store/reader';
import type { EvalRecord } from '../../../src/store/types';

/** 2 train sizes x 2 seeds of modular a+b mod 11: 30 examples memorize, 90 generalize (fake engine). */
export const SMALL_CONFIG = {
  name: 'tiny',
  task: { kind: 'modular', op: 'a+b', modulus: 11 },
  model: { dModel: 8, heads: 2 },
  training: { steps: 400, evalEvery: 20, checkpointEvery: 100, earlyStop: { holdEvals: 3, plateauSteps: 100 } },
  sweep: { 'training.trainSize': [30, 90], seed: [0, 1] },
};

export function tempDir(prefix = 'grok-sweep-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a config file into a fresh temp dir (merging `patch` one level down; `sweep` is replaced whole) and returns its path. */
export function writeConfig(patch: Record<string, unknown> = {}, dir = tempDir()): string {
  const config: Record<string, unknown> = { ...SMALL_CONFIG };
  for (const [k, v] of Object.entries(patch)) {
    const base = config[k];
    config[k] = k !== 'sweep' && isObject(base) && isObject(v) ? { ...base, ...v } : v;
  }
  const path = join(dir, 'tiny.grok.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A record without its timings (wall clock, the progress measures' cost), which legitimately differ between sessions. */
export function withoutTimings({ wallMs: _w, ...rest }: EvalRecord): Omit<EvalRecord, 'wallMs'> {
  if (!rest.progress) return rest;
  const { ms: _ms, ...progress } = rest.progress;
  return { ...rest, progress };
}

/** Every run's metrics without timings. */
export function metricsOf(dir: string): Record<string, Array<Omit<EvalRecord, 'wallMs'>>> {
  const out: Record<string, Array<Omit<EvalRecord, 'wallMs'>>> = {};
  for (const { id } of readManifest(dir).runs) out[id] = readRunMetrics(dir, id).map(withoutTimings);
  return out;
}

export function statusesOf(dir: string): Record<string, string> {
  return Object.fromEntries(listRuns(dir).map((r) => [r.id, r.status]));
}
