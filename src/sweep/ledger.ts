// The sweep's runs: state and eval history of each. A state change goes to the sink at once (the
// run's status.json, or the queue's stream); where the whole sweep is kept (the results folder),
// summary.json (the analysis module's summarize over every history) is rewritten atomically, at
// most once a second while training and always at the start and end of a batch.
import { analysisOptionsOf, budgetOf, summarize, summarizeRun, type RunWithHistory } from '../analysis';
import { readRunMetrics, readRunStatus } from '../store/reader';
import type { EvalRecord, Manifest, RunParams, RunStatus, RunSummary, SearchSummary, SweepStatus } from '../store/types';
import type { SweepStore } from '../store/writer';
import type { RunSink, SweepFiles } from './sink';

const SUMMARY_INTERVAL_MS = 1000;

export interface Outcome { stopReason?: string; error?: string }

export interface LedgerOptions {
  /** manifest.json and summary.json; absent on a queue worker (the coordinator writes them). */
  files?: SweepFiles;
  /** Each run's saved state and evals; absent: every run starts pending, with none. */
  saved?: { status(id: string): RunSummary | null; metrics(id: string): EvalRecord[] };
}

export class RunLedger {
  private readonly runs = new Map<string, RunWithHistory>();
  private dirty = false;
  private lastWrite = 0;
  private search: SearchSummary | undefined;

  constructor(private readonly sink: RunSink, private readonly manifest: Manifest, private readonly opts: LedgerOptions = {}) {
    for (const { id, params } of manifest.runs) this.load(id, params);
  }

  /** The ledger of a results folder: states and evals saved there are loaded, summary.json written there. */
  static ofFolder(store: SweepStore, manifest: Manifest): RunLedger {
    return new RunLedger(store, manifest, {
      files: store,
      saved: { status: (id) => readRunStatus(store.dir, id), metrics: (id) => readRunMetrics(store.dir, id) },
    });
  }

  /** Runs planned after the start (adaptive search probes): added to the manifest. Known ids are skipped. */
  addRuns(runs: Array<{ id: string; params: RunParams }>): number {
    const added = runs.filter((r) => !this.runs.has(r.id));
    if (added.length === 0) return 0;
    for (const { id, params } of added) {
      this.manifest.runs.push({ id, params });
      this.load(id, params);
    }
    this.opts.files?.writeManifest(this.manifest);
    this.dirty = true;
    return added.length;
  }

  setSearch(search: SearchSummary): void {
    this.search = search;
    this.dirty = true;
  }

  status(id: string): RunStatus { return this.get(id).status; }

  /** Validation accuracy of the run's last eval (null before its first). */
  finalValAcc(id: string): number | null { return this.get(id).history.at(-1)?.valAcc ?? null; }

  /** The run's evals so far; the batch appends to this array as it records. */
  history(id: string): EvalRecord[] { return this.get(id).history as EvalRecord[]; }

  /** Replaces the history (after a rewind to a checkpoint). */
  resetHistory(id: string, records: EvalRecord[]): EvalRecord[] {
    this.get(id).history = records;
    return records;
  }

  countFinished(): number {
    return [...this.runs.values()].filter((r) => r.status === 'done').length;
  }

  /** Sets a run's state and writes its status.json; returns its summary. */
  setStatus(id: string, status: RunStatus, outcome: Outcome = {}): RunSummary {
    const run = this.get(id);
    Object.assign(run, { status, stopReason: outcome.stopReason, error: outcome.error });
    const summary = summarizeRun(run, analysisOptionsOf(this.manifest.config), budgetOf(this.manifest.config, run.params));
    this.sink.writeRunStatus(summary);
    this.dirty = true;
    return summary;
  }

  /** New evals were recorded. */
  touched(): void { this.dirty = true; }

  /** Writes summary.json if something changed and the last write is a second old (or `force`). */
  writeSummary(status: SweepStatus, force = false): void {
    const files = this.opts.files;
    const now = Date.now();
    if (!files || (!force && (!this.dirty || now - this.lastWrite < SUMMARY_INTERVAL_MS))) return;
    const runs = this.manifest.runs.map((r) => this.get(r.id));
    files.writeSummary({
      ...summarize(runs, this.manifest.config, { configHash: this.manifest.configHash, updatedAt: new Date(now).toISOString() }),
      status,
      ...(this.search ? { search: this.search } : {}),
    });
    this.dirty = false;
    this.lastWrite = now;
  }

  private load(id: string, params: RunParams): void {
    const saved = this.opts.saved?.status(id) ?? null;
    const run: RunWithHistory = { id, params, status: saved?.status ?? 'pending', history: this.opts.saved?.metrics(id) ?? [] };
    if (saved?.stopReason) run.stopReason = saved.stopReason;
    if (saved?.error) run.error = saved.error;
    // 'running' on disk is a session that died: the run was interrupted.
    if (run.status === 'running') Object.assign(run, { status: 'stopped', stopReason: 'interrupted' });
    this.runs.set(id, run);
  }

  private get(id: string): RunWithHistory {
    const run = this.runs.get(id);
    if (!run) throw new Error(`run ${id} is not in the manifest`);
    return run;
  }
}
