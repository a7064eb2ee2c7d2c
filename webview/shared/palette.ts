// Colours that colour-blind readers can tell apart, the same in every theme and in exports. DOM-free.
// Groups: Okabe & Ito's 7 colours (black left out, it vanishes on dark themes) up to 7 groups; more
// groups are spread evenly over viridis (perceptually uniform, readable with any colour vision), so
// a 26-group sweep gets 26 distinct, ordered colours instead of 8 colours cycling.
// Regimes: the opposite outcomes are blue (generalizes) and orange (memorizes), never red vs green.
import type { Regime as RegimeName } from '../../src/store/regimes';

export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

/** viridis at 0, 1/8, …, 1 (matplotlib's values). */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

function hexToRgb(h: string): [number, number, number] {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const toHex = (rgb: number[]) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** viridis at t ∈ [0, 1] (linear between its 9 stops). */
export function viridis(t: number): string {
  const u = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u)), f = u - i;
  const a = hexToRgb(VIRIDIS[i]!), b = hexToRgb(VIRIDIS[i + 1]!);
  return toHex(a.map((v, k) => v + (b[k]! - v) * f));
}

/** `n` distinct colours for `n` groups, in group order. */
export function groupColors(n: number): string[] {
  if (n <= OKABE_ITO.length) return OKABE_ITO.slice(0, Math.max(0, n));
  // Leave out viridis' last 10% (pale yellow is unreadable on white paper).
  return Array.from({ length: n }, (_, i) => viridis((0.9 * i) / (n - 1)));
}

/** One colour per regime (a regime this build does not know, e.g. a newer one, gets grey). */
export const REGIME_COLORS: Record<string, string> = {
  grokking: '#0072B2',
  progression: '#56B4E9',
  'semi-grokking': '#CC79A7',
  ungrokking: '#E69F00',
  diverged: '#D55E00',
  'no-learning': '#999999',
  unsettled: '#F0E442',
};

export function regimeColorOf(r: RegimeName | string): string {
  return REGIME_COLORS[r] ?? '#999999';
}

/** The colours of a figure for a paper: white background, near-black text. */
export const PAPER = { fg: '#111111', bg: '#ffffff', muted: '#555555', grid: '#dddddd' };
