// Emergence in mixture tasks (Huang et al. 2024): trained next to a memorization task, a
// component (e.g. addition) generalizes only past some model size, often abruptly. Model sizes
// span orders of magnitude, so every position and width here is taken in log10 model size.
import { ANALYSIS_DEFAULTS, type AnalysisOptions } from './options';
import { firstCrossing, mean, reducePerX, type CrossingKind, type XY } from './stats';

export interface ComponentPoint {
  modelSize: number;
  /** As in RunSummary.components. */
  components: Record<string, { valAcc: number }>;
}

export interface EmergenceOptions extends Pick<AnalysisOptions, 'emergenceLowFraction' | 'emergenceHighFraction'> {
  /** How seeds at one size combine: 'mean', or 'max' (Huang et al. report the best of 3 runs). */
  aggregate: 'mean' | 'max';
}

export interface Emergence {
  component: string;
  epsilon: number;
  /** Model size where the component's val accuracy first reaches ε (interpolated in log size). */
  value: number | null;
  kind: CrossingKind;
  /** log10(size at 90% of the rise) − log10(size at 10%), the rise being from the curve's minimum
   *  to its maximum. Small = sharp. null when the curve does not rise (no maximum after its minimum). */
  widthLog10: number | null;
  /** Steepest rise between neighbouring sizes, in accuracy per decade of model size. */
  maxSlope: number;
  /** Where that is: the geometric mean of the two sizes (null with fewer than two sizes). */
  maxSlopeAt: number | null;
  /** The curve the numbers come from: aggregated val accuracy per model size, ascending. */
  curve: Array<{ modelSize: number; valAcc: number }>;
}

const toLog = (p: XY): XY => ({ x: Math.log10(p.x), y: p.y });

/** Where `component` emerges as model size grows, and how sharply. */
export function emergence(
  points: readonly ComponentPoint[],
  component: string,
  eps: number,
  options: Partial<EmergenceOptions> = {},
): Emergence {
  const opts = { ...ANALYSIS_DEFAULTS, aggregate: 'mean' as const, ...options };
  const reduce = opts.aggregate === 'max' ? (ys: number[]) => Math.max(...ys) : mean;
  const curve = reducePerX(
    points.flatMap((p) => { const c = p.components[component]; return c ? [{ x: p.modelSize, y: c.valAcc }] : []; }),
    reduce,
  );
  const logCurve = curve.map(toLog);
  const crossing = firstCrossing(logCurve, eps);
  // Back to linear size (exactly the first size when below the grid, not 10^log10 of it).
  const value = crossing.kind === 'below-grid' ? curve[0]!.x : crossing.value === null ? null : 10 ** crossing.value;

  // The rise: from the curve's minimum on, up to its maximum.
  const ys = logCurve.map((p) => p.y);
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const rise = logCurve.slice(ys.indexOf(lo));
  let widthLog10: number | null = null;
  if (hi > lo && ys.indexOf(hi) > ys.indexOf(lo)) {
    const a = firstCrossing(rise, lo + opts.emergenceLowFraction * (hi - lo)).value!;
    const b = firstCrossing(rise, lo + opts.emergenceHighFraction * (hi - lo)).value!;
    widthLog10 = b - a;
  }

  let maxSlope = 0, maxSlopeAt: number | null = null;
  // 1 <= i < length: both points exist.
  for (let i = 1; i < logCurve.length; i++) {
    const a = logCurve[i - 1]!, b = logCurve[i]!;
    const s = (b.y - a.y) / (b.x - a.x);
    if (maxSlopeAt === null || s > maxSlope) { maxSlope = s; maxSlopeAt = 10 ** ((b.x + a.x) / 2); }
  }

  return {
    component, epsilon: eps, value, kind: crossing.kind, widthLog10, maxSlope, maxSlopeAt,
    curve: curve.map((p) => ({ modelSize: p.x, valAcc: p.y })),
  };
}
