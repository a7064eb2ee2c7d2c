// Steps/s and ETA for the progress events. The rate is over model-steps (a lock-step step of M
// models is M), smoothed so that the ETA does not jump with every batch.
import type { ProgressInfo } from './events';

const SMOOTHING = 0.3;
const MIN_WINDOW_MS = 1000;

export class ProgressMeter {
  private rate: number | null = null;
  private windowStart = Date.now();
  private windowSteps = 0;

  private remainingSteps = 0;

  constructor(public runsTotal: number, public runsDone: number) {}

  /** More work is planned: `modelSteps` summed over the runs about to train. */
  planned(modelSteps: number): void {
    this.remainingSteps += modelSteps;
  }

  /** `modelSteps` were trained (M active models x 1 step). */
  trained(modelSteps: number, now = Date.now()): void {
    this.remainingSteps = Math.max(0, this.remainingSteps - modelSteps);
    this.windowSteps += modelSteps;
    const elapsed = now - this.windowStart;
    if (elapsed >= MIN_WINDOW_MS) {
      const r = (this.windowSteps * 1000) / elapsed;
      this.rate = this.rate === null ? r : SMOOTHING * r + (1 - SMOOTHING) * this.rate;
      this.windowStart = now;
      this.windowSteps = 0;
    }
  }

  /** A run ended; `skippedSteps` of its budget will never be trained (early stop, failure). */
  runEnded(finished: boolean, skippedSteps: number): void {
    if (finished) this.runsDone++;
    this.remainingSteps = Math.max(0, this.remainingSteps - skippedSteps);
  }

  snapshot(paused: boolean): ProgressInfo {
    const rate = this.rate ?? 0;
    return {
      runsDone: this.runsDone,
      runsTotal: this.runsTotal,
      stepsPerSec: rate,
      etaSec: rate > 0 ? this.remainingSteps / rate : this.remainingSteps === 0 ? 0 : null,
      paused,
    };
  }
}
