// The sweep's run states: every change goes to the run's status.json at once; summary.json is
// rewritten (atomically) when asked, at most once per eval of a batch.
import { readRunStatus, pendingRun } from '../../store/reader';
import type { Manifest, RunSummary, SweepStatus } from '../../store/types';
import type { SweepStore } from '../../store/writer';
import { summarizeSweep } from './summary';

export class RunLedger {
  private readonly runs = new Map<string, RunSummary>();
  private dirty = false;

  constructor(private readonly store: SweepStore, private readonly manifest: Manifest) {
    for (const r of manifest.runs) this.runs.set(r.id, readRunStatus(store.dir, r.id) ?? pendingRun(r.id, r.params));
  }

  get(id: string): RunSummary {
    return this.runs.get(id)!;
  }

  /** Finished runs are skipped on resume; stopped, failed and interrupted ones train on. */
  isFinished(id: string): boolean {
    return this.get(id).status === 'done';
  }

  countFinished(): number {
    let n = 0;
    for (const r of this.runs.values()) if (r.status === 'done') n++;
    return n;
  }

  set(run: RunSummary): void {
    this.runs.set(run.id, run);
    this.store.writeRunStatus(run);
    this.dirty = true;
  }

  writeSummary(status: SweepStatus, force = false): void {
    if (!this.dirty && !force) return;
    this.store.writeSummary(summarizeSweep(this.manifest, this.manifest.runs.map((r) => this.get(r.id)), status));
    this.dirty = false;
  }
}
