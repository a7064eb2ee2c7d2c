// The emergence-against-depth table of docs/reproduction.md from a finished sweep folder: per depth
// (model.layers) and model size, the parameter count and a+b's validation accuracy (final, and best
// over the run's evaluations) with the memorization component cut to 1 sample ("alone") and at its
// full size, best over seeds.
//
//   node --import tsx scripts/emergence-table.ts examples/.grok/repro-emergence-depth [--component a+b]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parameterCount } from '../src/report/data';
import { readManifest } from '../src/store/reader';
import { metricsPath } from '../src/store/layout';
import { expandSweep } from '../src/config/sweep';

interface Status { params: Record<string, number>; components?: Record<string, { valAcc: number }> }

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { component: { type: 'string', default: 'a+b' } } });
  const dir = positionals[0];
  if (!dir) throw new Error('usage: emergence-table.ts SWEEP_DIR [--component a+b]');
  const component = values.component!;
  const manifest = readManifest(dir);
  const configs = new Map(expandSweep(manifest.config).map((r) => [r.id, r.config]));
  const cells = new Map<string, { layers: number; size: number; params: number; memorize: number; final: number; best: number }>();
  for (const run of manifest.runs) {
    const statusPath = join(dir, 'runs', run.id, 'status.json');
    if (!existsSync(statusPath)) continue; // not started yet
    const status = JSON.parse(readFileSync(statusPath, 'utf8')) as Status;
    const final = status.components?.[component]?.valAcc;
    if (final === undefined) continue;
    const evals = readFileSync(metricsPath(dir, run.id), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { components?: Record<string, { val: { acc: number } }> });
    const best = Math.max(...evals.map((e) => e.components?.[component]?.val.acc ?? 0));
    const config = configs.get(run.id)!;
    const memorize = status.params['task.components.1.trainSize'];
    const size = status.params['model.dMlp'] ?? status.params['model.dModel'];
    if (memorize === undefined || size === undefined) throw new Error(`${statusPath}: params lack task.components.1.trainSize or model.dMlp/model.dModel (the sweep axes this table needs)`);
    const key = JSON.stringify([config.model.layers, size, memorize]);
    const prev = cells.get(key);
    // Best over seeds, as the paper reports.
    if (!prev || final > prev.final) cells.set(key, { layers: config.model.layers, size, params: parameterCount(config) ?? NaN, memorize, final, best: Math.max(best, prev?.best ?? 0) });
  }
  const rows = [...cells.values()].sort((a, b) => a.layers - b.layers || a.size - b.size || a.memorize - b.memorize);
  const sizes = [...new Set(rows.map((r) => r.memorize))].sort((a, b) => a - b);
  console.log(`| depth | width | params | ${sizes.map((m) => `${component} val, ${m} memorized (final / best)`).join(' | ')} |`);
  console.log(`|---:|---:|---:|${sizes.map(() => '---|').join('')}`);
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.layers}/${r.size}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cols = sizes.map((m) => {
      const c = rows.find((x) => x.layers === r.layers && x.size === r.size && x.memorize === m);
      return c ? `${c.final.toFixed(2)} / ${c.best.toFixed(2)}` : '-';
    });
    console.log(`| ${r.layers} | ${r.size} | ${r.params.toLocaleString('en')} | ${cols.join(' | ')} |`);
  }
}

main();
