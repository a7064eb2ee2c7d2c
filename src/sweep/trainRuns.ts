// Trains a set of runs: builds (and caches) their datasets, packs the unfinished ones into
// lock-step batches and trains the batches one after another. Used once for a grid sweep, and
// once per round of probes for an adaptive search.
import { dirname } from 'node:path';
import type { Dataset } from '../trainer/tasks/types';
import { trainBatch, type BatchContext } from './batch';
import type { SweepControl } from './control';
import type { SweepDeps } from './deps';
import { errorEvent, throttledProgress, type Emit } from './events';
import type { RunLedger } from './ledger';
import { UserError } from '../util/userError';
import { estimateModelBytes } from './memory';
import { ProgressMeter } from './progressMeter';
import { datasetKey, groupByResumeStep, planBatches, type PlannedRun } from './schedule';
import type { RunSink } from './sink';

export interface RunTrainerOptions {
  sink: RunSink;
  ledger: RunLedger;
  control: SweepControl;
  deps: SweepDeps;
  emit: Emit;
  configPath: string;
  configHash: string;
  memoryBudget: number;
  /** Bytes of one run's model in a batch (default: memory.ts's estimate, for the CPU engine; the GPU backend plans its own). */
  estimateModelBytes?: (run: PlannedRun, data: Dataset) => number;
  threads?: number;
  runsTotal: number;
  /** Why a run cannot fit the device it would train on (limits.ts), or null: such a run fails by name before training. */
  runLimit?: (run: PlannedRun, data: Dataset) => string | null;
}

export class RunTrainer {
  readonly meter: ProgressMeter;
  /** True once any run failed. */
  failed = false;
  private readonly datasets = new Map<string, Dataset>();
  private readonly ctx: BatchContext;

  constructor(private readonly o: RunTrainerOptions) {
    this.meter = new ProgressMeter(o.runsTotal, o.ledger.countFinished());
    const progress = throttledProgress((p) => o.emit({ type: 'progress', ...p }));
    this.ctx = {
      sink: o.sink, ledger: o.ledger, meter: this.meter, control: o.control, deps: o.deps, emit: o.emit,
      threads: o.threads, configHash: o.configHash,
      reportProgress: (force = false) => progress(() => this.meter.snapshot(o.control.paused), force),
    };
  }

  /** Trains every run of `runs` that is not done yet (finished ones are skipped). */
  async train(runs: PlannedRun[]): Promise<void> {
    const { ledger, sink, control } = this.o;
    const ready: PlannedRun[] = [];
    for (const run of runs) {
      if (ledger.status(run.id) === 'done') continue;
      if (await this.dataset(run) && this.fits(run)) ready.push(run);
    }
    const estimate = this.o.estimateModelBytes ?? ((r: PlannedRun, data: Dataset) => estimateModelBytes(r.config.model, data));
    const batches = planBatches(ready, (r) => estimate(r, this.datasets.get(datasetKey(r.config))!), this.o.memoryBudget)
      .flatMap((b) => groupByResumeStep(b.runs, (id) => sink.latestCheckpoint(id)));
    this.meter.planned(batches.reduce((n, b) => n + b.runs.reduce((m, r) => m + r.config.training.steps - (b.resumeStep ?? 0), 0), 0));
    for (const batch of batches) {
      if (control.cancelled) break;
      const head = batch.runs[0];
      if (!head) continue; // planBatches makes no empty batch
      try {
        await trainBatch(this.ctx, batch.runs, this.datasets.get(datasetKey(head.config))!, batch.resumeStep);
      } catch (e) {
        this.failed = true;
        this.o.emit(errorEvent(e, batch.runs.length === 1 ? head.id : undefined,
          `batch of ${batch.runs.length} run(s): ${batch.runs.map((r) => r.id).join(', ')}`));
      }
      this.ctx.reportProgress(true);
    }
  }

  /** A run the device cannot hold fails with the reason and the fields to change (no stack trace); the others train. */
  private fits(run: PlannedRun): boolean {
    const why = this.o.runLimit?.(run, this.datasets.get(datasetKey(run.config))!);
    if (!why) return true;
    this.failed = true;
    this.o.ledger.setStatus(run.id, 'failed', { error: why });
    this.o.emit(errorEvent(new UserError(why), run.id));
    return false;
  }

  /** Datasets are shared by every run with the same task (and label seed). A run whose dataset cannot be built fails. */
  private async dataset(run: PlannedRun): Promise<Dataset | null> {
    const key = datasetKey(run.config);
    try {
      if (!this.datasets.has(key)) this.datasets.set(key, await this.o.deps.buildDataset(run.config, dirname(this.o.configPath)));
      return this.datasets.get(key)!;
    } catch (e) {
      this.failed = true;
      this.o.ledger.setStatus(run.id, 'failed', { error: (e as Error).message });
      this.o.emit(errorEvent(e, run.id));
      return null;
    }
  }
}
