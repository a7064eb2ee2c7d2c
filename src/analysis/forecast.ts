// An early forecast of a run's outcome from what it has shown so far: its regime, and the step at
// which validation accuracy reaches ε. A transparent rule, not a fitted model (docs/progress.md):
//   A. val already ends ≥ ε                     -> the observed regime (decided)
//   B. train has not fit                         -> progression if val follows train and rises,
//                                                   no-learning if both are flat, else unsettled
//   C. train fit, val rising                     -> reaches ε at the linear extrapolation of val over
//                                                   the recent window (grokking or progression by the
//                                                   delay rule; unsettled if past the budget)
//   D. train fit, val flat at the floor:
//      circuit forming (excluded loss rising while restricted loss falls, and
//      excluded / restricted ≥ circuitRatio)     -> grokking, reaching ε at leadRatio × the step the
//                                                   circuit formed
//      otherwise                                 -> ungrokking
//   E. train fit, val flat above the floor       -> semi-grokking
// The confidence is a score in [0, 1] that grows with the evidence (how long a state has held, how
// far through the budget the run is); it is not a calibrated probability: docs/progress.md gives how
// often it was right on held-back sweeps.
import type { EvalMetrics } from '../store/metrics';
import type { Regime } from '../store/types';
import { ANALYSIS_DEFAULTS, floorAccOf } from './options';
import { regimeOf, type RegimeOptions } from './regime';
import { slope } from './stats';

export interface ForecastOptions extends Partial<RegimeOptions> {
  /** Fraction of the steps seen that the recent trends are measured over (at least 3 evals). */
  recentFraction?: number;
  /** excluded / restricted loss at which the circuit counts as formed. */
  circuitRatio?: number;
  /** Step where val reaches ε ≈ leadRatio × step where the circuit formed (measured on modadd-grok: docs/progress.md). */
  leadRatio?: number;
}

export const FORECAST_DEFAULTS = { recentFraction: 0.2, circuitRatio: 2, leadRatio: 3 };

export interface RunForecast {
  /** The last eval step the forecast saw. */
  step: number;
  regime: Regime;
  /** Forecast step where val first reaches ε (null: not within the budget). */
  valReachStep: number | null;
  confidence: number;
  /** True when the regime is already observed (val reached ε), not forecast. */
  decided: boolean;
  /** The rule that decided, in words. */
  reason: string;
  /** Step where the circuit formed (rule D), if it did. */
  circuitStep: number | null;
}

function recent(history: readonly EvalMetrics[], fraction: number): EvalMetrics[] {
  const last = history.at(-1)?.step ?? 0; // empty: nothing passes the filter
  const w = history.filter((e) => e.step >= last * (1 - fraction));
  return w.length >= 3 ? w : history.slice(-3);
}

/** Least-squares change of y over the window (never empty: recent() of a history with evals). */
function change(w: readonly EvalMetrics[], y: (e: EvalMetrics) => number): number {
  const xs = w.map((e) => e.step);
  return slope(xs, w.map(y)) * (xs[xs.length - 1]! - xs[0]!);
}

function clamp01(x: number): number { return Math.max(0, Math.min(1, x)); }

/** First step at which excluded / restricted ≥ ratio and stays so to the end (null: not now). */
export function circuitStep(history: readonly EvalMetrics[], ratio: number): number | null {
  let since: number | null = null;
  for (const e of history) {
    const p = e.progress;
    const on = p?.restrictedLoss !== undefined && p.excludedLoss !== undefined && p.excludedLoss >= ratio * p.restrictedLoss;
    since = on ? since ?? e.step : null;
  }
  return since;
}

export function forecastRun(history: readonly EvalMetrics[], budget: number, options: ForecastOptions = {}): RunForecast {
  const opts = { ...ANALYSIS_DEFAULTS, ...FORECAST_DEFAULTS, ...options };
  const report = regimeOf(history, opts);
  const t = report.lastStep, seen = clamp01(t / budget);
  const out = (regime: Regime, valReachStep: number | null, confidence: number, reason: string, decided = false, circuit: number | null = null): RunForecast =>
    ({ step: t, regime, valReachStep, confidence: Math.round(clamp01(confidence) * 100) / 100, decided, reason, circuitStep: circuit });
  const last = history.at(-1);
  if (!last) return out('unsettled', null, 0, 'no evaluations yet');

  // A. observed
  if (report.endValAcc !== null && report.endValAcc >= opts.epsilon && report.trainFitStep !== null) {
    return out(report.regime, report.valReachStep, 0.95, `observed: ${report.reason}`, true);
  }
  const floor = floorAccOf(opts);
  const w = recent(history, opts.recentFraction);
  const valChange = change(w, (e) => e.valAcc);
  const span = w[w.length - 1]!.step - w[0]!.step; // w is not empty: history is not
  /** Linear extrapolation of val to ε (null if not rising or past the budget). */
  const extrapolate = (): number | null => {
    if (valChange <= 0 || span <= 0) return null;
    const eta = Math.round(t + ((opts.epsilon - last.valAcc) * span) / valChange);
    return eta <= budget ? Math.max(t, eta) : null;
  };
  const rising = valChange >= opts.moveDelta / 2;

  // B. train has not fit
  if (report.trainFitStep === null) {
    const trainChange = change(w, (e) => e.trainAcc);
    if (rising && last.valAcc >= 0.5 * last.trainAcc) {
      const eta = extrapolate();
      return out(eta === null ? 'unsettled' : 'progression', eta, 0.4 + 0.4 * seen, 'train not fit; val follows train upward');
    }
    if (Math.abs(trainChange) < opts.moveDelta && !rising) return out('no-learning', null, 0.3 + 0.6 * seen, 'train not fit and flat');
    return out('unsettled', null, 0.3, 'train not fit; still moving');
  }

  // C. val rising
  if (rising) {
    const eta = extrapolate();
    if (eta === null) return out('unsettled', null, 0.3 + 0.3 * seen, 'val rising too slowly to reach ε within the budget');
    const leftFloorLate = report.valLeavesFloorStep === null || report.valLeavesFloorStep > report.trainFitStep;
    // The regime rule (regime.ts): the plateau after train fit is plateauRatio × the fit step or more.
    const plateau = (report.valLeavesFloorStep ?? t) - report.trainFitStep;
    const grok = leftFloorLate && plateau >= opts.plateauRatio * report.trainFitStep;
    return out(grok ? 'grokking' : 'progression', eta, 0.5 + 0.4 * seen, `val rising ${valChange.toFixed(3)} over the last ${span} steps: extrapolated to ε`);
  }

  const fitFor = t - report.trainFitStep;
  if (last.valAcc <= floor && (report.endValMean ?? 0) <= floor) {
    // D. val at the floor: is the circuit forming?
    const p = last.progress;
    if (p?.restrictedLoss !== undefined && p.excludedLoss !== undefined) {
      const restrictedChange = change(w, (e) => e.progress?.restrictedLoss ?? NaN);
      const excludedChange = change(w, (e) => e.progress?.excludedLoss ?? NaN);
      const formed = circuitStep(history, opts.circuitRatio);
      if (formed !== null && excludedChange > 0 && restrictedChange <= 0) {
        const eta = Math.max(t, Math.round(opts.leadRatio * formed));
        return eta <= budget
          ? out('grokking', eta, 0.5 + 0.3 * seen, `val at the floor, but excluded loss rising (+${excludedChange.toFixed(2)}) while restricted loss falls; excluded/restricted ≥ ${opts.circuitRatio} since step ${formed}`, false, formed)
          : out('unsettled', null, 0.4, `circuit forming since step ${formed}, too late to reach ε within the budget`, false, formed);
      }
    }
    return out('ungrokking', null, 0.4 + 0.5 * clamp01(fitFor / budget) + 0.1 * seen, `train fit ${fitFor} steps ago; val at the floor, no circuit forming`);
  }
  // E. val flat above the floor
  return out('semi-grokking', null, 0.4 + 0.5 * seen, 'train fit; val flat between the floor and ε');
}
