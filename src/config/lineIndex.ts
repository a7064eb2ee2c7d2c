// Offsets in a text <-> line positions: the one place that knows where lines break (\n, \r\n, and a
// lone \r, as editors count them). 1-based line:column for messages (file:line:col), 0-based
// line/character for editor positions (the extension's lenses and diagnostics). No imports.

export interface Pos { line: number; character: number }
export interface Span { start: Pos; end: Pos }

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // \r\n counts once; a lone \r is a line break too.
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  /** 0-based line and character of an offset (clamped to the text). */
  position(offset: number): Pos {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.startOf(mid) <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - this.startOf(lo) };
  }

  /** 1-based line and column, for messages. */
  lineColumn(offset: number): { line: number; column: number } {
    const p = this.position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  }

  span(offset: number, length: number): Span {
    return { start: this.position(offset), end: this.position(offset + length) };
  }

  /** The offset of a 0-based position (clamped to the text). */
  offset(pos: Pos): number {
    const start = this.startOf(Math.min(pos.line, this.starts.length - 1));
    return Math.min(start + pos.character, this.text.length);
  }

  private startOf(line: number): number {
    return this.starts[line] ?? 0;
  }
}
