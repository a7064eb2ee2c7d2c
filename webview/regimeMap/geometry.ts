// Map geometry, DOM-free: where a data size sits on the heatmap's index axis, and a cell's colour.
import type { MapCell } from './protocol';

/**
 * Position of a data size on an axis whose ticks are the grid values at 0, 1, 2, ...:
 * piecewise-linear between grid values, extrapolated half a cell past the ends, null outside that.
 */
export function valueToIndex(value: number, grid: number[]): number | null {
  const n = grid.length;
  if (n === 0 || !Number.isFinite(value)) return null;
  if (n === 1) return value === grid[0] ? 0 : null;
  for (let i = 0; i < n - 1; i++) {
    const a = grid[i]!, b = grid[i + 1]!;
    if (value >= a && value <= b) return i + (value - a) / (b - a);
  }
  const lo = grid[0]!, hi = grid[n - 1]!;
  if (value < lo) {
    const t = (value - lo) / (grid[1]! - lo);
    return t >= -0.5 ? t : null;
  }
  const t = (n - 1) + (value - hi) / (hi - grid[n - 2]!);
  return t <= n - 0.5 ? t : null;
}

/** Cell opacity: 0.2 for 0 validation accuracy up to 1 for 1; unfinished cells 0.08. */
export function cellAlpha(cell: Pick<MapCell, 'valAcc'>): number {
  if (cell.valAcc == null) return 0.08;
  return 0.2 + 0.8 * Math.max(0, Math.min(1, cell.valAcc));
}

/** The cell under a point in index space (x, y rounded to the nearest integer). */
export function cellAt(cells: MapCell[], fx: number, fy: number): MapCell | null {
  const x = Math.round(fx), y = Math.round(fy);
  return cells.find((c) => c.x === x && c.y === y) ?? null;
}

export function formatPct(v: number | null): string {
  return v == null ? '–' : `${(v * 100).toFixed(1)}%`;
}
