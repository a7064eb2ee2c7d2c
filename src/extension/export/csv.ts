// CSV of a sweep's results (Export Results): one row per run, and one per critical-data-size group.
// No vscode import.
import { csvRow as row } from '../../store/csv';
import type { RunSummary, Summary } from '../../store/types';

export function runsCsv(runs: RunSummary[]): string {
  const axes = [...new Set(runs.flatMap((r) => Object.keys(r.params)))];
  const comps = [...new Set(runs.flatMap((r) => Object.keys(r.components ?? {})))];
  const lines = [row(['run', ...axes, 'status', 'stopReason', 'regime', 'trainAcc', 'valAcc', 'trainLoss', 'valLoss', 'trainFitStep', 'valFitStep', 'lastStep',
    ...comps.flatMap((c) => [`${c}.trainAcc`, `${c}.valAcc`]), 'error'])];
  for (const r of runs) {
    lines.push(row([r.id, ...axes.map((a) => r.params[a]), r.status, r.stopReason, r.regime, r.final?.trainAcc, r.final?.valAcc, r.final?.trainLoss, r.final?.valLoss,
      r.steps.trainFit, r.steps.valFit, r.steps.last, ...comps.flatMap((c) => [r.components?.[c]?.trainAcc, r.components?.[c]?.valAcc]), r.error]));
  }
  return lines.join('\n') + '\n';
}

export function cdsCsv(summary: Summary): string {
  const groupAxes = [...new Set(summary.criticalDataSize.flatMap((c) => Object.keys(c.group)))];
  const lines = [row([...groupAxes, 'epsilon', 'cds', 'low', 'high', 'kind', 'seeds', 'dMem', 'dMemKind'])];
  for (const c of summary.criticalDataSize) {
    const mem = summary.memorizationCapacity.find((m) => groupAxes.every((a) => m.group[a] === c.group[a]));
    lines.push(row([...groupAxes.map((a) => c.group[a]), c.epsilon, c.value, c.low, c.high, c.kind, c.seeds, mem?.value, mem?.kind]));
  }
  return lines.join('\n') + '\n';
}
