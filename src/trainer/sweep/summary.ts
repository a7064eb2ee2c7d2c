// Builds summary.json (the extension's contract, src/store/types.ts) from the runs' states.
// Regimes and critical data sizes come from the analysis module; until it is wired in they stay null.
import type { EvalRecord, Manifest, RunParams, RunStatus, RunSummary, Summary, SweepStatus } from '../../store/types';

export interface RunOutcome {
  status: RunStatus;
  stopReason?: string;
  error?: string;
}

/** One run's entry, from its eval records so far. `epsilon`: accuracy that counts as "fit". */
export function summarizeRun(id: string, params: RunParams, records: EvalRecord[], outcome: RunOutcome, epsilon: number): RunSummary {
  const last = records.length ? records[records.length - 1] : null;
  const firstAt = (pick: (r: EvalRecord) => number): number | null =>
    records.find((r) => pick(r) >= epsilon)?.step ?? null;
  const run: RunSummary = {
    id,
    params,
    status: outcome.status,
    regime: null,
    final: last && { trainAcc: last.trainAcc, valAcc: last.valAcc, trainLoss: last.trainLoss, valLoss: last.valLoss },
    steps: { trainFit: firstAt((r) => r.trainAcc), valFit: firstAt((r) => r.valAcc), last: last?.step ?? 0 },
  };
  if (outcome.stopReason) run.stopReason = outcome.stopReason;
  if (outcome.error) run.error = outcome.error;
  if (last?.components) {
    run.components = Object.fromEntries(Object.entries(last.components).map(([k, c]) => [k, { trainAcc: c.train.acc, valAcc: c.val.acc }]));
  }
  return run;
}

export function summarizeSweep(manifest: Manifest, runs: RunSummary[], status: SweepStatus): Summary {
  return {
    name: manifest.name,
    configHash: manifest.configHash,
    updatedAt: new Date().toISOString(),
    status,
    runs,
    criticalDataSize: [],
    memorizationCapacity: [],
  };
}
