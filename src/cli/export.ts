// `grok export DIR --csv`: every eval of every run as CSV, one row per eval: run id, the run's
// sweep params, step, then the metrics (norms and mixture components flattened to columns).
import { writeFileSync } from 'node:fs';
import { csvCell } from '../store/csv';
import { parseArgs } from 'node:util';
import { readManifest, readRunMetrics } from '../store/reader';
import type { EvalRecord } from '../store/types';
import type { CliCommand } from './main';

export const exportCommand: CliCommand = {
  summary: 'export every eval of every run as CSV',
  usage: [
    'Usage: grok export DIR --csv [--out FILE]',
    '',
    'Writes one row per eval per run: run, each sweep param, step, trainLoss, trainAcc, valLoss,',
    'valAcc, weightNorm, wallMs, norm.<tensor>..., and <component>.train.acc ... for mixtures.',
    '',
    '  --out FILE   write to FILE instead of standard output',
  ].join('\n'),
  run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { csv: { type: 'boolean' }, out: { type: 'string' } } });
    const [dir] = positionals;
    if (positionals.length !== 1 || dir === undefined || !values.csv) {
      console.error(`grok export: ${positionals.length !== 1 ? 'expected one DIR' : 'choose a format: --csv'}\n\n${exportCommand.usage}`);
      return 2;
    }
    const csv = sweepCsv(dir);
    if (values.out) writeFileSync(values.out, csv);
    else process.stdout.write(csv);
    return 0;
  },
};

/** A record's metrics as flat columns. */
function flatten(r: EvalRecord): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {
    trainLoss: r.trainLoss, trainAcc: r.trainAcc, valLoss: r.valLoss, valAcc: r.valAcc, weightNorm: r.weightNorm, wallMs: r.wallMs,
  };
  for (const [k, v] of Object.entries(r.norms ?? {})) out[`norm.${k}`] = v;
  for (const [name, c] of Object.entries(r.components ?? {})) {
    Object.assign(out, { [`${name}.train.loss`]: c.train.loss, [`${name}.train.acc`]: c.train.acc, [`${name}.val.loss`]: c.val.loss, [`${name}.val.acc`]: c.val.acc });
  }
  return out;
}

export function sweepCsv(dir: string): string {
  const manifest = readManifest(dir);
  const paramKeys = [...new Set(manifest.runs.flatMap((r) => Object.keys(r.params)))];
  const rows = manifest.runs.flatMap((run) => readRunMetrics(dir, run.id).map((rec) => ({ run, step: rec.step, metrics: flatten(rec) })));
  const metricKeys = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const lines = [['run', ...paramKeys, 'step', ...metricKeys].map(csvCell).join(',')];
  for (const { run, step, metrics } of rows) {
    lines.push([run.id, ...paramKeys.map((k) => run.params[k]), step, ...metricKeys.map((k) => metrics[k])].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}
