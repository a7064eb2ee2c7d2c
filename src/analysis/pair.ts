// The four-outcome rule of Google PAIR's explorable "Do Machine Learning Models Memorize or
// Generalize?" (pair.withgoogle.com/explorables/grokking; its sweep charts color each run by it).
// It looks only at losses, so it needs no class count or accuracy thresholds:
//   min train loss > pairLossThreshold                → 'no-learning'    ("high train loss")
//   else min val loss > pairLossThreshold             → 'memorization'   ("high test loss")
//   else max(valLoss / trainLoss) < pairMaxRatio      → 'generalization' ("train/test drop together")
//   else                                              → 'grokking'
// Defaults are the explorable's own: 1e-5 for both losses, 5e4 for the ratio.
import type { EvalMetrics } from '../store/metrics';
import { ANALYSIS_DEFAULTS, type AnalysisOptions } from './options';

export type PairOutcome = 'no-learning' | 'memorization' | 'generalization' | 'grokking';

export interface PairReport {
  outcome: PairOutcome;
  minTrainLoss: number;
  minValLoss: number;
  /** Max over evals of valLoss / trainLoss (Infinity once train loss is exactly 0 and val's is not). */
  maxLossRatio: number;
}

export function pairOutcome(
  history: readonly EvalMetrics[],
  options: Partial<Pick<AnalysisOptions, 'pairLossThreshold' | 'pairMaxRatio'>> = {},
): PairReport {
  const { pairLossThreshold, pairMaxRatio } = { ...ANALYSIS_DEFAULTS, ...options };
  let minTrainLoss = Infinity, minValLoss = Infinity, maxLossRatio = 0;
  for (const e of history) {
    minTrainLoss = Math.min(minTrainLoss, e.trainLoss);
    minValLoss = Math.min(minValLoss, e.valLoss);
    const ratio = e.valLoss / e.trainLoss;
    if (!Number.isNaN(ratio)) maxLossRatio = Math.max(maxLossRatio, ratio);
  }
  const outcome: PairOutcome =
    !(minTrainLoss <= pairLossThreshold) ? 'no-learning'
      : !(minValLoss <= pairLossThreshold) ? 'memorization'
        : maxLossRatio < pairMaxRatio ? 'generalization' : 'grokking';
  return { outcome, minTrainLoss, minValLoss, maxLossRatio };
}
