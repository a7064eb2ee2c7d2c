// The regime map as a table (the keyboard and screen-reader view): rows are data sizes, largest on
// top as on the chart; columns are model sizes. DOM-free (unit-tested).
import { formatPct } from './geometry';
import { REGIMES, type MapCell, type MapData } from './protocol';

export interface TableCell {
  cell: MapCell | null;
  /** What the cell says: regime, mean validation accuracy, finished/total runs. */
  text: string;
  /** The full sentence for assistive technology. */
  label: string;
}

export interface MapTable {
  corner: string;
  columns: string[];
  rows: Array<{ header: string; cells: TableCell[] }>;
  /** Below the grid: D_crit per model size as the lens reads it (bracket first), and D_mem when
   *  measured; the chart shows them only on hover, and not at all off the grid. */
  footer: Array<{ header: string; cells: string[] }>;
}

export function mapTable(map: MapData): MapTable {
  const byXY = new Map(map.cells.map((c) => [`${c.x},${c.y}`, c]));
  const short = (p: string) => p.slice(p.lastIndexOf('.') + 1);
  const rows = map.yAxis.values.map((yv, j) => ({
    header: `${short(map.yAxis.path)}=${yv}`,
    cells: map.xAxis.values.map((xv, i): TableCell => {
      const c = byXY.get(`${i},${j}`) ?? null;
      const where = `${map.xAxis.path} ${xv}, ${map.yAxis.path} ${yv}`;
      if (!c) return { cell: null, text: '–', label: `${where}: no runs` };
      const seeds = REGIMES.filter((r) => c.counts[r]).map((r) => `${c.counts[r]} ${r}`).join(', ');
      const text = `${c.regime ?? 'pending'} · ${formatPct(c.valAcc)} · ${c.finished}/${c.runs}`;
      return { cell: c, text, label: `${where}: ${c.regime ?? 'pending'}${seeds ? ` (${seeds})` : ''}, validation accuracy ${formatPct(c.valAcc)}, ${c.finished} of ${c.runs} runs finished` };
    }),
  })).reverse();
  const lineText = (l: MapData['dCrit'][number] | undefined): string =>
    !l ? '–' : l.text ?? (l.value == null ? '–' : `${l.kind === 'not-reached' ? '≥ ' : ''}${l.value}`);
  const footer = [
    ...(map.dCrit.length ? [{ header: `D_crit (ε=${map.epsilon})`, cells: map.xAxis.values.map((_, i) => lineText(map.dCrit.find((l) => l.x === i))) }] : []),
    ...(map.dMem.length ? [{ header: 'D_mem (measured)', cells: map.xAxis.values.map((_, i) => lineText(map.dMem.find((l) => l.x === i))) }] : []),
  ];
  return { corner: `${short(map.yAxis.path)} \\ ${short(map.xAxis.path)}`, columns: map.xAxis.values.map((v) => `${short(map.xAxis.path)}=${v}`), rows, footer };
}
