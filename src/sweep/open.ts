// Opens a sweep's results directory: a new one gets its manifest; an existing one with the same
// config is resumed; a different config is refused (listing the changed fields) unless --fresh,
// which moves the old results aside rather than deleting them.
import { existsSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatPath } from '../config/errors';
import { checkTextFiles } from '../config/semantic';
import type { ExperimentConfig } from '../config/schema';
import { defaultResultsDir } from '../store/layout';
import { readManifest, isSweepDir } from '../store/reader';
import type { Manifest } from '../store/types';
import { ResultsLock } from '../store/lock';
import { repairRuns } from '../store/repair';
import { SweepStore } from '../store/writer';
import { diffConfig, formatChanges } from './configDiff';
import type { SweepDeps } from './deps';
import { UserError } from './events';
import type { SweepOptions } from './options';
import type { PlannedRun } from './schedule';
import { kernelBuild } from '../trainer/engine/wasm';

export interface OpenedSweep {
  store: SweepStore;
  manifest: Manifest;
  /** The grid (for a search: its groups x seeds, the search axis left out). */
  runs: PlannedRun[];
  /** True when the directory already held this sweep. */
  resumed: boolean;
  /** Set when --fresh moved an older sweep out of the way. */
  movedAside: string | null;
}

/**
 * Opens the results folder for writing: the returned store holds the folder's lock (see
 * store/lock.ts) until `store.close()`; a folder another live process writes is refused.
 */
export async function openSweep(options: SweepOptions, deps: SweepDeps, log?: (message: string) => void): Promise<OpenedSweep> {
  if (options.device === 'gpu' && !deps.openDevice) throw new UserError('--device gpu: no GPU backend in this build (use --device cpu or auto)');
  const { config, configPath, outDir } = await resolveConfig(options, deps);
  const held = { lock: ResultsLock.acquire(outDir, options.writer ?? 'grok', log) };
  try {
    return openLocked(options, deps, { config, configPath, outDir }, held, log);
  } catch (e) {
    held.lock.release();
    throw e;
  }
}

function openLocked(options: SweepOptions, deps: SweepDeps, resolved: { config: ExperimentConfig; configPath: string; outDir: string }, held: { lock: ResultsLock }, log?: (message: string) => void): OpenedSweep {
  const { config, configPath, outDir } = resolved;
  const configHash = deps.configHash(config);
  // A grid trains every run; an adaptive search plans its runs as it goes (see search.ts).
  const runs = deps.expand(config);
  const planned = config.search ? [] : runs;
  let movedAside: string | null = null;
  if (isSweepDir(outDir)) {
    const old = readManifest(outDir);
    if (!options.fresh && old.configHash === configHash) {
      // Damage stays with its run: quarantined, retrained, logged; the rest of the sweep goes on.
      for (const r of repairRuns(outDir, old.runs.map((run) => run.id))) {
        log?.(`run ${r.runId}: ${r.reason}; moved to ${r.quarantined}; it trains again ${r.retrain}`);
      }
      return { store: new SweepStore(outDir, held.lock), manifest: old, runs, resumed: true, movedAside };
    }
    if (!options.fresh) {
      const changes = diffConfig(old.config, config);
      throw new UserError(
        `${configPath}: the config changed since the sweep in ${outDir} was started; changed fields:\n` +
        (changes.length ? formatChanges(changes) : '  (none by value: the config hash changed)') +
        '\nRun with --fresh to start over (the old results are kept, moved aside), or give another --out DIR.',
      );
    }
    movedAside = asideName(outDir);
    renameSync(outDir, movedAside);
    held.lock = held.lock.movedAside(movedAside, log);
  }
  const manifest: Manifest = {
    name: config.name, configHash, config, configPath,
    runs: planned.map((r) => ({ id: r.id, params: r.params })),
    createdAt: new Date().toISOString(),
    ...cpuKernelsOrNothing(),
  };
  const store = new SweepStore(outDir, held.lock);
  store.writeManifest(manifest);
  return { store, manifest, runs, resumed: false, movedAside };
}

/** The CPU kernel build, for the manifest (nothing where the kernels are not built, e.g. a test's fake engine). */
function cpuKernelsOrNothing(): { cpuKernels?: Manifest['cpuKernels'] } {
  try { return { cpuKernels: kernelBuild() }; } catch { return {}; }
}

async function resolveConfig(options: SweepOptions, deps: SweepDeps): Promise<{ config: ExperimentConfig; configPath: string; outDir: string }> {
  if (options.configPath) {
    const configPath = resolve(options.configPath);
    let config = await deps.loadConfig(configPath, { dataRoots: options.dataRoots });
    if (options.earlyStop === false) {
      config = structuredClone(config);
      config.training.earlyStop.enabled = false;
    }
    const outDir = resolve(options.outDir ?? defaultResultsDir(configPath, config.name));
    return { config, configPath, outDir };
  }
  if (!options.outDir) throw new UserError('nothing to run: give a config file (grok sweep FILE) or a results directory (grok resume DIR)');
  const outDir = resolve(options.outDir);
  if (!isSweepDir(outDir)) throw new UserError(`${outDir}: not a sweep results directory (no manifest.json)`);
  const manifest = readManifest(outDir);
  if (!options.ignoreConfigChange) await refuseChangedConfigFile(manifest, outDir, deps, options.dataRoots);
  refuseDataOutsideRoots(manifest, options.dataRoots);
  return { config: manifest.config, configPath: manifest.configPath, outDir };
}

/**
 * The stored config's text data, like a new sweep's, must lie inside the config's folder or a
 * --data-root given again now (a results folder may come from someone else: its manifest is input).
 */
function refuseDataOutsideRoots(manifest: Manifest, dataRoots: readonly string[] | undefined): void {
  const problems = checkTextFiles(manifest.config.task, { configDir: dirname(manifest.configPath), dataRoots });
  if (!problems.length) return;
  throw new UserError(problems.map((p) => `${manifest.configPath}: ${formatPath(p.path)}: ${p.message}`).join('\n'));
}

/**
 * `grok resume DIR` trains the config stored in the manifest. If the file it came from still
 * exists and now says something else, resuming would mix two configs under one name: refuse and
 * list the changed fields. A file that is gone or does not load is no change (the manifest is
 * enough). --no-early-stop, recorded in the manifest, is applied to the file before comparing.
 */
async function refuseChangedConfigFile(manifest: Manifest, outDir: string, deps: SweepDeps, dataRoots?: readonly string[]): Promise<void> {
  if (!manifest.configPath || !existsSync(manifest.configPath)) return;
  let current: ExperimentConfig;
  try {
    current = await deps.loadConfig(manifest.configPath, { dataRoots });
  } catch {
    return;
  }
  if (manifest.config.training.earlyStop.enabled === false) {
    current = structuredClone(current);
    current.training.earlyStop.enabled = false;
  }
  if (deps.configHash(current) === manifest.configHash) return;
  const changes = diffConfig(manifest.config, current);
  throw new UserError(
    `${manifest.configPath} changed since the sweep in ${outDir} was started; changed fields:\n` +
    (changes.length ? formatChanges(changes) : '  (none by value: the config hash changed)') +
    `\nResuming would mix two configs. Restore the file, start over with \`grok sweep ${manifest.configPath} --fresh\`` +
    ' (the old results are kept, moved aside), or resume the stored config anyway with --ignore-config-change.',
  );
}

function asideName(dir: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let name = `${dir}.old-${stamp}`;
  for (let i = 1; existsSync(name); i++) name = `${dir}.old-${stamp}-${i}`;
  return name;
}
