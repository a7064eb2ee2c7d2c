// The regime-map webview's message protocol, imported by both sides (host: src/extension/panels/regimeMapPanel.ts,
// webview: webview/regimeMap/main.ts). DOM-free.
import { isRegime, REGIMES, type Regime } from '../../src/store/regimes';
import { isAxisValue, isExportRequest, isObject, isSelection, type AxisValue, type ExportRequest, type Selection } from '../shared/protocolBase';

/** The regime names and their order: one list, src/store/regimes.ts. */
export { REGIMES };

export const REGIME_MAP_VIEW_TYPE = 'grok.regimeMap';

export type RegimeName = Regime;

/** One (model size, data size) cell: its seeds pooled. */
export interface MapCell {
  /** Index into xAxis.values / yAxis.values. */
  x: number;
  y: number;
  /** The most frequent regime among finished seeds (ties: the first in REGIMES order); null if none finished. */
  regime: RegimeName | null;
  counts: Partial<Record<RegimeName, number>>;
  valAcc: number | null;
  valAccMin: number | null;
  valAccMax: number | null;
  trainAcc: number | null;
  /** Modular tasks: the progress measures at the last eval, mean over the cell's runs that have them (key frequencies: of its first run). */
  progress?: { keyFreqs: number[]; keyFraction: number; gini: number; restrictedLoss: number | null; excludedLoss: number | null; runs: number };
  /** Forecasts of the cell's runs still training: regime → how many, with their mean confidence. */
  forecasts?: Array<{ regime: RegimeName; runs: number; confidence: number; valReachStep: number | null }>;
  /** Runs in the cell, and how many have a final result. */
  runs: number;
  finished: number;
  runIds: string[];
}

export interface MapAxis { path: string; values: number[] }

/** A curve over model size (D_crit, D_mem), in data-size units; null where unknown. */
/** One point of the D_crit / D_mem line; text: how the analysis reads it (src/analysis/format.ts). */
export interface MapLine { x: number; value: number | null; low?: number | null; high?: number | null; kind?: string; text?: string }

export interface UCurve { dataSize: number; points: Array<{ modelSize: number; valAcc: number | null; min: number | null; max: number | null }> }

export interface MapData {
  name: string;
  resultsDir: string;
  xAxis: MapAxis;
  yAxis: MapAxis;
  /** Other (non-seed) axes and the value this map is sliced at. */
  slice: Selection;
  sliceAxes: Record<string, AxisValue[]>;
  cells: MapCell[];
  dCrit: MapLine[];
  dMem: MapLine[];
  epsilon: number;
  uCurves: UCurve[];
  /** Set when the sweep has no model-size × data-size grid to map. */
  problem?: string;
  /** Several results folders compared (the "sweep" slice picks one). */
  compare?: string[];
}


export interface RegimeMapState { resultsDir: string; compare?: string[]; slice?: Selection; table?: boolean }

export type HostToMap = { type: 'update'; map: MapData };

export type MapToHost =
  | { type: 'ready' }
  | { type: 'openCell'; params: Record<string, AxisValue> }
  | { type: 'slice'; slice: Selection }
  | ExportRequest;

const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';

export function isMapCell(x: unknown): x is MapCell {
  return isObject(x) && typeof x.x === 'number' && typeof x.y === 'number'
    && (x.regime === null || isRegime(x.regime))
    && isObject(x.counts) && isNumOrNull(x.valAcc) && isNumOrNull(x.trainAcc)
    && typeof x.runs === 'number' && typeof x.finished === 'number' && Array.isArray(x.runIds);
}

function isAxis(x: unknown): x is MapAxis {
  return isObject(x) && typeof x.path === 'string' && Array.isArray(x.values) && x.values.every((v) => typeof v === 'number');
}

function isLine(x: unknown): x is MapLine {
  return isObject(x) && typeof x.x === 'number' && isNumOrNull(x.value);
}

export function isMapData(x: unknown): x is MapData {
  return isObject(x) && typeof x.name === 'string' && typeof x.resultsDir === 'string' && isAxis(x.xAxis) && isAxis(x.yAxis)
    && isSelection(x.slice) && isObject(x.sliceAxes) && Array.isArray(x.cells) && x.cells.every(isMapCell)
    && Array.isArray(x.dCrit) && x.dCrit.every(isLine) && Array.isArray(x.dMem) && x.dMem.every(isLine)
    && typeof x.epsilon === 'number' && Array.isArray(x.uCurves);
}

export function isHostToMap(x: unknown): x is HostToMap {
  return isObject(x) && x.type === 'update' && isMapData(x.map);
}

export function isRegimeMapState(x: unknown): x is RegimeMapState {
  return isObject(x) && typeof x.resultsDir === 'string';
}

export function isMapToHost(x: unknown): x is MapToHost {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'openCell':
      return isObject(x.params) && Object.values(x.params).every(isAxisValue);
    case 'slice':
      return isSelection(x.slice);
    case 'export':
      return isExportRequest(x);
    default:
      return false;
  }
}
