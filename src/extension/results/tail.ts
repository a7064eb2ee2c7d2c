// Follows a results folder while a sweep writes it: new metrics.jsonl lines per run (by byte offset),
// and whether summary.json / manifest.json changed. Works for sweeps run by this window, by another
// window, or by the CLI. No vscode import.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { EvalRecord } from '../../store/types';
import { parseMetricsLines } from './store';

export interface TailUpdate {
  metrics: Map<string, EvalRecord[]>;
  summaryChanged: boolean;
  manifestChanged: boolean;
}

export class ResultsTail {
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();
  private summaryMtime = 0;
  private manifestMtime = 0;

  constructor(readonly dir: string) {}

  /** Marks everything up to now as seen (after a full read). */
  async prime(): Promise<void> {
    await this.poll();
  }

  async poll(): Promise<TailUpdate> {
    const update: TailUpdate = { metrics: new Map(), summaryChanged: false, manifestChanged: false };
    update.summaryChanged = await this.changed(join(this.dir, 'summary.json'), 'summary');
    update.manifestChanged = await this.changed(join(this.dir, 'manifest.json'), 'manifest');
    let ids: string[] = [];
    try {
      ids = (await fs.readdir(join(this.dir, 'runs'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return update;
    }
    for (const id of ids) {
      const recs = await this.readNew(id);
      if (recs.length) update.metrics.set(id, recs);
    }
    return update;
  }

  private async changed(path: string, which: 'summary' | 'manifest'): Promise<boolean> {
    try {
      const m = (await fs.stat(path)).mtimeMs;
      const prev = which === 'summary' ? this.summaryMtime : this.manifestMtime;
      if (which === 'summary') this.summaryMtime = m; else this.manifestMtime = m;
      return m !== prev;
    } catch {
      return false;
    }
  }

  private async readNew(id: string): Promise<EvalRecord[]> {
    const path = join(this.dir, 'runs', id, 'metrics.jsonl');
    let fh: fs.FileHandle | undefined;
    try {
      fh = await fs.open(path, 'r');
      const size = (await fh.stat()).size;
      let from = this.offsets.get(id) ?? 0;
      if (size < from) { from = 0; this.partial.delete(id); } // rewritten (a restarted run)
      if (size === from) return [];
      const buf = Buffer.alloc(size - from);
      await fh.read(buf, 0, buf.length, from);
      this.offsets.set(id, size);
      const text = (this.partial.get(id) ?? '') + buf.toString('utf8');
      const cut = text.lastIndexOf('\n');
      this.partial.set(id, cut < 0 ? text : text.slice(cut + 1));
      return cut < 0 ? [] : parseMetricsLines(text.slice(0, cut));
    } catch {
      return [];
    } finally {
      await fh?.close();
    }
  }
}
