// Critical data size (Zhu et al. 2024): the smallest training size whose expected converged
// validation accuracy is ≥ ε. Per group of runs (same params but data size and seed):
//   bracket [below, above]: the largest grid size whose seeds are decisively below ε and the smallest
//          decisively at or above it (beyond bracketZ standard errors of a seed spread pooled over
//          the group, floored at bracketSdFloor); ambiguous sizes widen it, and an end with no
//          decisive size is open (null). Always reported; it holds the truth in every one of the
//          calibration test's simulated sweeps;
//   value: the crossing of a monotone (isotonic) fit of converged accuracy against size over every
//          run, interpolated in log size between the two grid sizes around it;
//   low, high: a `bootstrapConfidence` interval that resamples the runs of each size AND places the
//          crossing anywhere inside its grid cell (uniform in log size), so a coarse grid gives a
//          wide interval: it is never narrower than the grid and the seeds support;
//   stepsPeak: Zhu et al.'s operational estimate, the size where the steps to reach ε peak;
//   budgetLimited: a run at a bracket size or between them was still moving when its budget ran out.
import type { CriticalDataSize, RunParams } from '../store/types';
import { Rng } from '../util/rng';
import { sharedParams } from './groups';
import { median } from './outcome';
import { ANALYSIS_DEFAULTS, type AnalysisOptions } from './options';

/** One finished run of a group, reduced to what the critical data size needs. */
export interface DataRun {
  params: RunParams;
  dataSize: number;
  seed: number | string;
  /** Converged validation accuracy (outcome.ts). */
  valAcc: number;
  /** Still moving at the end of its budget (outcome.ts); absent: settled. */
  moving?: boolean;
  /** First eval step with val ≥ ε; null: never; absent: unknown. */
  reachStep?: number | null;
}

export type BootstrapOptions = Pick<AnalysisOptions, 'bootstrapResamples' | 'bootstrapConfidence' | 'bootstrapSeed'>;
export type BracketOptions = Pick<AnalysisOptions, 'bracketZ' | 'bracketSdFloor'>;

/** Runs per grid size, sizes ascending. */
function runsBySize(runs: readonly DataRun[]): { sizes: number[]; at: DataRun[][] } {
  const by = new Map<number, DataRun[]>();
  for (const r of runs) {
    const a = by.get(r.dataSize);
    if (a) a.push(r); else by.set(r.dataSize, [r]);
  }
  const sizes = [...by.keys()].sort((a, b) => a - b);
  return { sizes, at: sizes.map((s) => by.get(s)!) };
}

/** Weighted isotonic (non-decreasing) regression by pool-adjacent-violators; weights[i] is ys[i]'s. */
export function isotonic(ys: readonly number[], weights: readonly number[]): number[] {
  if (weights.length !== ys.length) throw new Error(`isotonic: ${ys.length} values but ${weights.length} weights`);
  const blocks: Array<{ y: number; w: number; n: number }> = [];
  for (let i = 0; i < ys.length; i++) {
    blocks.push({ y: ys[i]!, w: weights[i]!, n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.y > blocks[blocks.length - 1]!.y) {
      const b = blocks.pop()!, a = blocks[blocks.length - 1]!; // there were two or more
      a.y = (a.y * a.w + b.y * b.w) / (a.w + b.w);
      a.w += b.w;
      a.n += b.n;
    }
  }
  return blocks.flatMap((b) => Array<number>(b.n).fill(b.y));
}

/** What the seeds of one grid size say about its expected accuracy against ε. */
export type SizeVerdict = 'below' | 'above' | 'ambiguous';

/**
 * Each size's verdict: 'below' when its mean is below ε by more than `bracketZ` standard errors,
 * 'above' when it is at or above ε by more than that, else 'ambiguous'. The standard error is s/√k
 * with s the seed spread pooled over the whole group, at least `bracketSdFloor`: two seeds that
 * happen to agree say little about a third, and a size's own spread from two seeds is too noisy to
 * trust. Exported for tests.
 */
export function sizeVerdicts(accs: readonly number[][], eps: number, opts: BracketOptions): SizeVerdict[] {
  const s = Math.max(pooledSd(accs), opts.bracketSdFloor);
  return accs.map((a) => {
    const m = a.reduce((t, v) => t + v, 0) / a.length;
    const margin = (opts.bracketZ * s) / Math.sqrt(a.length);
    return m + margin < eps ? 'below' : m - margin >= eps ? 'above' : 'ambiguous';
  });
}

/**
 * The bracket [below, above] from the verdicts, using that the expected accuracy rises with data
 * size: below = the largest 'below' size that lies under every 'above' size, above = the smallest
 * 'above' size that lies over every 'below' size (sizes that contradict each other widen it). null
 * at an end: open there (no size decisively on that side). Ambiguous sizes never bound it.
 */
export function bracketOf(sizes: readonly number[], verdicts: readonly SizeVerdict[]): [number | null, number | null] {
  const belowAt = sizes.filter((_, i) => verdicts[i] === 'below');
  const aboveAt = sizes.filter((_, i) => verdicts[i] === 'above');
  const firstAbove = aboveAt[0] ?? Infinity;
  const lastBelow = belowAt.at(-1) ?? -Infinity;
  const below = belowAt.filter((s) => s < firstAbove);
  const above = aboveAt.filter((s) => s > lastBelow);
  return [below.at(-1) ?? null, above[0] ?? null];
}

/**
 * The bracket widened to the grid sizes around the interval: when the seeds leave the crossing
 * uncertain by more than one grid cell, the bracket says so instead of naming one cell.
 */
function widenToInterval(bracket: [number | null, number | null], sizes: readonly number[], low: number, high: number): [number | null, number | null] {
  let [below, above] = bracket;
  if (below !== null) below = low === -Infinity ? null : Math.min(below, [...sizes].reverse().find((s) => s <= low) ?? below);
  if (above !== null) above = high === Infinity ? null : Math.max(above, sizes.find((s) => s >= high) ?? above);
  return [below, above];
}

/** The cell [i−1, i] where the fit first reaches ε: i = 0 below the grid, sizes.length when not reached. */
function crossingCell(fit: readonly number[], eps: number): number {
  const i = fit.findIndex((y) => y >= eps);
  return i < 0 ? fit.length : i;
}

/** Log-size interpolation of the fit's crossing inside cell i (1 ≤ i < sizes.length; fit has one value per size). */
function interpolate(sizes: readonly number[], fit: readonly number[], i: number, eps: number): number {
  const f0 = fit[i - 1]!, f1 = fit[i]!, s0 = sizes[i - 1]!, s1 = sizes[i]!;
  const t = f1 === f0 ? 0.5 : (eps - f0) / (f1 - f0);
  return Math.exp(Math.log(s0) + t * (Math.log(s1) - Math.log(s0)));
}

/** Within-size standard deviation pooled over the sizes with two or more runs (0 without). */
function pooledSd(accs: readonly number[][]): number {
  let ss = 0, dof = 0;
  for (const a of accs) {
    if (a.length < 2) continue;
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    for (const v of a) ss += (v - m) ** 2;
    dof += a.length - 1;
  }
  return dof > 0 ? Math.sqrt(ss / dof) : 0;
}

/** Mean per size and the isotonic fit over every run (weights: runs per size). */
function fitOf(accs: readonly number[][]): { means: number[]; fit: number[] } {
  const means = accs.map((a) => a.reduce((s, v) => s + v, 0) / a.length);
  return { means, fit: isotonic(means, accs.map((a) => a.length)) };
}

/**
 * The interval: each resample draws the group's seeds with replacement (a seed's runs at every size
 * go together: one init shared across sizes makes them alike, which resampling each size on its
 * own would hide), refits, finds the crossing cell and draws the crossing uniformly (in log size)
 * inside it. A size none of the drawn seeds has is resampled on its own. Crossings below the grid
 * are −∞, not reached +∞; a bound in an infinite tail is null (unbounded).
 */
function interval(sizes: number[], at: DataRun[][], eps: number, opts: BootstrapOptions): [number, number] {
  const rng = new Rng(opts.bootstrapSeed, 0xcd5);
  const accs = at.map((a) => a.map((r) => r.valAcc));
  const jitter = pooledSd(accs);
  const means = fitOf(accs).means;
  const seeds = [...new Set(at.flat().map((r) => r.seed))];
  // bySeed[i]: the runs of size i keyed by seed.
  const bySeed = at.map((a) => {
    const m = new Map<number | string, number[]>();
    for (const r of a) { const v = m.get(r.seed); if (v) v.push(r.valAcc); else m.set(r.seed, [r.valAcc]); }
    return m;
  });
  const values: number[] = [];
  for (let b = 0; b < opts.bootstrapResamples; b++) {
    const drawn = seeds.map(() => seeds[rng.int(seeds.length)]!); // rng.int(n) < n
    // A smoothed bootstrap: the resampled mean plus N(0, s²/k), s the within-size SD pooled over the
    // group, so that two seeds that happen to agree do not make a size certain; s is capped by the
    // largest SD an accuracy with that mean can have, √(m(1 − m)), so sizes at 0 or 1 stay there.
    // accs, bySeed and means hold one entry per size; rng.int(n) < n.
    const resampled = accs.map((a, i) => {
      let sum = 0, k = 0;
      for (const seed of drawn) for (const v of bySeed[i]!.get(seed) ?? []) { sum += v; k++; }
      if (k === 0) for (; k < a.length; k++) sum += a[rng.int(a.length)]!;
      const sd = Math.min(jitter, Math.sqrt(Math.max(0, means[i]! * (1 - means[i]!))));
      return [sum / k + (sd * rng.normal()) / Math.sqrt(a.length)];
    });
    const i = crossingCell(fitOf(resampled).fit, eps);
    const u = rng.uniform();
    // 0 < i < sizes.length in the last branch: a cell inside the grid.
    values.push(i === 0 ? -Infinity : i === sizes.length ? Infinity
      : Math.exp(Math.log(sizes[i - 1]!) + u * (Math.log(sizes[i]!) - Math.log(sizes[i - 1]!))));
  }
  values.sort((a, b) => a - b);
  // Outward order statistics (no interpolation into the infinite tails).
  const alpha = 1 - opts.bootstrapConfidence;
  const last = values.length - 1; // bootstrapResamples >= 1 (schema): both indices in 0..last
  return [values[Math.floor(last * (alpha / 2))]!, values[Math.ceil(last * (1 - alpha / 2))]!];
}

/**
 * Zhu et al.'s operational CDS: the size where the median steps to reach ε peak, over the sizes
 * where at least half of the runs reach ε. null without such a size or without reach steps.
 */
export function stepsPeak(sizes: readonly number[], at: readonly DataRun[][]): number | null {
  let best: { size: number; steps: number } | null = null;
  sizes.forEach((size, i) => {
    const runs = at[i]!; // at holds the runs of each size
    const steps = runs.map((r) => r.reachStep).filter((s): s is number => typeof s === 'number');
    if (steps.length === 0 || steps.length * 2 < runs.length) return;
    const m = median(steps);
    if (!best || m > best.steps) best = { size, steps: m };
  });
  return (best as { size: number } | null)?.size ?? null;
}

/**
 * The critical data size of one group of runs (same params but data size and seed).
 * kind 'below-grid': the smallest size already reaches ε (value = that size, an upper bound);
 * 'not-reached': no size does (value null).
 */
export function criticalDataSize(
  runs: readonly DataRun[],
  eps: number,
  options: Partial<BootstrapOptions & BracketOptions & { group: RunParams }> = {},
): CriticalDataSize {
  const opts = { ...ANALYSIS_DEFAULTS, ...options };
  const { sizes, at } = runsBySize(runs);
  const accs = at.map((a) => a.map((r) => r.valAcc));
  const { fit } = fitOf(accs);
  const cell = crossingCell(fit, eps);
  const kind = sizes.length === 0 || cell === sizes.length ? 'not-reached' : cell === 0 ? 'below-grid' : 'interpolated';
  const value = kind === 'not-reached' ? null : kind === 'below-grid' ? sizes[0]! : interpolate(sizes, fit, cell, eps);
  const [rawLow, rawHigh] = runs.length > 0 ? interval(sizes, at, eps, opts) : [Infinity, Infinity];
  // The interval always holds the point estimate (it may sit near a cell edge the draws rarely reach).
  const low = value === null ? rawLow : Math.min(rawLow, value);
  const high = value === null ? rawHigh : Math.max(rawHigh, value);
  const bracket = widenToInterval(bracketOf(sizes, sizeVerdicts(accs, eps, opts)), sizes, low, high);
  // An infinite bound is open (null) on its own side; on the other it is the grid's end: when every
  // resample is below the grid, the interval is "≤ the smallest size", and so on.
  const bound = (v: number, open: number): number | null => (v === open ? null : Number.isFinite(v) ? v : v < 0 ? sizes[0]! : sizes[sizes.length - 1]!); // called with sizes not empty
  // The runs that decide the bracket: at its ends and at every unresolved size between them (an open
  // end takes in the grid's end), so a still-moving run there flags the CDS as budget-limited.
  const [below, above] = bracket;
  const decisive = at.filter((_, i) => (below === null || sizes[i]! >= below) && (above === null || sizes[i]! <= above)).flat();
  return {
    group: options.group ?? sharedParams(runs),
    epsilon: eps,
    bracket,
    value,
    low: sizes.length ? bound(low, -Infinity) : null,
    high: sizes.length ? bound(high, Infinity) : null,
    confidence: opts.bootstrapConfidence,
    seeds: new Set(runs.map((r) => r.seed)).size,
    kind,
    budgetLimited: decisive.some((r) => r.moving === true),
    stepsPeak: stepsPeak(sizes, at),
  };
}
