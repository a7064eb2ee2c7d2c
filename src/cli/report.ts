// `grok report DIR [--out FILE.html]`: one self-contained HTML file of a results folder (or of every
// sweep folder inside DIR): regime map, curves with seed bands, CDS tables, U-curves, emergence,
// weight-norm phases. It needs no network: the chart code and the data are inlined.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../report/data';
import { loadReportBundle, renderReportHtml } from '../report/html';
import { chartCount } from '../../webview/report/model';
import type { CliCommand } from './main';

export const reportCommand: CliCommand = {
  summary: 'write a self-contained HTML report of a results folder',
  usage: [
    'Usage: grok report DIR... [--out FILE.html] [--title TEXT] [--json]',
    '',
    'DIR is a results folder (.grok/<name>/, with manifest.json) or a folder of them (e.g. .grok/):',
    'the report then has one section per sweep (several DIRs: all their sweeps, to compare). It holds the regime map (model size × data size),',
    'training curves with seed bands, critical-data-size tables, U-curves, emergence of mixture',
    'components and the weight-norm trajectory with its phases. Every number comes from the',
    'analysis module. The HTML file has everything inlined and opens offline in any browser.',
    '',
    '  --out FILE   where to write it (default: DIR/report.html; several DIRs: next to the first)',
    '  --title T    the page title',
    '  --json       print the report data as JSON instead of writing HTML',
  ].join('\n'),
  run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, title: { type: 'string' }, json: { type: 'boolean' } } });
    } catch (e) {
      console.error(`grok report: ${(e as Error).message}\n\n${reportCommand.usage}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (positionals.length < 1) {
      console.error(`grok report: expected a DIR\n\n${reportCommand.usage}`);
      return 2;
    }
    const dirs = positionals.map((p) => resolve(p));
    const parts = dirs.map((d) => buildReport(d, { title: values.title }));
    const data = { ...parts[0]!, sweeps: parts.flatMap((p) => p.sweeps) };
    if (dirs.length > 1 && !values.title) data.title = `Grok report: ${data.sweeps.map((s) => s.name).join(' vs ')}`;
    const dir = dirs.length === 1 ? dirs[0]! : dirname(dirs[0]!);
    if (values.json) {
      console.log(JSON.stringify(data, null, 2));
      return 0;
    }
    const out = resolve(values.out ?? join(dir, 'report.html'));
    const html = renderReportHtml(data, loadReportBundle());
    writeFileSync(out, html);
    const runs = data.sweeps.reduce((n, s) => n + s.runsTotal, 0);
    console.log(`${out}: ${data.sweeps.length} sweep${data.sweeps.length === 1 ? '' : 's'}, ${runs} runs, ${chartCount(data)} charts, ${(html.length / 1024).toFixed(0)} KB`);
    return 0;
  },
};
