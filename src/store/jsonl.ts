// Append-only JSON-lines files (metrics.jsonl). A process killed mid-append leaves a torn last
// line: readers skip it, and resume truncates it away before appending again.
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';

export interface JsonlContents<T> {
  records: T[];
  /** Byte offset where each record's line ends, newline included. */
  lineEnds: number[];
  /** True when the file ends in an incomplete or unparsable line (ignored). */
  tornTail: boolean;
  /** 1-based numbers of damaged lines before the last (skipped): the run needs repair (see repair.ts). */
  damagedLines: number[];
}

/** Appends one record as one line; appendFileSync hands it to the OS before returning. */
export function appendJsonl(path: string, record: unknown): void {
  appendFileSync(path, JSON.stringify(record) + '\n');
}

/**
 * Reads every complete record. A torn or corrupt LAST line is a write cut short (tornTail); a
 * corrupt line anywhere else is damage: it is skipped and its number listed in damagedLines, so
 * that a reader shows the rest and the writer can quarantine the run, instead of refusing.
 */
export function readJsonl<T>(path: string): JsonlContents<T> {
  const out: JsonlContents<T> = { records: [], lineEnds: [], tornTail: false, damagedLines: [] };
  if (!existsSync(path)) return out;
  const buf = readFileSync(path);
  let start = 0;
  let line = 1;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    const text = buf.subarray(start, end).toString('utf8');
    let parsed: T | undefined;
    if (nl !== -1 && text.trim() !== '') {
      try { parsed = JSON.parse(text) as T; } catch { parsed = undefined; }
      if (parsed === null || typeof parsed !== 'object') parsed = undefined;
    }
    if (parsed === undefined) {
      const isLast = nl === -1 || nl + 1 >= buf.length;
      if (isLast) { out.tornTail = true; break; }
      out.damagedLines.push(line);
    } else {
      out.records.push(parsed);
      out.lineEnds.push(nl + 1);
    }
    start = nl + 1;
    line++;
  }
  return out;
}

/** Keeps the first `count` records of a JSONL file and cuts everything after them. */
export function truncateJsonl(path: string, contents: JsonlContents<unknown>, count: number): void {
  if (!existsSync(path)) return;
  truncateSync(path, count === 0 ? 0 : contents.lineEnds[count - 1]);
}
