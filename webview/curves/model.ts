// What the curves webview draws, computed without the DOM (unit-tested): run filtering by axis values,
// seed grouping, smoothing, seed mean with a min–max or ±std band, per-component lines, CSV.
import type { AxisValue, Selection } from '../shared/protocolBase';
import type { Band, CurvePoint, CurveRun } from './protocol';

export type Metric = 'acc' | 'loss' | 'norm';
export interface XY { x: number; y: number }
export interface Series {
  label: string;
  /** Index into the palette: one colour per group. */
  color: number;
  split: 'train' | 'val' | 'norm' | 'component';
  points: XY[];
  /** Seed band (lower and upper), same x as points. */
  band?: { lo: XY[]; hi: XY[] };
}

export interface ViewOptions {
  selection: Selection;
  smoothing: number;
  logX: boolean;
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

/** Seed statistics at every step that any of the series has. */
export function aggregate(series: XY[][]): Array<{ x: number; mean: number; min: number; max: number; std: number; n: number }> {
  const byX = new Map<number, number[]>();
  for (const s of series) for (const p of s) (byX.get(p.x) ?? byX.set(p.x, []).get(p.x)!).push(p.y);
  return [...byX.entries()].sort((a, b) => a[0] - b[0]).map(([x, ys]) => {
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
    return { x, mean, min: Math.min(...ys), max: Math.max(...ys), std, n: ys.length };
  });
}

type Getter = (p: CurvePoint) => number | undefined;

function metricGetters(metric: Metric, pts: CurvePoint[][], components: boolean): Array<{ split: Series['split']; name: string; get: Getter }> {
  if (metric === 'norm') return [{ split: 'norm', name: 'weight norm', get: (p) => p.weightNorm }];
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
        const raw = (points[r.id] ?? []).filter((p) => xOk(p.step)).map((p) => ({ x: p.step, y: m.get(p) }))
          .filter((p): p is XY => typeof p.y === 'number' && Number.isFinite(p.y));
        const ys = smooth(raw.map((p) => p.y), o.smoothing);
        return { run: r, pts: raw.map((p, i) => ({ x: p.x, y: ys[i]! })) };
      });
      if (o.aggregate && g.runs.length > 1) {
        const agg = aggregate(perRun.map((r) => r.pts));
        if (!agg.length) continue;
        const s: Series = { label: `${g.label} ${m.name} (${g.runs.length} seeds)`, color: gi, split: m.split, points: agg.map((a) => ({ x: a.x, y: a.mean })) };
        if (o.band === 'minmax') s.band = { lo: agg.map((a) => ({ x: a.x, y: a.min })), hi: agg.map((a) => ({ x: a.x, y: a.max })) };
        if (o.band === 'std') s.band = { lo: agg.map((a) => ({ x: a.x, y: a.mean - a.std })), hi: agg.map((a) => ({ x: a.x, y: a.mean + a.std })) };
        out.push(s);
      } else {
        for (const r of perRun) {
          if (!r.pts.length) continue;
          const seed = Object.entries(r.run.params).find(([k]) => isSeedAxis(k));
          out.push({ label: `${g.label}${seed ? ` seed=${String(seed[1])}` : ''} ${m.name}`, color: gi, split: m.split, points: r.pts });
        }
      }
    }
  });
  return out;
}

const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every point of the selected runs, one row per (run, step). */
export function curvesCsv(runs: CurveRun[], points: Record<string, CurvePoint[]>, sel: Selection): string {
  const chosen = runs.filter((r) => matches(r.params, sel));
  const axes = [...new Set(chosen.flatMap((r) => Object.keys(r.params)))];
  const comps = [...new Set(chosen.flatMap((r) => (points[r.id] ?? []).flatMap((p) => Object.keys(p.components ?? {}))))];
  const head = ['run', ...axes, 'step', 'trainAcc', 'valAcc', 'trainLoss', 'valLoss', 'weightNorm', ...comps.flatMap((c) => [`${c}.trainAcc`, `${c}.valAcc`])];
  const rows = [head.map(csvCell).join(',')];
  for (const r of chosen) {
    for (const p of points[r.id] ?? []) {
      rows.push([r.id, ...axes.map((a) => r.params[a]), p.step, p.trainAcc, p.valAcc, p.trainLoss, p.valLoss, p.weightNorm,
        ...comps.flatMap((c) => [p.components?.[c]?.trainAcc, p.components?.[c]?.valAcc])].map(csvCell).join(','));
    }
  }
  return rows.join('\n') + '\n';
}
