// Early stop: end a run once its outcome is settled. The decision is a pure function of the run's
// eval records so far, so a resumed run (which replays its kept records) stops exactly where an
// uninterrupted one would.
import type { TrainingConfig } from '../config/schema';
import type { EvalRecord } from '../store/types';
import { forecastRun, forecastSaysStop, type ForecastOptions } from '../analysis/index';

export type EarlyStopConfig = TrainingConfig['earlyStop'];
/**
 * generalized: val held >= accuracy for holdEvals evals. plateau: train fit, val flat for plateauSteps.
 * forecast (earlyStop.forecast): the early forecast holds a regime that does not generalize with enough confidence.
 */
export type EarlyStopReason = 'generalized' | 'plateau' | 'forecast';

/** What the forecast needs besides the records: the step budget and the analysis thresholds. */
export interface ForecastContext { budget: number; options: ForecastOptions }

export class EarlyStopMonitor {
  private held = 0;
  /** Step of the first eval of the current streak with train accuracy >= accuracy (null: not fit). */
  private trainFitSince: number | null = null;
  /** Recent (step, valAcc), covering at least the last plateauSteps steps. */
  private window: Array<{ step: number; valAcc: number }> = [];

  /** Every record so far (kept only when earlyStop.forecast is on). */
  private readonly history: EvalRecord[] = [];

  constructor(private readonly cfg: EarlyStopConfig, private readonly forecast?: ForecastContext) {}

  /** Feeds one eval; returns why the run should stop now, or null to go on. */
  observe(rec: EvalRecord): EarlyStopReason | null {
    const { accuracy, holdEvals, plateauSteps, plateauDelta } = this.cfg;
    this.held = rec.valAcc >= accuracy ? this.held + 1 : 0;
    if (rec.trainAcc >= accuracy) this.trainFitSince ??= rec.step;
    else this.trainFitSince = null;
    this.window.push({ step: rec.step, valAcc: rec.valAcc });
    // Keep exactly one record at or before the window start, so the window spans plateauSteps.
    while (this.window.length > 1 && this.window[1]!.step <= rec.step - plateauSteps) this.window.shift();

    const forecast = this.cfg.forecast === true ? { confidence: 0.8, minFraction: 0.25 } : this.cfg.forecast || null;
    if (forecast && this.forecast) this.history.push(rec);

    if (!this.cfg.enabled) return null;
    if (this.held >= holdEvals) return 'generalized';
    if (forecast && this.forecast) {
      const f = forecastRun(this.history, this.forecast.budget, this.forecast.options);
      if (forecastSaysStop(f, this.forecast.budget, forecast.confidence, forecast.minFraction)) return 'forecast';
    }
    const start = this.window[0]!.step; // rec was pushed above, and shift() keeps one
    if (this.trainFitSince !== null && this.trainFitSince <= start && rec.step - start >= plateauSteps) {
      let lo = Infinity, hi = -Infinity;
      for (const w of this.window) { lo = Math.min(lo, w.valAcc); hi = Math.max(hi, w.valAcc); }
      if (hi - lo < plateauDelta) return 'plateau';
    }
    return null;
  }
}
