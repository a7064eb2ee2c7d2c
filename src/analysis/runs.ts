// From stored run summaries to the inputs of the analyses.
import type { RunOutcome, RunSummary } from '../store/types';
import type { DataRun } from './cds';

/** The sweep axis of the seed. */
export const SEED_AXIS = 'seed';

/**
 * Whether a run's final metrics are its outcome: 'done' (early stop or step budget reached).
 * 'stopped' runs were cancelled or interrupted mid-training and will resume, so they do not count.
 */
export function isFinished(run: Pick<RunSummary, 'status' | 'final'>): boolean {
  return run.status === 'done' && run.final !== null;
}

/** A numeric param, or null. */
export function numericParam(run: Pick<RunSummary, 'params'>, axis: string): number | null {
  const v = run.params[axis];
  return typeof v === 'number' ? v : null;
}

/** A finished run as a critical-data-size point, or null (unfinished, or no numeric data size). */
export function dataRunOf(run: RunSummary, dataAxis: string, seedAxis: string): DataRun | null {
  const dataSize = numericParam(run, dataAxis);
  if (dataSize === null || !isFinished(run)) return null;
  const seed = run.params[seedAxis];
  const outcome = outcomeOf(run)!;
  return { params: run.params, dataSize, seed: typeof seed === 'boolean' ? String(seed) : seed ?? 0, valAcc: outcome.valAcc, moving: outcome.moving, reachStep: run.steps.valReach };
}

/**
 * The run's converged outcome (src/analysis/outcome.ts) as stored in its summary; a summary written
 * before outcomes existed falls back to its final eval, counted as settled. null without evals.
 */
export function outcomeOf(run: Pick<RunSummary, 'final' | 'outcome'>): RunOutcome | null {
  if (run.outcome) return run.outcome;
  return run.final ? { trainAcc: run.final.trainAcc, valAcc: run.final.valAcc, moving: false } : null;
}
