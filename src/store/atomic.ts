// Whole-file writes that a concurrent reader (or a crash) never sees half done: write a temporary
// file next to the target, flush it, then rename over the target. The temporary name is unique per
// process, thread and write; a crash leaves it behind, and removeLeftovers() cleans it up on open.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** `<name>.tmp-<pid>-<thread>-<n>` (and the older `<name>.tmp-<pid>`). */
const TMP_RE = /\.tmp-\d+(-\d+-\d+)?$/;
let counter = 0;

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${threadId}-${counter++}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameWithRetry(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw e;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Windows refuses a rename over a file a reader (or a virus scanner) has open for a moment. */
const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES']);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function renameWithRetry(from: string, to: string, attempts = 8): void {
  for (let i = 0; ; i++) {
    try {
      renameSync(from, to);
      return;
    } catch (e) {
      if (i + 1 >= attempts || !TRANSIENT.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      Atomics.wait(sleeper, 0, 0, 10 * 2 ** i); // 10 ms, 20 ms, ... about 2.5 s in all
    }
  }
}

/** Removes the temporary files a crashed writer left in `dir` (only its writer, holding the lock, calls this). */
export function removeLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed = names.filter((n) => TMP_RE.test(n)).map((n) => join(dir, n));
  for (const p of removed) {
    try { unlinkSync(p); } catch { /* gone already */ }
  }
  return removed;
}
