// The regime map (Huang et al. 2024, Fig. 1): model size × data size, each cell the regime most
// seeds of it fell into, with the D_crit and D_mem curves per model size on top. The shape is
// what the webview and the HTML report draw as is: no further grouping or math needed there.
import type { CrossingKind } from './stats';
import type { CriticalDataSize, Regime, RunParams, RunSummary, Summary } from '../store/types';
import { criticalDataSize, type BootstrapOptions } from './cds';
import { groupBy } from './groups';
import { memorizationFor } from './memorization';
import type { AxisComponent } from './mixtureSize';
import { ANALYSIS_DEFAULTS } from './options';
import { REGIMES } from './regime';
import { dataRunOf, isFinished, numericParam, outcomeOf } from './runs';
import { mean } from './stats';

export interface RegimeMapAxes {
  /** Param of the model size (e.g. "model.dModel"): the rows. */
  model: string;
  /** Param of the data size (e.g. "training.trainSize"): the columns. */
  data: string;
  /** Param of the seed ("seed"): pooled within a cell. */
  seed: string;
}

export interface RegimeCell {
  modelSize: number;
  dataSize: number;
  /** The regime of most classified runs (ties: the earlier in REGIMES); null with none. */
  regime: Regime | null;
  /** Classified runs per regime (every regime present, 0 if none). */
  counts: Record<Regime, number>;
  /** Mean converged val accuracy (outcome.ts) of the finished runs; null with none. */
  meanValAcc: number | null;
  /** Every run of the cell, classified or not. */
  runIds: string[];
}

export interface BoundaryPoint {
  modelSize: number;
  value: number | null;
  kind: CrossingKind;
}

export interface RegimePanel {
  /** The values of every other swept axis (lr, weight decay, …); {} when only model, data and seed vary. */
  fixed: RunParams;
  /** cells[i][j]: model size modelSizes[i], data size dataSizes[j] (all present, maybe empty). */
  cells: RegimeCell[][];
  /** Critical data size per model size (cds.ts: bracket, estimate, interval, budget flag); empty when
   *  the data axis counts a random-label mixture component's samples (options.component). */
  dCrit: Array<BoundaryPoint & Pick<CriticalDataSize, 'low' | 'high' | 'bracket' | 'confidence' | 'budgetLimited'>>;
  /** Memorization capacity per model size, from a memorization sweep's summary when one is given
   *  (options.memorization); empty otherwise. */
  dMem: BoundaryPoint[];
}

export interface RegimeMapData {
  modelAxis: string;
  dataAxis: string;
  epsilon: number;
  /** Row and column values, ascending; shared by every panel. */
  modelSizes: number[];
  dataSizes: number[];
  /** Legend order. */
  regimes: readonly Regime[];
  /** One map per combination of the other axes. */
  panels: RegimePanel[];
}

function emptyCounts(): Record<Regime, number> {
  return Object.fromEntries(REGIMES.map((r) => [r, 0])) as Record<Regime, number>;
}

function cellOf(modelSize: number, dataSize: number, runs: readonly RunSummary[]): RegimeCell {
  const counts = emptyCounts();
  for (const r of runs) if (r.regime) counts[r.regime]++;
  const top = REGIMES.reduce<Regime | null>((best, r) => (counts[r] > (best ? counts[best] : 0) ? r : best), null);
  const finished = runs.filter(isFinished);
  return {
    modelSize, dataSize, regime: top, counts,
    meanValAcc: finished.length ? mean(finished.map((r) => outcomeOf(r)!.valAcc)) : null,
    runIds: runs.map((r) => r.id),
  };
}

function ascending(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function panelOf(fixed: RunParams, runs: readonly RunSummary[], map: Omit<RegimeMapData, 'panels'>, axes: RegimeMapAxes, bootstrap: Partial<BootstrapOptions>, memorization: Summary['memorizationCapacity'], component: AxisComponent | null): RegimePanel {
  const atModel = (m: number) => runs.filter((r) => numericParam(r, axes.model) === m);
  const cells = map.modelSizes.map((m) => {
    const row = atModel(m);
    return map.dataSizes.map((d) => cellOf(m, d, row.filter((r) => numericParam(r, axes.data) === d)));
  });
  // A random-label component's count is no training-set size: no D_crit along it (mixtureSize.ts).
  const dCrit = component?.random ? [] : map.modelSizes.map((modelSize) => {
    const points = atModel(modelSize).map((r) => dataRunOf(r, axes.data, axes.seed, component?.name)).filter((p) => p !== null);
    const c = criticalDataSize(points, map.epsilon, { ...bootstrap, group: fixed });
    return { modelSize, value: c.value, low: c.low, high: c.high, kind: c.kind, bracket: c.bracket, confidence: c.confidence, budgetLimited: c.budgetLimited };
  });
  // D_mem comes from a memorization measurement only (memorization.ts), never from these runs' regimes.
  const dMem = memorization.length === 0 || fixed['task.kind'] === 'memorization' ? [] : map.modelSizes.map((modelSize): BoundaryPoint => {
    const m = memorizationFor(fixed, axes.model, modelSize, memorization);
    return { modelSize, value: m?.value ?? null, kind: (m?.kind ?? 'not-reached') as CrossingKind };
  });
  return { fixed, cells, dCrit, dMem };
}

/**
 * The regime map of a sweep's runs. Runs without a numeric model or data param are left out;
 * any other swept axis splits the runs into panels. options.component: the mixture component the
 * data axis sizes (componentOfAxis), whose own val accuracy gives D_crit (none for random labels).
 */
export function regimeMapData(
  summaryRuns: readonly RunSummary[],
  axes: RegimeMapAxes,
  options: Partial<BootstrapOptions & { epsilon: number; memorization: Summary['memorizationCapacity']; component: AxisComponent | null }> = {},
): RegimeMapData {
  const runs = summaryRuns.filter((r) => numericParam(r, axes.model) !== null && numericParam(r, axes.data) !== null);
  const map = {
    modelAxis: axes.model,
    dataAxis: axes.data,
    epsilon: options.epsilon ?? ANALYSIS_DEFAULTS.epsilon,
    modelSizes: ascending(runs.map((r) => numericParam(r, axes.model)!)),
    dataSizes: ascending(runs.map((r) => numericParam(r, axes.data)!)),
    regimes: REGIMES,
  };
  const { epsilon: _epsilon, memorization = [], component = null, ...bootstrap } = options;
  const panels = groupBy(runs, [axes.model, axes.data, axes.seed]).map((g) => panelOf(g.params, g.runs, map, axes, bootstrap, memorization, component));
  return { ...map, panels };
}
