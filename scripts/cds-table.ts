// Re-measures the critical data size (and D_mem for memorization sweeps) of stored results with the
// current analysis: summarize() over each run's metrics.jsonl, as the runner would write it today.
// Usage: node --import tsx scripts/cds-table.ts RESULTS_DIR...   (one line per group)
import { summarize, formatCds, formatSize } from '../src/analysis';
import { listRuns, readManifest, readRunMetrics } from '../src/store/reader';

for (const dir of process.argv.slice(2)) {
  const manifest = readManifest(dir);
  const runs = listRuns(dir).map((r) => ({ id: r.id, params: r.params, status: r.status, history: readRunMetrics(dir, r.id) }));
  const s = summarize(runs, manifest.config, { configHash: manifest.configHash, updatedAt: new Date(0).toISOString() });
  const name = (g: Record<string, unknown>) => Object.entries(g).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ') || '(all runs)';
  for (const c of s.criticalDataSize) {
    console.log(`${manifest.name}\t${name(c.group)}\t${formatCds(c)}\tstepsPeak ${formatSize(c.stepsPeak)}\t${c.seeds} seeds`);
  }
  for (const m of s.memorizationCapacity) {
    console.log(`${manifest.name}\t${name(m.group)}\tD_mem ${formatSize(m.value)} [${formatSize(m.bracket?.[0])}, ${formatSize(m.bracket?.[1])}] ${m.kind}${m.budgetLimited ? ' budget-limited' : ''}`);
  }
  const regimes: Record<string, number> = {};
  for (const r of s.runs) regimes[r.regime ?? 'none'] = (regimes[r.regime ?? 'none'] ?? 0) + 1;
  console.log(`${manifest.name}\tregimes ${JSON.stringify(regimes)}\tmoving ${s.runs.filter((r) => r.outcome?.moving).length}/${s.runs.length}`);
}
