// Builds the dataset of a task. Modular, memorization and mixture datasets are generated in memory;
// text datasets come from local files (src/trainer/text).
import type { TaskConfig } from '../../config/schema';
import { loadTextDataset } from '../text/index';
import { buildMemorizationDataset } from './memorization';
import { buildMixtureDataset } from './mixture';
import { buildModularDataset } from './modular';
import type { Dataset } from './types';

export { componentPoolSizes, datasetSize } from '../../config/taskSizes';
export { plannedSplitSizes, splitDataset, splitForRun, splitSizes } from './split';

export interface BuildDatasetOptions {
  /** Directory of the config file (text paths are relative to it). */
  configDir: string;
  /** Seed of random labels (memorization, mixture components with `labels: "random"`); default 0. */
  seed?: number;
  /** Where text tasks cache their tokenized data. */
  cacheDir?: string;
}

export async function buildDataset(task: TaskConfig, opts: BuildDatasetOptions): Promise<Dataset> {
  const seed = opts.seed ?? 0;
  switch (task.kind) {
    case 'modular': return buildModularDataset(task);
    case 'memorization': return buildMemorizationDataset(task, seed);
    case 'mixture': return buildMixtureDataset(task, seed);
    case 'text': return loadTextDataset(task, opts.configDir, opts.cacheDir);
  }
}

/**
 * Whether the dataset itself (not just the split) changes with the seed: random labels do. Runs
 * of such a task can share one dataset only if they share the seed.
 */
export function datasetDependsOnSeed(task: TaskConfig): boolean {
  return task.kind === 'memorization' || (task.kind === 'mixture' && task.components.some((c) => c.labels === 'random'));
}
