// The spectrum heatmap's grid, DOM-free (unit-tested; drawn by ./spectrum.ts).
import type { CurvePoint } from './protocol';
import { escapeXml as esc } from '../shared/svg';

export interface SpectrumGrid {
  steps: number[];
  /** Frequencies on the y axis: 1..K. */
  freqs: number;
  /** cells[i][k - 1]: norm of frequency k at steps[i] over that eval's largest (k ≥ 1). */
  cells: number[][];
  /** Key frequencies at the last eval. */
  keyFreqs: number[];
}

/** DOM-free (unit-tested). Null when the run has no spectrum. */
export function spectrumGrid(points: CurvePoint[]): SpectrumGrid | null {
  const withSpectrum = points.filter((p) => p.progress && p.progress.spectrum.length > 1);
  if (!withSpectrum.length) return null;
  const freqs = Math.max(...withSpectrum.map((p) => p.progress!.spectrum.length)) - 1;
  const cells = withSpectrum.map((p) => {
    const row = p.progress!.spectrum.slice(1);
    const max = Math.max(...row);
    return Array.from({ length: freqs }, (_, k) => (max > 0 && row[k] !== undefined ? row[k]! / max : 0));
  });
  return { steps: withSpectrum.map((p) => p.step), freqs, cells, keyFreqs: withSpectrum.at(-1)!.progress!.keyFreqs };
}


/** The grid as an SVG heatmap (export, report, docs): x = eval, y = frequency k (1 at the bottom), viridis. */
export function spectrumSvg(grid: SpectrumGrid, o: { width?: number; height?: number; title?: string; color: (t: number) => string; foreground?: string; background?: string }): string {
  const W = o.width ?? 800, H = o.height ?? 300, m = { l: 64, r: 16, t: 32, b: 44 };
  const fg = o.foreground ?? '#333', bg = o.background ?? '#fff';
  const pw = W - m.l - m.r, ph = H - m.t - m.b, cw = pw / grid.steps.length, ch = ph / grid.freqs;
  const f = (x: number) => x.toFixed(2);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="${esc(bg)}"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" fill="${esc(fg)}" font-size="13">${esc(o.title ?? 'Embedding Fourier spectrum (norm per frequency / largest at that step)')}</text>`];
  grid.cells.forEach((row, i) => row.forEach((v, k) => {
    parts.push(`<rect x="${f(m.l + i * cw)}" y="${f(m.t + ph - (k + 1) * ch)}" width="${f(cw + 0.3)}" height="${f(ch + 0.3)}" fill="${esc(o.color(v))}"/>`);
  }));
  const every = Math.max(1, Math.ceil(grid.freqs / 12));
  for (let k = 1; k <= grid.freqs; k += every) parts.push(`<text x="${m.l - 4}" y="${f(m.t + ph - (k - 0.5) * ch + 4)}" text-anchor="end" fill="${esc(fg)}">${esc(k)}</text>`);
  for (const k of grid.keyFreqs) parts.push(`<text x="${m.l - 26}" y="${f(m.t + ph - (k - 0.5) * ch + 4)}" text-anchor="end" fill="${esc(fg)}">▸</text>`);
  const ticks = Math.min(8, grid.steps.length);
  for (let t = 0; t < ticks; t++) {
    const i = Math.round((t * (grid.steps.length - 1)) / Math.max(1, ticks - 1));
    parts.push(`<text x="${f(m.l + (i + 0.5) * cw)}" y="${m.t + ph + 14}" text-anchor="middle" fill="${esc(fg)}">${esc(grid.steps[i])}</text>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" fill="${esc(fg)}">step</text>`,
    `<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" fill="${esc(fg)}">frequency k (▸ key at the last step)</text>`, '</svg>');
  return parts.join('\n');
}
