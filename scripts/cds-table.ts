// Re-measures the critical data size (and D_mem for memorization sweeps) of stored results with the
// current analysis: summarize() over each run's metrics.jsonl, as the runner would write it today.
// A group trained at one data size has no CDS to measure (it needs a data axis): for it the line
// gives the converged outcome instead (outcome.ts: val accuracy over the seeds, regimes, still moving).
// Usage: node --import tsx scripts/cds-table.ts RESULTS_DIR...   (one line per group)
import { summarize, formatCds, formatSize, dataAxisOf, groupRuns, SEED_AXIS, paramKey } from '../src/analysis';
import { listRuns, readManifest, readRunMetrics } from '../src/store/reader';
import type { RunParams } from '../src/store/types';

const name = (g: Record<string, unknown>) => Object.entries(g).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ') || '(all runs)';
const acc = (v: number) => v.toFixed(2);

for (const dir of process.argv.slice(2)) {
  const manifest = readManifest(dir);
  const runs = listRuns(dir).map((r) => ({ id: r.id, params: r.params, status: r.status, history: readRunMetrics(dir, r.id) }));
  const s = summarize(runs, manifest.config, { configHash: manifest.configHash, updatedAt: new Date(0).toISOString() });
  const dataAxis = dataAxisOf(manifest.config);
  const groups = groupRuns(s.runs, dataAxis, SEED_AXIS);
  const sizesOf = new Map(groups.map((g) => [paramKey(g.params), new Set(g.runs.map((r) => r.params[dataAxis]))]));
  for (const c of s.criticalDataSize) {
    if ((sizesOf.get(paramKey(withoutAxis(c.group, dataAxis)))?.size ?? 0) > 1) {
      console.log(`${manifest.name}\t${name(c.group)}\t${formatCds(c)}\tstepsPeak ${formatSize(c.stepsPeak)}\t${c.seeds} seeds`);
    }
  }
  for (const g of groups) {
    if ((sizesOf.get(g.key)?.size ?? 0) > 1) continue;
    const vals = g.runs.map((r) => r.outcome?.valAcc).filter((v): v is number => typeof v === 'number');
    const regimes: Record<string, number> = {};
    for (const r of g.runs) regimes[r.regime ?? 'none'] = (regimes[r.regime ?? 'none'] ?? 0) + 1;
    const moving = g.runs.filter((r) => r.outcome?.moving).length;
    const mean = vals.reduce((a, b) => a + b, 0) / (vals.length || 1);
    const size = g.runs[0]?.params[dataAxis] ?? '(config)';
    console.log(`${manifest.name}\t${name(g.params)}\tone data size (${size}): converged val ${vals.length ? acc(mean) : '-'}` +
      `${vals.length > 1 ? ` (${acc(Math.min(...vals))}–${acc(Math.max(...vals))})` : ''}\t${JSON.stringify(regimes)}${moving ? `\t${moving} still moving` : ''}\t${g.runs.length} runs`);
  }
  for (const m of s.memorizationCapacity) {
    console.log(`${manifest.name}\t${name(m.group)}\tD_mem ${formatSize(m.value)} [${formatSize(m.bracket?.[0])}, ${formatSize(m.bracket?.[1])}] ${m.kind}${m.budgetLimited ? ' budget-limited' : ''}`);
  }
  const regimes: Record<string, number> = {};
  for (const r of s.runs) regimes[r.regime ?? 'none'] = (regimes[r.regime ?? 'none'] ?? 0) + 1;
  console.log(`${manifest.name}\tregimes ${JSON.stringify(regimes)}\tmoving ${s.runs.filter((r) => r.outcome?.moving).length}/${s.runs.length}`);
}

function withoutAxis(params: RunParams, axis: string): RunParams {
  return Object.fromEntries(Object.entries(params).filter(([k]) => k !== axis && k !== SEED_AXIS));
}
