// Packs the runs of a sweep into lock-step batches: runs that share shapes (task/dataset, model
// dims, batch size, eval/checkpoint cadence, AdamW betas/eps) train together, as many as fit in a
// memory budget. Seed 0 (the first seed) of every cell comes first, so a first picture of the whole
// grid appears early; the other seeds follow.
import type { ExperimentConfig } from '../config/schema';
import type { RunParams } from '../store/types';
import { datasetDependsOnSeed } from '../trainer/tasks/index';

/** One run of the expanded sweep (the shape of config/sweep.ts's RunPlan). */
export interface PlannedRun {
  id: string;
  index: number;
  params: RunParams;
  config: ExperimentConfig;
}

export interface Batch<R extends PlannedRun = PlannedRun> {
  /** Runs that can share one LockstepTrainer (same shapeKey). */
  runs: R[];
  shapeKey: string;
  bytes: number;
}

/** What must be equal for two runs to train in one lock-step batch. */
export function shapeKey(config: ExperimentConfig): string {
  return JSON.stringify({
    dataset: datasetKey(config),
    model: config.model,
    betas: config.optimizer.betas,
    eps: config.optimizer.eps,
    batchSize: config.training.batchSize,
    evalEvery: config.training.evalEvery,
    checkpointEvery: config.training.checkpointEvery,
  });
}

/** What determines the dataset (its tokens and labels). Random labels are drawn by seed. */
export function datasetKey(config: ExperimentConfig): string {
  return JSON.stringify({ task: config.task, labelSeed: datasetDependsOnSeed(config.task) ? config.seed : null });
}

/** Cell of the grid: the params without the seed. */
export function cellKey(params: RunParams): string {
  const { seed: _seed, ...rest } = params;
  return JSON.stringify(rest);
}

/**
 * Packs runs into batches of at most `budgetBytes` (a run larger than the budget gets a batch of its
 * own). `bytesOf` estimates one run's memory. Deterministic: the same runs and budget always give
 * the same batches.
 */
export function planBatches<R extends PlannedRun>(runs: R[], bytesOf: (run: R) => number, budgetBytes: number): Batch<R>[] {
  const seedRank = rankSeeds(runs);
  const groups = new Map<string, R[]>();
  for (const r of runs) {
    const key = shapeKey(r.config);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const batches: Array<Batch<R> & { rank: number; order: number }> = [];
  for (const [key, members] of groups) {
    members.sort((a, b) => seedRank(a) - seedRank(b) || a.index - b.index);
    let current: Batch<R> | null = null;
    for (const r of members) {
      const bytes = bytesOf(r);
      if (!current || current.bytes + bytes > budgetBytes) {
        const fresh: Batch<R> & { rank: number; order: number } = { runs: [], shapeKey: key, bytes: 0, rank: seedRank(r), order: batches.length };
        batches.push(fresh);
        current = fresh;
      }
      current.runs.push(r);
      current.bytes += bytes;
    }
  }
  batches.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return batches.map(({ runs: rs, shapeKey: k, bytes }) => ({ runs: rs, shapeKey: k, bytes }));
}

/** Rank of each run's seed among the sweep's seeds, in order of first appearance. */
function rankSeeds(runs: PlannedRun[]): (run: PlannedRun) => number {
  const order = new Map<string, number>();
  for (const r of runs) {
    const s = String(r.params.seed ?? r.config.seed);
    if (!order.has(s)) order.set(s, order.size);
  }
  return (r) => order.get(String(r.params.seed ?? r.config.seed))!;
}

/**
 * Runs of one batch resume together only from the same step: splits them by their latest
 * checkpoint (null = from scratch). Normally all share it; a kill while a batch was writing its
 * checkpoints can leave two groups.
 */
export function groupByResumeStep<R extends PlannedRun>(runs: R[], latest: (id: string) => number | null): Array<{ runs: R[]; resumeStep: number | null }> {
  const groups = new Map<number | null, R[]>();
  for (const r of runs) {
    const step = latest(r.id);
    const group = groups.get(step);
    if (group) group.push(r);
    else groups.set(step, [r]);
  }
  return [...groups].map(([resumeStep, rs]) => ({ runs: rs, resumeStep }));
}
