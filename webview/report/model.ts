// The data of a `grok report` HTML file: built in Node by src/report/data.ts (every number from the
// analysis module), embedded in the page as JSON, drawn by webview/report/main.ts. DOM-free.
import type { Emergence, RegimeMapData, UShape } from '../../src/analysis/index';
import type { CriticalDataSize, Regime, RunParams, RunStatus } from '../../src/store/types';

export interface ReportData {
  title: string;
  generatedAt: string;
  sweeps: SweepReport[];
}

/** A series of points over steps: mean and min–max over seeds (a seed that stopped early keeps its last value). */
export interface Band { mean: number[]; min: number[]; max: number[] }

export interface CurveSeries {
  label: string;
  params: RunParams;
  seeds: number;
  steps: number[];
  val: Band;
  train: Band;
  weightNorm: Band;
}

/** One chart of training curves: the runs that differ only in `lineAxis` and seed. */
export interface CurveChart {
  title: string;
  lineAxis: string | null;
  series: CurveSeries[];
}

export interface RunRow {
  id: string;
  params: RunParams;
  status: RunStatus;
  regime: Regime | null;
  reason: string | null;
  /** The run's converged outcome (median of the last evals), and whether it was still moving at its end. */
  trainAcc: number | null;
  valAcc: number | null;
  moving?: boolean;
  trainFitStep: number | null;
  valReachStep: number | null;
  grokDelay: number | null;
  lastStep: number;
  components?: Record<string, { trainAcc: number; valAcc: number }>;
}

/** Zhu et al.: per data size, the converged accuracy and the steps to generalize (its peak marks the CDS). */
export interface DataSizeRow {
  dataSize: number;
  runs: number;
  finished: number;
  meanValAcc: number | null;
  minValAcc: number | null;
  maxValAcc: number | null;
  /** Mean first step with train ≥ fitAcc, over runs that fit. */
  meanTrainFitStep: number | null;
  /** Mean first step with val ≥ ε over runs that reached it, and how many did. */
  meanValReachStep: number | null;
  reached: number;
  regimes: Partial<Record<Regime, number>>;
}

export interface CdsTable {
  group: RunParams;
  label: string;
  cds: CriticalDataSize;
  memorization: { value: number | null; kind: string; bracket?: [number | null, number | null]; budgetLimited?: boolean } | null;
  rows: DataSizeRow[];
}

export interface UCurveLine {
  dataSize: number;
  points: Array<{ modelSize: number; mean: number; min: number; max: number; n: number }>;
  shape: UShape;
}

export interface UCurvePanel {
  label: string;
  fixed: RunParams;
  lines: UCurveLine[];
}

export interface EmergenceLine {
  /** The other axes' values (e.g. the memorization component's size) and the component. */
  label: string;
  group: RunParams;
  component: string;
  /** Per model size: mean, min and max over seeds of the component's val accuracy; params = parameter count. */
  points: Array<{ modelSize: number; params: number | null; mean: number; min: number; max: number }>;
  /** aggregate 'max' (Huang et al. report the best of 3 runs) */
  best: Emergence;
  mean: Emergence;
}

export interface EmergenceView {
  modelAxis: string;
  epsilon: number;
  lines: EmergenceLine[];
}

export interface Phase { name: string; from: number; to: number }

export interface Heatmap {
  /** The phase it ends, and the snapshot's step. */
  phase: string;
  step: number;
  tensor: string;
  rows: number;
  cols: number;
  /** Row-major, rounded to 4 significant digits. */
  values: number[];
  absMax: number;
}

export interface WeightNormView {
  runId: string;
  label: string;
  regime: Regime | null;
  steps: number[];
  weightNorm: number[];
  trainAcc: number[];
  valAcc: number[];
  /** From regimeOf: the boundaries of fit, norm growth, decay, grok and settle. */
  phases: Phase[];
  boundaries: { trainFit: number | null; normPeak: number | null; valLeavesFloor: number | null; valFit: number | null; last: number };
  weightNormDrop: number | null;
  heatmaps: Heatmap[];
  /** Modular tasks: the progress measures on the same steps (null where absent), and the embedding spectrum heatmap as SVG. */
  progress?: { restrictedLoss: Array<number | null>; excludedLoss: Array<number | null>; keyFraction: number[]; gini: number[]; spectrumSvg: string };
}

export interface SweepReport {
  name: string;
  dir: string;
  description: string | null;
  config: string[];
  status: string;
  runsTotal: number;
  runsDone: number;
  epsilon: number;
  axes: { model: string | null; data: string | null; seed: string; swept: string[] };
  runs: RunRow[];
  curves: CurveChart[];
  regimeMap: RegimeMapData | null;
  cds: CdsTable[];
  /** Where D_mem comes from (or why there is none), for the map and the CDS section. */
  dMemSource?: string;
  uCurves: UCurvePanel[];
  emergence: EmergenceView | null;
  weightNorm: WeightNormView[];
  /** Wall time of the sweep: the largest wallMs of any run, summed per lock-step batch is unknown, so the sum and the max. */
  wall: { maxRunMs: number; sumRunMs: number };
}

/** How many <canvas> charts the page draws for a report: the test checks the page against it. */
export function chartCount(data: ReportData): number {
  let n = 0;
  for (const s of data.sweeps) {
    n += s.curves.length;
    n += s.regimeMap ? s.regimeMap.panels.length : 0;
    n += s.cds.some((t) => t.rows.length > 1) ? 1 : 0;
    n += s.uCurves.length;
    n += s.emergence ? 1 : 0;
    for (const w of s.weightNorm) n += 1 + w.heatmaps.length;
  }
  return n;
}

export const REPORT_DATA_ID = 'grok-report-data';
