// Small numeric helpers shared by the analyses.

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Least-squares slope of ys against xs, paired by index (0 with fewer than two distinct xs). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  if (ys.length !== xs.length) throw new Error(`slope: ${xs.length} xs but ${ys.length} ys`);
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx; // i < both lengths
    sxy += dx * (ys[i]! - my);
    sxx += dx ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Quantile p (0..1) of ascending `sorted`, linearly interpolated (type 7, as numpy's default); NaN when empty. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h), hi = Math.ceil(h);
  const a = sorted[lo]!, b = sorted[hi]!; // 0 <= lo <= hi <= length - 1 for p in [0, 1]
  if (lo === hi || b === a) return a;
  return a + (h - lo) * (b - a);
}

export interface XY { x: number; y: number }

/** The points' y reduced per distinct x (e.g. over seeds), sorted by x. */
export function reducePerX(points: readonly XY[], reduce: (ys: number[]) => number): XY[] {
  const byX = new Map<number, number[]>();
  for (const p of points) {
    const ys = byX.get(p.x);
    if (ys) ys.push(p.y); else byX.set(p.x, [p.y]);
  }
  return [...byX].map(([x, ys]) => ({ x, y: reduce(ys) })).sort((a, b) => a.x - b.x);
}

/** The points' y averaged per distinct x, sorted by x. */
export function meanPerX(points: readonly XY[]): XY[] {
  return reducePerX(points, mean);
}

export type CrossingKind = 'interpolated' | 'below-grid' | 'not-reached';

export interface Crossing {
  kind: CrossingKind;
  /** Where y first reaches `level`: interpolated x; the first x ('below-grid'); null ('not-reached'). */
  value: number | null;
}

/**
 * The smallest x at which y reaches `level`, going up the (x-sorted) points: linear interpolation
 * between the last point below and the first at or above. A later dip back below does not matter.
 */
export function firstCrossing(points: readonly XY[], level: number): Crossing {
  const first = points[0];
  if (!first) return { kind: 'not-reached', value: null };
  if (first.y >= level) return { kind: 'below-grid', value: first.x };
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!, b = points[i]!; // 1 <= i < length
    if (b.y >= level) return { kind: 'interpolated', value: a.x + ((level - a.y) / (b.y - a.y)) * (b.x - a.x) };
  }
  return { kind: 'not-reached', value: null };
}
