// What the sweep runner needs from the rest of the project: config loading and expansion, datasets
// and splits, and the engine. Injected, so tests can drive the runner with a fake engine and the
// worker wires in the real ones (see worker/engineDeps.ts).
import type { ExperimentConfig } from '../config/schema';
import type { LockstepSpec, LockstepTrainer } from '../trainer/engine/types';
import type { SweepDevice } from '../trainer/engine/device';
import type { Device } from './worker/protocol';
import type { Dataset, Split } from '../trainer/tasks/types';
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
  /**
   * Resolves --device for the sweep (the worker wires in the GPU backend's openSweepDevice); its
   * createTrainer then replaces the one above. Absent: every batch uses createTrainer, and
   * --device gpu is refused.
   */
  openDevice?(pref: Device): Promise<SweepDevice>;
}

export { UserError } from '../util/userError';
