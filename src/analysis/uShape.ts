// Model-wise double descent (Huang et al. 2024): at a fixed data size, validation accuracy
// against model size can rise, fall, and rise again (the dip where memorization wins).
import { ANALYSIS_DEFAULTS } from './options';
import { meanPerX } from './stats';

export interface SizeAcc { modelSize: number; valAcc: number }

export interface UShape {
  detected: boolean;
  /** The deepest dip: min(peak, best after the trough) − trough accuracy (0 for no dip). */
  depth: number;
  /** The highest size-mean before the trough (nearest the trough on ties). */
  peak: SizeAcc | null;
  /** The lowest point of the dip. */
  trough: SizeAcc | null;
  /** The first size after the trough whose accuracy is back up to trough + depth. */
  recovery: SizeAcc | null;
}

/**
 * Find the deepest dip in mean validation accuracy (over seeds) against model size and report
 * it as a U-shape if it is at least `minDip` accuracy points deep on both sides.
 */
export function uShape(points: readonly SizeAcc[], minDip: number = ANALYSIS_DEFAULTS.uShapeMinDip): UShape {
  const curve = meanPerX(points.map((p) => ({ x: p.modelSize, y: p.valAcc })));
  const at = (i: number): SizeAcc => {
    const p = curve[i];
    if (!p) throw new Error(`uShape: no point ${i} of ${curve.length}`);
    return { modelSize: p.x, valAcc: p.y };
  };
  let best = { depth: 0, peak: -1, trough: -1, recovery: -1 };
  let peak = 0; // index of the running max before the trough
  // 1 <= t < length - 1 and peak < t: every curve[] read below is in range.
  for (let t = 1; t < curve.length - 1; t++) {
    if (curve[t - 1]!.y >= curve[peak]!.y) peak = t - 1;
    const after = Math.max(...curve.slice(t + 1).map((p) => p.y));
    const level = Math.min(curve[peak]!.y, after);
    const depth = level - curve[t]!.y;
    if (depth > best.depth) {
      const recovery = curve.findIndex((p, k) => k > t && p.y >= level);
      best = { depth, peak, trough: t, recovery };
    }
  }
  if (best.trough < 0) return { detected: false, depth: 0, peak: null, trough: null, recovery: null };
  return {
    detected: best.depth >= minDip,
    depth: best.depth,
    peak: at(best.peak),
    trough: at(best.trough),
    recovery: at(best.recovery),
  };
}
