// One writer per results folder. Every writer (the CLI, the extension's worker, the queue
// coordinator) holds `grok.lock` in the folder while it writes: a file created exclusively (O_EXCL)
// that names the process id, host and start time of its holder. A second writer is refused with a
// message naming the holder. A lock whose process is gone (killed, crashed) on this host is stale:
// the next writer takes it over and says so. Readers may look at the holder, never take the lock.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../util/dirs';
import { UserError } from '../util/userError';

export const LOCK_FILE = 'grok.lock';
export const lockPath = (dir: string): string => join(dir, LOCK_FILE);

export interface LockHolder {
  pid: number;
  host: string;
  /** When the lock was taken (ISO time). */
  startedAt: string;
  /** Who writes: "grok sweep", "grok resume", "the extension", "the queue coordinator". */
  owner: string;
  /** Unique per acquisition, so that a holder never removes a lock that is no longer its own. */
  token: string;
}

/** The holder of a folder's lock, and whether it is alive as far as this host can tell. */
export interface LockState {
  holder: LockHolder;
  /** false: a dead process on this host (stale). true: alive, or on another host (unknown). */
  alive: boolean;
}

export class ResultsLock {
  private released = false;

  private constructor(readonly dir: string, readonly holder: LockHolder) {}

  /**
   * Takes the lock of `dir` (created if missing) for `owner`; a stale lock is taken over and
   * `log` says so. Throws UserError naming the holder when another live process writes `dir`.
   */
  static acquire(dir: string, owner: string, log: (message: string) => void = () => undefined): ResultsLock {
    makeDirs(dir);
    const holder: LockHolder = {
      pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), owner,
      token: `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
    };
    const path = lockPath(dir);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(path, JSON.stringify(holder, null, 2) + '\n')) return new ResultsLock(dir, holder);
      const state = readLock(dir);
      if (!state) continue; // removed (or still being written) between our attempt and the read: try again
      if (state.alive) throw new UserError(heldMessage(dir, state.holder));
      // Stale: move it aside under a unique name (only one taker's rename can succeed), then retry.
      const aside = `${path}.stale-${holder.token}`;
      try {
        renameSync(path, aside);
        const moved = parseHolder(readFileSync(aside, 'utf8'));
        if (moved && moved.token !== state.holder.token) {
          // Another writer took the stale lock over between our read and our rename: give it back.
          renameSync(aside, path);
          throw new UserError(heldMessage(dir, moved));
        }
        unlinkSync(aside);
      } catch (e) {
        if (e instanceof UserError) throw e;
        continue;
      }
      log(`${dir}: took over the lock of ${describeHolder(state.holder)}, which is no longer running (it was killed or crashed)`);
    }
    throw new UserError(`${dir}: could not take the results lock ${path} (it keeps changing hands); is another grok writing this folder?`);
  }

  /** Gives the lock up; a lock that has since been taken over by another writer is left alone. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const state = readLock(this.dir);
    if (state?.holder.token !== this.holder.token) return;
    try { unlinkSync(lockPath(this.dir)); } catch { /* already gone */ }
  }

  /** --fresh renamed the folder, with this lock in it, to `aside`: lock the (new) folder again instead. */
  movedAside(aside: string, log?: (message: string) => void): ResultsLock {
    const next = ResultsLock.acquire(this.dir, this.holder.owner, log);
    this.released = true;
    if (readLock(aside)?.holder.token === this.holder.token) {
      try { unlinkSync(lockPath(aside)); } catch { /* already gone */ }
    }
    return next;
  }
}

/** The lock of `dir`, or null when no writer holds it (or it cannot be read). */
export function readLock(dir: string): LockState | null {
  let text: string;
  try {
    text = readFileSync(lockPath(dir), 'utf8');
  } catch {
    return null;
  }
  const holder = parseHolder(text);
  if (!holder) return null;
  return { holder, alive: holder.host !== hostname() || processAlive(holder) };
}

/** "the extension (pid 123 on host, since 2026-...)" */
export function describeHolder(h: LockHolder): string {
  return `${h.owner} (pid ${h.pid} on ${h.host}, since ${h.startedAt})`;
}

function heldMessage(dir: string, h: LockHolder): string {
  return `${dir} is being written by ${describeHolder(h)}; two writers would mix their results. `
    + `Wait for it to finish, stop it, or use another --out DIR.${h.host !== hostname()
      ? ` If that process is gone (its machine crashed), delete ${lockPath(dir)}.` : ''}`;
}

function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.token !== 'string') return null;
    return { pid: h.pid, host: h.host, token: h.token, startedAt: String(h.startedAt ?? '?'), owner: String(h.owner ?? 'grok') };
  } catch {
    return null;
  }
}

/**
 * Whether the holder still runs: its pid exists and (on Linux) started no later than the lock was
 * taken — a pid reused by a newer process after a crash does not keep a stale lock alive.
 */
function processAlive(h: LockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartMs(h.pid);
  const locked = Date.parse(h.startedAt);
  return started === null || Number.isNaN(locked) || started <= locked + 2000;
}

/** Start time of a process from /proc (Linux), or null elsewhere. */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux architecture node runs on.
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}
