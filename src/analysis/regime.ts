// Classify one run's history into a learning regime (Huang et al. 2024's four dynamics, plus
// no-learning and unsettled). The papers define the regimes only in words; the thresholds are the
// AnalysisOptions, and the decision order is:
//   1. train never fits:               unsettled if train or val still moves at the end, else no-learning
//   2. val ends ≥ ε (the median of the last endEvals evals, so one slingshot dip at the end does not count):
//                                      grokking if val left the floor only after train fit AND
//                                      grokDelay ≥ delayRatio × trainFitStep, else progression
//   3. val ends < ε and still moves:   unsettled
//   4. val's end-window mean ≤ floor:  ungrokking (memorization only)
//   5. otherwise:                      semi-grokking (val ends between floor and ε, or oscillates there)
import type { EvalMetrics } from '../store/metrics';
import type { Regime } from '../store/types';
import { ANALYSIS_DEFAULTS, floorAccOf, type AnalysisOptions } from './options';
import { convergedOutcome } from './outcome';

export type RegimeOptions = Pick<AnalysisOptions,
  'epsilon' | 'fitAcc' | 'numClasses' | 'floorAcc' | 'floorMargin' | 'delayRatio' | 'settleFraction' | 'settleMinEvals' | 'moveDelta' | 'endEvals'>;

export interface RegimeReport {
  regime: Regime;
  /** The rule that decided, in words (for tooltips and the report). */
  reason: string;
  /** First eval step with trainAcc ≥ fitAcc. */
  trainFitStep: number | null;
  /** First eval step with valAcc ≥ fitAcc. */
  valFitStep: number | null;
  /** First eval step with valAcc ≥ ε. */
  valReachStep: number | null;
  /** First eval step with valAcc above the floor: when validation starts rising. */
  valLeavesFloorStep: number | null;
  /** valReachStep − trainFitStep: how long generalization lagged memorization. */
  grokDelay: number | null;
  /** Step of the largest total weight norm (grokking: the norm rises, peaks, then falls). */
  weightNormPeakStep: number | null;
  /** 1 − final / peak weight norm: how far the norm fell after its peak (0 = still at the peak). */
  weightNormDrop: number | null;
  /** The floor accuracy in force (absolute, or derived from chance). */
  floorAcc: number;
  finalValAcc: number | null;
  /** Median val accuracy of the last endEvals evals: what "val ends ≥ ε" is judged on. */
  endValAcc: number | null;
  /** Over the end window: mean val accuracy, and the least-squares change of val and train accuracy. */
  endValMean: number | null;
  endValTrend: number;
  endTrainTrend: number;
  lastStep: number;
}

/** First eval step that passes `test`, or null. */
function firstStep(history: readonly EvalMetrics[], test: (e: EvalMetrics) => boolean): number | null {
  return history.find(test)?.step ?? null;
}

function weightNormPeak(history: readonly EvalMetrics[]): { step: number | null; drop: number | null } {
  const withNorm = history.filter((e) => Number.isFinite(e.weightNorm));
  if (withNorm.length === 0) return { step: null, drop: null };
  const peak = withNorm.reduce((a, b) => (b.weightNorm > a.weightNorm ? b : a));
  const final = withNorm[withNorm.length - 1].weightNorm;
  return { step: peak.step, drop: peak.weightNorm > 0 ? 1 - final / peak.weightNorm : 0 };
}

/** The regime of one run from its eval history (in step order), with the steps that decided it. */
export function regimeOf(history: readonly EvalMetrics[], options: Partial<RegimeOptions> = {}): RegimeReport {
  const opts: RegimeOptions = { ...ANALYSIS_DEFAULTS, ...options };
  const floorAcc = floorAccOf(opts);
  if (history.length === 0) {
    return {
      regime: 'unsettled', reason: 'no evaluations yet', trainFitStep: null, valFitStep: null, valReachStep: null,
      valLeavesFloorStep: null, grokDelay: null, weightNormPeakStep: null, weightNormDrop: null, floorAcc,
      finalValAcc: null, endValAcc: null, endValMean: null, endValTrend: 0, endTrainTrend: 0, lastStep: 0,
    };
  }
  // A non-finite loss (stored as null) ends a run: it diverged, whatever its accuracies say.
  const divergedStep = firstStep(history, (e) => !Number.isFinite(e.trainLoss));
  const trainFitStep = firstStep(history, (e) => e.trainAcc >= opts.fitAcc);
  const valReachStep = firstStep(history, (e) => e.valAcc >= opts.epsilon);
  const valLeavesFloorStep = firstStep(history, (e) => e.valAcc > floorAcc);
  // The converged outcome (outcome.ts): the median of the last evals and the end-window trends.
  const outcome = convergedOutcome(history, opts)!;
  const { valTrend: endValTrend, trainTrend: endTrainTrend, endValMean, valAcc: endValAcc } = outcome;
  const finalValAcc = history[history.length - 1].valAcc;
  const grokDelay = trainFitStep !== null && valReachStep !== null ? valReachStep - trainFitStep : null;
  const norm = weightNormPeak(history);
  const valMoving = Math.abs(endValTrend) >= opts.moveDelta;

  const decide = (): [Regime, string] => {
    if (divergedStep !== null) return ['diverged', `the training loss became non-finite (NaN or infinite) at step ${divergedStep}`];
    if (trainFitStep === null) {
      return valMoving || Math.abs(endTrainTrend) >= opts.moveDelta
        ? ['unsettled', 'train has not fit and accuracy is still moving at the end']
        : ['no-learning', `train accuracy never reached ${opts.fitAcc}`];
    }
    if (endValAcc >= opts.epsilon) {
      if (valLeavesFloorStep !== null && valLeavesFloorStep <= trainFitStep) {
        return ['progression', 'validation started rising before train fit'];
      }
      return grokDelay! >= opts.delayRatio * trainFitStep
        ? ['grokking', `validation reached ${opts.epsilon} ${grokDelay} steps after train fit (≥ ${opts.delayRatio}× the fit step)`]
        : ['progression', `validation reached ${opts.epsilon} soon after train fit (< ${opts.delayRatio}× the fit step)`];
    }
    if (valMoving) return ['unsettled', 'validation accuracy is still moving at the end'];
    if (endValMean <= floorAcc) return ['ungrokking', 'train fit; validation stayed at the floor'];
    return ['semi-grokking', `train fit; validation settled between the floor and ${opts.epsilon}`];
  };
  const [regime, reason] = decide();
  return {
    regime, reason, trainFitStep, valReachStep, valLeavesFloorStep, grokDelay, floorAcc, finalValAcc, endValAcc,
    valFitStep: firstStep(history, (e) => e.valAcc >= opts.fitAcc),
    weightNormPeakStep: norm.step, weightNormDrop: norm.drop,
    endValMean, endValTrend, endTrainTrend, lastStep: history[history.length - 1].step,
  };
}

/** Every regime, in legend order (also the tie-break order of a majority vote). */
export { REGIMES } from '../store/regimes';

/** The regimes where train fits before validation generalizes (memorization first). */
export const MEMORIZATION_FIRST: ReadonlySet<Regime> = new Set<Regime>(['ungrokking', 'semi-grokking', 'grokking']);
