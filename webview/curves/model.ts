// What the curves webview draws, computed without the DOM (unit-tested): run filtering by axis values,
// seed grouping, smoothing, seed mean with a min–max or ±std band, per-component lines, CSV.
import type { AxisValue, Selection } from '../shared/protocolBase';
import type { Band, CurvePoint, CurveRun } from './protocol';
import { seedStats, type SeedStat, type XY } from '../../src/analysis/seedStats';
import { csvCell } from '../../src/store/csv';

/** circuit: restricted and excluded loss; sparsity: key fraction and Gini (the progress measures, modular tasks). */
export type Metric = 'acc' | 'loss' | 'norm' | 'circuit' | 'sparsity';
export type { XY };
export interface Series {
  label: string;
  /** The group's label (one legend entry per group) and its index into the palette. */
  group: string;
  color: number;
  split: 'train' | 'val' | 'norm' | 'component' | 'restricted' | 'excluded' | 'keyFraction' | 'gini';
  points: XY[];
  /** Seed band (lower and upper), same x as points. */
  band?: { lo: XY[]; hi: XY[] };
}

export interface ViewOptions {
  selection: Selection;
  smoothing: number;
  logX: boolean;
  /** Log scale for the loss axis. */
  logY: boolean;
  band: Band;
  aggregate: boolean;
  components: boolean;
}

export const isSeedAxis = (a: string) => a === 'seed' || a.endsWith('.seed');

export function matches(params: Record<string, AxisValue>, sel: Selection): boolean {
  return Object.entries(sel).every(([k, v]) => v == null || params[k] === v);
}

/** Runs grouped by every non-seed param, in run order. */
export function groupRuns(runs: CurveRun[]): Array<{ key: string; label: string; runs: CurveRun[] }> {
  const groups = new Map<string, { key: string; label: string; runs: CurveRun[] }>();
  const varying = varyingAxes(runs);
  for (const r of runs) {
    const keys = Object.keys(r.params).filter((k) => !isSeedAxis(k)).sort();
    const key = keys.map((k) => `${k}=${String(r.params[k])}`).join(',');
    const label = keys.filter((k) => varying.has(k)).map((k) => `${short(k)}=${String(r.params[k])}`).join(' ') || 'all';
    const g = groups.get(key) ?? { key, label, runs: [] };
    g.runs.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

function varyingAxes(runs: CurveRun[]): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const r of runs) for (const [k, v] of Object.entries(r.params)) (seen.get(k) ?? seen.set(k, new Set()).get(k)!).add(String(v));
  return new Set([...seen].filter(([, s]) => s.size > 1).map(([k]) => k));
}

export const short = (axis: string) => axis.slice(axis.lastIndexOf('.') + 1);

/** Exponential moving average with TensorBoard's debiasing; weight 0 = raw. */
export function smooth(ys: number[], weight: number): number[] {
  if (weight <= 0) return ys.slice();
  const out: number[] = [];
  let last = 0, n = 0;
  for (const y of ys) {
    if (!Number.isFinite(y)) { out.push(y); continue; }
    last = last * weight + (1 - weight) * y;
    n++;
    out.push(last / (1 - weight ** n));
  }
  return out;
}

/** Seed statistics at every step any seed has; a seed that stopped holds its last value (as the report). */
export function aggregate(series: XY[][]): SeedStat[] {
  return seedStats(series);
}

type Getter = (p: CurvePoint) => number | undefined;

function metricGetters(metric: Metric, pts: CurvePoint[][], components: boolean): Array<{ split: Series['split']; name: string; get: Getter }> {
  if (metric === 'norm') return [{ split: 'norm', name: 'weight norm', get: (p) => p.weightNorm }];
  if (metric === 'circuit') {
    return [
      { split: 'restricted', name: 'restricted loss', get: (p) => p.progress?.restrictedLoss },
      { split: 'excluded', name: 'excluded loss', get: (p) => p.progress?.excludedLoss },
    ];
  }
  if (metric === 'sparsity') {
    return [
      { split: 'keyFraction', name: 'key fraction', get: (p) => p.progress?.keyFraction },
      { split: 'gini', name: 'Gini', get: (p) => p.progress?.gini },
    ];
  }
  const base: Array<{ split: Series['split']; name: string; get: Getter }> = metric === 'acc'
    ? [{ split: 'train', name: 'train', get: (p) => p.trainAcc }, { split: 'val', name: 'val', get: (p) => p.valAcc }]
    : [{ split: 'train', name: 'train', get: (p) => p.trainLoss }, { split: 'val', name: 'val', get: (p) => p.valLoss }];
  if (metric === 'acc' && components) {
    const names = new Set<string>();
    for (const list of pts) for (const p of list) for (const k of Object.keys(p.components ?? {})) names.add(k);
    for (const k of names) base.push({ split: 'component', name: `${k} val`, get: (p) => p.components?.[k]?.valAcc });
  }
  return base;
}

/** The series of one chart. */
export function buildSeries(metric: Metric, runs: CurveRun[], points: Record<string, CurvePoint[]>, o: ViewOptions): Series[] {
  const chosen = runs.filter((r) => matches(r.params, o.selection));
  const groups = groupRuns(chosen);
  const out: Series[] = [];
  const xOk = (x: number) => !o.logX || x > 0;
  groups.forEach((g, gi) => {
    const getters = metricGetters(metric, g.runs.map((r) => points[r.id] ?? []), o.components);
    for (const m of getters) {
      const perRun = g.runs.map((r) => {
        // Non-finite values stay in (the seed mean skips them at their step, as the report does).
        const raw = (points[r.id] ?? []).filter((p) => xOk(p.step) && typeof m.get(p) === 'number').map((p) => ({ x: p.step, y: m.get(p)! }));
        const ys = smooth(raw.map((p) => p.y), o.smoothing);
        return { run: r, pts: raw.map((p, i) => ({ x: p.x, y: ys[i]! })) };
      });
      if (o.aggregate && g.runs.length > 1) {
        const agg = aggregate(perRun.map((r) => r.pts));
        if (!agg.length) continue;
        const s: Series = { label: `${g.label} ${m.name} (${g.runs.length} seeds)`, group: g.label, color: gi, split: m.split, points: agg.map((a) => ({ x: a.x, y: a.mean })) };
        if (o.band === 'minmax') s.band = { lo: agg.map((a) => ({ x: a.x, y: a.min })), hi: agg.map((a) => ({ x: a.x, y: a.max })) };
        if (o.band === 'std') s.band = { lo: agg.map((a) => ({ x: a.x, y: a.mean - a.std })), hi: agg.map((a) => ({ x: a.x, y: a.mean + a.std })) };
        out.push(s);
      } else {
        for (const r of perRun) {
          const pts = r.pts.filter((p) => Number.isFinite(p.y));
          if (!pts.length) continue;
          const seed = Object.entries(r.run.params).find(([k]) => isSeedAxis(k));
          out.push({ label: `${g.label}${seed ? ` seed=${String(seed[1])}` : ''} ${m.name}`, group: g.label, color: gi, split: m.split, points: pts });
        }
      }
    }
  });
  return (metric === 'loss' || metric === 'circuit') && o.logY ? out.map(positiveOnly) : out;
}

/** A log axis cannot show y ≤ 0 (a loss of exactly 0, a band's mean − std): those points are left out. */
function positiveOnly(s: Series): Series {
  const pos = (ps: XY[]) => ps.filter((p) => p.y > 0);
  return { ...s, points: pos(s.points), ...(s.band ? { band: { lo: pos(s.band.lo), hi: pos(s.band.hi) } } : {}) };
}

/** Groups in chart order with their palette index (one legend entry each). */
export function legendGroups(series: Series[]): Array<{ group: string; color: number }> {
  const seen = new Map<string, number>();
  for (const s of series) if (!seen.has(s.group)) seen.set(s.group, s.color);
  return [...seen].map(([group, color]) => ({ group, color }));
}

/** Every point of the selected runs, one row per (run, step). */
export function curvesCsv(runs: CurveRun[], points: Record<string, CurvePoint[]>, sel: Selection): string {
  const chosen = runs.filter((r) => matches(r.params, sel));
  const axes = [...new Set(chosen.flatMap((r) => Object.keys(r.params)))];
  const comps = [...new Set(chosen.flatMap((r) => (points[r.id] ?? []).flatMap((p) => Object.keys(p.components ?? {}))))];
  const progress = chosen.some((r) => (points[r.id] ?? []).some((p) => p.progress));
  const measures = progress ? ['keyFraction', 'gini', 'restrictedLoss', 'excludedLoss', 'keyFreqs'] : [];
  const head = ['run', ...axes, 'step', 'trainAcc', 'valAcc', 'trainLoss', 'valLoss', 'weightNorm', ...comps.flatMap((c) => [`${c}.trainAcc`, `${c}.valAcc`]), ...measures];
  const rows = [head.map(csvCell).join(',')];
  for (const r of chosen) {
    for (const p of points[r.id] ?? []) {
      rows.push([r.id, ...axes.map((a) => r.params[a]), p.step, p.trainAcc, p.valAcc, p.trainLoss, p.valLoss, p.weightNorm,
        ...comps.flatMap((c) => [p.components?.[c]?.trainAcc, p.components?.[c]?.valAcc]),
        ...(progress ? [p.progress?.keyFraction, p.progress?.gini, p.progress?.restrictedLoss, p.progress?.excludedLoss, p.progress?.keyFreqs.join(' ')] : [])].map(csvCell).join(','));
    }
  }
  return rows.join('\n') + '\n';
}

/** Whether any run has progress measures (the progress charts and the spectrum heatmap are shown only then). */
export function hasProgress(points: Record<string, CurvePoint[]>): boolean {
  return Object.values(points).some((l) => l.some((p) => p.progress));
}
