// What the sweep core needs from the rest of the project: config loading and expansion, datasets
// and splits, and the engine. Injected, so tests drive a sweep with a fake engine; the front-ends
// (worker/main.ts, the CLI's `grok worker`) wire in the real ones with projectDeps.ts.
import type { ExperimentConfig } from '../config/schema';
import type { DevicePreference, SweepDevice } from '../trainer/engine/device';
import type { LockstepSpec, LockstepTrainer } from '../trainer/engine/types';
import type { Dataset, Split } from '../trainer/tasks/types';
import type { PlannedRun } from './schedule';

export interface SweepDeps {
  /** Reads and validates a *.grok.json file (errors name the file and field); text data may lie in `dataRoots` too. */
  loadConfig(path: string, opts?: { dataRoots?: readonly string[] }): Promise<ExperimentConfig>;
  /** The grid of runs (ids must be stable for a given config). */
  expand(config: ExperimentConfig): PlannedRun[];
  configHash(config: ExperimentConfig): string;
  /** The dataset of a run's task; `configDir` resolves relative data paths. */
  buildDataset(config: ExperimentConfig, configDir: string): Promise<Dataset>;
  /** The run's train/validation indices. */
  split(dataset: Dataset, config: ExperimentConfig): Split;
  createTrainer(spec: LockstepSpec): Promise<LockstepTrainer>;
  /**
   * Resolves --device for the sweep (engine/device.ts's openSweepDevice); its createTrainer then
   * replaces the one above. Absent: every batch uses createTrainer, and --device gpu is refused.
   */
  openDevice?(pref: DevicePreference): Promise<SweepDevice>;
}
