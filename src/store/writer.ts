// Write side of the results store, used only by the sweep runner inside the worker process.
import { existsSync } from 'node:fs';
import { makeDirs } from '../util/dirs';
import { writeJsonAtomic } from './atomic';
import { ensureGrokGitignore } from './gitignore';
import { latestCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoints';
import { appendJsonl, readJsonl, truncateJsonl } from './jsonl';
import { manifestPath, metricsPath, runDir, statusPath, summaryPath } from './layout';
import type { ResultsLock } from './lock';
import type { EvalRecord, Manifest, RunSummary, Summary } from './types';

export class SweepStore {
  /** `lock`: the folder's writer lock, held until close() (see lock.ts). */
  constructor(readonly dir: string, private readonly lock: ResultsLock | null = null) {}

  /** Gives up the folder's lock: another writer may open it now. */
  close(): void {
    this.lock?.release();
  }

  writeManifest(manifest: Manifest): void {
    makeDirs(this.dir);
    ensureGrokGitignore(this.dir);
    writeJsonAtomic(manifestPath(this.dir), manifest);
  }

  writeSummary(summary: Summary): void {
    writeJsonAtomic(summaryPath(this.dir), summary);
  }

  writeRunStatus(run: RunSummary): void {
    this.ensureRunDir(run.id);
    writeJsonAtomic(statusPath(this.dir, run.id), run);
  }

  /** One eval: appended and handed to the OS before the next training step. */
  appendMetrics(id: string, record: EvalRecord): void {
    appendJsonl(metricsPath(this.dir, id), record);
  }

  saveCheckpoint(id: string, step: number, bytes: Uint8Array): void {
    this.ensureRunDir(id);
    writeCheckpoint(this.dir, id, step, bytes);
  }

  loadCheckpoint(id: string, step: number): Uint8Array {
    return readCheckpoint(this.dir, id, step);
  }

  latestCheckpoint(id: string): number | null {
    return latestCheckpoint(this.dir, id);
  }

  /**
   * Makes the run's metrics agree with a restart from `step`: records after it (computed after the
   * checkpoint, so they will be computed again) and a torn last line are cut. Returns the kept records.
   */
  rewindMetrics(id: string, step: number): EvalRecord[] {
    const path = metricsPath(this.dir, id);
    const contents = readJsonl<EvalRecord>(path);
    let keep = 0;
    while (keep < contents.records.length && contents.records[keep]!.step <= step) keep++;
    if (keep < contents.records.length || contents.tornTail) truncateJsonl(path, contents, keep);
    return contents.records.slice(0, keep);
  }

  private ensureRunDir(id: string): void {
    const d = runDir(this.dir, id);
    if (!existsSync(d)) makeDirs(d);
  }
}
