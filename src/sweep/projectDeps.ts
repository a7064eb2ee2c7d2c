// The runner's dependencies on the rest of the project, engine aside (the worker adds the engine;
// tests add a fake one).
import { requireConfigFile } from '../config/load';
import { configHash, expandSweep } from '../config/sweep';
import { buildDataset, splitForRun } from '../trainer/tasks/index';
import type { SweepDeps } from './deps';

export const projectDeps: Omit<SweepDeps, 'createTrainer'> = {
  loadConfig: async (path, opts) => requireConfigFile(path, opts).config,
  expand: expandSweep,
  configHash,
  buildDataset: (config, configDir) => buildDataset(config.task, { configDir, seed: config.seed }),
  split: splitForRun,
};
