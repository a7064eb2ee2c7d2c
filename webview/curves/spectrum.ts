// The per-run heatmap of the embedding's Fourier spectrum over steps (progress measures, modular
// tasks): x = eval, y = frequency k = 1..floor(P/2), colour = the norm of k over the largest norm at
// that eval (viridis), so the key frequencies show up as bright rows as they emerge.
import { viridis } from '../shared/palette';
import type { SpectrumGrid } from './spectrumModel';

const MARGIN = { left: 44, right: 12, top: 8, bottom: 30 };

/** Draws the grid on a canvas (device-pixel sharp), with its axes in `fg`. */
export function drawSpectrum(canvas: HTMLCanvasElement, grid: SpectrumGrid | null, fg: string): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600, h = canvas.clientHeight || 260;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = fg;
  ctx.font = '11px sans-serif';
  if (!grid) { ctx.fillText('no spectrum for this run', MARGIN.left, h / 2); return; }
  const pw = w - MARGIN.left - MARGIN.right, ph = h - MARGIN.top - MARGIN.bottom;
  const cw = pw / grid.steps.length, ch = ph / grid.freqs;
  grid.cells.forEach((row, i) => row.forEach((v, k) => {
    ctx.fillStyle = viridis(v);
    // k = 1 at the bottom
    ctx.fillRect(MARGIN.left + i * cw, MARGIN.top + ph - (k + 1) * ch, Math.ceil(cw), Math.ceil(ch));
  }));
  ctx.fillStyle = fg;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const every = Math.max(1, Math.ceil(grid.freqs / 12));
  for (let k = 1; k <= grid.freqs; k += every) ctx.fillText(String(k), MARGIN.left - 4, MARGIN.top + ph - (k - 0.5) * ch);
  for (const k of grid.keyFreqs) ctx.fillText('▸', MARGIN.left - 30, MARGIN.top + ph - (k - 0.5) * ch);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const ticks = Math.min(6, grid.steps.length);
  for (let t = 0; t < ticks; t++) {
    const i = Math.round((t * (grid.steps.length - 1)) / Math.max(1, ticks - 1));
    ctx.fillText(String(grid.steps[i]), MARGIN.left + (i + 0.5) * cw, MARGIN.top + ph + 4);
  }
  ctx.fillText('step', MARGIN.left + pw / 2, MARGIN.top + ph + 16);
  ctx.save();
  ctx.translate(10, MARGIN.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('frequency k', 0, 0);
  ctx.restore();
}
