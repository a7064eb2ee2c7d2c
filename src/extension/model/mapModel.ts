// Regime-map data for the webview, from the runs' summaries: src/analysis regimeMapData (cells,
// D_crit, D_mem per model size) turned into the webview's MapData, with the seed spread of each
// cell and the U-curves added. Pure: the panel sends its result, the unit tests check it.
import { outcomeOf, regimeMapData, type AxisComponent } from '../../analysis';
import { formatCds } from '../../analysis/format';
import type { RunParams, RunSummary, Summary } from '../../store/types';
import type { MapCell, MapData, MapLine, RegimeName, UCurve } from '../../../webview/regimeMap/protocol';
import type { Selection } from '../../../webview/shared/protocolBase';
import { axesOfRuns, dataSizeAxis, isSeedAxis, modelSizeAxis, sameValue, type Axes } from './axes';

export interface MapInput {
  name: string;
  resultsDir: string;
  summary: Summary | null;
  /** Runs from the manifest (all of them, finished or not). */
  runs: Array<{ id: string; params: RunParams }>;
  epsilon: number;
  /** The data-size axis when known (analysis dataAxisOf(config)). */
  dataAxis?: string;
  slice?: Selection;
  /** D_mem measurements (src/store/memorizationLink.ts): this sweep's and the linked sweep's. */
  memorization?: Summary['memorizationCapacity'];
  /** The mixture component the data axis sizes (analysis componentOfAxis), when it is one. */
  component?: AxisComponent | null;
}

export function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

const pending = (id: string, params: RunParams): RunSummary =>
  ({ id, params, status: 'pending', regime: null, final: null, steps: { trainFit: null, valFit: null, last: 0 } });

export function buildMapData(input: MapInput): MapData {
  const byId = new Map<string, RunSummary>((input.summary?.runs ?? []).map((r) => [r.id, r]));
  const planned = input.runs.length ? input.runs : [...byId.values()].map((r) => ({ id: r.id, params: r.params }));
  const runs = planned.map((r) => byId.get(r.id) ?? pending(r.id, r.params));
  const axes: Axes = axesOfRuns(runs);
  const xPath = modelSizeAxis(axes);
  const yPath = input.dataAxis && axes[input.dataAxis] ? input.dataAxis : dataSizeAxis(axes);
  const seedAxis = Object.keys(axes).find(isSeedAxis) ?? 'seed';
  const sliceAxes: Axes = {};
  for (const [k, v] of Object.entries(axes)) if (k !== xPath && k !== yPath && !isSeedAxis(k) && v.length > 1) sliceAxes[k] = v;
  const base: MapData = {
    name: input.name, resultsDir: input.resultsDir,
    xAxis: { path: xPath ?? '', values: [] }, yAxis: { path: yPath ?? '', values: [] },
    slice: {}, sliceAxes, cells: [], dCrit: [], dMem: [], epsilon: input.epsilon, uCurves: [],
  };
  if (!xPath || !yPath) {
    base.problem = `This sweep has no ${!xPath ? 'model-size axis (model.dModel)' : 'data-size axis (training.trainSize)'} to map.`;
    return base;
  }
  const component = yPath === input.dataAxis ? input.component ?? null : null;
  const data = regimeMapData(runs, { model: xPath, data: yPath, seed: seedAxis }, { epsilon: input.epsilon, memorization: input.memorization ?? input.summary?.memorizationCapacity ?? [], component });
  if (component?.random) base.problem = `No D_crit line: the data axis counts ${component.name}'s random-label samples, not the training set of a task that can generalize.`;
  base.xAxis.values = data.modelSizes;
  base.yAxis.values = data.dataSizes;
  if (!data.panels.length) return base;
  // The panel whose fixed values match the requested slice (every axis but model, data and seed).
  const panel = data.panels.find((p) => Object.entries(input.slice ?? {}).every(([k, v]) => v == null || !(k in p.fixed) || sameValue(p.fixed[k], v)))
    ?? data.panels[0]!;
  for (const k of Object.keys(sliceAxes)) base.slice[k] = panel.fixed[k] ?? null;

  panel.cells.forEach((row, xi) => row.forEach((c, yi) => {
    if (!c.runIds.length) return;
    const finished = c.runIds.map((id) => byId.get(id)).filter((s): s is RunSummary => !!s && s.final != null && s.status !== 'pending');
    const vals = finished.map((s) => outcomeOf(s)!.valAcc);
    const counts: Partial<Record<RegimeName, number>> = {};
    for (const [r, n] of Object.entries(c.counts)) if (n) counts[r as RegimeName] = n;
    const cell: MapCell = {
      x: xi, y: yi, regime: c.regime, counts,
      valAcc: c.meanValAcc ?? mean(vals), valAccMin: vals.length ? Math.min(...vals) : null, valAccMax: vals.length ? Math.max(...vals) : null,
      trainAcc: mean(finished.map((s) => outcomeOf(s)!.trainAcc)),
      runs: c.runIds.length, finished: finished.filter((s) => s.status !== 'running').length, runIds: c.runIds,
    };
    const all = c.runIds.map((id) => byId.get(id)).filter((s): s is RunSummary => !!s);
    const progress = cellProgress(all);
    if (progress) cell.progress = progress;
    const forecasts = cellForecasts(all);
    if (forecasts.length) cell.forecasts = forecasts;
    base.cells.push(cell);
  }));
  base.dCrit = panel.dCrit.map((d, xi): MapLine => ({
    x: xi, value: d.value, low: d.low, high: d.high, kind: d.kind,
    text: formatCds({ ...d, group: panel.fixed, epsilon: data.epsilon, seeds: 0 }),
  }));
  base.dMem = panel.dMem.some((d) => d.value != null) ? panel.dMem.map((d, xi): MapLine => ({ x: xi, value: d.value, kind: d.kind })) : [];
  base.uCurves = data.dataSizes.map((y, yi): UCurve => ({
    dataSize: y,
    points: data.modelSizes.map((x, xi) => {
      const c = base.cells.find((k) => k.x === xi && k.y === yi);
      return { modelSize: x, valAcc: c?.valAcc ?? null, min: c?.valAccMin ?? null, max: c?.valAccMax ?? null };
    }),
  }));
  return base;
}

/** The progress measures at the last eval, mean over the runs that have them. */
function cellProgress(runs: RunSummary[]): MapCell['progress'] | null {
  const withP = runs.filter((r) => r.progress);
  if (!withP.length) return null;
  const avg = (get: (p: NonNullable<RunSummary['progress']>) => number | undefined): number | null => {
    const v = withP.map((r) => get(r.progress!)).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return {
    keyFreqs: withP[0]!.progress!.keyFreqs, keyFraction: avg((p) => p.keyFraction) ?? 0, gini: avg((p) => p.gini) ?? 0,
    restrictedLoss: avg((p) => p.restrictedLoss), excludedLoss: avg((p) => p.excludedLoss), runs: withP.length,
  };
}

/** The forecasts of the runs still training, grouped by regime. */
function cellForecasts(runs: RunSummary[]): NonNullable<MapCell['forecasts']> {
  const by = new Map<RegimeName, RunSummary['forecast'][]>();
  for (const r of runs) if (r.status === 'running' && r.forecast) (by.get(r.forecast.regime) ?? by.set(r.forecast.regime, []).get(r.forecast.regime)!).push(r.forecast);
  return [...by].map(([regime, fs]) => {
    const steps = fs.map((f) => f!.valReachStep).filter((x): x is number => x !== null);
    return {
      regime, runs: fs.length, confidence: Math.round((100 * fs.reduce((a, f) => a + f!.confidence, 0)) / fs.length) / 100,
      valReachStep: steps.length ? Math.round(steps.reduce((a, b) => a + b, 0) / steps.length) : null,
    };
  });
}
