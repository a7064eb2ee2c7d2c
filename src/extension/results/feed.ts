// One live feed per results folder, shared by every view of it (curves, regime map, lenses):
// polls the folder with the store's ResultsTail (src/store/tail.ts: only new bytes, only changed
// files) while someone listens. No vscode import.
import { ResultsTail, type TailUpdate } from '../../store/tail';
import type { RunSummary } from '../../store/types';

export type { TailUpdate };

export type FeedListener = (u: TailUpdate) => void;

export class ResultsFeed {
  private readonly tail: ResultsTail;
  private readonly listeners = new Set<FeedListener>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private primed: Promise<void>;

  constructor(readonly dir: string, private intervalMs = 1000) {
    this.tail = new ResultsTail(dir);
    this.primed = this.tail.poll().then(() => undefined);
  }

  /** Until primed, everything already on disk counts as seen (views read it in full first). */
  ready(): Promise<void> {
    return this.primed;
  }

  /** Every run with its state as of the last poll (no file is read). */
  runs(): RunSummary[] {
    return this.tail.runs();
  }

  subscribe(fn: FeedListener): { dispose(): void } {
    this.listeners.add(fn);
    this.schedule();
    return { dispose: () => { this.listeners.delete(fn); if (!this.listeners.size) this.stop(); } };
  }

  /** Faster polling while a sweep runs. */
  setInterval(ms: number): void {
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    this.stop();
    this.schedule();
  }

  /** Polls now (e.g. when a run finished), and tells the listeners. */
  async pollNow(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.primed;
      const u = await this.tail.poll();
      if (u.metrics.size || u.rewound.size || u.statusChanged || u.summaryChanged || u.manifestChanged) for (const l of [...this.listeners]) l(u);
    } finally {
      this.busy = false;
    }
  }

  private schedule(): void {
    if (this.timer || !this.listeners.size) return;
    this.timer = setInterval(() => void this.pollNow(), this.intervalMs);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
    this.listeners.clear();
  }
}
