// Follows a results folder while a sweep writes it (a sweep of this window, of another one, of the
// CLI or of a queue coordinator: the folder is the one source of truth). Incremental: each poll
// reads only the new bytes of each metrics.jsonl, a run's status.json only when it changed, the
// manifest only when it changed; a file whose size and mtime did not move is not opened.
import { promises as fs } from 'node:fs';
import { parseJsonlLines } from './jsonl';
import { manifestPath, metricsPath, statusPath, summaryPath } from './layout';
import { manifestProblem, pendingRun } from './reader';
import type { EvalRecord, Manifest, RunSummary } from './types';

export interface TailUpdate {
  /** New eval records of each run since the last poll (of a rewound run: all its records). */
  metrics: Map<string, EvalRecord[]>;
  /** Runs whose metrics.jsonl got shorter (a resume cut it back to a checkpoint): their earlier records are void. */
  rewound: Set<string>;
  /** Some run's status.json changed (runs() has the new states). */
  statusChanged: boolean;
  summaryChanged: boolean;
  manifestChanged: boolean;
}

interface FileMark { size: number; mtimeMs: number }

export class ResultsTail {
  private manifestData: Manifest | null = null;
  private readonly marks = new Map<string, FileMark>();
  private readonly offsets = new Map<string, number>();
  private readonly statuses = new Map<string, RunSummary>();

  constructor(readonly dir: string) {}

  /** The manifest as of the last poll (null before one exists). */
  manifest(): Manifest | null {
    return this.manifestData;
  }

  /** Every run of the manifest with its state as of the last poll (pending ones too). */
  runs(): RunSummary[] {
    return (this.manifestData?.runs ?? []).map((r) => this.statuses.get(r.id) ?? pendingRun(r.id, r.params));
  }

  async poll(): Promise<TailUpdate> {
    const update: TailUpdate = { metrics: new Map(), rewound: new Set(), statusChanged: false, summaryChanged: false, manifestChanged: false };
    update.summaryChanged = (await this.changed(summaryPath(this.dir))) !== null;
    if ((await this.changed(manifestPath(this.dir))) !== null) {
      const manifest = await readJson<Manifest>(manifestPath(this.dir));
      // A damaged or hand-edited manifest is not followed (its run ids name the files read next).
      if (manifest && !manifestProblem(manifest, { config: false })) { this.manifestData = manifest; update.manifestChanged = true; } else this.marks.delete(manifestPath(this.dir));
    }
    for (const { id } of this.manifestData?.runs ?? []) {
      if ((await this.changed(statusPath(this.dir, id))) !== null) {
        const status = await readJson<RunSummary>(statusPath(this.dir, id));
        if (status) { this.statuses.set(id, status); update.statusChanged = true; } else this.marks.delete(statusPath(this.dir, id));
      }
      await this.readMetrics(id, update);
    }
    return update;
  }

  /** The file's new mark when its size or mtime moved since the last look (then remembered), else null. */
  private async changed(path: string): Promise<FileMark | null> {
    let mark: FileMark;
    try {
      const st = await fs.stat(path);
      mark = { size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return null;
    }
    const before = this.marks.get(path);
    if (before && before.size === mark.size && before.mtimeMs === mark.mtimeMs) return null;
    this.marks.set(path, mark);
    return mark;
  }

  private async readMetrics(id: string, update: TailUpdate): Promise<void> {
    const path = metricsPath(this.dir, id);
    const mark = await this.changed(path);
    if (!mark) return;
    let from = this.offsets.get(id) ?? 0;
    if (mark.size < from) { from = 0; update.rewound.add(id); } // cut back on resume: read it again
    if (mark.size === from) return;
    let fh: fs.FileHandle | undefined;
    try {
      fh = await fs.open(path, 'r');
      const buf = Buffer.alloc(mark.size - from);
      const { bytesRead } = await fh.read(buf, 0, buf.length, from);
      // Damaged lines are skipped, as every reader of the folder skips them.
      const lines = parseJsonlLines<EvalRecord>(buf.subarray(0, bytesRead));
      const records = lines.records.filter((r) => typeof r.step === 'number');
      this.offsets.set(id, from + lines.consumed); // an incomplete last line is read again next time
      if (records.length) update.metrics.set(id, records);
    } catch {
      // gone or unreadable for now: the next poll tries again
      this.marks.delete(path);
    } finally {
      await fh?.close();
    }
  }
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as T;
  } catch {
    return null; // replaced by rename: never half written; missing or damaged: the next change is read
  }
}
