// Results store layout (one directory per sweep, default `.grok/<name>/` next to the config):
//   manifest.json              { name, configHash, config (resolved), runs: [{id, params}], createdAt }
//   runs/<id>/metrics.jsonl    one EvalRecord a line, append-only, flushed at every eval
//   runs/<id>/status.json      { status, stopReason?, error? } (a RunSummary: a superset), atomic
//   runs/<id>/ckpt-<step>.safetensors   the latest checkpoint only (older ones are pruned)
//   summary.json               Summary, written atomically (tmp + rename)
// Readers (the extension, `grok status`, the report) watch summary.json and metrics.jsonl; both are
// only ever replaced by rename or appended to, so a reader never sees a half-written JSON document.
// The last metrics line may be torn while a run writes it: readers skip it (see src/store/jsonl.ts).
import type { Regime } from './regimes';
import type { ExperimentConfig, SweepValue } from '../config/schema';

export type RunParams = Record<string, SweepValue>;
export type RunStatus = 'pending' | 'running' | 'done' | 'stopped' | 'failed';
/** Status of a whole sweep (additive): stopped = cancelled with partial results kept. */
export type SweepStatus = 'running' | 'done' | 'stopped' | 'failed';

/** The adaptive search's state per group: the bracket [lo, hi] around the critical data size. */
export interface SearchSummary {
  axis: string;
  epsilon: number;
  done: boolean;
  groups: Array<{ params: RunParams; lo: number; hi: number; phase: 'bracket' | 'bisect' | 'done'; probes: number; estimate: CriticalDataSize | null }>;
}

/** manifest.json: written when the sweep directory is created (an adaptive search appends its probe runs as it plans them). */
export interface Manifest {
  name: string;
  configHash: string;
  /** The resolved config (defaults filled, CLI overrides such as --no-early-stop applied). */
  config: ExperimentConfig;
  /** Absolute path of the config file it came from (relative data paths resolve against its folder). */
  configPath: string;
  runs: Array<{ id: string; params: RunParams }>;
  createdAt: string;
  /** Additive: which device trained it (the latest start or resume), and under --device auto what each device measured. */
  device?: DeviceRecord;
  /**
   * The CPU kernel build of the process that started the sweep: relaxed-simd (FMA; fma says whether
   * it rounded once on that CPU) or the plain simd fallback. Results are bitwise reproducible per build.
   */
  cpuKernels?: { name: string; fma: 'fused' | 'unfused' | null; reason: string };
}

/** What one device measured on the first lock-step batch (src/trainer/engine/measure.ts). */
export interface DeviceTiming {
  device: 'cpu' | 'gpu';
  description: string;
  /** Models in the measured batch. */
  models: number;
  /** Timed steps (after the warm-up), fewer when stopped early because it was already slower. */
  steps: number;
  /** Wall-clock ms per lock-step step (all models), null when it failed. */
  msPerStep: number | null;
  /** The process's CPU ms per step (every thread; the GPU's own time is not in it). */
  cpuMsPerStep: number | null;
  /** ms to create the trainer and take the warm-up steps (pipeline compilation on a GPU). */
  setupMs: number | null;
  /** Why this device could not be measured. */
  error?: string;
}

/** manifest.json's `device`. */
export interface DeviceRecord {
  /** --device / grok.device. */
  pref: 'auto' | 'gpu' | 'cpu';
  chosen: 'cpu' | 'gpu';
  /** For people: the adapter, or why the CPU. */
  description: string;
  /** Under auto with a GPU adapter: the rule's verdict and both devices' timings. */
  measured?: { reason: string; timings: DeviceTiming[] };
  at: string;
}

export type { EvalMetrics, EvalRecord, SplitMetrics } from './metrics';
export { REGIMES, isRegime, type Regime } from './regimes';

/** What a run converged to: the one outcome every analysis uses. */
export interface RunOutcome {
  trainAcc: number;
  valAcc: number;
  /** Still moving at the end of its budget: the accuracies are not converged values. */
  moving: boolean;
  /** Additive, mixtures: each component's converged accuracies (the same median of the last evals). */
  components?: Record<string, { trainAcc: number; valAcc: number }>;
}

export interface RunSummary {
  id: string;
  params: RunParams;
  status: RunStatus;
  stopReason?: string;
  error?: string;
  regime: Regime | null;
  final: { trainAcc: number; valAcc: number; trainLoss: number; valLoss: number } | null;
  /** Additive: the converged outcome (src/analysis/outcome.ts): median of the last evals, and whether
   *  the run was still moving when it ended (budget-limited). Older summaries lack it: read it
   *  through the analysis' outcomeOf, which falls back to the final eval. */
  outcome?: RunOutcome | null;
  /** valReach (additive): the first eval with val ≥ epsilon. */
  steps: { trainFit: number | null; valFit: number | null; valReach?: number | null; last: number };
  components?: Record<string, { trainAcc: number; valAcc: number }>;
  /** Modular tasks: the progress measures at the last eval (docs/progress.md), without the spectrum. */
  progress?: { keyFreqs: number[]; keyFraction: number; gini: number; restrictedLoss?: number; excludedLoss?: number };
  /** While the run trains: the early forecast of its outcome (src/analysis/forecast.ts). */
  forecast?: { regime: Regime; valReachStep: number | null; confidence: number; reason: string };
}

/** Critical data size of one group (src/analysis/cds.ts has the method). */
export interface CriticalDataSize {
  group: RunParams;
  epsilon: number;
  /** [below, above]: the grid sizes the crossing lies between; null = off that end of the grid.
   *  (Optional only for summaries written before it existed.) */
  bracket?: [number | null, number | null];
  /** Point estimate from a monotone fit over every run; null when no size reaches epsilon. */
  value: number | null;
  /** Interval at `confidence` (runs resampled, position inside the grid cell free); null = unbounded. */
  low: number | null;
  high: number | null;
  /** Two-sided confidence of [low, high] (0.9). */
  confidence?: number;
  seeds: number;
  /** 'interpolated' | 'below-grid' (smallest size already reaches epsilon: value is an upper bound) | 'not-reached'. */
  kind: 'interpolated' | 'below-grid' | 'not-reached';
  /** A run at a bracket size was still moving when its step budget ran out: more steps may move the CDS. */
  budgetLimited?: boolean;
  /** Zhu et al.'s estimate: the data size where the (median) steps to reach epsilon peak. */
  stepsPeak?: number | null;
}

export interface Summary {
  name: string;
  configHash: string;
  updatedAt: string;
  /** Additive: the sweep's state when this file was written. */
  status?: SweepStatus;
  /** Additive: the adaptive critical-data-size search, when the config has `search`. */
  search?: SearchSummary;
  runs: RunSummary[];
  criticalDataSize: CriticalDataSize[];
  /** D_mem per group, measured by a `memorization` sweep (src/analysis/memorization.ts); empty for other sweeps. */
  memorizationCapacity: Array<{ group: RunParams; value: number | null; kind: string; bracket?: [number | null, number | null]; budgetLimited?: boolean; seeds?: number }>;
  /**
   * Additive: present when the size axis counts a random-label mixture component's samples
   * (src/analysis/mixtureSize.ts). That count is no training-set size of anything that can
   * generalize, so criticalDataSize is empty; instead, per group and op component, the mean
   * converged val accuracy at each count.
   */
  randomCount?: {
    /** The swept axis, e.g. task.components.1.trainSize. */
    axis: string;
    /** The random-label component it counts, e.g. random(a-b). */
    component: string;
    accuracy: Array<{ group: RunParams; component: string; points: Array<{ size: number; valAcc: number; seeds: number; moving: boolean }> }>;
  };
}
