// Every threshold the analysis uses, with its default. The config's `analysis` section may override
// any of them (AnalysisSchema keeps unknown keys for exactly this; they are validated here).
// The papers give no numeric thresholds for the regimes, so these are our choices: see README.md.
import { z } from 'zod';

export interface AnalysisOptions {
  /** Accuracy that counts as "generalized": the ε of the critical data size and of the regimes. */
  epsilon: number;
  /** Accuracy that counts as "fit" (train) or "fully generalized" (the valFit step). */
  fitAcc: number;
  /** Number of classes; chance accuracy is 1 / numClasses. null: unknown (chance taken as 0). */
  numClasses: number | null;
  /** Absolute floor accuracy ("val is still low"). null: derive it from chance with floorMargin. */
  floorAcc: number | null;
  /** Floor = chance + floorMargin × (1 − chance): a fraction of the way from chance to perfect,
   *  so the same setting works for 113 classes (floor ≈ 0.11) and for 2 (floor 0.55). */
  floorMargin: number;
  /** Grokking needs val to stay at the floor after train fit for a plateau of at least this many
   *  times the train-fit step (1: still at the floor at twice the fit step). A ratio of durations
   *  of the same run: the same at any learning rate. */
  plateauRatio: number;
  /** The "end of the run" window: this fraction of the last step, ... */
  settleFraction: number;
  /** ... and at least this many evals. */
  settleMinEvals: number;
  /** Accuracy still "moving": |least-squares slope × window span| ≥ moveDelta over the end window. */
  moveDelta: number;
  /** "Val ends ≥ ε" is judged on the median val accuracy of the last endEvals evals, so one transient
   *  dip at the last eval (an Adam slingshot spike) does not change the regime. 1: the last eval alone. */
  endEvals: number;
  /** PAIR explorable rule: a run "learned" train (or val) if its minimum loss fell below this. */
  pairLossThreshold: number;
  /** PAIR explorable rule: grokking if max over evals of valLoss / trainLoss reached this. */
  pairMaxRatio: number;
  /** Bootstrap resamples of the critical data size interval. */
  bootstrapResamples: number;
  /** Two-sided coverage of the bootstrap interval (0.9: the 5th to 95th percentile). */
  bootstrapConfidence: number;
  /** The CDS bracket calls a grid size below (or at or above) ε only when its mean is beyond ε by
   *  more than bracketZ standard errors (cds.ts: sizeVerdicts) ... */
  bracketZ: number;
  /** ... with the seed spread pooled over the group, and at least this (accuracy points). */
  bracketSdFloor: number;
  /** Seed of the bootstrap resampling, so intervals are the same on every run. */
  bootstrapSeed: number;
  /** Smallest dip (accuracy points below both the peak and the recovery) that counts as a U-shape. */
  uShapeMinDip: number;
  /** Emergence sharpness: the log10-size width between these fractions of the rise (10% → 90%). */
  emergenceLowFraction: number;
  emergenceHighFraction: number;
}

export const ANALYSIS_DEFAULTS: Readonly<AnalysisOptions> = Object.freeze({
  epsilon: 0.95, // the config default (analysis.epsilon)
  fitAcc: 0.99, // the same level as training.earlyStop.accuracy
  numClasses: null,
  floorAcc: null,
  floorMargin: 0.1,
  plateauRatio: 1,
  settleFraction: 0.2,
  settleMinEvals: 3,
  moveDelta: 0.05,
  endEvals: 3,
  pairLossThreshold: 1e-5, // the explorable's default "min loss" slider
  pairMaxRatio: 5e4, // the explorable's default "max test/train loss ratio" slider
  bootstrapResamples: 1000,
  bootstrapConfidence: 0.9,
  bootstrapSeed: 0,
  bracketZ: 3,
  bracketSdFloor: 0.03,
  uShapeMinDip: 0.1,
  emergenceLowFraction: 0.1,
  emergenceHighFraction: 0.9,
});

const fraction = z.number().gt(0).lt(1);
const accuracy = z.number().gt(0).lte(1);

/** The analysis keys a config's `analysis` section may set; all optional (defaults above). */
export const AnalysisOptionsSchema = z.object({
  epsilon: accuracy,
  fitAcc: accuracy,
  numClasses: z.number().int().min(2).nullable(),
  floorAcc: z.number().min(0).lt(1).nullable(),
  floorMargin: fraction,
  plateauRatio: z.number().min(0),
  settleFraction: fraction,
  settleMinEvals: z.number().int().min(2),
  moveDelta: z.number().gt(0),
  endEvals: z.number().int().min(1),
  pairLossThreshold: z.number().gt(0),
  pairMaxRatio: z.number().gt(1),
  bootstrapResamples: z.number().int().min(1),
  bootstrapConfidence: fraction,
  bootstrapSeed: z.number().int(),
  bracketZ: z.number().min(0),
  bracketSdFloor: z.number().min(0).lt(1),
  uShapeMinDip: z.number().gt(0).lte(1),
  emergenceLowFraction: fraction,
  emergenceHighFraction: fraction,
}).partial();

/**
 * The options in force: defaults, then the config's `analysis` section (unknown keys ignored,
 * known keys validated: a bad value throws a ZodError naming it), then explicit overrides.
 */
export function analysisOptions(section?: unknown, overrides: Partial<AnalysisOptions> = {}): AnalysisOptions {
  const fromConfig = AnalysisOptionsSchema.parse(section ?? {});
  return { ...ANALYSIS_DEFAULTS, ...fromConfig, ...overrides };
}

/** Chance accuracy, or 0 when the number of classes is unknown. */
export function chanceAcc(opts: Pick<AnalysisOptions, 'numClasses'>): number {
  return opts.numClasses ? 1 / opts.numClasses : 0;
}

/** The accuracy below which validation counts as "still low" (see floorAcc / floorMargin). */
export function floorAccOf(opts: Pick<AnalysisOptions, 'numClasses' | 'floorAcc' | 'floorMargin'>): number {
  if (opts.floorAcc !== null) return opts.floorAcc;
  const chance = chanceAcc(opts);
  return chance + opts.floorMargin * (1 - chance);
}
