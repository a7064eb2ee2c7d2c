// The runs table: one row per run with every swept axis and every outcome; sortable (click or Enter
// on a header), filterable (words match any cell, e.g. "grokking dModel=32"); Enter or double-click
// on a row opens that run's curves.
import { isHostToTable, visibleRows, cellValue, type RunsTableState, type TableRow, type TableToHost } from './protocol';
import { vscodeApi } from '../shared/vscode';
import { regimeColorOf } from '../shared/palette';

const vscode = vscodeApi<TableToHost, RunsTableState>();
const state: RunsTableState = vscode.getState() ?? { dirs: [] };
let rows: TableRow[] = [];
let axes: string[] = [];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const OUTCOMES: Array<[string, string]> = [
  ['status', 'status'], ['regime', 'regime'], ['valAcc', 'val acc'], ['trainAcc', 'train acc'], ['valLoss', 'val loss'], ['trainLoss', 'train loss'],
  ['trainFitStep', 'train fit step'], ['valFitStep', 'val fit step'], ['lastStep', 'last step'], ['stopReason', 'stop reason'],
];

function columns(): Array<[string, string]> {
  const multi = new Set(rows.map((r) => r.sweep)).size > 1;
  return [...(multi ? [['sweep', 'sweep'] as [string, string]] : []), ['id', 'run'], ...axes.map((a): [string, string] => [`param:${a}`, a.split('.').pop()!]), ...OUTCOMES];
}

const fmt = (col: string, v: unknown) => v == null ? '–' : typeof v === 'number' && /Acc$/.test(col) ? `${(100 * v).toFixed(1)}%` : typeof v === 'number' && /Loss$/.test(col) ? v.toPrecision(3) : String(v);

function render(): void {
  const cols = columns();
  const shown = visibleRows(rows, cols.map((c) => c[0]), state.filter ?? '', state.sort);
  const table = $<HTMLTableElement>('runs');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const [key, label] of cols) {
    const th = document.createElement('th');
    th.scope = 'col';
    const b = document.createElement('button');
    b.className = 'sort';
    const sorted = state.sort?.column === key;
    b.textContent = `${label}${sorted ? (state.sort!.descending ? ' ▼' : ' ▲') : ''}`;
    th.setAttribute('aria-sort', sorted ? (state.sort!.descending ? 'descending' : 'ascending') : 'none');
    b.addEventListener('click', () => {
      state.sort = { column: key, descending: sorted ? !state.sort!.descending : false };
      vscode.setState(state);
      render();
      table.querySelector<HTMLButtonElement>(`th:nth-child(${cols.findIndex((c) => c[0] === key) + 1}) button`)?.focus();
    });
    th.append(b);
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of shown) {
    const tr = body.insertRow();
    tr.tabIndex = 0;
    const open = () => vscode.post({ type: 'openRun', dir: r.dir, params: r.params });
    tr.addEventListener('dblclick', open);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open();
      if (e.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
      if (e.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
    });
    for (const [key] of cols) {
      const td = tr.insertCell();
      const v = cellValue(r, key);
      if (key === 'regime' && v) {
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = regimeColorOf(String(v));
        td.append(sw);
      }
      td.append(document.createTextNode(fmt(key, v)));
      if (typeof v === 'number') td.className = 'num';
    }
  }
  $('status').textContent = `${shown.length} of ${rows.length} runs${state.filter ? ` match "${state.filter}"` : ''} · Enter or double-click a row for its curves`;
  document.body.dataset.rows = String(shown.length);
}

const filter = $<HTMLInputElement>('filter');
filter.value = state.filter ?? '';
filter.addEventListener('input', () => { state.filter = filter.value; vscode.setState(state); render(); });

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isHostToTable(e.data)) return;
  rows = e.data.rows;
  axes = e.data.axes;
  $('title').textContent = e.data.title;
  state.dirs = [...new Set(rows.map((r) => r.dir))];
  vscode.setState(state);
  render();
});
vscode.post({ type: 'ready' });
