// Trains one lock-step batch: every run of it in one LockstepTrainer, from step 0 or from their
// common checkpoint. Each eval goes to the sink (the run's metrics.jsonl, or the queue's stream)
// before the next step; runs
// leave the batch (deactivate) when they early-stop or reach their step budget; the batch ends when
// none is left, or on cancel (checkpointing every active run first, so nothing is lost).
import type { ExperimentConfig } from '../config/schema';
import type { EvalRecord, RunStatus } from '../store/types';
import type { EvalMetrics, LockstepTrainer, ModelRunSpec } from '../trainer/engine/types';
import type { Dataset, Split } from '../trainer/tasks/types';
import type { SweepControl } from './control';
import type { SweepDeps } from './deps';
import { analysisOptionsOf } from '../analysis/index';
import { progressProbe } from '../trainer/progress/probe';
import { EarlyStopMonitor } from './earlyStop';
import type { Emit } from './events';
import type { RunLedger } from './ledger';
import type { ProgressMeter } from './progressMeter';
import type { PlannedRun } from './schedule';
import type { RunSink } from './sink';

/** How often the loop lets the event loop run (IPC: cancel, pause), at the least. */
const YIELD_EVERY_MS = 50;

export interface BatchContext {
  sink: RunSink;
  ledger: RunLedger;
  meter: ProgressMeter;
  control: SweepControl;
  deps: Pick<SweepDeps, 'createTrainer' | 'split'>;
  emit: Emit;
  /** Emits a progress event if the last one is old enough (or `force`). */
  reportProgress: (force?: boolean) => void;
  threads?: number;
  /** The sweep's config hash, stored in every checkpoint's metadata. */
  configHash: string;
}

interface Slot {
  run: PlannedRun;
  /** Model index inside the trainer. */
  index: number;
  records: EvalRecord[];
  monitor: EarlyStopMonitor;
  maxSteps: number;
  /** wallMs of the last kept record: a resumed run's clock goes on from there. */
  wallBase: number;
  active: boolean;
  /** The run's training indices (the progress measures' restricted/excluded losses). */
  trainIdx: Int32Array;
}

export function modelRunSpec(config: ExperimentConfig, split: Split): ModelRunSpec {
  return {
    seed: config.seed,
    trainIdx: split.train,
    valIdx: split.val,
    initScale: config.init.scale,
    lr: config.optimizer.lr,
    weightDecay: config.optimizer.weightDecay,
    warmupSteps: config.optimizer.warmupSteps,
  };
}

/** Why a run ends after this record, if it does: early stop, or its step budget reached. */
function stopReason(slot: Slot, rec: EvalRecord): string | null {
  // NaN or infinite loss (null once stored): nothing after it means anything.
  if (!Number.isFinite(rec.trainLoss) || !Number.isFinite(rec.valLoss)) return 'diverged';
  return slot.monitor.observe(rec) ?? (rec.step >= slot.maxSteps ? 'steps' : null);
}

/** Replays a run's kept evals through early stop: why it already ended, or null. */
function replay(slot: Slot, records: EvalRecord[]): string | null {
  for (const rec of records) {
    slot.records.push(rec);
    const reason = stopReason(slot, rec);
    if (reason) return reason;
  }
  return null;
}

/** The engine's evaluation of a slot's model (the engine returns one per model, in slot order). */
function metricsOf(metrics: EvalMetrics[], s: Slot): EvalMetrics {
  const m = metrics[s.index];
  if (!m) throw new Error(`the engine returned ${metrics.length} evaluation(s); model ${s.index} has none`);
  return m;
}

/** Evaluates every model; the due ones get their progress measures too. */
async function evaluateDue(trainer: LockstepTrainer, due: Slot[], probe: ReturnType<typeof progressProbe>): Promise<EvalMetrics[]> {
  const metrics = await trainer.evaluate();
  if (probe) {
    for (const s of due) {
      const progress = await probe(trainer, s.index, s.trainIdx);
      if (progress) metricsOf(metrics, s).progress = progress;
    }
  }
  return metrics;
}

export async function trainBatch(ctx: BatchContext, runs: PlannedRun[], dataset: Dataset, resumeStep: number | null): Promise<void> {
  const { sink, ledger, meter, control, deps, emit } = ctx;
  const first = runs[0]?.config;
  if (!first) return; // no runs: nothing to train
  const { evalEvery, checkpointEvery } = first.training;
  let trainer: LockstepTrainer | null = null;
  let clockStart = Date.now();

  const finish = (slot: Slot, status: RunStatus, stopReason?: string, error?: string): void => {
    if (slot.active && trainer && status !== 'failed') {
      const step = trainer.step;
      // A finished run keeps its final weights; a stopped one the point to resume from.
      if (sink.latestCheckpoint(slot.run.id) !== step) {
        sink.saveCheckpoint(slot.run.id, step, trainer.saveCheckpoint(slot.index));
      }
      trainer.deactivate(slot.index);
    }
    const lastStep = slot.records.at(-1)?.step ?? 0;
    slot.active = false;
    const summary = ledger.setStatus(slot.run.id, status, { stopReason, error });
    meter.runEnded(status === 'done', status === 'done' || status === 'failed' ? Math.max(0, slot.maxSteps - lastStep) : 0);
    emit({ type: 'runFinished', run: summary });
  };

  const record = (slot: Slot, m: EvalMetrics): void => {
    const rec: EvalRecord = { ...m, wallMs: slot.wallBase + (Date.now() - clockStart) };
    sink.appendMetrics(slot.run.id, rec);
    slot.records.push(rec);
    ledger.touched();
    const reason = stopReason(slot, rec);
    if (reason) finish(slot, 'done', reason);
  };

  // Rewind each run to the checkpoint and replay its kept evals through early stop: a run killed
  // after its final eval but before its status was written ends here without training.
  const slots: Slot[] = [];
  for (const run of runs) {
    const records = sink.rewindMetrics(run.id, resumeStep ?? -1);
    const slot: Slot = {
      run, index: -1, records: ledger.resetHistory(run.id, []), monitor: new EarlyStopMonitor(run.config.training.earlyStop, { budget: run.config.training.steps, options: analysisOptionsOf(run.config) }),
      maxSteps: run.config.training.steps, wallBase: records.at(-1)?.wallMs ?? 0, active: true, trainIdx: new Int32Array(0),
    };
    const reason = replay(slot, records);
    if (reason) finish(slot, 'done', reason);
    else slots.push(slot);
  }
  if (slots.length === 0) return;
  slots.forEach((s, i) => { s.index = i; });

  const probe = progressProbe(first, dataset);
  const evaluate = (due: Slot[]): Promise<EvalMetrics[]> => evaluateDue(trainer!, due, probe);

  try {
    const splits = slots.map((s) => deps.split(dataset, s.run.config));
    slots.forEach((s, i) => { s.trainIdx = splits[i]!.train; }); // one split per slot
    trainer = await deps.createTrainer({
      model: first.model,
      optimizer: { betas: first.optimizer.betas, eps: first.optimizer.eps },
      dataset,
      runs: slots.map((s, i) => modelRunSpec(s.run.config, splits[i]!)),
      batchSize: first.training.batchSize,
      threads: ctx.threads,
      configHash: ctx.configHash,
    });
    if (resumeStep !== null) {
      for (const s of slots) trainer.loadCheckpoint(s.index, sink.loadCheckpoint(s.run.id, resumeStep));
      if (trainer.step !== resumeStep) throw new Error(`engine resumed at step ${trainer.step}, the checkpoints are at step ${resumeStep}`);
    }
    for (const s of slots) ledger.setStatus(s.run.id, 'running');
    ledger.writeSummary('running', true);
    clockStart = Date.now();

    if (resumeStep === null) {
      const metrics = await evaluate(slots);
      for (const s of slots) record(s, metricsOf(metrics, s));
    }
    let lastYield = Date.now();
    for (let active = slots.filter((s) => s.active); active.length; active = active.filter((s) => s.active)) {
      if (control.paused) {
        ctx.reportProgress(true);
        await control.untilRunnable();
        ctx.reportProgress(true);
      }
      if (control.cancelled) {
        for (const s of active) finish(s, 'stopped', 'cancelled');
        return;
      }
      await trainer.trainStep();
      const step = trainer.step;
      meter.trained(active.length);
      const due = active.filter((s) => step % evalEvery === 0 || step >= s.maxSteps);
      if (due.length) {
        const metrics = await evaluate(due);
        for (const s of due) record(s, metricsOf(metrics, s));
        ledger.writeSummary('running');
      }
      if (step % checkpointEvery === 0) {
        for (const s of active) if (s.active) sink.saveCheckpoint(s.run.id, step, trainer.saveCheckpoint(s.index));
      }
      ctx.reportProgress();
      if (Date.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    for (const s of slots) if (s.active) finish(s, 'failed', undefined, message);
    throw e;
  } finally {
    await trainer?.dispose();
  }
}
