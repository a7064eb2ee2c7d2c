// Runs a whole sweep in this process (the worker calls it; tests call it directly with a fake
// engine): open or resume the results directory, build datasets, pack the unfinished runs into
// lock-step batches and train them one after another. Every outcome ends in a `done` message.
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { SweepStatus } from '../../store/types';
import type { Dataset } from '../tasks/types';
import { PROGRESS_INTERVAL_MS, type SweepOptions, type WorkerMessage } from '../worker/protocol';
import { trainBatch, type BatchContext } from './batch';
import { SweepControl } from './control';
import { UserError, type SweepDeps } from './deps';
import { RunLedger } from './ledger';
import { estimateModelBytes } from './memory';
import { openSweep } from './open';
import { ProgressMeter } from './progressMeter';
import { datasetKey, planBatches, type PlannedRun } from './schedule';

/** Default memory budget of one batch: a quarter of the machine, at most 2 GiB. */
export function defaultMemoryBudget(): number {
  return Math.min(2 * 2 ** 30, Math.floor(totalmem() / 4));
}

export async function runSweep(options: SweepOptions, deps: SweepDeps, send: (m: WorkerMessage) => void, control = new SweepControl()): Promise<SweepStatus> {
  let opened;
  try {
    opened = await openSweep(options, deps);
  } catch (e) {
    send(errorMessage(e));
    send({ type: 'done', status: 'failed', outDir: null, error: (e as Error).message });
    return 'failed';
  }
  const { store, manifest, runs, resumed, movedAside } = opened;
  if (movedAside) send({ type: 'log', level: 'info', message: `--fresh: moved the previous results to ${movedAside}` });
  const ledger = new RunLedger(store, manifest);
  const todo = runs.filter((r) => ledger.status(r.id) !== 'done');
  send({ type: 'started', outDir: store.dir, name: manifest.name, runsTotal: runs.length, runsDone: runs.length - todo.length, resumed });

  let failed = false;
  const configDir = dirname(manifest.configPath);
  // Datasets are shared by every run with the same task (and label seed).
  const datasets = new Map<string, Dataset>();
  const ready: PlannedRun[] = [];
  for (const run of todo) {
    const key = datasetKey(run.config);
    try {
      if (!datasets.has(key)) datasets.set(key, await deps.buildDataset(run.config, configDir));
      ready.push(run);
    } catch (e) {
      failed = true;
      ledger.setStatus(run.id, 'failed', { error: (e as Error).message });
      send(errorMessage(e, run.id));
    }
  }

  const budget = options.memoryBudget ?? defaultMemoryBudget();
  const batches = planBatches(ready, (r) => estimateModelBytes(r.config.model, datasets.get(datasetKey(r.config))!), budget)
    .flatMap((b) => splitByCheckpoint(b.runs, (id) => store.latestCheckpoint(id)));
  const remaining = batches.reduce((n, b) => n + b.runs.reduce((m, r) => m + r.config.training.steps - (b.resumeStep ?? 0), 0), 0);
  const meter = new ProgressMeter(runs.length, runs.length - todo.length, remaining);
  let lastProgress = 0;
  const ctx: BatchContext = {
    store, ledger, meter, control, deps, send, threads: options.threads, configHash: manifest.configHash,
    reportProgress: (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      send({ type: 'progress', ...meter.snapshot(control.paused) });
    },
  };
  ledger.writeSummary('running', true);
  for (const batch of batches) {
    if (control.cancelled) break;
    try {
      await trainBatch(ctx, batch.runs, datasets.get(datasetKey(batch.runs[0].config))!, batch.resumeStep);
    } catch (e) {
      failed = true;
      send(errorMessage(e, batch.runs.length === 1 ? batch.runs[0].id : undefined,
        `batch of ${batch.runs.length} run(s): ${batch.runs.map((r) => r.id).join(', ')}`));
    }
    ctx.reportProgress(true);
  }
  const status: SweepStatus = control.cancelled ? 'stopped' : failed ? 'failed' : 'done';
  ledger.writeSummary(status, true);
  send({ type: 'done', status, outDir: store.dir });
  return status;
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

function errorMessage(e: unknown, runId?: string, context?: string): WorkerMessage {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = context ? `${context}: ${err.message}` : err.message;
  const msg: WorkerMessage = { type: 'error', message };
  if (runId) msg.runId = runId;
  const userCaused = err instanceof UserError || err.name === 'ConfigLoadError';
  if (!userCaused && err.stack) msg.cause = err.stack;
  return msg;
}
