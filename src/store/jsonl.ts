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

/** The complete lines of a chunk of a JSONL file that starts at a line start. */
export interface JsonlLines<T> {
  records: T[];
  /** Where each record's line ends (newline included), counted from `base`. */
  lineEnds: number[];
  /** Bytes of the chunk read: every complete line (an incomplete last line is left unread). */
  consumed: number;
  /** Complete lines read. */
  lines: number;
  /** 1-based numbers of the complete lines that are not JSON records (skipped). */
  badLines: number[];
}

/** Parses the complete lines of `buf`, skipping (and listing) those that are not records. The one JSONL line reader. */
export function parseJsonlLines<T>(buf: Uint8Array, base = 0): JsonlLines<T> {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: JsonlLines<T> = { records: [], lineEnds: [], consumed: 0, lines: 0, badLines: [] };
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl === -1) break;
    out.lines++;
    const text = bytes.subarray(start, nl).toString('utf8');
    let parsed: unknown;
    if (text.trim() !== '') {
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    }
    if (parsed === null || typeof parsed !== 'object') out.badLines.push(out.lines);
    else {
      out.records.push(parsed as T);
      out.lineEnds.push(base + nl + 1);
    }
    start = nl + 1;
  }
  out.consumed = start;
  return out;
}

/**
 * Reads every complete record. A torn or corrupt LAST line is a write cut short (tornTail); a
 * corrupt line anywhere else is damage: it is skipped and its number listed in damagedLines, so
 * that a reader shows the rest and the writer can quarantine the run, instead of refusing.
 */
export function readJsonl<T>(path: string): JsonlContents<T> {
  if (!existsSync(path)) return { records: [], lineEnds: [], tornTail: false, damagedLines: [] };
  const buf = readFileSync(path);
  const lines = parseJsonlLines<T>(buf);
  let tornTail = lines.consumed < buf.length;
  const damagedLines = lines.badLines;
  if (!tornTail && damagedLines.at(-1) === lines.lines) {
    damagedLines.pop();
    tornTail = true;
  }
  return { records: lines.records, lineEnds: lines.lineEnds, tornTail, damagedLines };
}

/** Keeps the first `count` records of a JSONL file and cuts everything after them. */
export function truncateJsonl(path: string, contents: JsonlContents<unknown>, count: number): void {
  if (!existsSync(path)) return;
  truncateSync(path, count === 0 ? 0 : contents.lineEnds[count - 1]);
}
