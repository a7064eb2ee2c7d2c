// The pure arithmetic of `npm run bench`'s paired rounds (bench/paired.ts): the order of a round's
// segments, the steps a segment runs, which torch configurations stay in, the paired ratios and
// their median and spread, and when a case is "noisy". No clocks and no processes here, so that
// test/bench/pairedStats.test.ts can check every rule.

/** A sample's median and spread: min-max and the interquartile range (linear interpolation). */
export interface Summary {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

/** The q-quantile of xs (0 ≤ q ≤ 1), interpolated linearly between order statistics (R's type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function summarize(xs: readonly number[]): Summary {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75) };
}

/** Round i's ratio num[i] / den[i]: each ratio's two sides were measured within the same minute. */
export function pairedRatios(num: readonly number[], den: readonly number[]): number[] {
  if (num.length !== den.length) throw new Error(`paired ratios need as many rounds on both sides (${num.length} vs ${den.length})`);
  return num.map((x, i) => x / den[i]!);
}

/** The width of the interquartile range relative to the median: 0.2 = the middle half within ±10%. */
export function relativeIqr(s: Summary): number {
  return (s.q3 - s.q1) / s.median;
}

/**
 * The segments of round r, in order: ours first in even rounds, last in odd ones (A B | B A | A B ...),
 * so that a drift in the machine's load over a case hits both sides alike; torch's configurations
 * keep their order relative to ours (reversed in odd rounds).
 */
export function roundOrder<T>(round: number, ours: T, torch: readonly T[]): T[] {
  return round % 2 === 0 ? [ours, ...torch] : [...torch].reverse().concat([ours]);
}

/** Steps for a segment of about targetMs, from a warm step's wall time, within [min, max]. */
export function stepsFor(msPerStep: number, targetMs: number, min = 1, max = 200): number {
  if (!(msPerStep > 0)) return min;
  return Math.max(min, Math.min(max, Math.round(targetMs / msPerStep)));
}

/** A torch configuration's warm-up: wall and CPU ms per step. */
export interface Trial {
  name: string;
  wallMs: number;
  cpuMs: number;
}

/**
 * Which of torch's configurations run the rounds: those within `factor` of the fastest on wall time
 * or of the most frugal on CPU time, in their warm-up. A configuration more than `factor` behind on
 * both (bmm at d=32: 2–4× the processes' time) would only spend the bench's time.
 */
export function keepConfigs(trials: readonly Trial[], factor = 1.5): { kept: string[]; dropped: string[] } {
  const bestWall = Math.min(...trials.map((t) => t.wallMs));
  const bestCpu = Math.min(...trials.map((t) => t.cpuMs));
  const keep = (t: Trial) => t.wallMs <= factor * bestWall || t.cpuMs <= factor * bestCpu;
  return { kept: trials.filter(keep).map((t) => t.name), dropped: trials.filter((t) => !keep(t)).map((t) => t.name) };
}

/** The configuration whose median over the rounds is least (torch's best on that measure). */
export function bestByMedian(perConfig: Readonly<Record<string, readonly number[]>>): string {
  const names = Object.keys(perConfig);
  if (names.length === 0) throw new Error('no torch configuration to choose from');
  return names.reduce((a, b) => (median(perConfig[b]!) < median(perConfig[a]!) ? b : a));
}

/**
 * Other processes' CPU use during a segment, in cores: the machine's busy time (from /proc/stat,
 * `busyTicks` at `hz` ticks per second) less the side's own CPU time, over the segment's wall time.
 */
export function othersCores(busyTicks: number, hz: number, ownCpuMs: number, wallMs: number): number {
  return Math.max(0, (busyTicks * 1000) / hz - ownCpuMs) / wallMs;
}

/** When a case's ratio should not be trusted (rerun it). */
export const NOISY = {
  /** the middle half of the paired ratios wider than ±10% of their median */
  relativeIqr: 0.2,
  /** other processes used more than half a core, median over either side's segments */
  othersCores: 0.5,
};

/**
 * Why a case is noisy ([] = not): the 1-min load average above the cores the bench uses (a quiet
 * machine reads at most that during a run: the bench's own threads), other processes' CPU use, or
 * a wide spread of the paired ratios.
 */
export function noisyReasons(c: { loadMax: number; cores: number; othersCores: readonly number[]; ratios: Summary }): string[] {
  const reasons: string[] = [];
  if (c.loadMax > c.cores) reasons.push(`load ${c.loadMax.toFixed(2)} > ${c.cores} cores`);
  const others = Math.max(...c.othersCores);
  if (others > NOISY.othersCores) reasons.push(`others used ${others.toFixed(2)} cores`);
  const spread = relativeIqr(c.ratios);
  if (!(spread <= NOISY.relativeIqr)) reasons.push(`ratio IQR ±${((spread / 2) * 100).toFixed(0)}%`);
  return reasons;
}
