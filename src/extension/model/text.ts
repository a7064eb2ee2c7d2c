// Offsets in a text ↔ zero-based line/character positions (no vscode import: unit-testable).

export interface Pos { line: number; character: number }
export interface Span { start: Pos; end: Pos }

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Pos {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }
  span(offset: number, length: number): Span {
    return { start: this.position(offset), end: this.position(offset + length) };
  }
  offset(pos: Pos): number {
    const start = this.starts[Math.min(pos.line, this.starts.length - 1)] ?? 0;
    return Math.min(start + pos.character, this.text.length);
  }
}
