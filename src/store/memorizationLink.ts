// D_mem for a grokking sweep's regime map and report: a memorization measurement (random labels,
// src/analysis/memorization.ts), from the sweep itself (runs with task.kind "memorization") and/or
// from the sweep its config names in `analysis.memorizationResults`: that sweep's .grok.json (its
// results are in .grok/<name>/ next to it, as for every sweep) or its results folder, relative to
// the config file. What a link cannot give (no such file, not run yet, not a memorization sweep)
// comes back as a problem to show, never as a D_mem.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../config/load';
import { defaultResultsDir } from './layout';
import { readSummary } from './reader';
import type { Manifest, Summary } from './types';

export interface MemorizationSource {
  /** D_mem entries per group: this sweep's own, then the linked sweep's. */
  entries: Summary['memorizationCapacity'];
  /** The linked results folder, when the config names one. */
  linkedDir: string | null;
  /** Why the link gave nothing, naming the config field and the path. */
  problem: string | null;
}

/** The results folder `analysis.memorizationResults` names, or a problem. */
function linkedDirOf(link: string, configPath: string): { dir: string } | { problem: string } {
  const at = resolve(dirname(configPath), link);
  const field = `${configPath}: analysis.memorizationResults`;
  if (!existsSync(at)) return { problem: `${field}: ${at} does not exist` };
  if (statSync(at).isDirectory()) return { dir: at };
  const loaded = loadConfigFile(at);
  if (!loaded.ok) return { problem: `${field}: ${at} is not a valid experiment file (${loaded.errors[0]?.message ?? 'invalid'})` };
  return { dir: defaultResultsDir(at, loaded.config.name) };
}

export function memorizationSource(manifest: Pick<Manifest, 'config' | 'configPath'> | null, summary: Summary | null): MemorizationSource {
  const own = summary?.memorizationCapacity ?? [];
  const link = manifest?.config.analysis.memorizationResults;
  if (!manifest || typeof link !== 'string') return { entries: own, linkedDir: null, problem: null };
  const found = linkedDirOf(link, manifest.configPath);
  if ('problem' in found) return { entries: own, linkedDir: null, problem: found.problem };
  const linked = readSummary(found.dir)?.memorizationCapacity ?? [];
  const problem = linked.length ? null
    : `${manifest.configPath}: analysis.memorizationResults: ${found.dir} has no memorization capacity yet (run that sweep: it must be of the memorization task)`;
  return { entries: [...own, ...linked], linkedDir: found.dir, problem };
}
