// Statistics over the seeds of one group of runs, at given steps: mean, min, max, std and how many
// seeds count. A seed counts from its first point on; after its last point (it stopped early, or has
// not caught up yet) it holds its last value, so the mean does not dip when the best seeds stop.
// The one definition used by the curves panel (live) and the HTML report. Pure and DOM-free.

export interface XY { x: number; y: number }

export interface SeedStat { x: number; mean: number; min: number; max: number; std: number; n: number }

/** Every x that any of the series has, ascending. */
export function unionSteps(series: readonly (readonly XY[])[]): number[] {
  return [...new Set(series.flatMap((s) => s.map((p) => p.x)))].sort((a, b) => a - b);
}

/**
 * Seed statistics at each of `steps` (default: every x any series has). Each series is one seed,
 * sorted by x. At a step, a seed contributes its latest point with x ≤ step, when that value is
 * finite; a step no seed has reached yet is left out.
 */
export function seedStats(series: readonly (readonly XY[])[], steps: readonly number[] = unionSteps(series)): SeedStat[] {
  const cursor = series.map(() => -1);
  const out: SeedStat[] = [];
  for (const x of steps) {
    const ys: number[] = [];
    series.forEach((s, i) => {
      let c = cursor[i]!;
      while (c + 1 < s.length && s[c + 1]!.x <= x) c++;
      cursor[i] = c;
      const y = c >= 0 ? s[c]!.y : NaN;
      if (Number.isFinite(y)) ys.push(y);
    });
    if (!ys.length) continue;
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
    out.push({ x, mean, min: Math.min(...ys), max: Math.max(...ys), std, n: ys.length });
  }
  return out;
}
