// A bump allocator of byte offsets in the shared memory (16-byte aligned, for v128 loads).
import type { Ptr } from './backend';

export class Arena {
  constructor(private end: number) {}

  /** Room for `floats` 4-byte elements (f32 or i32). */
  alloc(floats: number): Ptr {
    const at = this.end;
    this.end += Math.ceil(Math.max(1, floats) / 4) * 16;
    return at;
  }

  get size(): number { return this.end; }
}
