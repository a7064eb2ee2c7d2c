// Regime-map data (model size × data size) from summary.json: the cells, the D_crit / D_mem lines and
// the U-curves. Pure: the regime-map panel sends its result to the webview; the unit tests check it.
import type { RunSummary, Summary } from '../../store/types';
import { REGIMES, type MapCell, type MapData, type MapLine, type RegimeName, type UCurve } from '../../../webview/regimeMap/protocol';
import type { Selection } from '../../../webview/shared/protocolBase';
import { axesOfRuns, dataSizeAxis, isSeedAxis, modelSizeAxis, sameValue, type Axes } from './axes';

export interface MapInput {
  name: string;
  resultsDir: string;
  summary: Summary | null;
  /** Runs from the manifest (all of them, finished or not). */
  runs: Array<{ id: string; params: Record<string, number | string | boolean> }>;
  epsilon: number;
  searchAxis?: string;
  slice?: Selection;
}

export function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** The most frequent regime; ties go to the earlier one in REGIMES. */
export function majorityRegime(counts: Partial<Record<RegimeName, number>>): RegimeName | null {
  let best: RegimeName | null = null;
  for (const r of REGIMES) if ((counts[r] ?? 0) > 0 && (best === null || counts[r]! > counts[best]!)) best = r;
  return best;
}

export function buildMapData(input: MapInput): MapData {
  const byId = new Map<string, RunSummary>((input.summary?.runs ?? []).map((r) => [r.id, r]));
  const runs = input.runs.length ? input.runs : (input.summary?.runs ?? []).map((r) => ({ id: r.id, params: r.params }));
  const axes: Axes = axesOfRuns(runs);
  const xPath = modelSizeAxis(axes);
  const yPath = dataSizeAxis(axes, input.searchAxis);
  const sliceAxes: Axes = {};
  for (const [k, v] of Object.entries(axes)) if (k !== xPath && k !== yPath && !isSeedAxis(k) && v.length > 1) sliceAxes[k] = v;
  const slice: Selection = {};
  for (const [k, vs] of Object.entries(sliceAxes)) {
    const want = input.slice?.[k];
    slice[k] = want != null && vs.some((v) => sameValue(v, want)) ? want : vs[0]!;
  }
  const base: MapData = {
    name: input.name, resultsDir: input.resultsDir,
    xAxis: { path: xPath ?? '', values: [] }, yAxis: { path: yPath ?? '', values: [] },
    slice, sliceAxes, cells: [], dCrit: [], dMem: [], epsilon: input.epsilon, uCurves: [],
  };
  if (!xPath || !yPath) {
    base.problem = `This sweep has no ${!xPath ? 'model-size axis (model.dModel)' : 'data-size axis (training.trainSize)'} to map.`;
    return base;
  }
  const xs = (axes[xPath] ?? []).filter((v): v is number => typeof v === 'number');
  const ys = (axes[yPath] ?? []).filter((v): v is number => typeof v === 'number');
  base.xAxis.values = xs;
  base.yAxis.values = ys;
  const inSlice = (p: Record<string, unknown>) => Object.entries(slice).every(([k, v]) => sameValue(p[k] as never, v as never));

  for (let xi = 0; xi < xs.length; xi++) {
    for (let yi = 0; yi < ys.length; yi++) {
      const cellRuns = runs.filter((r) => sameValue(r.params[xPath], xs[xi]) && sameValue(r.params[yPath], ys[yi]) && inSlice(r.params));
      if (!cellRuns.length) continue;
      const finished = cellRuns.map((r) => byId.get(r.id)).filter((s): s is RunSummary => !!s && s.final != null);
      const counts: Partial<Record<RegimeName, number>> = {};
      for (const s of finished) if (s.regime) counts[s.regime] = (counts[s.regime] ?? 0) + 1;
      const vals = finished.map((s) => s.final!.valAcc);
      const cell: MapCell = {
        x: xi, y: yi, regime: majorityRegime(counts), counts,
        valAcc: mean(vals), valAccMin: vals.length ? Math.min(...vals) : null, valAccMax: vals.length ? Math.max(...vals) : null,
        trainAcc: mean(finished.map((s) => s.final!.trainAcc)),
        runs: cellRuns.length, finished: finished.length, runIds: cellRuns.map((r) => r.id),
      };
      base.cells.push(cell);
    }
  }
  const groupMatches = (g: Record<string, unknown>, x: number) =>
    sameValue(g[xPath] as never, x) && Object.entries(g).every(([k, v]) => k === xPath || isSeedAxis(k) || !(k in slice) || sameValue(v as never, slice[k] as never));
  base.dCrit = xs.map((x, xi): MapLine => {
    const c = input.summary?.criticalDataSize.find((e) => groupMatches(e.group, x));
    return c ? { x: xi, value: c.value, low: c.low, high: c.high, kind: c.kind } : { x: xi, value: null };
  });
  base.dMem = xs.map((x, xi): MapLine => {
    const m = input.summary?.memorizationCapacity.find((e) => groupMatches(e.group, x));
    return { x: xi, value: m?.value ?? null, kind: m?.kind ?? 'unknown' };
  });
  if (base.dMem.every((l) => l.value == null)) base.dMem = [];
  base.uCurves = ys.map((y, yi): UCurve => ({
    dataSize: y,
    points: xs.map((x, xi) => {
      const c = base.cells.find((k) => k.x === xi && k.y === yi);
      return { modelSize: x, valAcc: c?.valAcc ?? null, min: c?.valAccMin ?? null, max: c?.valAccMax ?? null };
    }),
  }));
  return base;
}
