// The spectrum heatmap's grid, DOM-free (unit-tested; drawn by ./spectrum.ts).
import type { CurvePoint } from './protocol';

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

