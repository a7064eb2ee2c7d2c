// Trains a set of runs: builds (and caches) their datasets, packs the unfinished ones into
// lock-step batches and trains the batches one after another. Used once for a grid sweep, and
// once per round of probes for an adaptive search.
import { dirname } from 'node:path';
import type { SweepStore } from '../store/writer';
import type { Dataset } from '../trainer/tasks/types';
import { PROGRESS_INTERVAL_MS, type WorkerMessage } from './worker/protocol';
import { trainBatch, type BatchContext } from './batch';
import type { SweepControl } from './control';
import { errorMessage } from './errors';
import type { SweepDeps } from './deps';
import type { RunLedger } from './ledger';
import { estimateModelBytes } from './memory';
import { ProgressMeter } from './progressMeter';
import { datasetKey, planBatches, type PlannedRun } from './schedule';

export interface RunTrainerOptions {
  store: SweepStore;
  ledger: RunLedger;
  control: SweepControl;
  deps: SweepDeps;
  send: (m: WorkerMessage) => void;
  configPath: string;
  configHash: string;
  memoryBudget: number;
  /** Bytes of one run's model in a batch (default: memory.ts's estimate, for the CPU engine; the GPU backend plans its own). */
  estimateModelBytes?: (run: PlannedRun, data: Dataset) => number;
  threads?: number;
  runsTotal: number;
}

export class RunTrainer {
  readonly meter: ProgressMeter;
  /** True once any run failed. */
  failed = false;
  private readonly datasets = new Map<string, Dataset>();
  private readonly ctx: BatchContext;

  constructor(private readonly o: RunTrainerOptions) {
    this.meter = new ProgressMeter(o.runsTotal, o.ledger.countFinished());
    let lastProgress = 0;
    this.ctx = {
      store: o.store, ledger: o.ledger, meter: this.meter, control: o.control, deps: o.deps, send: o.send,
      threads: o.threads, configHash: o.configHash,
      reportProgress: (force = false) => {
        const now = Date.now();
        if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        o.send({ type: 'progress', ...this.meter.snapshot(o.control.paused) });
      },
    };
  }

  /** Trains every run of `runs` that is not done yet (finished ones are skipped). */
  async train(runs: PlannedRun[]): Promise<void> {
    const { ledger, store, control } = this.o;
    const ready: PlannedRun[] = [];
    for (const run of runs) {
      if (ledger.status(run.id) === 'done') continue;
      if (await this.dataset(run)) ready.push(run);
    }
    const estimate = this.o.estimateModelBytes ?? ((r: PlannedRun, data: Dataset) => estimateModelBytes(r.config.model, data));
    const batches = planBatches(ready, (r) => estimate(r, this.datasets.get(datasetKey(r.config))!), this.o.memoryBudget)
      .flatMap((b) => splitByCheckpoint(b.runs, (id) => store.latestCheckpoint(id)));
    this.meter.planned(batches.reduce((n, b) => n + b.runs.reduce((m, r) => m + r.config.training.steps - (b.resumeStep ?? 0), 0), 0));
    for (const batch of batches) {
      if (control.cancelled) break;
      try {
        await trainBatch(this.ctx, batch.runs, this.datasets.get(datasetKey(batch.runs[0].config))!, batch.resumeStep);
      } catch (e) {
        this.failed = true;
        this.o.send(errorMessage(e, batch.runs.length === 1 ? batch.runs[0].id : undefined,
          `batch of ${batch.runs.length} run(s): ${batch.runs.map((r) => r.id).join(', ')}`));
      }
      this.ctx.reportProgress(true);
    }
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
      this.o.send(errorMessage(e, run.id));
      return null;
    }
  }
}

/**
 * Runs of one batch resume together only from the same step: split them by their latest
 * checkpoint (null = from scratch). Normally all share it; a kill while a batch was writing its
 * checkpoints can leave two groups.
 */
function splitByCheckpoint(runs: PlannedRun[], latest: (id: string) => number | null): Array<{ runs: PlannedRun[]; resumeStep: number | null }> {
  const groups = new Map<number | null, PlannedRun[]>();
  for (const r of runs) {
    const step = latest(r.id);
    if (!groups.has(step)) groups.set(step, []);
    groups.get(step)!.push(r);
  }
  return [...groups].map(([resumeStep, rs]) => ({ runs: rs, resumeStep }));
}
