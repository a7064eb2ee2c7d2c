// The runs table webview's messages (host: src/extension/panels/runsTablePanel.ts). DOM-free.
import { isObject, isSelection, type Selection } from '../shared/protocolBase';

export const RUNS_TABLE_VIEW_TYPE = 'grok.runsTable';

/** One run: every swept axis (params) and every outcome. */
export interface TableRow {
  sweep: string;
  dir: string;
  id: string;
  params: Selection;
  status: string;
  regime: string | null;
  valAcc: number | null;
  trainAcc: number | null;
  valLoss: number | null;
  trainLoss: number | null;
  trainFitStep: number | null;
  valFitStep: number | null;
  lastStep: number;
  stopReason: string | null;
}

export interface RunsTableState { dirs: string[]; sort?: { column: string; descending: boolean }; filter?: string }

export type HostToTable = { type: 'rows'; title: string; axes: string[]; rows: TableRow[] };
export type TableToHost =
  | { type: 'ready' }
  | { type: 'openRun'; dir: string; params: Selection };

export function isHostToTable(x: unknown): x is HostToTable {
  return isObject(x) && x.type === 'rows' && typeof x.title === 'string' && Array.isArray(x.axes) && Array.isArray(x.rows);
}

export function isTableToHost(x: unknown): x is TableToHost {
  if (!isObject(x)) return false;
  if (x.type === 'ready') return true;
  return x.type === 'openRun' && typeof x.dir === 'string' && isSelection(x.params);
}

export function isRunsTableState(x: unknown): x is RunsTableState {
  return isObject(x) && Array.isArray(x.dirs) && x.dirs.every((d) => typeof d === 'string');
}

/** The value a column sorts and filters by. */
export function cellValue(row: TableRow, column: string): string | number | boolean | null {
  if (column.startsWith('param:')) return row.params[column.slice(6)] ?? null;
  return (row as unknown as Record<string, string | number | null>)[column] ?? null;
}

/** Rows whose cells contain every word of `filter` (case-insensitive; `regime=grokking` style also works), sorted. */
export function visibleRows(rows: TableRow[], columns: string[], filter: string, sort?: { column: string; descending: boolean }): TableRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const text = (r: TableRow) => columns.map((c) => `${c.replace(/^param:/, '').split('.').pop()}=${String(cellValue(r, c) ?? '')}`).join(' ').toLowerCase();
  const out = words.length ? rows.filter((r) => { const t = text(r); return words.every((w) => t.includes(w)); }) : rows.slice();
  if (sort) {
    const dir = sort.descending ? -1 : 1;
    out.sort((a, b) => {
      const x = cellValue(a, sort.column), y = cellValue(b, sort.column);
      if (x == null && y == null) return 0;
      if (x == null) return 1;
      if (y == null) return -1;
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * dir;
    });
  }
  return out;
}
