// CSV writing, once for every export (grok export, Export Results, the curves and regime-map
// panels' CSV buttons): RFC 4180 quoting of any cell with a comma, quote or line break. No imports:
// the webview bundles use it too.

export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',');
}

/** Rows as a CSV document (a newline after every row). */
export function csvText(rows: ReadonlyArray<readonly unknown[]>): string {
  return rows.map(csvRow).join('\n') + '\n';
}
