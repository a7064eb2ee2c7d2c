// Critical data size (Zhu et al. 2024): the smallest training size whose expected converged
// validation accuracy is ≥ ε. "Expected" is the mean over seeds at each grid size; between grid
// sizes it is linearly interpolated. The interval is a seeded percentile bootstrap over seeds.
import type { CriticalDataSize, RunParams } from '../store/types';
import { Rng } from '../util/rng';
import { sharedParams } from './groups';
import { ANALYSIS_DEFAULTS, type AnalysisOptions } from './options';
import { firstCrossing, mean, quantile, type XY } from './stats';

/** One finished run of a group, reduced to what the critical data size needs. */
export interface DataRun {
  params: RunParams;
  dataSize: number;
  seed: number | string;
  /** Converged (final) validation accuracy. */
  valAcc: number;
}

export type BootstrapOptions = Pick<AnalysisOptions, 'bootstrapResamples' | 'bootstrapConfidence' | 'bootstrapSeed'>;

/** Accuracies per grid size, sizes ascending. */
function accuraciesBySize(runs: readonly DataRun[]): { sizes: number[]; accs: number[][] } {
  const by = new Map<number, number[]>();
  for (const r of runs) {
    const a = by.get(r.dataSize);
    if (a) a.push(r.valAcc); else by.set(r.dataSize, [r.valAcc]);
  }
  const sizes = [...by.keys()].sort((a, b) => a - b);
  return { sizes, accs: sizes.map((s) => by.get(s)!) };
}

/** A crossing as a number for ranking resamples: 'not-reached' is +∞. */
function crossingValue(points: XY[], eps: number): number {
  return firstCrossing(points, eps).value ?? Infinity;
}

/**
 * Percentile interval of the crossing, resampling the runs at each size with replacement
 * (independently per size, so sizes with different seed sets work). null bound = unbounded.
 */
function bootstrapInterval(sizes: number[], accs: number[][], eps: number, opts: BootstrapOptions): [number | null, number | null] {
  const rng = new Rng(opts.bootstrapSeed, 0xcd5);
  const values: number[] = [];
  for (let b = 0; b < opts.bootstrapResamples; b++) {
    const points = sizes.map((x, i) => {
      const a = accs[i];
      let s = 0;
      for (let k = 0; k < a.length; k++) s += a[rng.int(a.length)];
      return { x, y: s / a.length };
    });
    values.push(crossingValue(points, eps));
  }
  values.sort((a, b) => a - b);
  const alpha = 1 - opts.bootstrapConfidence;
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return [finite(quantile(values, alpha / 2)), finite(quantile(values, 1 - alpha / 2))];
}

/**
 * The critical data size of one group of runs (same params but data size and seed).
 * kind 'below-grid': the smallest size already reaches ε, so value is only an upper bound;
 * 'not-reached': no size does (value null). low/high: the bootstrap interval, null where unbounded
 * (resamples that never reach ε count as +∞).
 */
export function criticalDataSize(
  runs: readonly DataRun[],
  eps: number,
  options: Partial<BootstrapOptions & { group: RunParams }> = {},
): CriticalDataSize {
  const opts = { ...ANALYSIS_DEFAULTS, ...options };
  const { sizes, accs } = accuraciesBySize(runs);
  const crossing = firstCrossing(sizes.map((x, i) => ({ x, y: mean(accs[i]) })), eps);
  const [low, high] = runs.length > 0 ? bootstrapInterval(sizes, accs, eps, opts) : [null, null];
  return {
    group: options.group ?? sharedParams(runs),
    epsilon: eps,
    value: crossing.value,
    low,
    high,
    seeds: new Set(runs.map((r) => r.seed)).size,
    kind: crossing.kind,
  };
}
