// The curves webview: train/val accuracy, loss and weight norm vs step for the selected runs (chart.js),
// live while a sweep trains. Talks to the host only through ./protocol.ts.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import {
  Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset,
} from 'chart.js';
import { isHostToCurves, type Band, type CurvePoint, type CurveRun, type CurvesState, type CurvesSweep, type CurvesToHost } from './protocol';
import zoomPlugin from 'chartjs-plugin-zoom';
import { buildSeries, curvesCsv, hasProgress, legendGroups, short, type Metric, type Series, type ViewOptions } from './model';
import { drawSpectrum } from './spectrum';
import { spectrumGrid } from './spectrumModel';
import { vscodeApi } from '../shared/vscode';
import { onThemeChange, palette, themeColors, withAlpha } from '../shared/theme';
import { PAPER } from '../shared/palette';
import { paperSize } from '../shared/paper';
import { canvasesToPng } from '../shared/exporting';
import { lineChartSvg } from '../shared/svg';
import { stackSvgs } from '../shared/svgStack';
import type { Selection } from '../shared/protocolBase';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler, zoomPlugin);

const vscode = vscodeApi<CurvesToHost, CurvesState>();
const saved = vscode.getState();

let sweep: CurvesSweep | null = null;
let runs: CurveRun[] = [];
const points: Record<string, CurvePoint[]> = {};
const opts: ViewOptions = {
  selection: saved?.selection ?? {},
  smoothing: saved?.smoothing ?? 0,
  logX: saved?.logX ?? true,
  logY: saved?.logY ?? true,
  band: saved?.band ?? 'minmax',
  aggregate: saved?.aggregate ?? true,
  components: saved?.components ?? true,
};

const METRICS: Array<{ metric: Metric; title: string; y: string }> = [
  { metric: 'acc', title: 'Accuracy', y: 'accuracy' },
  { metric: 'loss', title: 'Loss', y: 'cross-entropy' },
  { metric: 'norm', title: 'Weight norm (total L2)', y: '‖θ‖₂' },
  { metric: 'circuit', title: 'Restricted / excluded loss (train)', y: 'cross-entropy' },
  { metric: 'sparsity', title: 'Key-frequency fraction and Gini', y: 'fraction' },
];
/** The charts drawn now: the progress measures' only where some run has them. */
const shownMetrics = () => METRICS.filter((m) => (m.metric !== 'circuit' && m.metric !== 'sparsity') || hasProgress(points));
const logLike = (m: Metric) => m === 'loss' || m === 'circuit';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const charts = new Map<Metric, Chart<'line', Array<{ x: number; y: number }>>>();

function persist(): void {
  if (!sweep) return;
  const state: CurvesState = { resultsDir: sweep.resultsDir, ...(sweep.compare ? { compare: sweep.compare } : {}), ...opts };
  vscode.setState(state);
  vscode.post({ type: 'state', state });
}

function buildControls(): void {
  const box = $('axes');
  box.replaceChildren();
  if (!sweep) return;
  for (const [axis, values] of Object.entries(sweep.axes)) {
    if (values.length < 2) continue;
    const wrap = document.createElement('div');
    wrap.className = 'control';
    const label = document.createElement('vscode-label');
    label.textContent = short(axis);
    label.title = axis;
    const sel = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    sel.dataset.axis = axis;
    const all = document.createElement('vscode-option');
    all.textContent = 'all';
    all.setAttribute('value', '*');
    sel.append(all);
    values.forEach((v, i) => {
      const o = document.createElement('vscode-option');
      o.textContent = String(v);
      o.setAttribute('value', String(i));
      sel.append(o);
    });
    const cur = opts.selection[axis];
    const idx = cur == null ? -1 : values.findIndex((v) => v === cur);
    if (idx >= 0) (sel.children[idx + 1] as HTMLElement).setAttribute('selected', '');
    else all.setAttribute('selected', '');
    sel.addEventListener('change', () => {
      opts.selection[axis] = sel.value === '*' ? null : values[Number(sel.value)]!;
      persist();
      scheduleRender();
    });
    wrap.append(label, sel);
    box.append(wrap);
  }
}

function initStaticControls(): void {
  const check = (id: string, key: 'logX' | 'logY' | 'aggregate' | 'components') => {
    const el = $<HTMLElement & { checked: boolean }>(id);
    el.checked = opts[key];
    el.addEventListener('change', () => { opts[key] = el.checked; persist(); rebuildCharts(); });
  };
  check('logX', 'logX');
  check('logY', 'logY');
  check('aggregate', 'aggregate');
  check('components', 'components');
  const band = $<HTMLElement & { value: string }>('band');
  for (const o of Array.from(band.children)) if (o.getAttribute('value') === opts.band) o.setAttribute('selected', '');
  band.addEventListener('change', () => { opts.band = band.value as Band; persist(); scheduleRender(); });
  const smoothing = $<HTMLInputElement>('smoothing');
  smoothing.value = String(opts.smoothing);
  $('smoothingValue').textContent = opts.smoothing.toFixed(2);
  smoothing.addEventListener('input', () => {
    opts.smoothing = Number(smoothing.value);
    $('smoothingValue').textContent = opts.smoothing.toFixed(2);
    persist();
    scheduleRender();
  });
  $('exportPng').addEventListener('click', exportPng);
  $('exportSvg').addEventListener('click', exportSvg);
  $('exportCsv').addEventListener('click', () => vscode.post({ type: 'export', format: 'csv', content: curvesCsv(runs, points, opts.selection), suggestedName: `${sweep?.name ?? 'curves'}-curves.csv` }));
  $('openMap').addEventListener('click', () => vscode.post({ type: 'openRegimeMap' }));
  $('exportPaper').addEventListener('click', exportPaper);
  $('spectrumRun').addEventListener('change', () => scheduleRender());
  $('resetZoom').addEventListener('click', () => { for (const c of charts.values()) c.resetZoom(); publishScales(); });
}

type LineDataset = ChartDataset<'line', Array<{ x: number; y: number }>> & { grokGroup?: string };

function datasetsFor(series: Series[]): LineDataset[] {
  const pal = palette(legendGroups(series).length);
  const ds: LineDataset[] = [];
  for (const s of series) {
    const color = pal[s.color % pal.length]!;
    if (s.band) {
      ds.push({ label: `band:${s.label}:lo`, grokGroup: s.group, data: s.band.lo, borderWidth: 0, pointRadius: 0, fill: false, borderColor: 'transparent' });
      ds.push({ label: `band:${s.label}:hi`, grokGroup: s.group, data: s.band.hi, borderWidth: 0, pointRadius: 0, fill: '-1', borderColor: 'transparent', backgroundColor: withAlpha(color, 0.18) });
    }
    ds.push({
      label: s.label, grokGroup: s.group, data: s.points, borderColor: color, backgroundColor: color,
      borderWidth: s.split === 'val' || s.split === 'norm' ? 2 : 1.5,
      borderDash: s.split === 'train' || s.split === 'excluded' ? [6, 3] : s.split === 'component' || s.split === 'gini' ? [2, 2] : [],
      pointRadius: s.points.length < 3 ? 2 : 0, pointHoverRadius: 3, fill: false, tension: 0,
    });
  }
  return ds;
}

/** The legend: one entry per group (its colour); clicking it hides or shows every line of the group. */
function groupLegend(fg: string) {
  return {
    labels: {
      color: fg, boxWidth: 14,
      generateLabels: (chart: Chart) => {
        const seen = new Set<string>();
        const items = [];
        for (const [i, d] of (chart.data.datasets as LineDataset[]).entries()) {
          if (!d.grokGroup || seen.has(d.grokGroup) || String(d.label).startsWith('band:')) continue;
          seen.add(d.grokGroup);
          items.push({ text: d.grokGroup, fillStyle: d.borderColor as string, strokeStyle: d.borderColor as string, lineWidth: 2, hidden: !chart.isDatasetVisible(i), datasetIndex: i, fontColor: fg });
        }
        return items;
      },
    },
    onClick: (_e: unknown, item: { datasetIndex?: number }, legend: { chart: Chart }) => {
      const chart = legend.chart;
      const ds = chart.data.datasets as LineDataset[];
      const group = ds[item.datasetIndex ?? -1]?.grokGroup;
      const show = !chart.isDatasetVisible(item.datasetIndex ?? 0);
      ds.forEach((d, i) => { if (d.grokGroup === group) chart.setDatasetVisibility(i, show); });
      chart.update('none');
    },
  };
}

/** The loss chart's scale, published on <body> for tests: type and the visible x range. */
function publishScales(): void {
  const loss = charts.get('loss');
  if (!loss) return;
  document.body.dataset.lossScale = String(loss.options.scales?.y?.type ?? '');
  document.body.dataset.lossRange = `${Math.round(loss.scales.x!.min)},${Math.round(loss.scales.x!.max)}`;
  document.body.dataset.zoomed = String([...charts.values()].some((c) => c.isZoomedOrPanned()));
}

function makeChart(canvas: HTMLCanvasElement, m: (typeof METRICS)[number]): Chart<'line', Array<{ x: number; y: number }>> {
  const t = themeColors();
  return new Chart<'line', Array<{ x: number; y: number }>>(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      scales: {
        x: { type: opts.logX ? 'logarithmic' : 'linear', title: { display: true, text: 'step', color: t.muted }, ticks: { color: t.muted }, grid: { color: withAlpha(t.grid, 0.4) } },
        y: { type: logLike(m.metric) && opts.logY ? 'logarithmic' : 'linear', title: { display: true, text: logLike(m.metric) && opts.logY ? `${m.y} (log)` : m.y, color: t.muted }, ticks: { color: t.muted }, grid: { color: withAlpha(t.grid, 0.4) },
          ...(m.metric === 'acc' || m.metric === 'sparsity' ? { min: 0, max: 1 } : {}) },
      },
      plugins: {
        legend: groupLegend(t.fg),
        tooltip: { filter: (item) => !String(item.dataset.label).startsWith('band:') },
        title: { display: false },
        zoom: {
          limits: { x: { min: 'original', max: 'original' }, ...(m.metric === 'acc' ? { y: { min: 0, max: 1 } } : {}) },
          pan: { enabled: true, mode: 'xy', onPanComplete: publishScales },
          zoom: { wheel: { enabled: true }, drag: { enabled: true, modifierKey: 'shift' }, pinch: { enabled: true }, mode: 'xy', onZoomComplete: publishScales },
        },
      },
    },
  });
}

function rebuildCharts(): void {
  for (const c of charts.values()) c.destroy();
  charts.clear();
  for (const m of METRICS) charts.set(m.metric, makeChart($<HTMLCanvasElement>(`chart-${m.metric}`), m));
  render();
}

let pending = false;
function scheduleRender(): void {
  if (pending) return;
  pending = true;
  setTimeout(() => requestAnimationFrame(() => { pending = false; render(); }), 150);
}

function render(): void {
  const total = Object.values(points).reduce((a, p) => a + p.length, 0);
  const chosen = runs.filter((r) => Object.entries(opts.selection).every(([k, v]) => v == null || r.params[k] === v));
  const done = runs.filter((r) => r.status === 'done').length;
  $('status').textContent = sweep
    ? `${sweep.name}: ${chosen.length} of ${runs.length} runs shown · ${done} done · ${total} points${sweep.device ? ` · on ${sweep.device}` : ''}`
    : 'Waiting for results…';
  document.body.dataset.device = sweep?.device ?? '';
  document.body.dataset.points = String(total);
  document.body.dataset.runs = String(runs.length);
  const hasComponents = Object.values(points).some((l) => l.some((p) => p.components));
  $('components').style.display = hasComponents ? '' : 'none';
  for (const m of METRICS) {
    const chart = charts.get(m.metric);
    if (!chart) continue;
    chart.data.datasets = datasetsFor(buildSeries(m.metric, runs, points, opts));
    chart.update('none');
  }
  renderProgress(chosen);
  publishScales();
}

/** Shows the progress sections where some run has the measures, and draws the chosen run's spectrum heatmap. */
function renderProgress(chosen: CurveRun[]): void {
  const show = hasProgress(points);
  document.querySelectorAll<HTMLElement>('.progress-only').forEach((el) => { el.hidden = !show; });
  document.body.dataset.progress = String(show);
  if (!show) return;
  const sel = $<HTMLElement & { value: string }>('spectrumRun');
  const ids = chosen.filter((r) => points[r.id]?.some((p) => p.progress)).map((r) => r.id);
  if (sel.dataset.ids !== ids.join(',')) {
    const keep = ids.includes(sel.value) ? sel.value : ids[0] ?? '';
    sel.replaceChildren(...ids.map((id) => {
      const o = document.createElement('vscode-option');
      o.textContent = id;
      o.setAttribute('value', id);
      if (id === keep) o.setAttribute('selected', '');
      return o;
    }));
    sel.dataset.ids = ids.join(',');
    sel.value = keep;
  }
  const grid = spectrumGrid(points[sel.value] ?? []);
  document.body.dataset.spectrumSteps = String(grid?.steps.length ?? 0);
  drawSpectrum($<HTMLCanvasElement>('spectrum'), grid, themeColors().fg);
}

function exportPng(): void {
  const canvases = [...shownMetrics().map((m) => $<HTMLCanvasElement>(`chart-${m.metric}`)), ...(hasProgress(points) ? [$<HTMLCanvasElement>('spectrum')] : [])];
  // The PNG is what the screen shows; "Export for paper" gives the vector figure on white.
  vscode.post({ type: 'export', format: 'png', content: canvasesToPng(canvases, themeColors().bg), suggestedName: `${sweep?.name ?? 'curves'}-curves.png` });
}

/** The three charts as one SVG document; `paper`: white background, the chosen size in inches. */
function chartsSvg(colors: { fg: string; bg: string }, size: { width: number; height: number }, physical: boolean): string {
  const docs = shownMetrics().map((m) => {
    const series = buildSeries(m.metric, runs, points, opts);
    const pal = palette(legendGroups(series).length);
    const svg = lineChartSvg({
      title: m.title, xLabel: 'step', yLabel: m.y, logX: opts.logX, logY: logLike(m.metric) && opts.logY, foreground: colors.fg, background: colors.bg,
      width: size.width, height: size.height,
      ...(m.metric === 'acc' || m.metric === 'sparsity' ? { yMin: 0, yMax: 1 } : {}),
      series: series.map((s) => ({ label: s.label, group: s.group, color: pal[s.color % pal.length]!, points: s.points, dash: s.split === 'train' || s.split === 'excluded' || s.split === 'gini', band: s.band })),
    });
    return { svg, ...size };
  });
  return stackSvgs(docs, 'vertical', physical);
}

function exportSvg(): void {
  const t = themeColors();
  vscode.post({ type: 'export', format: 'svg', content: chartsSvg(t, { width: 800, height: 420 }, false), suggestedName: `${sweep?.name ?? 'curves'}-curves.svg` });
}

function exportPaper(): void {
  const size = paperSize($<HTMLElement & { value: string }>('paperSize').value);
  vscode.post({ type: 'export', format: 'svg', content: chartsSvg(PAPER, size, true), suggestedName: `${sweep?.name ?? 'curves'}-curves-paper.svg` });
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const msg = e.data;
  if (!isHostToCurves(msg)) return;
  switch (msg.type) {
    case 'init': {
      const firstInit = !sweep || sweep.resultsDir !== msg.sweep.resultsDir;
      sweep = msg.sweep;
      runs = msg.runs;
      for (const k of Object.keys(points)) delete points[k];
      Object.assign(points, msg.points);
      if (msg.selection) opts.selection = { ...msg.selection };
      else if (firstInit && saved?.resultsDir !== msg.sweep.resultsDir) opts.selection = {};
      buildControls();
      persist();
      render();
      break;
    }
    case 'metrics': {
      const list = (points[msg.runId] ??= []);
      const last = list.at(-1)?.step ?? -Infinity;
      for (const p of msg.points) if (p.step > last) list.push(p);
      scheduleRender();
      break;
    }
    case 'runs':
      runs = msg.runs;
      scheduleRender();
      break;
    case 'select':
      opts.selection = { ...(msg.selection as Selection) };
      buildControls();
      persist();
      render();
      break;
  }
});

initStaticControls();
rebuildCharts();
onThemeChange(rebuildCharts);
vscode.post({ type: 'ready' });
