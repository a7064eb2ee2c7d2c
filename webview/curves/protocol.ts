// The curves webview's message protocol, imported by both sides (host: src/extension/panels/curvesPanel.ts,
// webview: webview/curves/main.ts). DOM-free.
import { isExportRequest, isObject, isSelection, type AxisValue, type ExportRequest, type Selection } from '../shared/protocolBase';
import type { ProgressMeasures } from '../../src/store/metrics';

export const CURVES_VIEW_TYPE = 'grok.curves';

/** One evaluation of one run, as drawn (a slim EvalRecord). */
export interface CurvePoint {
  step: number;
  trainAcc: number;
  valAcc: number;
  trainLoss: number;
  valLoss: number;
  weightNorm: number;
  /** Mixture tasks: accuracies per component. */
  components?: Record<string, { trainAcc: number; valAcc: number }>;
  /** Modular tasks: the progress measures (docs/progress.md). */
  progress?: CurveProgress;
}

/** The progress measures of one eval, as drawn (EvalRecord.progress without its cost). */
export type CurveProgress = Omit<ProgressMeasures, 'ms'>;

export interface CurveRun {
  id: string;
  params: Record<string, AxisValue>;
  status: 'pending' | 'running' | 'done' | 'stopped' | 'failed';
  regime: string | null;
}

export interface CurvesSweep {
  name: string;
  resultsDir: string;
  /** Several results folders compared in one panel (runs have a "sweep" axis). */
  compare?: string[];
  axes: Record<string, AxisValue[]>;
  epsilon: number;
  /** Which device trains it (manifest.json's device: the adapter, or why the CPU), when known. */
  device?: string;
}

export type Band = 'none' | 'minmax' | 'std';

/** What the panel remembers across reloads (getState/setState, and the serializer). */
export interface CurvesState {
  resultsDir: string;
  compare?: string[];
  selection?: Selection;
  smoothing?: number;
  logX?: boolean;
  logY?: boolean;
  band?: Band;
  aggregate?: boolean;
  components?: boolean;
}

export type HostToCurves =
  | { type: 'init'; sweep: CurvesSweep; runs: CurveRun[]; points: Record<string, CurvePoint[]>; selection?: Selection }
  | { type: 'metrics'; runId: string; points: CurvePoint[] }
  | { type: 'runs'; runs: CurveRun[] }
  | { type: 'select'; selection: Selection };

export type CurvesToHost =
  | { type: 'ready' }
  | { type: 'state'; state: CurvesState }
  | { type: 'openRegimeMap' }
  | ExportRequest;

export function isCurvePoint(x: unknown): x is CurvePoint {
  return isObject(x) && typeof x.step === 'number' && typeof x.trainAcc === 'number' && typeof x.valAcc === 'number'
    && typeof x.trainLoss === 'number' && typeof x.valLoss === 'number' && typeof x.weightNorm === 'number'
    && (x.components === undefined || isObject(x.components))
    && (x.progress === undefined || (isObject(x.progress) && Array.isArray(x.progress.spectrum) && typeof x.progress.keyFraction === 'number'));
}

function isCurveRun(x: unknown): x is CurveRun {
  return isObject(x) && typeof x.id === 'string' && isSelection(x.params) && typeof x.status === 'string'
    && (x.regime === null || typeof x.regime === 'string');
}

function isPointsArray(x: unknown): x is CurvePoint[] {
  return Array.isArray(x) && x.every(isCurvePoint);
}

export function isHostToCurves(x: unknown): x is HostToCurves {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'init':
      return isObject(x.sweep) && typeof x.sweep.name === 'string' && typeof x.sweep.resultsDir === 'string'
        && isObject(x.sweep.axes) && Array.isArray(x.runs) && x.runs.every(isCurveRun)
        && isObject(x.points) && Object.values(x.points).every(isPointsArray)
        && (x.selection === undefined || isSelection(x.selection));
    case 'metrics':
      return typeof x.runId === 'string' && isPointsArray(x.points);
    case 'runs':
      return Array.isArray(x.runs) && x.runs.every(isCurveRun);
    case 'select':
      return isSelection(x.selection);
    default:
      return false;
  }
}

export function isCurvesState(x: unknown): x is CurvesState {
  return isObject(x) && typeof x.resultsDir === 'string' && (x.selection === undefined || isSelection(x.selection));
}

export function isCurvesToHost(x: unknown): x is CurvesToHost {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
    case 'openRegimeMap':
      return true;
    case 'state':
      return isCurvesState(x.state);
    case 'export':
      return isExportRequest(x);
    default:
      return false;
  }
}

/** Slims an EvalRecord (or anything shaped like one) down to what the chart draws. */
export function toCurvePoint(r: {
  step: number; trainAcc: number; valAcc: number; trainLoss: number; valLoss: number; weightNorm: number;
  components?: Record<string, { train: { acc: number }; val: { acc: number } }>;
  progress?: CurveProgress & { ms?: number };
}): CurvePoint {
  const p: CurvePoint = { step: r.step, trainAcc: r.trainAcc, valAcc: r.valAcc, trainLoss: r.trainLoss, valLoss: r.valLoss, weightNorm: r.weightNorm };
  if (r.components) {
    p.components = {};
    for (const [k, c] of Object.entries(r.components)) p.components[k] = { trainAcc: c.train.acc, valAcc: c.val.acc };
  }
  if (r.progress) {
    const { ms: _ms, ...progress } = r.progress;
    p.progress = progress;
  }
  return p;
}
