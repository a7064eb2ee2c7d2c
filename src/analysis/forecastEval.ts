// How good the early forecast is on finished runs: the forecast made from each run's history cut at
// a fraction of its budget is compared with the run's outcome over the whole history (its regime
// and the step where val reaches ε), and forecast-driven early stop is replayed eval by eval.
import type { EvalMetrics } from '../store/metrics';
import type { Regime } from '../store/types';
import { forecastRun, type ForecastOptions, type RunForecast } from './forecast';
import { regimeOf } from './regime';

export interface ForecastCheck {
  fraction: number;
  forecast: RunForecast;
  trueRegime: Regime;
  trueValReachStep: number | null;
  regimeRight: boolean;
  /** |forecast − true| step where val reaches ε; null when either is null. */
  reachError: number | null;
  /** One says val reaches ε within the budget, the other not. */
  reachMissed: boolean;
}

export function checkForecast(history: readonly EvalMetrics[], budget: number, fraction: number, opts: ForecastOptions = {}): ForecastCheck {
  const truth = regimeOf(history, opts);
  const cut = history.filter((e) => e.step <= fraction * budget);
  const forecast = forecastRun(cut, budget, opts);
  const reachError = forecast.valReachStep !== null && truth.valReachStep !== null ? Math.abs(forecast.valReachStep - truth.valReachStep) : null;
  return {
    fraction, forecast, trueRegime: truth.regime, trueValReachStep: truth.valReachStep,
    regimeRight: forecast.regime === truth.regime, reachError,
    reachMissed: (forecast.valReachStep === null) !== (truth.valReachStep === null),
  };
}

export interface ForecastStopReplay {
  /** Step where forecast early stop would end the run (null: it never fires). */
  stopStep: number | null;
  forecast: RunForecast | null;
  stepsSaved: number;
  /** The regime the cut history is judged as, against the whole history's. */
  regimeAfterStop: Regime;
  trueRegime: Regime;
}

/** The rule of earlyStop.forecast (src/trainer/sweep/earlyStop.ts): a forecast of a regime that does not generalize, held with enough confidence, past minFraction of the budget. */
export function forecastSaysStop(f: RunForecast, budget: number, confidence: number, minFraction: number): boolean {
  return !f.decided && f.confidence >= confidence && f.step >= minFraction * budget
    && (f.regime === 'ungrokking' || f.regime === 'no-learning' || f.regime === 'semi-grokking');
}

export function replayForecastStop(history: readonly EvalMetrics[], budget: number, confidence = 0.8, minFraction = 0.25, opts: ForecastOptions = {}): ForecastStopReplay {
  const trueRegime = regimeOf(history, opts).regime;
  const end = history[history.length - 1]?.step ?? 0;
  for (let i = 0; i < history.length; i++) {
    const cut = history.slice(0, i + 1);
    const f = forecastRun(cut, budget, opts);
    if (forecastSaysStop(f, budget, confidence, minFraction)) {
      return { stopStep: f.step, forecast: f, stepsSaved: end - f.step, regimeAfterStop: regimeOf(cut, opts).regime, trueRegime };
    }
  }
  return { stopStep: null, forecast: null, stepsSaved: 0, regimeAfterStop: trueRegime, trueRegime };
}
