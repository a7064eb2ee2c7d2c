// The HTML shell of a webview: a strict CSP (scripts only with the nonce, nothing remote), the
// bundle from dist/ and the stylesheet from media/. No vscode import (unit-tested).
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export interface ShellOptions {
  title: string;
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  body: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    // vscode-elements and chart.js set inline styles; scripts stay nonce-only.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function webviewHtml(o: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(o.styleUri)}">
<title>${esc(o.title)}</title>
</head>
<body>
${o.body}
<script nonce="${o.nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}

/** Both webviews offer the same exports (each main.ts handles the buttons by id). */
const EXPORT_BUTTONS = `    <vscode-button id="exportPng" secondary>PNG</vscode-button>
    <vscode-button id="exportSvg" secondary>SVG</vscode-button>
    <vscode-button id="exportCsv" secondary>CSV</vscode-button>`;

/** "Export for paper": a vector SVG on white at a chosen size (both webviews). */
const PAPER_EXPORT = `    <vscode-single-select id="paperSize" aria-label="figure size for the paper export" title="Figure size">
      <vscode-option value="3.5x2.4">3.5 × 2.4 in (one column)</vscode-option>
      <vscode-option value="7x3.5">7 × 3.5 in (two columns)</vscode-option>
      <vscode-option value="5x3.5">5 × 3.5 in</vscode-option>
    </vscode-single-select>
    <vscode-button id="exportPaper" title="Vector SVG, white background, the chosen size">Export for paper</vscode-button>`;

export const CURVES_BODY = `
<header class="toolbar">
  <div id="axes" class="controls"></div>
  <div class="controls">
    <div class="control"><vscode-label>band</vscode-label>
      <vscode-single-select id="band"><vscode-option value="minmax">min–max</vscode-option><vscode-option value="std">±1 std</vscode-option><vscode-option value="none">none</vscode-option></vscode-single-select></div>
    <div class="control"><vscode-label for="smoothing">smoothing <span id="smoothingValue">0.00</span></vscode-label>
      <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0" aria-label="smoothing"></div>
    <vscode-checkbox id="logX" label="log step"></vscode-checkbox>
    <vscode-checkbox id="logY" label="log loss"></vscode-checkbox>
    <vscode-checkbox id="aggregate" label="mean over seeds"></vscode-checkbox>
    <vscode-checkbox id="components" label="per component"></vscode-checkbox>
  </div>
  <div class="controls buttons">
    <vscode-button id="resetZoom" secondary title="Zoom: mouse wheel or drag with Shift; pan: drag">Reset zoom</vscode-button>
    <vscode-button id="openMap" secondary>Regime map</vscode-button>
${EXPORT_BUTTONS}
${PAPER_EXPORT}
  </div>
</header>
<div id="status" class="status" role="status">Waiting for results…</div>
<div class="legend style-key" aria-label="line styles"><span class="legend-item"><span class="line solid"></span>validation</span><span class="legend-item"><span class="line dashed"></span>train</span><span class="legend-item"><span class="line dotted"></span>per component (validation)</span><span class="legend-note">colour = group · shaded = seed band · wheel/Shift+drag zooms, drag pans</span></div>
<main class="charts">
  <section class="chart"><h3>Accuracy</h3><div class="canvas-box"><canvas id="chart-acc"></canvas></div></section>
  <section class="chart"><h3>Loss</h3><div class="canvas-box"><canvas id="chart-loss"></canvas></div></section>
  <section class="chart"><h3>Weight norm</h3><div class="canvas-box"><canvas id="chart-norm"></canvas></div></section>
  <section class="chart progress-only" hidden><h3 title="Nanda et al. 2023: the training loss of the logits kept only on (restricted) or without (excluded) the key frequencies">Restricted (solid) and excluded (dashed) loss, train</h3><div class="canvas-box"><canvas id="chart-circuit"></canvas></div></section>
  <section class="chart progress-only" hidden><h3 title="Share of the embedding's non-constant energy in the key frequencies, and the Gini coefficient of the per-frequency norms">Key-frequency fraction (solid) and Gini (dotted)</h3><div class="canvas-box"><canvas id="chart-sparsity"></canvas></div></section>
  <section class="chart progress-only" hidden><h3>Embedding Fourier spectrum over steps <vscode-single-select id="spectrumRun" aria-label="run of the spectrum heatmap"></vscode-single-select></h3><div class="canvas-box"><canvas id="spectrum" role="img" aria-label="heatmap: frequency against step, brightness = norm over the largest at that step; ▸ marks the key frequencies at the last eval"></canvas></div></section>
</main>`;

export const REGIME_MAP_BODY = `
<header class="toolbar">
  <div id="slices" class="controls"></div>
  <div id="legend" class="legend"></div>
  <div class="controls buttons">
    <vscode-button id="toggleTable" secondary aria-pressed="false" title="The map as a table (arrow keys move, Enter opens a cell's curves)">Table view</vscode-button>
${EXPORT_BUTTONS}
${PAPER_EXPORT}
  </div>
</header>
<div id="status" class="status" role="status">Waiting for results…</div>
<div id="problem" class="problem"></div>
<section id="tableView" class="table-view" hidden>
  <h3>Regime map as a table <small>(rows: data size, columns: model size; arrow keys move, Enter opens the curves)</small></h3>
  <table id="mapTable" class="map-table" role="grid" aria-label="Regime map: regime and validation accuracy per model size and data size"></table>
</section>
<main class="map-layout">
  <section class="chart"><h3>Regime map <small>(x: model size, y: data size; click a cell for its curves)</small></h3><div class="canvas-box tall"><canvas id="heat"></canvas></div></section>
  <section class="chart"><h3>Validation accuracy vs model size <small>(U-curve)</small></h3><div class="canvas-box tall"><canvas id="ucurve"></canvas></div></section>
</main>`;

export const RUNS_TABLE_BODY = `
<header class="toolbar">
  <h3 id="title">Runs</h3>
  <input id="filter" class="filter" type="search" placeholder="Filter: words match any column (grokking dModel=32 failed…)" aria-label="filter runs">
</header>
<div id="status" class="status" role="status">Waiting for results…</div>
<table id="runs" class="runs-table" aria-label="Runs"></table>`;
