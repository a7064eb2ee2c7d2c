// Memorization capacity D_mem (Huang et al. 2024): how many random-label examples a model of a
// given size can fit. A measurement, not a regime boundary: a sweep of the `memorization` task
// (labels drawn at random; `symmetric: true` gives (a, b) and (b, a) one label, as in the paper)
// over the data size, per model size. A run "fits" when its converged train accuracy
// (outcome.ts) is ≥ fitAcc within its budget; D_mem is the largest data size that most seeds fit.
//
// (Before this, D_mem was read off a grokking sweep as the size where half the runs progress: that
// is where progression starts, not what the model can memorize, and it sits at or above D_crit
// almost by construction. It is no longer reported.)
import type { RunParams, Summary } from '../store/types';
import { isotonic } from './cds';

/** One finished run of a memorization sweep. */
export interface MemorizationRun {
  dataSize: number;
  /** Converged train accuracy (outcome.ts). */
  trainAcc: number;
  /** Still moving at the end of its budget. */
  moving?: boolean;
}

export interface MemorizationCapacity {
  /** The largest grid size that at least half the seeds fit; null when none does. */
  value: number | null;
  /** [largest size fitted, smallest size not fitted]; null = off that end of the grid. */
  bracket: [number | null, number | null];
  /** 'interpolated': the capacity lies inside the grid (value = its lower end);
   *  'below-grid': not even the smallest size is fitted; 'not-reached': every size is fitted (value
   *  is a lower bound). */
  kind: 'interpolated' | 'below-grid' | 'not-reached';
  /** A run at a bracket size was still moving: more steps may fit more. */
  budgetLimited: boolean;
  /** Seeds per size (the smallest count). */
  seeds: number;
}

/**
 * The D_mem measurement that belongs to a group of a grokking sweep: the entry for the same model
 * size whose other params agree wherever both have them, the task's own fields aside (a
 * memorization sweep differs from the grokking one exactly there: task.kind, task.symmetric).
 * The same sweep (a task.kind axis) or another one (analysis.memorizationResults) alike.
 */
export function memorizationFor(
  group: RunParams, modelAxis: string, modelSize: number, entries: Summary['memorizationCapacity'],
): Summary['memorizationCapacity'][number] | null {
  return entries.find((m) => m.group[modelAxis] === modelSize && Object.entries(m.group)
    .every(([k, v]) => k === modelAxis || k.startsWith('task.') || !(k in group) || group[k] === v)) ?? null;
}

/**
 * D_mem of one group of memorization runs (same params but data size and seed): the fit rate per
 * size (share of seeds fitting) made non-increasing in size (isotonic), and the largest size where
 * it is ≥ 1/2.
 */
export function memorizationCapacity(runs: readonly MemorizationRun[], fitAcc: number): MemorizationCapacity {
  const sizes = [...new Set(runs.map((r) => r.dataSize))].sort((a, b) => a - b);
  const at = sizes.map((s) => runs.filter((r) => r.dataSize === s));
  const rate = at.map((a) => a.filter((r) => r.trainAcc >= fitAcc).length / a.length);
  // Non-increasing fit: isotonic on the negated rates.
  const fit = isotonic(rate.map((v) => -v), at.map((a) => a.length)).map((v) => -v);
  const last = fit.reduce((k, v, i) => (v >= 0.5 ? i : k), -1);
  const bracket: [number | null, number | null] = [sizes[last] ?? null, sizes[last + 1] ?? null]; // sizes[-1]: none
  const kind = last < 0 ? 'below-grid' : last === sizes.length - 1 ? 'not-reached' : 'interpolated';
  const decisive = at.filter((_, i) => sizes[i] === bracket[0] || sizes[i] === bracket[1]).flat();
  return {
    value: bracket[0], bracket, kind,
    budgetLimited: decisive.some((r) => r.moving === true),
    seeds: at.length ? Math.min(...at.map((a) => a.length)) : 0,
  };
}
