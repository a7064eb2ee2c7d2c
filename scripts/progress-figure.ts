// The progress measures of one run against its validation accuracy: the step where each measure
// first crosses its threshold, the step where val first reaches 0.99, and the lead time; plus the
// figure (accuracy, restricted/excluded loss, key fraction/Gini/weight norm, spectrum heatmap).
// What docs/progress.md's modadd-grok table and picture are made from:
//
//   npx tsx scripts/progress-figure.ts RUN_DIR OUT.svg     (RUN_DIR: .grok/<sweep>/runs/<id>)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalRecord } from '../src/store/types';
import { lineChartSvg } from '../webview/shared/svg';
import { stackSvgs } from '../webview/shared/svgStack';
import { viridis } from '../webview/shared/palette';
import { spectrumGrid, spectrumSvg } from '../webview/curves/spectrumModel';
import { toCurvePoint } from '../webview/curves/protocol';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) { console.error('usage: tsx scripts/progress-figure.ts RUN_DIR OUT.svg'); process.exit(2); }
const recs: EvalRecord[] = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EvalRecord)
  .filter((r) => r.progress);
const P = (recs[0]!.progress!.spectrum.length - 1) * 2 + 1;
const first = (test: (r: EvalRecord) => boolean) => recs.find(test)?.step ?? null;
const peakNorm = Math.max(...recs.map((r) => r.weightNorm));
const peakStep = recs.find((r) => r.weightNorm === peakNorm)!.step;
const kf0 = recs[0]!.progress!.keyFraction;
const val99 = first((r) => r.valAcc >= 0.99);
const rows: Array<[string, string, number | null]> = [
  ['train accuracy', '≥ 0.99 (train fit)', first((r) => r.trainAcc >= 0.99)],
  ['Gini of the spectrum', '≥ 0.1', first((r) => r.progress!.gini >= 0.1)],
  ['restricted vs excluded loss', 'restricted < excluded (after train fit)', first((r) => r.trainAcc >= 0.99 && r.progress!.restrictedLoss! < r.progress!.excludedLoss!)],
  ['key-frequency fraction', `≥ 2 × its step-0 value (${(2 * kf0).toFixed(3)})`, first((r) => r.progress!.keyFraction >= 2 * kf0)],
  ['excluded / restricted loss', '≥ 2 (the forecast\'s circuit rule)', first((r) => r.progress!.excludedLoss! >= 2 * r.progress!.restrictedLoss!)],
  ['restricted loss', '≤ 0.1', first((r) => r.trainAcc >= 0.99 && r.progress!.restrictedLoss! <= 0.1)],
  ['excluded loss', `≥ ln P = ${Math.log(P).toFixed(3)} (worse than chance, after train fit)`, first((r) => r.trainAcc >= 0.99 && r.progress!.excludedLoss! >= Math.log(P))],
  ['weight norm', `≤ 0.9 × its peak (${peakNorm.toFixed(1)} at step ${peakStep})`, first((r) => r.step > peakStep && r.weightNorm <= 0.9 * peakNorm)],
  ['validation accuracy', '≥ 0.5', first((r) => r.valAcc >= 0.5)],
  ['validation accuracy', '≥ 0.99', val99],
];
console.log('| measure | threshold | first eval step crossing it | lead over val ≥ 0.99 (steps) |');
console.log('|---|---|---|---|');
for (const [m, t, s] of rows) console.log(`| ${m} | ${t} | ${s ?? 'never'} | ${s !== null && val99 !== null ? val99 - s : '-'} |`);
const ms = recs.map((r) => r.progress!.ms ?? 0);
console.log(`\nprogress measures cost per eval: median ${[...ms].sort((a, b) => a - b)[ms.length >> 1]!.toFixed(0)} ms, total ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(0)} s; run wall ${((recs.at(-1)!.wallMs ?? 0) / 1000).toFixed(0)} s`);

const size = { width: 800, height: 260 };
const line = (label: string, color: string, get: (r: EvalRecord) => number, dash = false) => ({ label, color, dash, points: recs.map((r) => ({ x: r.step, y: get(r) })) });
const charts = [
  lineChartSvg({ title: `${dir}: accuracy`, xLabel: 'step', yLabel: 'accuracy', logX: false, yMin: 0, yMax: 1, ...size,
    series: [line('train', '#0072B2', (r) => r.trainAcc, true), line('val', '#0072B2', (r) => r.valAcc)] }),
  lineChartSvg({ title: 'Restricted (solid) and excluded (dashed) loss on the training set', xLabel: 'step', yLabel: 'cross-entropy (log)', logX: false, logY: true, ...size,
    series: [line('restricted loss', '#D55E00', (r) => Math.max(r.progress!.restrictedLoss!, 1e-6)), line('excluded loss', '#D55E00', (r) => r.progress!.excludedLoss!, true), line('train loss', '#999999', (r) => Math.max(r.trainLoss, 1e-6), true)] }),
  lineChartSvg({ title: 'Key-frequency fraction, Gini, weight norm / its peak', xLabel: 'step', yLabel: 'fraction', logX: false, yMin: 0, yMax: 1, ...size,
    series: [line('key fraction', '#009E73', (r) => r.progress!.keyFraction), line('Gini', '#CC79A7', (r) => r.progress!.gini, true), line('weight norm / peak', '#555555', (r) => r.weightNorm / peakNorm)] }),
  spectrumSvg(spectrumGrid(recs.map(toCurvePoint))!, { ...size, color: viridis }),
];
writeFileSync(out, stackSvgs(charts.map((svg) => ({ svg, ...size })), 'vertical'));
console.log(`wrote ${out}`);
