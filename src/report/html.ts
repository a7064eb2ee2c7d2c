// The report as one self-contained HTML file: tables and text rendered here, charts drawn in the
// browser by the inlined dist/webview-report.js bundle (chart.js included) from the embedded JSON.
// A Content-Security-Policy allows no network access at all: everything is in the file. The one
// script it runs is allowed by its SHA-256 hash, so no other inline script (an injected one) runs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatCds, formatMemorization } from '../analysis/format';
import { ANALYSIS_DEFAULTS } from '../analysis/options';
import { distAsset } from '../util/assets';
import { REPORT_DATA_ID, type CdsTable, type ReportData, type SweepReport, type UCurvePanel } from '../../webview/report/model';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null | undefined, digits = 0): string => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** JSON that is safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script bundle made safe to inline: no closing tag inside it, no source-map link. */
export function inlineScript(js: string): string {
  return js.replace(/\n\/\/# sourceMappingURL=.*$/m, '').replace(/<\/(script)/gi, '<\\/$1');
}

/** The CSP source that allows exactly this inline script's text. */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

export function loadReportBundle(): string {
  return readFileSync(distAsset('webview-report.js'), 'utf8');
}

function canvas(kind: string, sweep: number, index: number | string, title: string, height = 320): string {
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption><div class="box" style="height:${height}px">`
    + `<canvas data-chart="${kind}" data-sweep="${sweep}" data-index="${index}" role="img" aria-label="${esc(title)}"></canvas></div></figure>`;
}

function table(head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`
    + `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function regimeBadge(r: string | null): string {
  return r ? `<span class="badge r-${esc(r)}">${esc(r)}</span>` : '–';
}

function cdsValue(t: CdsTable): string {
  return esc(formatCds(t.cds).replace(/^CDS /, ''));
}

/** "90%": the interval level of the sweep's CDS entries (one level everywhere: analysis.bootstrapConfidence). */
function confidenceOf(s: SweepReport): string {
  return `${Math.round((s.cds[0]?.cds.confidence ?? ANALYSIS_DEFAULTS.bootstrapConfidence) * 100)}%`;
}

/** Whether the sweep has a CDS chart (some group with more than one data size). */
export function hasCdsChart(s: SweepReport): boolean {
  return s.cds.some((t) => t.rows.length > 1);
}

/** D_crit against the model axis: the direction from the smallest to the largest model with a value. */
function cdsTrend(s: SweepReport): string {
  const m = s.axes.model;
  if (!m) return '';
  const pts = s.cds.filter((t) => t.cds.value != null && t.cds.kind === 'interpolated' && typeof t.group[m] === 'number');
  const first = pts[0], last = pts.at(-1);
  if (pts.length < 2 || !first || !last) return '';
  const dir = last.cds.value! < first.cds.value! ? 'falls' : last.cds.value! > first.cds.value! ? 'rises' : 'stays';
  // A direction inside the seeds' noise is no trend: say so when the two ends' intervals overlap.
  const overlap = (a: typeof first, b: typeof first) => a.cds.low != null && a.cds.high != null && b.cds.low != null && b.cds.high != null
    && a.cds.low <= b.cds.high && b.cds.low <= a.cds.high;
  const caveat = dir !== 'stays' && overlap(first, last) ? ' (within the confidence intervals of both ends: not a clear trend)' : '';
  return `<p class="trend">D_crit <b>${dir}</b> as ${esc(m)} grows${caveat}: ${pts.map((t) => `${t.group[m]} → ${num(t.cds.value)}`).join(', ')}.</p>`;
}

function cdsSection(s: SweepReport, si: number): string {
  if (s.cds.length === 0) return '';
  const summary = table(
    ['group', `D_crit (ε=${s.epsilon}): bracket · estimate (interval)`, 'kind', 'steps peak (Zhu et al.)', 'seeds', 'D_mem'],
    s.cds.map((t) => [esc(t.label), cdsValue(t), esc(t.cds.kind), num(t.cds.stepsPeak ?? null), String(t.cds.seeds), t.memorization ? esc(formatMemorization(t.memorization).replace(/^D_mem /, '')) : '–']),
    'cds-summary',
  );
  const perGroup = s.cds.map((t) => {
    const rows = t.rows.map((r) => [
      String(r.dataSize), `${r.finished}/${r.runs}`, pct(r.meanValAcc), `${pct(r.minValAcc)} – ${pct(r.maxValAcc)}`,
      num(r.meanTrainFitStep), r.reached ? `${num(r.meanValReachStep)} (${r.reached}/${r.finished})` : `– (0/${r.finished})`,
      Object.entries(r.regimes).map(([k, n]) => `${regimeBadge(k)}×${n}`).join(' '),
    ]);
    return `<h4>${esc(t.label)}</h4>${table(['data size', 'finished', 'mean val acc', 'min – max', 'train fits at', `val ≥ ε at (runs)`, 'regimes'], rows, 'cds-rows')}`;
  }).join('');
  const chart = hasCdsChart(s) ? canvas('cds', si, 0, 'mean converged val accuracy (solid, band: min–max over seeds) and mean steps to reach ε (dashed, right axis) against data size, one colour per group', 300) : '';
  const trend = cdsTrend(s);
  return `<section><h3>Critical data size</h3><p class="note">D_crit: the smallest data size whose expected converged validation accuracy reaches ε. It reads bracket first: the grid sizes decisively below and at or above ε (≥ or ≤: open at that end), then ≈ the crossing of a monotone fit over every run and its ${esc(confidenceOf(s))} interval (seeds resampled, the crossing anywhere in its grid cell); budget-limited: a run that decides it was still moving when its steps ran out. Zhu et al.'s operational estimate is the steps peak, the data size where the steps to reach ε peak. ${esc(s.dMemSource ?? 'D_mem: none')}.</p>${summary}${trend}${chart}${perGroup}</section>`;
}

function uSection(panels: UCurvePanel[], si: number): string {
  if (panels.length === 0) return '';
  return `<section><h3>Validation accuracy against model size (U-curves)</h3>${panels.map((p, pi) => {
    const rows = p.lines.map((l) => [
      String(l.dataSize), l.shape.detected ? '<b>yes</b>' : 'no', pct(l.shape.depth),
      l.shape.peak ? `${l.shape.peak.modelSize} (${pct(l.shape.peak.valAcc)})` : '–',
      l.shape.trough ? `${l.shape.trough.modelSize} (${pct(l.shape.trough.valAcc)})` : '–',
      l.shape.recovery ? `${l.shape.recovery.modelSize} (${pct(l.shape.recovery.valAcc)})` : '–',
      l.points.map((q) => `${q.modelSize}: ${pct(q.mean)}`).join(', '),
    ]);
    return canvas('ucurve', si, pi, `${p.label}: mean final val accuracy (band: min–max over seeds), one line per data size`)
      + table(['data size', 'U-shape', 'dip depth', 'peak', 'trough', 'recovery', 'mean val acc per model size'], rows, 'ushape');
  }).join('')}</section>`;
}

function emergenceSection(s: SweepReport, si: number): string {
  const e = s.emergence;
  if (!e) return '';
  // Each line's emergence size (best seed), in dModel and in parameters, against the smallest one.
  const base = Math.min(...e.lines.map((l) => l.best.value ?? Infinity));
  const paramsAt = (l: (typeof e.lines)[number]): number | null => {
    const v = l.best.value;
    if (v == null) return null;
    const ps = l.points.filter((p) => p.params != null);
    const lo = [...ps].reverse().find((p) => p.modelSize <= v), hi = ps.find((p) => p.modelSize >= v);
    if (!lo || !hi) return null;
    if (hi.modelSize === lo.modelSize) return lo.params;
    const t = Math.log(v / lo.modelSize) / Math.log(hi.modelSize / lo.modelSize);
    return Math.exp(Math.log(lo.params!) + t * (Math.log(hi.params!) - Math.log(lo.params!)));
  };
  const baseParams = Math.min(...e.lines.map((l) => paramsAt(l) ?? Infinity));
  const rows = e.lines.map((l) => [
    esc(l.label),
    !Number.isFinite(base) ? '–'
      : l.best.value == null ? notReachedRatio(l.points, base, baseParams, e.modelAxis)
        : `${num(l.best.value / base, 2)}× in ${esc(e.modelAxis)}${paramsAt(l) != null && Number.isFinite(baseParams) ? `, ${num(paramsAt(l)! / baseParams, 2)}× in parameters` : ''}`,
    l.best.value == null ? 'not reached' : `${num(l.best.value, 1)}${l.best.kind === 'below-grid' ? ' (≤, smallest size)' : ''}`,
    l.mean.value == null ? 'not reached' : `${num(l.mean.value, 1)}${l.mean.kind === 'below-grid' ? ' (≤)' : ''}`,
    l.best.widthLog10 == null ? '–' : num(l.best.widthLog10, 2),
    l.points.map((p) => `${p.modelSize}${p.params ? ` (${p.params.toLocaleString('en-US')} params)` : ''}: best ${pct(p.max)}`).join('<br>'),
  ]);
  return `<section><h3>Emergence</h3>${canvas('emergence', si, 0, `component val accuracy against ${e.modelAxis} (log scale); solid: best seed, dashed: mean`)}`
    + table(['component', 'emerges at (vs the earliest)', `size reaching ε=${e.epsilon} (best seed)`, '(mean over seeds)', '10→90% width (decades)', 'per size'], rows, 'emergence')
    + '</section>';
}

/** A line that never reaches ε: the ratio is at least its largest size over the earliest emergence. */
function notReachedRatio(points: Array<{ modelSize: number; params: number | null }>, base: number, baseParams: number, axis: string): string {
  const last = points[points.length - 1];
  if (!last) return '–';
  const inParams = last.params != null && Number.isFinite(baseParams) ? `, &gt; ${num(last.params / baseParams, 2)}× in parameters` : '';
  return `&gt; ${num(last.modelSize / base, 2)}× in ${esc(axis)}${inParams} (not reached up to ${num(last.modelSize)}: a lower bound)`;
}

/** The progress measures beside the accuracy above, and the embedding spectrum heatmap (inline SVG, made by the report's builder). */
function progressFigures(w: SweepReport['weightNorm'][number], si: number, wi: number): string {
  if (!w.progress) return '';
  return canvas('progress', si, wi, 'restricted (solid) and excluded (dashed) train loss, left, log; key-frequency fraction and Gini, right; same steps as above')
    + `<figure class="chart"><figcaption>Embedding Fourier spectrum over steps (norm per frequency over the largest at that step; ▸ key frequencies at the last step)</figcaption>${w.progress.spectrumSvg}</figure>`;
}

function weightSection(s: SweepReport, si: number): string {
  if (s.weightNorm.length === 0) return '';
  return `<section><h3>Weight norm and phases</h3>${s.weightNorm.map((w, wi) => {
    const phases = table(['phase', 'from step', 'to step'], w.phases.map((p) => [esc(p.name), String(p.from), String(p.to)]), 'phases');
    const heat = w.heatmaps.map((h, hi) => canvas('heatmap', si, `${wi}:${hi}`, `${h.tensor} [${h.rows}×${h.cols}] at step ${h.step} (end of ${h.phase}); |max| ${h.absMax}`, 200)).join('');
    return `<h4>run ${esc(w.runId)} (${esc(w.label)}) ${regimeBadge(w.regime)}</h4>`
      + canvas('norm', si, wi, 'total L2 weight norm (left axis) with train/val accuracy (right axis), phase boundaries shaded')
      + `<p class="note">Weight norm falls ${pct(w.weightNormDrop)} from its peak after train fit (step ${num(w.boundaries.normPeak)}) by the end. Phases: fit (to train accuracy ≥ fitAcc), norm growth (to that peak), decay (to validation leaving the floor), grok (to validation ≥ fitAcc, or ε), settle.</p>`
      + phases + progressFigures(w, si, wi) + (heat ? `<div class="heatmaps">${heat}</div>` : '<p class="note">No weight snapshots in this run (run it with scripts/repro-run.ts --snapshots N to get the unembedding heatmaps).</p>');
  }).join('')}</section>`;
}

function runsSection(s: SweepReport): string {
  const components = [...new Set(s.runs.flatMap((r) => Object.keys(r.components ?? {})))];
  const rows = s.runs.map((r) => [
    esc(r.id), esc(Object.entries(r.params).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ')), esc(r.status), regimeBadge(r.regime),
    pct(r.trainAcc), `${pct(r.valAcc)}${r.moving ? ' (moving)' : ''}`, num(r.trainFitStep), num(r.valReachStep), num(r.lastStep),
    ...components.map((c) => (r.components?.[c] ? pct(r.components[c].valAcc) : '–')),
    `<span class="reason">${esc(r.reason ?? '')}</span>`,
  ]);
  return `<details><summary>All ${s.runs.length} runs</summary>${table(
    ['id', 'params', 'status', 'regime', 'train acc (converged)', 'val acc (converged)', 'train fit', 'val ≥ ε', 'last step', ...components.map((c) => `val ${esc(c)}`), 'why'],
    rows, 'runs',
  )}</details>`;
}

function sweepSection(s: SweepReport, si: number): string {
  const map = s.regimeMap
    ? `<section><h3>Regime map</h3>${s.regimeMap.panels.map((p, pi) => canvas('regime', si, pi,
      `${Object.keys(p.fixed).length ? `${Object.entries(p.fixed).map(([k, v]) => `${k}=${v}`).join(', ')}: ` : ''}${s.regimeMap!.modelAxis} × ${s.regimeMap!.dataAxis}; colour = regime of most seeds, opacity = mean val accuracy; D_crit (solid) and D_mem (dashed, memorization capacity from a memorization sweep)`,
      Math.max(240, 60 + 44 * s.regimeMap!.modelSizes.length))).join('')}</section>`
    : '';
  const curves = s.curves.length
    ? `<section><h3>Training curves</h3><p class="note">Validation accuracy (solid: mean over seeds; band: min–max), train accuracy (dashed); log step axis. A seed that stopped early keeps its last value.</p>`
      + `<div class="grid">${s.curves.map((c, ci) => canvas('curves', si, ci, `${c.title}${c.series[0] ? ` (${c.series[0].seeds} seed${c.series[0].seeds === 1 ? '' : 's'})` : ''}`, 280)).join('')}</div></section>`
    : '';
  const wall = s.wall.maxRunMs ? ` · longest run ${(s.wall.maxRunMs / 1000).toFixed(0)} s` : '';
  return `<article class="sweep" id="sweep-${si}"><h2>${esc(s.name)}</h2>`
    + (s.description ? `<p>${esc(s.description)}</p>` : '')
    + `<p class="meta">${esc(s.dir)} · ${s.runsTotal} runs: ${esc(s.status)}${wall}</p>`
    + `<ul class="config">${s.config.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`
    + map + curves + cdsSection(s, si) + uSection(s.uCurves, si) + emergenceSection(s, si) + weightSection(s, si) + runsSection(s)
    + '</article>';
}

const CSS = `
:root { --vscode-foreground:#1f2328; --vscode-descriptionForeground:#59636e; --vscode-editor-background:#ffffff;
  --vscode-editorWidget-border:#d1d9e0; --vscode-font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  --vscode-charts-blue:#1f6feb; --vscode-charts-orange:#d1740f; --vscode-charts-green:#1a7f37; --vscode-charts-purple:#8250df;
  --vscode-charts-red:#cf222e; --vscode-charts-yellow:#bf8700; --vscode-terminal-ansiCyan:#0b7d8a; --vscode-terminal-ansiMagenta:#bf3989;
  --vscode-disabledForeground:#8c959f; }
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); margin: 0 auto; max-width: 1200px; padding: 16px 24px; font-size: 14px; }
h1 { font-size: 22px; } h2 { font-size: 19px; border-bottom: 1px solid var(--vscode-editorWidget-border); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin-top: 22px; } h4 { font-size: 14px; margin: 14px 0 6px; }
.meta, .note, figcaption { color: var(--vscode-descriptionForeground); font-size: 12.5px; }
.config { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; padding-left: 18px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 12.5px; }
th, td { border: 1px solid var(--vscode-editorWidget-border); padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.chart { margin: 8px 0 14px; } .chart .box { position: relative; width: 100%; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 6px 18px; }
.heatmaps { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 4px 14px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 11.5px; }
.r-grokking { background: var(--vscode-charts-green); } .r-progression { background: var(--vscode-charts-blue); }
.r-semi-grokking { background: var(--vscode-charts-yellow); } .r-ungrokking { background: var(--vscode-charts-red); }
.r-no-learning { background: var(--vscode-disabledForeground); } .r-unsettled { background: var(--vscode-charts-purple); }
.reason { color: var(--vscode-descriptionForeground); }
details { margin: 10px 0; } summary { cursor: pointer; }
#status { font-size: 12px; color: var(--vscode-descriptionForeground); }
`;

export function renderReportHtml(data: ReportData, bundle: string): string {
  const toc = data.sweeps.length > 1
    ? `<nav><ul>${data.sweeps.map((s, i) => `<li><a href="#sweep-${i}">${esc(s.name)}</a> (${s.runsTotal} runs)</li>`).join('')}</ul></nav>`
    : '';
  const script = inlineScript(bundle);
  // Styles stay 'unsafe-inline' (the charts' boxes size themselves with style attributes); styles run no code.
  const csp = `default-src 'none'; script-src ${scriptHashSource(script)}; style-src 'unsafe-inline'; img-src data: blob:`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(data.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(data.title)}</h1>
<p class="meta">Generated ${esc(data.generatedAt)} by <code>grok report</code>. Regimes, critical data sizes, U-shapes and emergence come from Grok's analysis module; see its README for the thresholds. <span id="status">Drawing charts…</span></p>
${toc}
${data.sweeps.map(sweepSection).join('\n')}
<script type="application/json" id="${REPORT_DATA_ID}">${scriptJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
