// What summary.json holds, computed from the runs' histories: per run the regime, fit steps and
// final metrics; per group (every axis but data size and seed) D_crit, and D_mem for a memorization sweep.
// The sweep runner calls summarize() whenever it writes summary.json.
import type { ExperimentConfig, TaskConfig } from '../config/schema';
import type { EvalMetrics } from '../store/metrics';
import type { RunParams, RunStatus, RunSummary, Summary } from '../store/types';
import { criticalDataSize } from './cds';
import { groupRuns } from './groups';
import { memorizationCapacity } from './memorization';
import { analysisOptions, type AnalysisOptions } from './options';
import { componentOfAxis, randomCountAccuracy } from './mixtureSize';
import { convergedComponents, convergedOutcome } from './outcome';
import { regimeOf } from './regime';
import { forecastRun } from './forecast';
import { dataRunOf, isFinished, numericParam, outcomeOf, SEED_AXIS } from './runs';

export interface RunWithHistory {
  id: string;
  params: RunParams;
  status: RunStatus;
  stopReason?: string;
  error?: string;
  /** The run's evals so far, in step order (metrics.jsonl). */
  history: readonly EvalMetrics[];
}

/** Classes of the task's answer: chance accuracy is 1 / this. */
export function numClassesOf(task: TaskConfig): number {
  return task.kind === 'text' ? 2 : task.modulus;
}

/**
 * The data-size param: search.axis when searching; else the swept train size or fraction
 * (training.* first, then a mixture component's *.trainSize / *.trainFraction, one that learns an op
 * before one with random labels: mixtureSize.ts); else training.trainSize.
 */
export function dataAxisOf(config: Pick<ExperimentConfig, 'search' | 'sweep' | 'task'>): string {
  if (config.search) return config.search.axis;
  const swept = Object.keys(config.sweep);
  const sized = swept.filter((k) => /\.train(Size|Fraction)$/.test(k));
  return swept.find((k) => k === 'training.trainSize' || k === 'training.trainFraction')
    ?? sized.find((k) => componentOfAxis(config, k)?.random !== true)
    ?? sized[0]
    ?? 'training.trainSize';
}

/** The config value at a dotted path ("training.trainSize", "task.components.0.trainSize"). */
function valueAtPath(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), config);
}

/** A run's step budget: its training.steps axis value, or the config's. */
export function budgetOf(config: Pick<ExperimentConfig, 'training'>, params: RunParams): number {
  const v = params['training.steps'];
  return typeof v === 'number' ? v : config.training.steps;
}

/** The options in force for a config: its analysis section, chance from its task. */
export function analysisOptionsOf(config: Pick<ExperimentConfig, 'analysis' | 'task'>): AnalysisOptions {
  const opts = analysisOptions(config.analysis);
  return { ...opts, numClasses: opts.numClasses ?? numClassesOf(config.task) };
}

/** One run's summary. `regime` is provisional while the run is running, null if failed or without evals. */
export function summarizeRun(run: RunWithHistory, opts: AnalysisOptions, budget?: number): RunSummary {
  const { history } = run;
  const last = history.at(-1) ?? null;
  const report = last && regimeOf(history, opts);
  const outcome = convergedOutcome(history, opts);
  const summary: RunSummary = {
    id: run.id,
    params: run.params,
    status: run.status,
    regime: report && run.status !== 'failed' ? report.regime : null,
    final: last && { trainAcc: last.trainAcc, valAcc: last.valAcc, trainLoss: last.trainLoss, valLoss: last.valLoss },
    outcome: outcome && { trainAcc: outcome.trainAcc, valAcc: outcome.valAcc, moving: outcome.moving },
    steps: { trainFit: report?.trainFitStep ?? null, valFit: report?.valFitStep ?? null, valReach: report?.valReachStep ?? null, last: last?.step ?? 0 },
  };
  if (run.stopReason !== undefined) summary.stopReason = run.stopReason;
  if (run.error !== undefined) summary.error = run.error;
  if (last?.progress) {
    const { keyFreqs, keyFraction, gini, restrictedLoss, excludedLoss } = last.progress;
    summary.progress = { keyFreqs, keyFraction, gini };
    if (restrictedLoss !== undefined && excludedLoss !== undefined) Object.assign(summary.progress, { restrictedLoss, excludedLoss });
  }
  if (budget !== undefined && run.status === 'running' && history.length) {
    const f = forecastRun(history, budget, opts);
    summary.forecast = { regime: f.regime, valReachStep: f.valReachStep, confidence: f.confidence, reason: f.reason };
  }
  const components = summary.outcome && convergedComponents(history, opts);
  if (summary.outcome && components) summary.outcome.components = components;
  if (last?.components) {
    summary.components = Object.fromEntries(Object.entries(last.components).map(([name, c]) => [name, { trainAcc: c.train.acc, valAcc: c.val.acc }]));
  }
  return summary;
}

/**
 * The whole summary. D_crit and D_mem use finished runs only (status 'done', see isFinished). A data size that is
 * not swept is read from the config, so a single-size sweep still reports 'below-grid' / 'not-reached'.
 */
export function summarize(
  runs: readonly RunWithHistory[],
  config: ExperimentConfig,
  meta: { configHash: string; updatedAt: string },
): Summary {
  const opts = analysisOptionsOf(config);
  const dataAxis = dataAxisOf(config);
  const configSize = valueAtPath(config, dataAxis);
  const summaries = runs.map((r) => summarizeRun(r, opts, budgetOf(config, r.params)));
  // The data size joins the params only for the analysis, not in the stored run summaries.
  const sized = summaries
    .map((r) => (r.params[dataAxis] === undefined && typeof configSize === 'number' ? { ...r, params: { ...r.params, [dataAxis]: configSize } } : r))
    .filter((r) => numericParam(r, dataAxis) !== null && isFinished(r));
  const groups = groupRuns(sized, dataAxis, SEED_AXIS);
  // A group's task kind: its own when the sweep has a task.kind axis (grokking and memorization runs
  // in one sweep), else the config's.
  const memorizing = (g: { params: RunParams }) => (g.params['task.kind'] ?? config.task.kind) === 'memorization';
  // A mixture component's size: its own val accuracy decides its CDS; a random-label component's
  // count is no training-set size of anything that generalizes: no CDS along it (mixtureSize.ts).
  const component = componentOfAxis(config, dataAxis);
  const randomCount = randomCountAccuracy(summaries, config, dataAxis);
  return {
    name: config.name,
    configHash: meta.configHash,
    updatedAt: meta.updatedAt,
    runs: summaries,
    // Random labels have nothing to generalize: a memorization sweep measures D_mem, not a CDS.
    criticalDataSize: component?.random ? [] : groups.filter((g) => !memorizing(g)).map((g) =>
      criticalDataSize(g.runs.map((r) => dataRunOf(r, dataAxis, SEED_AXIS, component?.name)!), opts.epsilon, { ...opts, group: g.params })),
    // D_mem is measured by a memorization sweep (random labels), and only there (memorization.ts).
    memorizationCapacity: groups.filter(memorizing).map((g) => ({
      group: g.params,
      ...memorizationCapacity(g.runs.map((r) => ({ dataSize: numericParam(r, dataAxis)!, trainAcc: outcomeOf(r)!.trainAcc, moving: outcomeOf(r)!.moving })), opts.fitAcc),
    })),
    ...(randomCount ? { randomCount } : {}),
  };
}
