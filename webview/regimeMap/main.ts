// The regime-map webview: model size × data size coloured by regime (opacity = validation accuracy),
// with D_crit and D_mem overlaid, and beside it the U-curve (validation accuracy vs model size, one line
// per data size). Clicking a cell asks the host to open that cell's curves.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import {
  Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip,
  type ChartDataset, type Plugin,
} from 'chart.js';
import { isHostToMap, REGIMES, type MapCell, type MapData, type MapToHost, type RegimeMapState, type RegimeName } from './protocol';
import { cellAlpha, formatPct, valueToIndex } from './geometry';
import { heatmapSvg } from './svg';
import { mapTable } from './table';
import { PAPER } from '../shared/palette';
import { paperSize } from '../shared/paper';
import { vscodeApi } from '../shared/vscode';
import { onThemeChange, palette, REGIME_HELP, regimeColor, themeColors, withAlpha } from '../shared/theme';
import { canvasesToPng } from '../shared/exporting';
import { lineChartSvg } from '../shared/svg';
import { stackSvgs } from '../shared/svgStack';
import { csvText } from '../../src/store/csv';

Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend);

const vscode = vscodeApi<MapToHost, RegimeMapState>();
let map: MapData | null = null;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
type XYC = { x: number; y: number; cell?: MapCell };
let heat: Chart<'scatter', XYC[]> | null = null;
let ucurve: Chart<'line', Array<{ x: number; y: number }>> | null = null;

const cellsPlugin: Plugin<'scatter'> = {
  id: 'grokCells',
  beforeDatasetsDraw(chart) {
    if (!map) return;
    const { ctx, scales } = chart;
    const xs = scales.x!, ys = scales.y!;
    ctx.save();
    for (const c of map.cells) {
      const x0 = xs.getPixelForValue(c.x - 0.5), x1 = xs.getPixelForValue(c.x + 0.5);
      const y0 = ys.getPixelForValue(c.y + 0.5), y1 = ys.getPixelForValue(c.y - 0.5);
      ctx.globalAlpha = cellAlpha(c);
      ctx.fillStyle = c.regime ? regimeColor(c.regime) : themeColors().muted;
      ctx.fillRect(x0 + 1, y0 + 1, x1 - x0 - 2, y1 - y0 - 2);
      if (c.finished < c.runs) {
        ctx.globalAlpha = 0.9;
        ctx.fillStyle = themeColors().fg;
        ctx.font = `10px ${themeColors().font}`;
        ctx.fillText(`${c.finished}/${c.runs}`, x0 + 4, y0 + 12);
      }
    }
    ctx.restore();
  },
};

function axisTicks(values: number[], color: string) {
  return { color, stepSize: 1, autoSkip: false, callback: (v: number | string) => (Number.isInteger(Number(v)) ? String(values[Number(v)] ?? '') : '') };
}

/** One tick per grid value at the cell centres (chart.js would start the ticks at min = -0.5). */
function cellTicks(values: number[]) {
  return (axis: { ticks: Array<{ value: number }> }) => { axis.ticks = values.map((_, i) => ({ value: i })); };
}

function lineData(lines: MapData['dCrit'], m: MapData): Array<{ x: number; y: number }> {
  return lines.map((l) => ({ x: l.x, y: l.value == null ? null : valueToIndex(l.value, m.yAxis.values) }))
    .filter((p): p is { x: number; y: number } => p.y != null);
}

function renderHeat(): void {
  if (!map) return;
  const m = map;
  const t = themeColors();
  const cellsData: XYC[] = m.cells.map((c) => ({ x: c.x, y: c.y, cell: c }));
  const datasets: ChartDataset<'scatter', XYC[]>[] = [
    { label: 'cells', data: cellsData, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 40, showLine: false },
    { label: `D_crit (critical data size, ε=${m.epsilon})`, data: lineData(m.dCrit, m), showLine: true, borderColor: t.fg, backgroundColor: t.fg, borderWidth: 2.5, pointRadius: 4, pointStyle: 'circle' },
  ];
  if (m.dMem.length) datasets.push({ label: 'D_mem (memorization capacity)', data: lineData(m.dMem, m), showLine: true, borderColor: t.fg, backgroundColor: t.bg, borderDash: [6, 4], borderWidth: 2, pointRadius: 4, pointStyle: 'rectRot' });
  const nx = m.xAxis.values.length, ny = m.yAxis.values.length;
  heat?.destroy();
  heat = new Chart<'scatter', XYC[]>($<HTMLCanvasElement>('heat'), {
    type: 'scatter',
    data: { datasets },
    plugins: [cellsPlugin],
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: {
        x: { type: 'linear', min: -0.5, max: nx - 0.5, afterBuildTicks: cellTicks(m.xAxis.values), ticks: axisTicks(m.xAxis.values, t.muted), grid: { display: false }, title: { display: true, text: `model size (${m.xAxis.path})`, color: t.muted } },
        y: { type: 'linear', min: -0.5, max: ny - 0.5, afterBuildTicks: cellTicks(m.yAxis.values), ticks: axisTicks(m.yAxis.values, t.muted), grid: { display: false }, title: { display: true, text: `data size (${m.yAxis.path})`, color: t.muted } },
      },
      plugins: {
        legend: { labels: { color: t.fg, filter: (i) => i.text !== 'cells' } },
        tooltip: {
          callbacks: {
            title: (items) => {
              const c = (items[0]?.raw as XYC | undefined)?.cell;
              return c ? `${m.xAxis.path}=${m.xAxis.values[c.x]} · ${m.yAxis.path}=${m.yAxis.values[c.y]}` : items[0]?.dataset.label ?? '';
            },
            label: (item) => {
              const c = (item.raw as XYC).cell;
              if (!c) {
                const line = item.datasetIndex === 1 ? m.dCrit : m.dMem;
                const l = line.find((p) => p.x === (item.raw as XYC).x);
                if (l?.text) return `${item.dataset.label}: ${l.text}`;
                const band = l?.low != null && l?.high != null ? ` [${l.low}–${l.high}]` : '';
                return `${item.dataset.label}: ${l?.value ?? '–'}${band}${l?.kind ? ` (${l.kind})` : ''}`;
              }
              const lines = [
                `regime: ${c.regime ?? 'pending'}`,
                ...REGIMES.filter((r) => c.counts[r]).map((r) => `  ${r}: ${c.counts[r]} seed${c.counts[r] === 1 ? '' : 's'}`),
                `val acc: ${formatPct(c.valAcc)} [${formatPct(c.valAccMin)}–${formatPct(c.valAccMax)}]`,
                `train acc: ${formatPct(c.trainAcc)}`,
                `runs: ${c.finished}/${c.runs} finished`,
                ...progressLines(c),
                'click: open curves',
              ];
              return lines;
            },
          },
        },
      },
      onClick: (_e, els) => {
        const el = els.find((e) => e.datasetIndex === 0);
        const c = el ? cellsData[el.index]?.cell : undefined;
        if (!c) return;
        vscode.post({ type: 'openCell', params: { ...nonNull(m.slice), [m.xAxis.path]: m.xAxis.values[c.x]!, [m.yAxis.path]: m.yAxis.values[c.y]! } });
      },
      onHover: (e, els) => {
        const target = e.native?.target as HTMLElement | undefined;
        if (target) target.style.cursor = els.some((x) => x.datasetIndex === 0) ? 'pointer' : 'default';
      },
    },
  });
}

function nonNull(s: Record<string, number | string | boolean | null>): Record<string, number | string | boolean> {
  const o: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(s)) if (v != null) o[k] = v;
  return o;
}

function renderUCurve(): void {
  if (!map) return;
  const t = themeColors();
  const pal = palette(map.uCurves.length);
  const datasets: ChartDataset<'line', Array<{ x: number; y: number }>>[] = map.uCurves.map((u, i) => ({
    label: `${map!.yAxis.path}=${u.dataSize}`,
    data: u.points.filter((p) => p.valAcc != null).map((p) => ({ x: p.modelSize, y: p.valAcc! })),
    borderColor: pal[i % pal.length], backgroundColor: pal[i % pal.length], pointRadius: 3, borderWidth: 2,
  }));
  const xs = map.xAxis.values;
  const logX = xs.length > 2 && xs[0]! > 0 && xs.at(-1)! / xs[0]! >= 8;
  ucurve?.destroy();
  ucurve = new Chart<'line', Array<{ x: number; y: number }>>($<HTMLCanvasElement>('ucurve'), {
    type: 'line',
    data: { datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: {
        x: { type: logX ? 'logarithmic' : 'linear', title: { display: true, text: `model size (${map.xAxis.path})`, color: t.muted }, ticks: { color: t.muted }, grid: { color: withAlpha(t.grid, 0.4) } },
        y: { min: 0, max: 1, title: { display: true, text: 'final validation accuracy (seed mean)', color: t.muted }, ticks: { color: t.muted }, grid: { color: withAlpha(t.grid, 0.4) } },
      },
      plugins: { legend: { labels: { color: t.fg } } },
    },
  });
}

function renderLegend(): void {
  const box = $('legend');
  box.replaceChildren();
  for (const r of REGIMES) {
    if (r === 'no-learning' || r === 'unsettled' || r === 'diverged') if (!map?.cells.some((c) => c.counts[r])) continue;
    const item = document.createElement('span');
    item.className = 'legend-item';
    item.title = REGIME_HELP[r];
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = regimeColor(r as RegimeName);
    item.append(sw, document.createTextNode(r));
    box.append(item);
  }
  const note = document.createElement('span');
  note.className = 'legend-note';
  note.textContent = 'opacity = validation accuracy · n/m = runs finished';
  box.append(note);
}

function renderSlices(): void {
  const box = $('slices');
  box.replaceChildren();
  if (!map) return;
  for (const [axis, values] of Object.entries(map.sliceAxes)) {
    const label = document.createElement('vscode-label');
    label.textContent = axis;
    const sel = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    values.forEach((v, i) => {
      const o = document.createElement('vscode-option');
      o.textContent = String(v);
      o.setAttribute('value', String(i));
      if (v === map!.slice[axis]) o.setAttribute('selected', '');
      sel.append(o);
    });
    sel.addEventListener('change', () => {
      vscode.post({ type: 'slice', slice: { ...map!.slice, [axis]: values[Number(sel.value)]! } });
    });
    box.append(label, sel);
  }
}

/** The map as a grid table: one focusable cell at a time (arrow keys move, Enter or Space opens the curves). */
let focusAt = { row: 0, col: 0 };
function renderTable(): void {
  if (!map) return;
  const m = map;
  const model = mapTable(m);
  const table = $<HTMLTableElement>('mapTable');
  const hadFocus = table.contains(document.activeElement);
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.textContent = model.corner;
  head.append(corner);
  for (const c of model.columns) { const th = document.createElement('th'); th.scope = 'col'; th.textContent = c; head.append(th); }
  const body = table.createTBody();
  focusAt = { row: Math.min(focusAt.row, model.rows.length - 1), col: Math.min(focusAt.col, model.columns.length - 1) };
  model.rows.forEach((r, ri) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.header;
    tr.append(th);
    r.cells.forEach((tc, ci) => {
      const td = tr.insertCell();
      td.tabIndex = ri === focusAt.row && ci === focusAt.col ? 0 : -1;
      td.dataset.row = String(ri);
      td.dataset.col = String(ci);
      td.setAttribute('aria-label', tc.label);
      if (tc.cell?.regime) {
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = regimeColor(tc.cell.regime);
        td.append(sw);
      }
      td.append(document.createTextNode(tc.text));
      const open = () => {
        const c = tc.cell;
        if (c) vscode.post({ type: 'openCell', params: { ...nonNull(m.slice), [m.xAxis.path]: m.xAxis.values[c.x]!, [m.yAxis.path]: m.yAxis.values[c.y]! } });
      };
      td.addEventListener('click', open);
      td.addEventListener('keydown', (e) => {
        const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); return; }
        const mv = moves[e.key];
        if (!mv) return;
        e.preventDefault();
        const row = Math.max(0, Math.min(model.rows.length - 1, ri + mv[0])), col = Math.max(0, Math.min(model.columns.length - 1, ci + mv[1]));
        const next = table.querySelector<HTMLTableCellElement>(`td[data-row="${row}"][data-col="${col}"]`);
        if (!next) return;
        td.tabIndex = -1;
        next.tabIndex = 0;
        focusAt = { row, col };
        next.focus();
        document.body.dataset.tableFocus = next.getAttribute('aria-label') ?? '';
      });
    });
  });
  const foot = table.createTFoot();
  for (const f of model.footer) {
    const tr = foot.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = f.header;
    tr.append(th);
    for (const text of f.cells) tr.insertCell().textContent = text;
  }
  document.body.dataset.tableCells = String(model.rows.reduce((a, r) => a + r.cells.filter((c) => c.cell).length, 0));
  if (hadFocus) table.querySelector<HTMLElement>('td[tabindex="0"]')?.focus();
}

function setTableVisible(show: boolean): void {
  $('tableView').hidden = !show;
  $('toggleTable').setAttribute('aria-pressed', String(show));
  $('toggleTable').textContent = show ? 'Hide table' : 'Table view';
  vscode.setState({ ...(vscode.getState() ?? { resultsDir: map?.resultsDir ?? '' }), table: show });
  if (show) $('mapTable').querySelector<HTMLElement>('td[tabindex="0"]')?.focus();
}
$('toggleTable').addEventListener('click', () => setTableVisible($('tableView').hidden));
// (vscode-button turns Enter and Space into a click itself.)

function render(): void {
  if (!map) return;
  $('problem').textContent = map.problem ?? '';
  const finished = map.cells.reduce((a, c) => a + c.finished, 0), total = map.cells.reduce((a, c) => a + c.runs, 0);
  $('status').textContent = `${map.name}: ${map.cells.length} cells · ${finished}/${total} runs finished`;
  document.body.dataset.cells = String(map.cells.filter((c) => c.regime).length);
  renderLegend();
  renderSlices();
  renderHeat();
  renderUCurve();
  renderTable();
}

function regimeColors(): Record<RegimeName, string> {
  return Object.fromEntries(REGIMES.map((r) => [r, regimeColor(r)])) as Record<RegimeName, string>;
}

$('exportPng').addEventListener('click', () => {
  if (!map) return;
  vscode.post({ type: 'export', format: 'png', content: canvasesToPng([$('heat'), $('ucurve')] as HTMLCanvasElement[], themeColors().bg, 'horizontal'), suggestedName: `${map.name}-regime-map.png` });
});
/** Heatmap and U-curve side by side as one SVG; `paper`: white, the chosen size per panel, in inches. */
function mapSvg(colors: { fg: string; bg: string }, size: { width: number; height: number }, physical: boolean): string {
  const m = map!;
  const pal = palette(m.uCurves.length);
  const u = lineChartSvg({
    title: 'Validation accuracy vs model size', xLabel: m.xAxis.path, yLabel: 'val acc', logX: false, yMin: 0, yMax: 1, foreground: colors.fg, background: colors.bg, ...size,
    series: m.uCurves.map((c, i) => ({ label: `${m.yAxis.path}=${c.dataSize}`, color: pal[i % pal.length]!, points: c.points.filter((p) => p.valAcc != null).map((p) => ({ x: p.modelSize, y: p.valAcc! })) })),
  });
  return stackSvgs([{ svg: heatmapSvg(m, regimeColors(), colors.fg, colors.bg, size.width, size.height), ...size }, { svg: u, ...size }], 'horizontal', physical);
}

$('exportSvg').addEventListener('click', () => {
  if (!map) return;
  vscode.post({ type: 'export', format: 'svg', content: mapSvg(themeColors(), { width: 560, height: 460 }, false), suggestedName: `${map.name}-regime-map.svg` });
});
$('exportPaper').addEventListener('click', () => {
  if (!map) return;
  const size = paperSize($<HTMLElement & { value: string }>('paperSize').value);
  vscode.post({ type: 'export', format: 'svg', content: mapSvg(PAPER, size, true), suggestedName: `${map.name}-regime-map-paper.svg` });
});
$('exportCsv').addEventListener('click', () => {
  if (!map) return;
  const rows: unknown[][] = [[map.xAxis.path, map.yAxis.path, 'regime', ...REGIMES.map((r) => `n_${r}`), 'valAcc', 'valAccMin', 'valAccMax', 'trainAcc', 'runs', 'finished']];
  for (const c of map.cells) rows.push([map.xAxis.values[c.x], map.yAxis.values[c.y], c.regime, ...REGIMES.map((r) => c.counts[r] ?? 0), c.valAcc, c.valAccMin, c.valAccMax, c.trainAcc, c.runs, c.finished]);
  // Quoted: an axis value or path may hold a comma.
  vscode.post({ type: 'export', format: 'csv', content: csvText(rows), suggestedName: `${map.name}-regime-map.csv` });
});

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isHostToMap(e.data)) return;
  map = e.data.map;
  vscode.setState({ ...(vscode.getState() ?? {}), resultsDir: map.resultsDir, slice: map.slice, ...(map.compare ? { compare: map.compare } : {}) });
  render();
});

if (vscode.getState()?.table) setTableVisible(true);

onThemeChange(render);
vscode.post({ type: 'ready' });

/** The tooltip's lines for the progress measures at the last eval and the forecasts of running runs. */
function progressLines(c: MapCell): string[] {
  const lines: string[] = [];
  const p = c.progress;
  if (p) {
    lines.push(`last eval (${p.runs} run${p.runs === 1 ? '' : 's'}): key freqs ${p.keyFreqs.join(', ')} · key fraction ${p.keyFraction.toFixed(2)} · Gini ${p.gini.toFixed(2)}`);
    if (p.restrictedLoss !== null && p.excludedLoss !== null) lines.push(`  restricted loss ${p.restrictedLoss.toPrecision(3)} · excluded loss ${p.excludedLoss.toPrecision(3)}`);
  }
  for (const f of c.forecasts ?? []) {
    lines.push(`forecast: ${f.regime} ×${f.runs} (confidence ${f.confidence.toFixed(2)})${f.valReachStep !== null ? `, val ≥ ε ≈ step ${f.valReachStep}` : ''}`);
  }
  return lines;
}
