// Classify one run's history into a learning regime (Huang et al. 2024's four dynamics, plus
// no-learning and unsettled). The papers define the regimes only in words; the thresholds are the
// AnalysisOptions. Every rule compares accuracies with levels (ε, fitAcc, the floor from chance) and
// durations with durations of the same run, never with a step count, so a run trained at another
// learning rate (the same curve stretched in time) or evaluated at another spacing gets the same
// label. The decision order:
//   1. train never fits:               unsettled if train or val still moves at the end, else no-learning
//   2. val ends ≥ ε (the median of the last endEvals evals, so one slingshot dip at the end does not count):
//                                      grokking if val was still at the floor when train fit AND stayed
//                                      there for a plateau ≥ plateauRatio × the train-fit step (1: val
//                                      still at the floor at twice the fit step; on a log-step axis, a
//                                      plateau of at least one doubling after the fit): memorization
//                                      first, then a wait as long as memorizing took; else progression
//   3. val ends < ε and still moves:   unsettled: the end-window change is ≥ moveDelta and at least
//                                      half the largest change val made over any earlier stretch of
//                                      the same length (a residual creep after the rise is settled)
//   4. val's end-window mean ≤ floor:  ungrokking (memorization only)
//   5. otherwise:                      semi-grokking (val ends between floor and ε, or oscillates there)
import type { EvalMetrics } from '../store/metrics';
import type { Regime } from '../store/types';
import { ANALYSIS_DEFAULTS, floorAccOf, type AnalysisOptions } from './options';
import { changeOver, convergedOutcome, endWindow } from './outcome';

export type RegimeOptions = Pick<AnalysisOptions,
  'epsilon' | 'fitAcc' | 'numClasses' | 'floorAcc' | 'floorMargin' | 'plateauRatio' | 'settleFraction' | 'settleMinEvals' | 'moveDelta' | 'endEvals'>;

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
  /** valLeavesFloorStep − trainFitStep when val was still at the floor at train fit: the plateau. */
  plateauSteps: number | null;
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
  const lastNorm = withNorm.at(-1);
  if (!lastNorm) return { step: null, drop: null };
  const peak = withNorm.reduce((a, b) => (b.weightNorm > a.weightNorm ? b : a));
  const final = lastNorm.weightNorm;
  return { step: peak.step, drop: peak.weightNorm > 0 ? 1 - final / peak.weightNorm : 0 };
}

/**
 * The largest |least-squares change| of val accuracy over any stretch of `span` steps that ends
 * before `before` (the end window's start): how fast val moved when it moved most.
 */
function largestEarlierChange(history: readonly EvalMetrics[], span: number, before: number): number {
  let largest = 0;
  // end < length and start - 1 >= 0: every read below is in range.
  for (let end = 0; end < history.length && history[end]!.step <= before; end++) {
    let start = end;
    while (start > 0 && history[end]!.step - history[start - 1]!.step <= span) start--;
    if (end - start < 1) continue;
    largest = Math.max(largest, Math.abs(changeOver(history.slice(start, end + 1), (e) => e.valAcc)));
  }
  return largest;
}

/** The regime of one run from its eval history (in step order), with the steps that decided it. */
export function regimeOf(history: readonly EvalMetrics[], options: Partial<RegimeOptions> = {}): RegimeReport {
  const opts: RegimeOptions = { ...ANALYSIS_DEFAULTS, ...options };
  const floorAcc = floorAccOf(opts);
  const lastEval = history.at(-1);
  if (!lastEval) {
    return {
      regime: 'unsettled', reason: 'no evaluations yet', trainFitStep: null, valFitStep: null, valReachStep: null,
      valLeavesFloorStep: null, grokDelay: null, plateauSteps: null, weightNormPeakStep: null, weightNormDrop: null, floorAcc,
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
  const finalValAcc = lastEval.valAcc;
  const grokDelay = trainFitStep !== null && valReachStep !== null ? valReachStep - trainFitStep : null;
  const norm = weightNormPeak(history);
  // Still moving: a change of moveDelta over the end window that is not a residual creep, i.e. at
  // least half of val's fastest change over an earlier stretch as long as the window.
  const window = endWindow(history, opts);
  const windowStart = window[0]!.step; // endWindow of a history with evals is not empty
  const windowSpan = window[window.length - 1]!.step - windowStart;
  const valMoving = Math.abs(endValTrend) >= opts.moveDelta
    && Math.abs(endValTrend) >= 0.5 * largestEarlierChange(history, windowSpan, windowStart);
  const plateauSteps = trainFitStep !== null && valLeavesFloorStep !== null && valLeavesFloorStep > trainFitStep
    ? valLeavesFloorStep - trainFitStep : null;

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
      // The plateau is measured against the time train took to fit, not against the time to ε: a
      // slow creep off the floor long after the fit (the canonical a+b mod 97 curve: fit at 150, val
      // past the floor at 450, ε at 1800) is still memorization first, then a wait.
      const ratio = trainFitStep > 0 ? (plateauSteps ?? 0) / trainFitStep : plateauSteps ? Infinity : 0; // fit at step 0: any plateau is long
      const ratioText = `${ratio.toFixed(1)}× the ${trainFitStep} steps train took to fit`;
      return ratio >= opts.plateauRatio
        ? ['grokking', `validation stayed at the floor for ${plateauSteps} steps after train fit (${ratioText}), then reached ${opts.epsilon} at step ${valReachStep}`]
        : ['progression', `validation left the floor soon after train fit (a plateau of ${ratioText}, < ${opts.plateauRatio}×)`];
    }
    if (valMoving) return ['unsettled', 'validation accuracy is still moving at the end (at half its fastest pace or more)'];
    if (endValMean <= floorAcc) return ['ungrokking', 'train fit; validation stayed at the floor'];
    return ['semi-grokking', `train fit; validation settled between the floor and ${opts.epsilon}`];
  };
  const [regime, reason] = decide();
  return {
    regime, reason, trainFitStep, valReachStep, valLeavesFloorStep, grokDelay, plateauSteps, floorAcc, finalValAcc, endValAcc,
    valFitStep: firstStep(history, (e) => e.valAcc >= opts.fitAcc),
    weightNormPeakStep: norm.step, weightNormDrop: norm.drop,
    endValMean, endValTrend, endTrainTrend, lastStep: lastEval.step,
  };
}

/** Every regime, in legend order (also the tie-break order of a majority vote). */
export { REGIMES } from '../store/regimes';

/** The regimes where train fits before validation generalizes (memorization first). */
export const MEMORIZATION_FIRST: ReadonlySet<Regime> = new Set<Regime>(['ungrokking', 'semi-grokking', 'grokking']);
