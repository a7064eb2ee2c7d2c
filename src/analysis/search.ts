// Adaptive critical-data-size search: instead of training the whole data-size grid, bisect the
// data size of each group, a few seeds per probed size. A pure state machine; the sweep runner
// trains what it asks for. The state is plain JSON, so the runner can persist it and resume.
//
//   let step = nextProbes(planCdsSearch(config.search, groups, { epsilon: config.analysis.epsilon }), []);
//   while (!step.done) {
//     // train each probe with probeParams(step.state, probe); a ProbeResult is the probe plus its converged valAcc
//     const results = await train(step.probes);
//     step = nextProbes(step.state, results);       // results may come in any order and in parts
//   }
//   step.estimates                                  // one CriticalDataSize per group
//
// Per group: probe both ends of `search.range` (a lo ≤ 0 is not probed: no data cannot reach ε).
// If lo already reaches ε the answer is 'below-grid', if hi does not, 'not-reached'. Otherwise
// bisect: probe the midpoint, keep the half whose ends straddle ε (mean over seeds), until
// (hi − lo) / hi < tolerance (or hi − lo ≤ 1 for integer sizes). The estimate is
// criticalDataSize() over every probe of the group, so it interpolates and has an interval.
import type { ExperimentConfig } from '../config/schema';
import type { CriticalDataSize, RunParams } from '../store/types';
import { criticalDataSize, type BootstrapOptions } from './cds';
import { ANALYSIS_DEFAULTS } from './options';
import { SEED_AXIS } from './runs';
import { mean } from './stats';

export type SearchConfig = NonNullable<ExperimentConfig['search']>;

/** One run to train: the group's params, with the data axis set to dataSize and the seed axis to seed. */
export interface Probe {
  /** Index into the groups given to planCdsSearch. */
  group: number;
  params: RunParams;
  dataSize: number;
  seed: number;
}

/** A trained probe: its converged (final) validation accuracy. */
export interface ProbeResult {
  group: number;
  dataSize: number;
  seed: number;
  valAcc: number;
}

export interface GroupSearch {
  params: RunParams;
  /** The bracket: lo is below ε, hi reaches it (once the bracket phase is over). */
  lo: number;
  hi: number;
  phase: 'bracket' | 'bisect' | 'done';
  /** The midpoint being probed (bisect phase). */
  mid: number | null;
  /** Asked for, not yet answered. */
  pending: Array<{ dataSize: number; seed: number }>;
  results: ProbeResult[];
  estimate: CriticalDataSize | null;
}

export interface CdsSearchState {
  axis: string;
  epsilon: number;
  tolerance: number;
  seeds: number[];
  /** Integer data sizes (sample counts) are rounded; fractions are not. */
  integer: boolean;
  bootstrap: Partial<BootstrapOptions>;
  groups: GroupSearch[];
}

export interface SearchStep {
  state: CdsSearchState;
  /** New runs to train (never repeats earlier ones). Empty but not done: waiting for results. */
  probes: Probe[];
  done: boolean;
  /** Estimates of the groups finished so far, in group order. */
  estimates: CriticalDataSize[];
}

export interface SearchPlanOptions {
  /** ε when search.epsilon is unset (the config's analysis.epsilon). */
  epsilon: number;
  /** Seeds used are seedBase, seedBase + 1, … (search.seeds of them). */
  seedBase: number;
  bootstrap: Partial<BootstrapOptions>;
}

/** The initial state: one bisection per group over search.range. */
export function planCdsSearch(search: SearchConfig, groups: readonly RunParams[], options: Partial<SearchPlanOptions> = {}): CdsSearchState {
  const [lo, hi] = search.range;
  if (!(hi > lo)) throw new Error(`search.range must have hi > lo, got [${lo}, ${hi}]`);
  const seedBase = options.seedBase ?? 0;
  return {
    axis: search.axis,
    epsilon: search.epsilon ?? options.epsilon ?? ANALYSIS_DEFAULTS.epsilon,
    tolerance: search.tolerance,
    seeds: Array.from({ length: search.seeds }, (_, i) => seedBase + i),
    integer: Number.isInteger(lo) && Number.isInteger(hi) && hi > 1,
    bootstrap: options.bootstrap ?? {},
    groups: groups.map((params) => ({ params, lo, hi, phase: 'bracket', mid: null, pending: [], results: [], estimate: null })),
  };
}

/** A probe's full run params: its group's, with the data axis and the seed set. */
export function probeParams(state: Pick<CdsSearchState, 'axis'>, probe: Probe): RunParams {
  return { ...probe.params, [state.axis]: probe.dataSize, [SEED_AXIS]: probe.seed };
}

/** Record the results that answer pending probes (others, and repeats, are ignored). */
function record(g: GroupSearch, results: readonly ProbeResult[]): GroupSearch {
  let pending = g.pending;
  const added: ProbeResult[] = [];
  for (const r of results) {
    const i = pending.findIndex((p) => p.dataSize === r.dataSize && p.seed === r.seed);
    if (i < 0) continue;
    pending = pending.filter((_, k) => k !== i);
    added.push(r);
  }
  return added.length === 0 ? g : { ...g, pending, results: [...g.results, ...added] };
}

/** Mean accuracy at a size; a size ≤ 0 (no data) never reaches ε. */
function meanAt(g: GroupSearch, size: number): number {
  return size <= 0 ? -Infinity : mean(g.results.filter((r) => r.dataSize === size).map((r) => r.valAcc));
}

function converged(s: CdsSearchState, lo: number, hi: number): boolean {
  return (hi - lo) / hi < s.tolerance || (s.integer && hi - lo <= 1);
}

function finish(s: CdsSearchState, g: GroupSearch): GroupSearch {
  const runs = g.results.map((r) => ({ params: g.params, dataSize: r.dataSize, seed: r.seed, valAcc: r.valAcc }));
  return { ...g, phase: 'done', mid: null, estimate: criticalDataSize(runs, s.epsilon, { ...s.bootstrap, group: g.params }) };
}

function ask(s: CdsSearchState, g: GroupSearch, sizes: number[], patch: Partial<GroupSearch>): GroupSearch {
  const pending = sizes.filter((x) => x > 0).flatMap((dataSize) => s.seeds.map((seed) => ({ dataSize, seed })));
  return { ...g, ...patch, pending };
}

/** One group's next move, once all its pending probes are answered. */
function advance(s: CdsSearchState, g: GroupSearch): GroupSearch {
  if (g.phase === 'done' || g.pending.length > 0) return g;
  if (g.phase === 'bracket') {
    if (g.results.length === 0) return ask(s, g, [g.lo, g.hi], {});
    if (meanAt(g, g.lo) >= s.epsilon || meanAt(g, g.hi) < s.epsilon) return finish(s, g);
  }
  let { lo, hi } = g;
  if (g.mid !== null) {
    if (meanAt(g, g.mid) >= s.epsilon) hi = g.mid; else lo = g.mid;
  }
  if (converged(s, lo, hi)) return finish(s, { ...g, lo, hi });
  const mid = s.integer ? Math.round((lo + hi) / 2) : (lo + hi) / 2;
  return ask(s, g, [mid], { phase: 'bisect', lo, hi, mid });
}

/** Feed in results (possibly none) and get the next probes to train. Pure: the input state is not changed. */
export function nextProbes(state: CdsSearchState, results: readonly ProbeResult[]): SearchStep {
  const groups = state.groups.map((g, i) => {
    const before = record(g, results.filter((r) => r.group === i));
    return { before, after: advance(state, before) };
  });
  const probes = groups.flatMap(({ before, after }, group) =>
    after.pending === before.pending ? [] : after.pending.map((p) => ({ group, params: after.params, ...p })));
  const next = { ...state, groups: groups.map((g) => g.after) };
  return {
    state: next,
    probes,
    done: next.groups.every((g) => g.phase === 'done'),
    estimates: next.groups.flatMap((g) => (g.estimate ? [g.estimate] : [])),
  };
}
