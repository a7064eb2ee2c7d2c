// The converged outcome of one run: the one definition of "what accuracy did this run end at, and
// has it stopped moving" that the regimes, the critical data size, the regime map, the lenses and
// the report all use. The final eval alone is not it: a single late eval can sit on an Adam
// slingshot spike, and a run cut off by its step budget mid-rise has not converged at all.
//   valAcc / trainAcc: the median of the last `endEvals` evals (3 by default);
//   moving: the least-squares change of val or train accuracy over the end window (the last
//           settleFraction of the steps, at least settleMinEvals evals) is ≥ moveDelta, and the run
//           is not already at the ceiling (train and val both ≥ fitAcc, e.g. an early stop).
// A moving run is budget-limited: its outcome is a lower or upper bound, not a converged value.
import type { EvalMetrics } from '../store/metrics';
import type { AnalysisOptions } from './options';
import { mean, slope } from './stats';

export type OutcomeOptions = Pick<AnalysisOptions, 'endEvals' | 'settleFraction' | 'settleMinEvals' | 'moveDelta' | 'fitAcc'>;

export interface ConvergedOutcome {
  /** Median val accuracy of the last endEvals evals. */
  valAcc: number;
  /** Median train accuracy of the last endEvals evals. */
  trainAcc: number;
  /** Mean val accuracy over the end window. */
  endValMean: number;
  /** Least-squares change of val / train accuracy over the end window. */
  valTrend: number;
  trainTrend: number;
  /** Still moving at the end of the budget (see the header); false at the ceiling. */
  moving: boolean;
  /** Step of the last eval. */
  lastStep: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2; // 1 <= mid < length
}

/** The end window: evals in the last settleFraction of the steps, at least settleMinEvals of them. */
export function endWindow(history: readonly EvalMetrics[], opts: Pick<AnalysisOptions, 'settleFraction' | 'settleMinEvals'>): EvalMetrics[] {
  const last = history.at(-1)?.step;
  if (last === undefined) throw new Error('endWindow: the history has no evals');
  const byStep = history.filter((e) => e.step >= last * (1 - opts.settleFraction));
  return byStep.length >= opts.settleMinEvals ? byStep : history.slice(-opts.settleMinEvals);
}

/** Net change of `acc` over the window (not empty: endWindow's), from its least-squares line. */
export function changeOver(window: readonly EvalMetrics[], acc: (e: EvalMetrics) => number): number {
  const steps = window.map((e) => e.step);
  return slope(steps, window.map(acc)) * (steps[steps.length - 1]! - steps[0]!);
}

/** The evals a converged accuracy is the median of: the last endEvals (at least one). */
function lastEvals(history: readonly EvalMetrics[], endEvals: number): readonly EvalMetrics[] {
  return history.slice(-Math.max(1, endEvals));
}

/** The converged outcome of a history (in step order); null without evals. */
export function convergedOutcome(history: readonly EvalMetrics[], opts: OutcomeOptions): ConvergedOutcome | null {
  const lastEval = history.at(-1);
  if (!lastEval) return null;
  const window = endWindow(history, opts);
  const tail = lastEvals(history, opts.endEvals);
  const valAcc = median(tail.map((e) => e.valAcc));
  const trainAcc = median(tail.map((e) => e.trainAcc));
  const valTrend = changeOver(window, (e) => e.valAcc);
  const trainTrend = changeOver(window, (e) => e.trainAcc);
  const atCeiling = valAcc >= opts.fitAcc && trainAcc >= opts.fitAcc;
  return {
    valAcc, trainAcc, valTrend, trainTrend,
    endValMean: mean(window.map((e) => e.valAcc)),
    moving: !atCeiling && (Math.abs(valTrend) >= opts.moveDelta || Math.abs(trainTrend) >= opts.moveDelta),
    lastStep: lastEval.step,
  };
}

/**
 * A mixture's per-component converged accuracies: the median of each component's train and val
 * accuracy over the same last endEvals evals as convergedOutcome; null without component metrics.
 */
export function convergedComponents(history: readonly EvalMetrics[], opts: Pick<AnalysisOptions, 'endEvals'>): Record<string, { trainAcc: number; valAcc: number }> | null {
  const tail = lastEvals(history, opts.endEvals).filter((e) => e.components);
  const names = Object.keys(tail.at(-1)?.components ?? {});
  if (names.length === 0) return null;
  const of = (name: string, split: 'train' | 'val') => median(tail.flatMap((e) => { const c = e.components?.[name]; return c ? [c[split].acc] : []; }));
  return Object.fromEntries(names.map((name) => [name, { trainAcc: of(name, 'train'), valAcc: of(name, 'val') }]));
}
