// Everything a `grok report` shows, computed from a results folder with the analysis module (no
// statistics of its own beyond mean/min/max over seeds): the regime map, curves with seed bands,
// critical-data-size tables, U-curves, emergence and the weight-norm phases with heatmaps.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { UsageError } from '../util/userError';
import {
  analysisOptionsOf, componentOfAxis, componentValAcc, dataAxisOf, emergence, groupBy, isFinished, numericParam, outcomeOf, paramKey, regimeMapData, regimeOf, SEED_AXIS,
  summarize, uShape, type AnalysisOptions, type RegimeReport, type RunWithHistory,
} from '../analysis/index';
import type { ExperimentConfig } from '../config/schema';
import { expandSweep } from '../config/sweep';
import { isSweepDir, listRuns, readManifest, readRunMetrics } from '../store/reader';
import { runDir } from '../store/layout';
import { memorizationSource } from '../store/memorizationLink';
import { memorizationFor } from '../analysis/memorization';
import { seedStats } from '../analysis/seedStats';
import type { CriticalDataSize, EvalRecord, Regime, RunParams, RunSummary, Summary } from '../store/types';
import { readSafetensors } from '../trainer/engine/safetensors';
import { modelDims } from '../trainer/models/dims';
import { spectrumGrid, spectrumSvg } from '../../webview/curves/spectrumModel';
import { toCurvePoint } from '../../webview/curves/protocol';
import { viridis } from '../../webview/shared/palette';
import { paramSpecs, sizeOf } from '../trainer/models/params';
import type {
  Band, CdsTable, CurveChart, CurveSeries, DataSizeRow, EmergenceView, Heatmap, Phase, ReportData, RunRow, SweepReport, UCurvePanel,
  WeightNormView,
} from '../../webview/report/model';

/** Points per curve after downsampling (the HTML stays small; the shape stays). */
const MAX_POINTS = 240;
/** Curve charts per sweep, at most. */
const MAX_CURVE_CHARTS = 12;
/** Weight-norm views per sweep when no run has snapshots (the grokking runs whose norm fell most). */
const MAX_NORM_VIEWS = 1;
/** The snapshots folder of a run (scripts/repro-run.ts --snapshots writes it). */
export const SNAPSHOT_DIR = 'snapshots';

export interface ReportOptions {
  title?: string;
  /** For stable output in tests. */
  now?: Date;
}

/** The sweep folders of DIR: DIR itself if it is one, else its sub-folders that are (sorted). */
export function sweepDirsOf(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such folder`);
  if (isSweepDir(dir)) return [dir];
  const found = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isSweepDir(join(dir, e.name)))
    .map((e) => join(dir, e.name))
    .sort();
  if (found.length === 0) throw new UsageError(`${dir}: not a results folder (no manifest.json in it or in its sub-folders)`);
  return found;
}

export function buildReport(dir: string, options: ReportOptions = {}): ReportData {
  const dirs = sweepDirsOf(dir);
  const sweeps = dirs.map((d) => buildSweepReport(d, dirs.length > 1 ? relative(dir, d) : basename(d)));
  return {
    title: options.title ?? (sweeps.length === 1 && sweeps[0] ? `Grok report: ${sweeps[0].name}` : `Grok report: ${basename(dir)}`),
    generatedAt: (options.now ?? new Date()).toISOString(),
    sweeps,
  };
}

interface LoadedRun {
  summary: RunSummary;
  /** Params with the data size filled in from the config when it is not swept. */
  params: RunParams;
  history: EvalRecord[];
  report: RegimeReport | null;
  config: ExperimentConfig;
}

export function buildSweepReport(dir: string, label: string): SweepReport {
  const manifest = readManifest(dir);
  const config = manifest.config;
  const opts = analysisOptionsOf(config);
  const statuses = listRuns(dir);
  const withHistory: RunWithHistory[] = statuses.map((s) => ({
    id: s.id, params: s.params, status: s.status, stopReason: s.stopReason, error: s.error, history: readRunMetrics(dir, s.id),
  }));
  const summary = summarize(withHistory, config, { configHash: manifest.configHash, updatedAt: new Date(0).toISOString() });
  // D_mem: this sweep's memorization runs and/or the sweep analysis.memorizationResults names.
  const mem = memorizationSource(manifest, summary);
  const dataAxis = dataAxisOf(config);
  const configData = valueAtPath(config, dataAxis);
  const plans = new Map(expandSweep(config).map((p) => [p.id, p.config]));
  const runs: LoadedRun[] = summary.runs.map((s, i) => {
    const history = withHistory[i]!.history as EvalRecord[]; // summarize keeps one summary per run, in order
    const params = s.params[dataAxis] === undefined && typeof configData === 'number' ? { ...s.params, [dataAxis]: configData } : s.params;
    return { summary: { ...s, params }, params, history, report: history.length ? regimeOf(history, opts) : null, config: plans.get(s.id) ?? config };
  });

  const swept = Object.keys(config.sweep);
  const modelAxis = ['model.dModel', 'model.dMlp'].find((a) => swept.includes(a)) ?? null;
  const dataSwept = swept.includes(dataAxis);
  // A random-label component's size is no data size of a task that can generalize: no map or CDS
  // over it (the emergence view shows its op components against model size per count instead).
  const component = componentOfAxis(config, dataAxis);
  const mapped = dataSwept && !component?.random;
  const finished = runs.filter((r) => isFinished(r.summary));
  const sizes = (axis: string) => new Set(runs.map((r) => numericParam(r.summary, axis)).filter((v) => v !== null)).size;

  return {
    name: manifest.name,
    dir: label,
    description: config.description ?? null,
    config: describeConfig(config),
    status: sweepStatus(runs),
    runsTotal: runs.length,
    runsDone: finished.length,
    epsilon: opts.epsilon,
    axes: { model: modelAxis, data: mapped ? dataAxis : null, seed: SEED_AXIS, swept },
    runs: runs.map(runRow),
    curves: curveCharts(runs, dataSwept ? dataAxis : modelAxis ?? swept.find((a) => a !== SEED_AXIS) ?? null),
    regimeMap: modelAxis && mapped
      ? regimeMapData(runs.map((r) => r.summary), { model: modelAxis, data: dataAxis, seed: SEED_AXIS }, { ...opts, memorization: mem.entries, component })
      : null,
    cds: mapped ? cdsTables(runs, summary.criticalDataSize, mem.entries, dataAxis, modelAxis, component?.name) : [],
    dMemSource: mem.problem ?? (mem.linkedDir ? `D_mem: the memorization capacity measured by ${relative(dir, mem.linkedDir) || '.'} (analysis.memorizationResults)`
      : summary.memorizationCapacity.length ? 'D_mem: the memorization capacity measured by this sweep\'s memorization runs'
        : 'D_mem: none (no memorization measurement: run a memorization sweep and name it in analysis.memorizationResults)'),
    uCurves: modelAxis && sizes(modelAxis) >= 3 ? uCurves(runs, modelAxis, dataAxis, opts) : [],
    emergence: config.task.kind === 'mixture' && modelAxis ? emergenceView(runs, config, modelAxis, opts) : null,
    weightNorm: weightNormViews(dir, runs, opts),
    wall: {
      maxRunMs: Math.max(0, ...runs.map((r) => r.history.at(-1)?.wallMs ?? 0)),
      sumRunMs: runs.reduce((s, r) => s + (r.history.at(-1)?.wallMs ?? 0), 0),
    },
  };
}

function valueAtPath(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), config);
}

function sweepStatus(runs: LoadedRun[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.summary.status, (counts.get(r.summary.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

function describeConfig(c: ExperimentConfig): string[] {
  const t = c.task;
  const task = t.kind === 'modular' ? `(${t.op}) mod ${t.modulus}`
    : t.kind === 'memorization' ? `random labels on the pairs of ${t.op} mod ${t.modulus}`
      : t.kind === 'mixture' ? `mixture mod ${t.modulus}: ${t.components.map((x) => `${x.name ?? x.op}${x.labels === 'random' ? ' (random labels)' : ''}`).join(' + ')}`
        : `text (${t.format}) ${t.path}`;
  const m = c.model;
  const tr = c.training;
  const o = c.optimizer;
  return [
    `task: ${task}`,
    `model: ${m.kind}, dModel ${m.dModel}${m.kind === 'mlp' ? '' : `, ${m.heads} heads`}, dMlp ${m.dMlp ?? 4 * m.dModel}, ${m.activation}, LayerNorm ${m.layerNorm}, init ${m.initStd} × α=${c.init.scale}`,
    `optimizer: AdamW lr ${o.lr}, weight decay ${o.weightDecay}, betas [${o.betas.join(', ')}]${o.warmupSteps ? `, warmup ${o.warmupSteps}` : ''}`,
    `training: ${tr.steps} steps, eval every ${tr.evalEvery}, batch ${tr.batchSize ?? 'full'}${tr.trainSize ? `, trainSize ${tr.trainSize}` : ''}${tr.trainFraction ? `, trainFraction ${tr.trainFraction}` : ''}, early stop ${tr.earlyStop.enabled ? `on (val ≥ ${tr.earlyStop.accuracy} for ${tr.earlyStop.holdEvals} evals, or a ${tr.earlyStop.plateauSteps}-step plateau)` : 'off'}`,
    `sweep: ${Object.entries(c.sweep).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join('; ') || 'none'}`,
  ];
}

function runRow(r: LoadedRun): RunRow {
  const s = r.summary;
  // The converged outcome (median of the last evals), as the map, the CDS and the regimes use.
  const outcome = outcomeOf(s);
  const row: RunRow = {
    id: s.id, params: s.params, status: s.status, regime: s.regime, reason: r.report?.reason ?? null,
    trainAcc: outcome?.trainAcc ?? null, valAcc: outcome?.valAcc ?? null, moving: outcome?.moving ?? false,
    trainFitStep: r.report?.trainFitStep ?? null, valReachStep: r.report?.valReachStep ?? null,
    grokDelay: r.report?.grokDelay ?? null, lastStep: s.steps.last,
  };
  const components = s.outcome?.components ?? s.components;
  if (components) row.components = components;
  return row;
}

export function paramsLabel(params: RunParams): string {
  const short = (k: string) => k.replace(/^model\./, '').replace(/^training\./, '').replace(/^optimizer\./, '').replace(/^task\.components\.(\d+)\./, 'component $1 ');
  const entries = Object.entries(params);
  return entries.length ? entries.map(([k, v]) => `${short(k)}=${v}`).join(', ') : 'all runs';
}

const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

/** Indices of at most `max` evenly spread points, first and last kept. */
/** At most `max` indices spread over 0..n-1 (every one in range for a list of n). */
function downsample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(Math.round((k * (n - 1)) / (max - 1)));
  return [...out];
}

/** Mean/min/max over seeds at every eval step any seed has (a seed that ended keeps its last value: seedStats). */
function seedBands(histories: EvalRecord[][]): { steps: number[]; val: Band; train: Band; weightNorm: Band } {
  const steps = [...new Set(histories.flatMap((h) => h.map((e) => e.step)))].sort((a, b) => a - b);
  const pick = downsample(steps.length, MAX_POINTS).map((i) => steps[i]!);
  const band = (get: (e: EvalRecord) => number): Band => {
    const stats = new Map(seedStats(histories.map((h) => h.map((e) => ({ x: e.step, y: get(e) }))), pick).map((s) => [s.x, s]));
    const b: Band = { mean: [], min: [], max: [] };
    for (const step of pick) {
      const s = stats.get(step);
      b.mean.push(s ? round(s.mean) : NaN);
      b.min.push(s ? round(s.min) : NaN);
      b.max.push(s ? round(s.max) : NaN);
    }
    return b;
  };
  return { steps: pick, val: band((e) => e.valAcc), train: band((e) => e.trainAcc), weightNorm: band((e) => e.weightNorm) };
}

function curveCharts(runs: LoadedRun[], lineAxis: string | null): CurveChart[] {
  const withHistory = runs.filter((r) => r.history.length > 0);
  const series: CurveSeries[] = groupBy(withHistory.map((r) => ({ params: r.summary.params, run: r })), [SEED_AXIS]).map((g) => ({
    label: lineAxis && g.params[lineAxis] !== undefined ? `${lineAxis.split('.').pop()}=${g.params[lineAxis]}` : paramsLabel(g.params),
    params: g.params,
    seeds: g.runs.length,
    ...seedBands(g.runs.map((x) => x.run.history)),
  }));
  const charts = groupBy(series, lineAxis ? [lineAxis] : []).map((g) => ({
    title: paramsLabel(g.params),
    lineAxis,
    series: g.runs.sort((a, b) => Number(a.params[lineAxis ?? ''] ?? 0) - Number(b.params[lineAxis ?? ''] ?? 0)),
  }));
  return charts.slice(0, MAX_CURVE_CHARTS);
}

function cdsTables(
  runs: LoadedRun[], cds: CriticalDataSize[],
  mem: Summary['memorizationCapacity'], dataAxis: string, modelAxis: string | null, component?: string,
): CdsTable[] {
  const memByKey = new Map(mem.map((m) => [paramKey(m.group), m]));
  const memOf = (group: RunParams) => (modelAxis && typeof group[modelAxis] === 'number'
    ? memorizationFor(group, modelAxis, group[modelAxis], mem) : memByKey.get(paramKey(group)) ?? null);
  const groups = groupBy(runs.map((r) => ({ params: r.params, run: r })), [dataAxis, SEED_AXIS]);
  const tables = cds.map((c) => {
    const key = paramKey(c.group);
    const g = groups.find((x) => x.key === key);
    const inGroup = g ? g.runs.map((x) => x.run) : [];
    const sizes = [...new Set(inGroup.map((r) => numericParam(r.summary, dataAxis)!))].sort((a, b) => a - b);
    const rows = sizes.map((d) => dataSizeRow(d, inGroup.filter((r) => numericParam(r.summary, dataAxis) === d), component));
    const m = memOf(c.group);
    return { group: c.group, label: paramsLabel(c.group), cds: c, memorization: m ? { value: m.value, kind: m.kind, ...(m.bracket ? { bracket: m.bracket } : {}), ...(m.budgetLimited !== undefined ? { budgetLimited: m.budgetLimited } : {}) } : null, rows };
  });
  // Model size ascending, as the papers plot CDS against it.
  if (modelAxis) tables.sort((a, b) => Number(a.group[modelAxis] ?? 0) - Number(b.group[modelAxis] ?? 0));
  return tables;
}

function meanOf(xs: number[]): number | null {
  return xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null;
}

/** component: the mixture component the data axis sizes, whose own val accuracy is the one that counts. */
function dataSizeRow(dataSize: number, runs: LoadedRun[], component?: string): DataSizeRow {
  const done = runs.filter((r) => isFinished(r.summary));
  const accs = done.map((r) => (component === undefined ? null : componentValAcc(r.summary, component)) ?? outcomeOf(r.summary)!.valAcc);
  const fits = done.map((r) => r.report?.trainFitStep).filter((s): s is number => s != null);
  const reach = done.map((r) => r.report?.valReachStep).filter((s): s is number => s != null);
  const regimes: Partial<Record<Regime, number>> = {};
  for (const r of done) if (r.summary.regime) regimes[r.summary.regime] = (regimes[r.summary.regime] ?? 0) + 1;
  return {
    dataSize, runs: runs.length, finished: done.length,
    meanValAcc: meanOf(accs), minValAcc: accs.length ? round(Math.min(...accs)) : null, maxValAcc: accs.length ? round(Math.max(...accs)) : null,
    meanTrainFitStep: meanOf(fits), meanValReachStep: meanOf(reach), reached: reach.length, regimes,
  };
}

function uCurves(runs: LoadedRun[], modelAxis: string, dataAxis: string, opts: AnalysisOptions): UCurvePanel[] {
  const done = runs.filter((r) => isFinished(r.summary));
  return groupBy(done.map((r) => ({ params: r.params, run: r })), [modelAxis, dataAxis, SEED_AXIS]).map((panel) => {
    const dataSizes = [...new Set(panel.runs.map((x) => numericParam(x.run.summary, dataAxis)))].sort((a, b) => (a ?? 0) - (b ?? 0));
    const lines = dataSizes.map((d) => {
      const at = panel.runs.filter((x) => numericParam(x.run.summary, dataAxis) === d).map((x) => x.run);
      const points = [...new Set(at.map((r) => numericParam(r.summary, modelAxis)!))].sort((a, b) => a - b).map((m) => {
        const accs = at.filter((r) => numericParam(r.summary, modelAxis) === m).map((r) => outcomeOf(r.summary)!.valAcc);
        return { modelSize: m, mean: round(accs.reduce((a, b) => a + b, 0) / accs.length), min: round(Math.min(...accs)), max: round(Math.max(...accs)), n: accs.length };
      });
      const shape = uShape(at.map((r) => ({ modelSize: numericParam(r.summary, modelAxis)!, valAcc: outcomeOf(r.summary)!.valAcc })), opts.uShapeMinDip);
      return { dataSize: d ?? 0, points, shape };
    });
    return { label: paramsLabel(panel.params), fixed: panel.params, lines };
  });
}

/** Parameter count of a modular-arithmetic model (null for text, whose vocabulary needs the data). */
export function parameterCount(config: ExperimentConfig): number | null {
  const t = config.task;
  if (t.kind === 'text' || config.model.kind === 'encoder') return null;
  const data = t.kind === 'mixture'
    ? { vocabSize: t.modulus + 1 + t.components.length, numClasses: t.modulus, seqLen: 4 }
    : { vocabSize: t.modulus + 1, numClasses: t.modulus, seqLen: 3 };
  return paramSpecs(modelDims(config.model, data)).reduce((n, p) => n + sizeOf(p.shape), 0);
}

function emergenceView(runs: LoadedRun[], config: ExperimentConfig, modelAxis: string, opts: AnalysisOptions): EmergenceView | null {
  if (config.task.kind !== 'mixture') return null;
  const done = runs.filter((r) => isFinished(r.summary) && r.summary.components);
  if (done.length === 0) return null;
  const names = [...new Set(done.flatMap((r) => Object.keys(r.summary.components!)))].filter((n) => !n.startsWith('random('));
  const lines = groupBy(done.map((r) => ({ params: r.params, run: r })), [modelAxis, SEED_AXIS]).flatMap((g) => names.map((component) => {
    const at = g.runs.flatMap(({ run }) => {
      const valAcc = componentValAcc(run.summary, component); // converged (outcome.components), else the last eval
      return valAcc !== null ? [{ run, valAcc, modelSize: numericParam(run.summary, modelAxis) }] : [];
    });
    const cps = at.map((r) => ({ modelSize: r.modelSize!, components: { [component]: { valAcc: r.valAcc } } }));
    const points = [...new Set(cps.map((p) => p.modelSize))].sort((a, b) => a - b).map((m) => {
      const rs = at.filter((r) => r.modelSize === m); // not empty: m is one of their sizes
      const accs = rs.map((r) => r.valAcc);
      return { modelSize: m, params: parameterCount(rs[0]!.run.config), mean: round(accs.reduce((a, b) => a + b, 0) / accs.length), min: round(Math.min(...accs)), max: round(Math.max(...accs)) };
    });
    return {
      label: `${component}${Object.keys(g.params).length ? ` (${paramsLabel(g.params)})` : ''}`, group: g.params, component, points,
      best: emergence(cps, component, opts.epsilon, { ...opts, aggregate: 'max' }),
      mean: emergence(cps, component, opts.epsilon, { ...opts, aggregate: 'mean' }),
    };
  })).filter((l) => l.points.length > 0);
  return { modelAxis, epsilon: opts.epsilon, lines };
}

/**
 * The five phases of a grokking run, from regimeOf's steps (each boundary at least the previous one).
 * With the history, "norm growth" ends at the largest norm from the train-fit step on: regimeOf's
 * peak is over the whole run, and weight decay often shrinks the initial weights before the fit, so
 * the largest norm can be the one at initialization (an empty growth phase).
 */
export function phasesOf(report: RegimeReport, history?: readonly EvalRecord[]): { phases: Phase[]; boundaries: WeightNormView['boundaries'] } {
  const last = report.lastStep;
  const boundaries = {
    trainFit: report.trainFitStep, normPeak: normPeakAfter(history, report.trainFitStep) ?? report.weightNormPeakStep, valLeavesFloor: report.valLeavesFloorStep,
    valFit: report.valFitStep ?? report.valReachStep, last,
  };
  const raw: Array<[string, number | null]> = [
    ['fit', boundaries.trainFit], ['norm growth', boundaries.normPeak], ['decay', boundaries.valLeavesFloor], ['grok', boundaries.valFit], ['settle', last],
  ];
  const phases: Phase[] = [];
  let from = 0;
  for (const [name, end] of raw) {
    const to = Math.min(last, Math.max(from, end ?? from));
    phases.push({ name, from, to });
    from = to;
  }
  return { phases, boundaries };
}

/** Step of the largest weight norm at or after `from` (null without a history or a from step). */
function normPeakAfter(history: readonly EvalRecord[] | undefined, from: number | null): number | null {
  if (!history || from === null) return null;
  let best: EvalRecord | null = null;
  for (const e of history) if (e.step >= from && Number.isFinite(e.weightNorm) && (best === null || e.weightNorm > best.weightNorm)) best = e;
  return best?.step ?? null;
}

/** 1 − final / (norm at `peak`): how far the norm fell from the phases' peak by the end. */
function normDropOf(history: readonly EvalRecord[], peak: number | null): number | null {
  const at = history.find((e) => e.step === peak);
  const final = history.at(-1)?.weightNorm;
  return at && final !== undefined && at.weightNorm > 0 ? round(1 - final / at.weightNorm) : null;
}

function snapshotSteps(dir: string, id: string): number[] {
  const d = join(runDir(dir, id), SNAPSHOT_DIR);
  if (!existsSync(d)) return [];
  return readdirSync(d).map((f) => /^ckpt-(\d+)\.safetensors$/.exec(f)).filter((m) => m !== null).map((m) => Number(m![1])).sort((a, b) => a - b);
}

function heatmapOf(bytes: Uint8Array, phase: string, step: number): Heatmap | null {
  const t = readSafetensors(bytes).tensors.find((x) => x.name === 'unembed.w');
  const [rows, cols] = t?.shape ?? [];
  if (!t || t.shape.length !== 2 || rows === undefined || cols === undefined) return null;
  let absMax = 0;
  for (const v of t.data) absMax = Math.max(absMax, Math.abs(v));
  return { phase, step, tensor: t.name, rows, cols, values: Array.from(t.data, round), absMax: round(absMax) };
}

/** The progress measures on the chosen evals, and the spectrum heatmap (docs/progress.md); null without them. */
function progressView(history: EvalRecord[], idx: number[]): WeightNormView['progress'] | null {
  if (!history.some((e) => e.progress)) return null;
  const at = (get: (p: NonNullable<EvalRecord['progress']>) => number | undefined) => idx.map((i) => {
    const p = history[i]!.progress; // idx: downsample's, in range
    const v = p && get(p);
    return v === undefined ? null : round(v);
  });
  const grid = spectrumGrid(history.map(toCurvePoint));
  return {
    restrictedLoss: at((p) => p.restrictedLoss), excludedLoss: at((p) => p.excludedLoss),
    keyFraction: at((p) => p.keyFraction).map((v) => v ?? NaN), gini: at((p) => p.gini).map((v) => v ?? NaN),
    spectrumSvg: grid ? spectrumSvg(grid, { width: 720, height: 240, color: viridis }) : '',
  };
}

function weightNormViews(dir: string, runs: LoadedRun[], _opts: AnalysisOptions): WeightNormView[] {
  const withSnapshots = runs.filter((r) => r.report && snapshotSteps(dir, r.summary.id).length > 0);
  // Without snapshots: the grokking runs whose norm fell the most after its peak (Huang et al.: in
  // grokking the weight norm falls), in run order on ties.
  const chosen = withSnapshots.length ? withSnapshots : runs
    .filter((r) => r.report && r.summary.regime === 'grokking')
    .map((r, i) => ({ r, i, drop: normDropOf(r.history, phasesOf(r.report!, r.history).boundaries.normPeak) ?? 0 }))
    .sort((a, b) => b.drop - a.drop || a.i - b.i)
    .slice(0, MAX_NORM_VIEWS)
    .map((x) => x.r);
  return chosen.map((r) => {
    const report = r.report!;
    const { phases, boundaries } = phasesOf(report, r.history);
    const snaps = snapshotSteps(dir, r.summary.id);
    const heatmaps: Heatmap[] = [];
    if (snaps.length) {
      for (const p of phases) {
        // The snapshot nearest the end of the phase.
        const step = snaps.reduce((best, s) => (Math.abs(s - p.to) < Math.abs(best - p.to) ? s : best), snaps[0]!); // snaps is not empty here
        if (heatmaps.some((h) => h.step === step)) continue;
        const h = heatmapOf(new Uint8Array(readFileSync(join(runDir(dir, r.summary.id), SNAPSHOT_DIR, `ckpt-${step}.safetensors`))), p.name, step);
        if (h) heatmaps.push(h);
      }
    }
    const idx = downsample(r.history.length, MAX_POINTS * 2);
    const picked = idx.map((i) => r.history[i]!);
    const progress = progressView(r.history, idx);
    return {
      ...(progress ? { progress } : {}),
      runId: r.summary.id, label: paramsLabel(r.summary.params), regime: r.summary.regime,
      steps: picked.map((e) => e.step), weightNorm: picked.map((e) => round(e.weightNorm)),
      trainAcc: picked.map((e) => round(e.trainAcc)), valAcc: picked.map((e) => round(e.valAcc)),
      phases, boundaries, weightNormDrop: normDropOf(r.history, boundaries.normPeak) ?? (report.weightNormDrop === null ? null : round(report.weightNormDrop)), heatmaps,
    };
  });
}
