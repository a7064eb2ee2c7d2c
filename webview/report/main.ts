// The `grok report` page script (bundled to dist/webview-report.js and inlined into the HTML):
// reads the embedded ReportData and draws every <canvas data-chart> in the page. Line charts use
// chart.js; the regime map and the weight heatmaps are drawn on plain canvases.
import {
  CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset, type Plugin,
} from 'chart.js';
import { chartCount, REPORT_DATA_ID, type Band, type ReportData, type SweepReport, type WeightNormView } from './model';
import { palette, regimeColor, themeColors, withAlpha } from '../shared/theme';
import type { RegimeName } from '../regimeMap/protocol';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Filler, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.font.size = 11;

type XY = { x: number; y: number | null };
type Line = ChartDataset<'line', XY[]>;

const data = JSON.parse(document.getElementById(REPORT_DATA_ID)!.textContent!) as ReportData;

/** xs[i], or an error naming what the report data lacks (draw() shows it in the status line). */
function item<T>(xs: readonly T[], i: number, what: string): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`the report data has no ${what} ${i}`);
  return x;
}

/** Colour i of a palette, cycling (palette() gives at least 7). */
const colorOf = (colors: readonly string[], i: number): string => colors[i % colors.length]!;

function points(xs: number[], ys: number[], positiveX = false): XY[] {
  return xs.map((x, i) => { const y = ys[i]; return { x, y: y !== undefined && Number.isFinite(y) ? y : null }; }).filter((p) => !positiveX || p.x > 0);
}

/** Mean line plus a min–max band (two invisible lines filled between). */
function banded(label: string, xs: number[], band: Band, color: string, opts: { dash?: number[]; positiveX?: boolean; yAxisID?: string; band?: boolean } = {}): Line[] {
  const out: Line[] = [];
  const common = { pointRadius: 0, borderWidth: 0, yAxisID: opts.yAxisID ?? 'y', parsing: false as const };
  if (opts.band !== false) {
    out.push({ ...common, label: `${label} min`, data: points(xs, band.min, opts.positiveX), borderColor: 'transparent', fill: false });
    out.push({ ...common, label: `${label} max`, data: points(xs, band.max, opts.positiveX), borderColor: 'transparent', backgroundColor: withAlpha(color, 0.18), fill: '-1' });
  }
  out.push({
    label, data: points(xs, band.mean, opts.positiveX), borderColor: color, backgroundColor: color, borderWidth: opts.dash ? 1.2 : 2,
    borderDash: opts.dash ?? [], pointRadius: 0, yAxisID: opts.yAxisID ?? 'y', parsing: false,
  });
  return out;
}

const hideBands = { labels: { filter: (item: { text: string }) => !/ (min|max)$/.test(item.text), boxWidth: 14 } };

function accAxis(title = 'accuracy') {
  const t = themeColors();
  return { min: 0, max: 1, title: { display: true, text: title, color: t.muted }, ticks: { color: t.muted }, grid: { color: t.grid } };
}

function xAxis(title: string, log: boolean) {
  const t = themeColors();
  return { type: log ? 'logarithmic' as const : 'linear' as const, title: { display: true, text: title, color: t.muted }, ticks: { color: t.muted, maxTicksLimit: 10 }, grid: { color: t.grid } };
}

function lineChart(canvas: HTMLCanvasElement, datasets: Line[], scales: Record<string, unknown>, plugins: Plugin<'line'>[] = []): void {
  new Chart<'line', XY[]>(canvas, {
    type: 'line',
    data: { datasets },
    plugins,
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: { legend: hideBands, tooltip: { filter: (i) => !/ (min|max)$/.test(i.dataset.label ?? '') } },
      scales: scales as never,
    },
  });
}

function drawCurves(canvas: HTMLCanvasElement, s: SweepReport, index: number): void {
  const chart = item(s.curves, index, 'curve chart');
  const colors = palette();
  const datasets = chart.series.flatMap((c, i) => [
    ...banded(`val ${c.label}`, c.steps, c.val, colorOf(colors, i), { positiveX: true }),
    ...banded(`train ${c.label}`, c.steps, c.train, colorOf(colors, i), { positiveX: true, dash: [4, 3], band: false }),
  ]);
  lineChart(canvas, datasets, { x: xAxis('step (log)', true), y: accAxis() });
}

function drawCds(canvas: HTMLCanvasElement, s: SweepReport): void {
  const colors = palette();
  const tc = themeColors();
  const datasets: Line[] = s.cds.filter((t) => t.rows.length > 1).flatMap((t, i) => {
    const c = colorOf(colors, i);
    const xs = t.rows.map((r) => r.dataSize);
    const band: Band = { mean: t.rows.map((r) => r.meanValAcc ?? NaN), min: t.rows.map((r) => r.minValAcc ?? NaN), max: t.rows.map((r) => r.maxValAcc ?? NaN) };
    const ds = banded(`val ${t.label}`, xs, band, c);
    const mean = ds.at(-1); // banded() puts the mean line last
    if (mean) mean.pointRadius = 3;
    ds.push({ label: `steps ${t.label}`, data: points(xs, t.rows.map((r) => r.meanValReachStep ?? NaN)), borderColor: c, backgroundColor: c, borderDash: [5, 3], borderWidth: 1.2, pointRadius: 2, yAxisID: 'y2', parsing: false });
    return ds;
  });
  lineChart(canvas, datasets, {
    x: xAxis(s.axes.data ?? 'data size', false), y: accAxis('final val accuracy'),
    y2: { position: 'right', beginAtZero: true, title: { display: true, text: 'steps to val ≥ ε', color: tc.muted }, ticks: { color: tc.muted }, grid: { display: false } },
  });
}

function drawUCurve(canvas: HTMLCanvasElement, s: SweepReport, index: number): void {
  const p = item(s.uCurves, index, 'U-curve panel');
  const colors = palette();
  const datasets = p.lines.flatMap((l, i) => {
    const xs = l.points.map((q) => q.modelSize);
    const ds = banded(`data ${l.dataSize}`, xs, { mean: l.points.map((q) => q.mean), min: l.points.map((q) => q.min), max: l.points.map((q) => q.max) }, colorOf(colors, i));
    const mean = ds.at(-1); // banded() puts the mean line last
    if (mean) mean.pointRadius = 3;
    return ds;
  });
  lineChart(canvas, datasets, { x: xAxis(`${s.axes.model} (log)`, true), y: accAxis('final val accuracy') });
}

function drawEmergence(canvas: HTMLCanvasElement, s: SweepReport): void {
  const e = s.emergence!;
  const colors = palette();
  const datasets: Line[] = e.lines.flatMap((l, i) => {
    const c = colorOf(colors, i);
    const xs = l.points.map((p) => p.modelSize);
    return [
      { label: `${l.label} best`, data: points(xs, l.points.map((p) => p.max)), borderColor: c, backgroundColor: c, pointRadius: 3, borderWidth: 2, parsing: false },
      { label: `${l.label} mean`, data: points(xs, l.points.map((p) => p.mean)), borderColor: c, backgroundColor: c, borderDash: [5, 3], pointRadius: 2, borderWidth: 1.2, parsing: false },
    ] as Line[];
  });
  datasets.push({ label: `ε=${e.epsilon}`, data: [{ x: Math.min(...e.lines.flatMap((l) => l.points.map((p) => p.modelSize))), y: e.epsilon }, { x: Math.max(...e.lines.flatMap((l) => l.points.map((p) => p.modelSize))), y: e.epsilon }], borderColor: themeColors().muted, borderDash: [2, 2], borderWidth: 1, pointRadius: 0, parsing: false });
  lineChart(canvas, datasets, { x: xAxis(`${e.modelAxis} (log)`, true), y: accAxis('component val accuracy') });
}

/** Shaded phase bands with their names, behind the datasets. */
function phasePlugin(w: WeightNormView): Plugin<'line'> {
  return {
    id: 'grokPhases',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const colors = palette();
      ctx.save();
      w.phases.forEach((p, i) => {
        if (p.to <= p.from) return;
        const x0 = scales.x!.getPixelForValue(p.from), x1 = scales.x!.getPixelForValue(p.to);
        ctx.fillStyle = withAlpha(colorOf(colors, i + 3), 0.1);
        ctx.fillRect(x0, chartArea.top, x1 - x0, chartArea.bottom - chartArea.top);
        ctx.strokeStyle = withAlpha(themeColors().fg, 0.5);
        ctx.setLineDash([3, 3]);
        ctx.beginPath(); ctx.moveTo(x1, chartArea.top); ctx.lineTo(x1, chartArea.bottom); ctx.stroke();
        ctx.fillStyle = themeColors().fg;
        ctx.font = `11px ${themeColors().font}`;
        ctx.save();
        ctx.translate(x0 + 3, chartArea.top + 4);
        ctx.rotate(Math.PI / 2);
        ctx.fillText(p.name, 0, 0);
        ctx.restore();
      });
      ctx.restore();
    },
  };
}

function drawNorm(canvas: HTMLCanvasElement, s: SweepReport, index: number): void {
  const w = item(s.weightNorm, index, 'weight-norm view');
  const colors = palette();
  const tc = themeColors();
  const datasets: Line[] = [
    { label: 'weight norm', data: points(w.steps, w.weightNorm), borderColor: colorOf(colors, 3), backgroundColor: colorOf(colors, 3), borderWidth: 2, pointRadius: 0, yAxisID: 'y', parsing: false },
    { label: 'train acc', data: points(w.steps, w.trainAcc), borderColor: colorOf(colors, 0), borderDash: [4, 3], borderWidth: 1.2, pointRadius: 0, yAxisID: 'y2', parsing: false },
    { label: 'val acc', data: points(w.steps, w.valAcc), borderColor: colorOf(colors, 2), borderWidth: 1.6, pointRadius: 0, yAxisID: 'y2', parsing: false },
  ];
  lineChart(canvas, datasets, {
    x: { ...xAxis('step', false), min: 0, max: w.steps.at(-1) },
    y: { title: { display: true, text: 'L2 norm of all parameters', color: tc.muted }, ticks: { color: tc.muted }, grid: { color: tc.grid } },
    y2: { ...accAxis(), position: 'right', grid: { display: false } },
  }, [phasePlugin(w)]);
}

/** The progress measures of a weight-norm view's run, on its steps. */
function drawProgress(canvas: HTMLCanvasElement, s: SweepReport, index: number): void {
  const w = item(s.weightNorm, index, 'weight-norm view');
  const p = w.progress!;
  const colors = palette();
  const tc = themeColors();
  const pos = (ys: Array<number | null>) => ys.map((y) => (y !== null && y > 0 ? y : NaN));
  const datasets: Line[] = [
    { label: 'restricted loss', data: points(w.steps, pos(p.restrictedLoss)), borderColor: colorOf(colors, 5), backgroundColor: colorOf(colors, 5), borderWidth: 2, pointRadius: 0, yAxisID: 'y', parsing: false },
    { label: 'excluded loss', data: points(w.steps, pos(p.excludedLoss)), borderColor: colorOf(colors, 5), borderDash: [6, 3], borderWidth: 1.6, pointRadius: 0, yAxisID: 'y', parsing: false },
    { label: 'key fraction', data: points(w.steps, p.keyFraction), borderColor: colorOf(colors, 2), borderWidth: 1.6, pointRadius: 0, yAxisID: 'y2', parsing: false },
    { label: 'Gini', data: points(w.steps, p.gini), borderColor: colorOf(colors, 4), borderDash: [2, 2], borderWidth: 1.4, pointRadius: 0, yAxisID: 'y2', parsing: false },
  ];
  lineChart(canvas, datasets, {
    x: { ...xAxis('step', false), min: 0, max: w.steps.at(-1) },
    y: { type: 'logarithmic', title: { display: true, text: 'train cross-entropy (log)', color: tc.muted }, ticks: { color: tc.muted }, grid: { color: tc.grid } },
    y2: { ...accAxis('fraction'), position: 'right', grid: { display: false } },
  }, [phasePlugin(w)]);
}

function sizeCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const box = canvas.parentElement!.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(box.width * dpr);
  canvas.height = Math.round(box.height * dpr);
  canvas.style.width = `${box.width}px`;
  canvas.style.height = `${box.height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  return { ctx, w: box.width, h: box.height };
}

/** Fractional row of a data size (linear between grid rows; outside: clamped half a cell). */
function rowOf(value: number, sizes: number[]): number {
  const first = sizes[0];
  if (first === undefined) return 0;
  if (value <= first) return sizes.length === 1 ? 0 : -0.5 + 0.5 * Math.max(0, Math.min(1, value / first));
  for (let i = 1; i < sizes.length; i++) {
    const lo = sizes[i - 1]!, hi = sizes[i]!; // 1 <= i < length
    if (value <= hi) return i - 1 + (value - lo) / (hi - lo);
  }
  return sizes.length - 1 + 0.5;
}

/** The regime map in the panel's orientation: model size across (x), data size up (y). */
function drawRegime(canvas: HTMLCanvasElement, s: SweepReport, index: number): void {
  const map = s.regimeMap!;
  const panel = item(map.panels, index, 'regime-map panel');
  const { ctx, w, h } = sizeCanvas(canvas);
  const tc = themeColors();
  const legendW = 170, left = 64, bottom = 40, top = 8;
  const nx = map.modelSizes.length, ny = map.dataSizes.length;
  const cw = (w - left - legendW - 10) / nx, ch = (h - top - bottom) / ny;
  const X = (col: number) => left + (col + 0.5) * cw;
  const Y = (row: number) => top + (ny - row - 0.5) * ch;
  ctx.font = `11px ${tc.font}`;
  ctx.textBaseline = 'middle';
  // cells[i][j]: model size i, data size j.
  panel.cells.forEach((row, i) => row.forEach((c, j) => {
    ctx.globalAlpha = c.meanValAcc == null ? 0.15 : 0.25 + 0.75 * c.meanValAcc;
    ctx.fillStyle = c.regime ? regimeColor(c.regime as RegimeName) : tc.muted;
    ctx.fillRect(left + i * cw + 1, top + (ny - 1 - j) * ch + 1, cw - 2, ch - 2);
    ctx.globalAlpha = 1;
    ctx.fillStyle = c.meanValAcc != null && c.meanValAcc > 0.6 ? '#ffffff' : tc.fg;
    ctx.textAlign = 'center';
    const n = Object.values(c.counts).reduce((a, b) => a + b, 0);
    ctx.fillText(c.meanValAcc == null ? '–' : `${(100 * c.meanValAcc).toFixed(0)}%${n > 1 ? ` (${c.counts[c.regime!] ?? 0}/${n})` : ''}`, X(i), Y(j));
  }));
  ctx.fillStyle = tc.fg;
  ctx.textAlign = 'right';
  map.dataSizes.forEach((d, j) => ctx.fillText(String(d), left - 6, Y(j)));
  ctx.textAlign = 'center';
  map.modelSizes.forEach((m, i) => ctx.fillText(String(m), X(i), h - bottom + 12));
  ctx.fillStyle = tc.muted;
  ctx.fillText(map.modelAxis, left + (nx * cw) / 2, h - 10);
  ctx.save();
  ctx.translate(14, top + (ny * ch) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(map.dataAxis, 0, 0);
  ctx.restore();
  // D_crit and D_mem: a point per model size at its (interpolated) data size.
  const at = (value: number) => top + (ny - 0.5 - rowOf(value, map.dataSizes)) * ch;
  const curve = (pts: Array<{ value: number | null }>, dash: number[], fill: string) => {
    ctx.strokeStyle = tc.fg; ctx.lineWidth = 2; ctx.setLineDash(dash);
    ctx.beginPath();
    let started = false;
    pts.forEach((p, i) => {
      if (p.value == null) { started = false; return; }
      const x = X(i), y = at(p.value);
      if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      started = true;
    });
    ctx.stroke();
    ctx.setLineDash([]);
    pts.forEach((p, i) => {
      if (p.value == null) return;
      ctx.beginPath(); ctx.arc(X(i), at(p.value), 4, 0, 2 * Math.PI);
      ctx.fillStyle = fill; ctx.fill(); ctx.stroke();
    });
  };
  curve(panel.dCrit, [], tc.fg);
  curve(panel.dMem, [6, 4], tc.bg);
  // Legend.
  ctx.textAlign = 'left';
  const lx = w - legendW + 4;
  let ly = top + 8;
  for (const r of map.regimes) {
    ctx.fillStyle = regimeColor(r as RegimeName); ctx.fillRect(lx, ly - 6, 12, 12);
    ctx.fillStyle = tc.fg; ctx.fillText(r, lx + 18, ly); ly += 18;
  }
  ctx.strokeStyle = tc.fg; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 12, ly); ctx.stroke(); ctx.fillText('D_crit', lx + 18, ly); ly += 18;
  ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 12, ly); ctx.stroke(); ctx.setLineDash([]); ctx.fillText('D_mem', lx + 18, ly);
}

/** Diverging colour: blue (negative) – white – red (positive). */
function diverging(v: number): string {
  const t = Math.max(-1, Math.min(1, v));
  const a = Math.abs(t);
  const [r, g, b] = t >= 0 ? [255, Math.round(255 * (1 - a * 0.85)), Math.round(255 * (1 - a * 0.9))] : [Math.round(255 * (1 - a * 0.9)), Math.round(255 * (1 - a * 0.7)), 255];
  return `rgb(${r},${g},${b})`;
}

function drawHeatmap(canvas: HTMLCanvasElement, s: SweepReport, index: string): void {
  const [wi = NaN, hi = NaN] = index.split(':').map(Number);
  const view = item(s.weightNorm, wi, 'weight-norm view');
  const hm = item(view.heatmaps, hi, 'heatmap');
  const { ctx, w, h } = sizeCanvas(canvas);
  const tc = themeColors();
  const left = 34, bottom = 22, top = 4, right = 8;
  const cw = (w - left - right) / hm.cols, ch = (h - top - bottom) / hm.rows;
  // Every map of a run shares one scale (the largest |w| of its snapshots), so the phases compare.
  const scale = Math.max(...view.heatmaps.map((x) => x.absMax)) || 1;
  for (let i = 0; i < hm.rows; i++) {
    for (let j = 0; j < hm.cols; j++) {
      ctx.fillStyle = diverging((hm.values[i * hm.cols + j] ?? 0) / scale);
      ctx.fillRect(left + j * cw, top + i * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
  ctx.strokeStyle = tc.grid; ctx.strokeRect(left, top, hm.cols * cw, hm.rows * ch);
  ctx.fillStyle = tc.muted; ctx.font = `10px ${tc.font}`; ctx.textAlign = 'center';
  ctx.fillText(`class (0…${hm.cols - 1})`, left + (hm.cols * cw) / 2, h - 6);
  ctx.save(); ctx.translate(12, top + (hm.rows * ch) / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(`hidden (${hm.rows})`, 0, 0); ctx.restore();
}

function draw(): void {
  const status = document.getElementById('status');
  let drawn = 0;
  const errors: string[] = [];
  for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
    const index = canvas.dataset.index ?? '0';
    try {
      const s = item(data.sweeps, Number(canvas.dataset.sweep), 'sweep');
      switch (canvas.dataset.chart) {
        case 'curves': drawCurves(canvas, s, Number(index)); break;
        case 'cds': drawCds(canvas, s); break;
        case 'ucurve': drawUCurve(canvas, s, Number(index)); break;
        case 'emergence': drawEmergence(canvas, s); break;
        case 'norm': drawNorm(canvas, s, Number(index)); break;
        case 'progress': drawProgress(canvas, s, Number(index)); break;
        case 'regime': drawRegime(canvas, s, Number(index)); break;
        case 'heatmap': drawHeatmap(canvas, s, index); break;
        default: throw new Error(`unknown chart ${canvas.dataset.chart}`);
      }
      drawn++;
    } catch (e) {
      errors.push(`${canvas.dataset.chart} ${index}: ${(e as Error).message}`);
    }
  }
  document.body.dataset.charts = String(drawn);
  document.body.dataset.expectedCharts = String(chartCount(data));
  if (status) status.textContent = errors.length ? `${drawn} charts drawn; errors: ${errors.join('; ')}` : `${drawn} charts.`;
  if (errors.length) console.error(errors.join('\n'));
}

draw();
