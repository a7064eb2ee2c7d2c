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

/**
 * A finished run as a critical-data-size point, or null (unfinished, or no numeric data size).
 * `component`: the mixture component the data axis sizes (mixtureSize.ts): its own converged val
 * accuracy is the one that counts, and the run-level reach step (overall val) is not its.
 */
export function dataRunOf(run: RunSummary, dataAxis: string, seedAxis: string, component?: string): DataRun | null {
  const dataSize = numericParam(run, dataAxis);
  if (dataSize === null || !isFinished(run)) return null;
  const seed = run.params[seedAxis];
  const outcome = outcomeOf(run)!;
  const own = component === undefined ? null : componentValAcc(run, component);
  return {
    params: run.params, dataSize, seed: typeof seed === 'boolean' ? String(seed) : seed ?? 0, moving: outcome.moving,
    ...(own === null ? { valAcc: outcome.valAcc, reachStep: run.steps.valReach } : { valAcc: own }),
  };
}

/**
 * The run's converged outcome (src/analysis/outcome.ts) as stored in its summary; a summary written
 * before outcomes existed falls back to its final eval, counted as settled. null without evals.
 */
export function outcomeOf(run: Pick<RunSummary, 'final' | 'outcome'>): RunOutcome | null {
  if (run.outcome) return run.outcome;
  return run.final ? { trainAcc: run.final.trainAcc, valAcc: run.final.valAcc, moving: false } : null;
}

/** A run's converged val accuracy on one mixture component: its outcome's, else its last eval's; null without. */
export function componentValAcc(run: Pick<RunSummary, 'outcome' | 'components'>, component: string): number | null {
  return run.outcome?.components?.[component]?.valAcc ?? run.components?.[component]?.valAcc ?? null;
}
