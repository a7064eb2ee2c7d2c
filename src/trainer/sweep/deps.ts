// What the sweep runner needs from the rest of the project: config loading and expansion, datasets
// and splits, and the engine. Injected, so tests can drive the runner with a fake engine and the
// worker wires in the real ones (see worker/engineDeps.ts).
import type { ExperimentConfig } from '../../config/schema';
import type { LockstepSpec, LockstepTrainer } from '../engine/types';
import type { Dataset, Split } from '../tasks/types';
import type { PlannedRun } from './schedule';

export interface SweepDeps {
  /** Reads and validates a *.grok.json file (errors name the file and field). */
  loadConfig(path: string): Promise<ExperimentConfig>;
  /** The grid of runs (ids must be stable for a given config). */
  expand(config: ExperimentConfig): PlannedRun[];
  configHash(config: ExperimentConfig): string;
  /** The dataset of a run's task; `configDir` resolves relative data paths. */
  buildDataset(config: ExperimentConfig, configDir: string): Promise<Dataset>;
  /** The run's train/validation indices. */
  split(dataset: Dataset, config: ExperimentConfig): Split;
  createTrainer(spec: LockstepSpec): Promise<LockstepTrainer>;
}

/** An error the user can fix (bad config, wrong directory): reported without a stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}
