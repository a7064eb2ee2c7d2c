// `grok sweep FILE --queue URL` / `grok resume DIR` of a queued sweep: the coordinator. It opens the
// results folder exactly like a local sweep (openSweep: manifest, resume, --fresh), submits the
// sweep's batches as BullMQ jobs (idempotent ids; failed ones are retried), then reads the sweep's
// Redis Stream from the cursor kept in queue.json into the same files a local sweep writes
// (runs/<id>/metrics.jsonl, status.json, the final checkpoint, summary.json), so every reader of a
// local sweep (curves, regime map, CodeLens, status, export) works unchanged. It is a SweepHandle
// emitting the same SweepEvents as a local sweep, so `followSweep` shows it and the extension drives it.
// Closing it (cancel, Ctrl-C, a kill) loses nothing: the workers go on, and the next coordinator
// catches up from the cursor, dropping records it already has (same run id and step).
import { dirname, resolve } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { readRunStatus } from '../../store/reader';
import type { Manifest, SweepStatus } from '../../store/types';
import type { SweepStore } from '../../store/writer';
import type { Dataset } from '../../trainer/tasks/types';
import type { SweepDeps } from '../deps';
import { errorEvent, PROGRESS_INTERVAL_MS, SweepEmitter, UserError, type LogLevel, type SweepHandle, type SweepResult } from '../events';
import { RunLedger } from '../ledger';
import { estimateModelBytes } from '../memory';
import { openSweep, type OpenedSweep } from '../open';
import type { SweepOptions } from '../options';
import { projectDeps } from '../projectDeps';
import { ProgressMeter } from '../progressMeter';
import { defaultMemoryBudget } from '../runner';
import { datasetKey, type PlannedRun } from '../schedule';
import { DirCheckpoints, RedisCheckpoints, type CheckpointStore } from './checkpoints';
import { assertNoQueueSecrets } from './configGuard';
import { checkConnection, durableOptions, type RedisTarget } from './connection';
import { planJobs, type PlannedJob } from './plan';
import { decodeEvent, DEFAULT_QUEUE_NAME, JOB_NAME, PROTOCOL_VERSION, streamKey, type BatchJobData, type StreamEntry } from './protocol';
import { readQueueState, writeQueueState, type QueueState } from './state';

export interface QueueSweepOptions extends SweepOptions {
  target: RedisTarget;
  queueName?: string;
  /** Tries per job before its runs are marked failed (BullMQ `attempts`). */
  attempts?: number;
  /** First retry delay (exponential backoff). */
  backoffMs?: number;
  /** At most this many runs a job (a big lock-step batch is cut so that more workers share it). */
  runsPerJob?: number;
  /** The workers' --checkpoint-dir, to copy the final weights from (default: Redis). */
  checkpointDir?: string;
  /** Submit and return, without following the stream. */
  detach?: boolean;
  /** Project dependencies (tests may pass others); the coordinator never trains. */
  deps?: Omit<SweepDeps, 'createTrainer'>;
  /** How often job states are checked for failures (ms). */
  pollMs?: number;
  /** XREAD BLOCK timeout (ms): also the longest a cancel waits. */
  blockMs?: number;
}

const SEARCH_IS_LOCAL = 'an adaptive search ("search") plans its runs from the results as they come, so it runs locally only: drop --queue, or sweep the data size as a grid axis';
const READ_COUNT = 1000;
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 5000;
const DEFAULT_POLL_MS = 2000;
/** Completed and failed jobs are kept this long, so that a later submission stays a no-op. */
const KEEP_JOBS_SEC = 30 * 24 * 3600;

export function startQueueSweep(options: QueueSweepOptions): SweepHandle {
  return new QueueSweep(options);
}

class QueueSweep extends SweepEmitter implements SweepHandle {
  readonly done: Promise<SweepResult>;
  readonly pid = undefined;
  private cancelled = false;
  private outDir: string | null = null;
  /** The results folder, locked while this coordinator writes it. */
  private store: SweepStore | null = null;
  private readonly clients: Redis[] = [];
  private queue: Queue | null = null;

  constructor(private readonly opts: QueueSweepOptions) {
    super();
    // Start on the next turn: the caller attaches its listeners first.
    this.done = new Promise<void>((r) => setImmediate(r)).then(() => this.run()).then(
      (result) => result,
      (e: Error) => {
        this.deliver(errorEvent(e));
        const result: SweepResult = { status: 'failed', outDir: this.outDir, error: e.message };
        this.deliver({ type: 'done', status: 'failed', outDir: this.outDir, error: e.message });
        return result;
      },
    ).finally(() => { this.store?.close(); return this.closeConnections(); });
  }

  /** The folder is free again before anyone hears that this sweep is done. */
  override deliver(event: Parameters<SweepEmitter['deliver']>[0]): void {
    if (event.type === 'done') this.store?.close();
    super.deliver(event);
  }

  /** Stops following (within blockMs); the workers go on with the queued jobs. */
  cancel(): void { this.cancelled = true; }
  pause(): void { /* the workers own the training */ }
  resume(): void { /* the workers own the training */ }

  private log(message: string, level: LogLevel = 'info'): void {
    this.deliver({ type: 'log', level, message });
  }

  private async run(): Promise<SweepResult> {
    const { opts } = this;
    const deps = opts.deps ?? projectDeps;
    const { store, manifest, runs, resumed } = await this.open(deps);
    const ledger = RunLedger.ofFolder(store, manifest);
    // The ledger reads 'running' as an interrupted local session; here the run is still with a worker.
    for (const { id } of manifest.runs) if (readRunStatus(store.dir, id)?.status === 'running') ledger.setStatus(id, 'running');
    const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
    this.deliver({
      type: 'started', outDir: store.dir, name: manifest.name, runsTotal: runs.length, runsDone: ledger.countFinished(), resumed,
      device: { kind: 'queue', description: `the workers of queue "${queueName}" at ${opts.target.display}` },
    });
    const { jobs, state } = await this.planAndSubmit(deps, store, manifest, runs, ledger, queueName);
    ledger.writeSummary('running', true);
    if (opts.detach) {
      this.log(`submitted; the workers train it. Follow it (and collect the results into ${store.dir}) with: grok resume ${store.dir}`);
      this.deliver({ type: 'done', status: 'running', outDir: store.dir });
      return { status: 'running', outDir: store.dir };
    }
    const checkpoints: CheckpointStore = opts.checkpointDir ? new DirCheckpoints(opts.checkpointDir, manifest.configHash) : new RedisCheckpoints(this.client(), manifest.configHash);
    const queue = this.queue;
    if (!queue) throw new Error('the queue closed before the sweep was followed');
    const follower = new StreamFollower({
      store, manifest, runs, ledger, jobs, state, checkpoints, queue, reader: this.client(), queueName,
      target: opts.target, pollMs: opts.pollMs ?? DEFAULT_POLL_MS, blockMs: opts.blockMs ?? 1000,
      emit: (e) => this.deliver(e),
    });
    const status = await follower.follow(() => this.cancelled);
    this.deliver({ type: 'done', status, outDir: store.dir });
    return { status, outDir: store.dir };
  }

  /** Opens the results folder as a local sweep does; refuses a search (it plans from results as they come) and a config that holds queue secrets. */
  private async open(deps: Omit<SweepDeps, 'createTrainer'>): Promise<OpenedSweep> {
    const { opts } = this;
    if (opts.configPath) {
      try {
        assertNoQueueSecrets(resolve(opts.configPath));
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    }
    await checkConnection(opts.target); // before anything is written: a bad URL or password fails in seconds
    const opened = await openSweep({ writer: 'the queue coordinator', ...opts }, {
      ...deps,
      loadConfig: async (path, loadOpts) => {
        const config = await deps.loadConfig(path, loadOpts);
        if (config.search) throw new UserError(`${path}: ${SEARCH_IS_LOCAL}`);
        return config;
      },
      createTrainer: () => Promise.reject(new Error('the coordinator does not train')),
    }, (message) => this.log(message, 'warn'));
    this.store = opened.store;
    if (opened.manifest.config.search) throw new UserError(`${opened.manifest.configPath}: ${SEARCH_IS_LOCAL}`);
    this.outDir = opened.store.dir;
    if (opened.movedAside) this.log(`--fresh: moved the previous results to ${opened.movedAside}`);
    return opened;
  }

  /** Plans the sweep's jobs (the same ids as any earlier submission), submits the missing ones and writes queue.json. */
  private async planAndSubmit(deps: Omit<SweepDeps, 'createTrainer'>, store: SweepStore, manifest: Manifest, runs: PlannedRun[], ledger: RunLedger,
    queueName: string): Promise<{ jobs: PlannedJob[]; state: QueueState }> {
    const { opts } = this;
    const hash = manifest.configHash;
    const key = streamKey(hash);
    // Plan every run of the sweep (not only the unfinished ones), so that job ids stay the same.
    const configDir = dirname(manifest.configPath);
    const datasets = new Map<string, Dataset>();
    const plannable: PlannedRun[] = [];
    for (const run of runs) {
      const dk = datasetKey(run.config);
      try {
        if (!datasets.has(dk)) datasets.set(dk, await deps.buildDataset(run.config, configDir));
        plannable.push(run);
      } catch (e) {
        ledger.setStatus(run.id, 'failed', { error: (e as Error).message });
        this.deliver({ type: 'error', message: (e as Error).message, runId: run.id });
      }
    }
    // A later submission (or `grok resume`) plans with the first one's parameters, so its job ids match.
    const previous = readQueueState(store.dir);
    const same = previous && previous.configHash === hash && previous.stream === key ? previous : null;
    const runsPerJob = same ? same.runsPerJob ?? undefined : opts.runsPerJob;
    const memoryBudget = same ? same.memoryBudget : opts.memoryBudget ?? defaultMemoryBudget();
    if (same && opts.runsPerJob !== undefined && opts.runsPerJob !== runsPerJob) {
      this.log(`--runs-per-job ${opts.runsPerJob} ignored: this sweep was submitted with ${runsPerJob ?? 'no limit'} (the same jobs are resumed)`, 'warn');
    }
    const bytesOf = (r: PlannedRun): number => {
      const data = datasets.get(datasetKey(r.config));
      if (!data) throw new Error(`run ${r.id}: no dataset`);
      return estimateModelBytes(r.config.model, data);
    };
    const jobs = planJobs(hash, plannable, bytesOf, memoryBudget, runsPerJob);
    datasets.clear();

    const queue = (this.queue = new Queue<BatchJobData>(queueName, { connection: durableOptions(opts.target) }));
    queue.on('error', () => undefined); // reported through the calls that fail
    const open = await this.submit(queue, jobs, manifest.config, hash, manifest.name, configDir, (id) => ledger.status(id) === 'done');
    // Their jobs are queued again (retried): failed runs are pending once more.
    for (const j of open) for (const id of j.runIds) if (ledger.status(id) === 'failed') ledger.setStatus(id, 'pending');

    const state: QueueState = {
      version: 1, url: opts.target.display, queueName, configHash: hash, stream: key,
      lastId: same ? same.lastId : '0-0',
      jobs: jobs.length, runsPerJob: runsPerJob ?? null, memoryBudget, updatedAt: '',
    };
    writeQueueState(store.dir, state);
    return { jobs, state };
  }

  private async submit(queue: Queue<BatchJobData>, jobs: PlannedJob[], config: BatchJobData['config'], hash: string, name: string, configDir: string,
    isDone: (id: string) => boolean): Promise<PlannedJob[]> {
    const { opts } = this;
    // Jobs with a run not done yet: submitted if new, retried if BullMQ gave up on them.
    const open = jobs.filter((j) => !j.runIds.every(isDone));
    const states = await Promise.all(open.map(async (j) => [j, await queue.getJobState(j.jobId)] as const));
    const toAdd = states.filter(([, s]) => s === 'unknown').map(([j]) => j);
    await queue.addBulk(toAdd.map((j) => ({
      name: JOB_NAME,
      data: { v: PROTOCOL_VERSION, config, configHash: hash, name, configDir, runIds: j.runIds },
      opts: {
        jobId: j.jobId,
        attempts: opts.attempts ?? DEFAULT_ATTEMPTS,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? DEFAULT_BACKOFF_MS },
        removeOnComplete: { age: KEEP_JOBS_SEC },
        removeOnFail: { age: KEEP_JOBS_SEC },
      },
    })));
    let retried = 0;
    for (const [j, s] of states) {
      if (s !== 'failed') continue;
      const job = await queue.getJob(j.jobId);
      await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried++;
    }
    const already = jobs.length - toAdd.length - retried;
    this.log(`queue "${queue.name}" at ${opts.target.display}: ${jobs.length} job(s) for ${jobs.reduce((n, j) => n + j.runIds.length, 0)} run(s); ` +
      `${toAdd.length} submitted now, ${already} already queued or finished${retried ? `, ${retried} failed one(s) retried` : ''}`);
    return open;
  }

  /** A connection of this coordinator (closed with it). */
  private client(): Redis {
    const c = new Redis(durableOptions(this.opts.target));
    c.on('error', () => undefined); // reported through the calls that fail
    this.clients.push(c);
    return c;
  }

  private async closeConnections(): Promise<void> {
    for (const c of this.clients.splice(0)) c.disconnect();
    const queue = this.queue;
    this.queue = null;
    if (queue) await queue.close().catch(() => undefined);
  }
}

interface FollowerOptions {
  store: SweepStore;
  manifest: Manifest;
  runs: PlannedRun[];
  ledger: RunLedger;
  jobs: PlannedJob[];
  /** queue.json: its cursor (lastId) moves as entries are applied. */
  state: QueueState;
  checkpoints: CheckpointStore;
  queue: Queue<BatchJobData>;
  reader: Redis;
  queueName: string;
  target: RedisTarget;
  pollMs: number;
  blockMs: number;
  emit: (e: Parameters<SweepEmitter['deliver']>[0]) => void;
}

/**
 * Reads the sweep's stream from queue.json's cursor into the results folder (the folder's RunSink
 * calls, as a local sweep makes them), watches the jobs for ones BullMQ gave up on, and says when no
 * worker listens.
 */
class StreamFollower {
  private readonly known: Set<string>;
  /** The last step each run has in the folder (-1: none). */
  private readonly lastStep = new Map<string, number>();
  private readonly maxSteps: Map<string, number>;
  private readonly jobsLeft: Map<string, PlannedJob>;
  private readonly seenFailure = new Set<string>();
  private readonly meter: ProgressMeter;
  private workersChecked = 0;

  constructor(private readonly o: FollowerOptions) {
    const { store, manifest, runs, ledger } = o;
    this.known = new Set(manifest.runs.map((r) => r.id));
    // What this folder already has: a torn last line is cut, the last step of each run kept.
    for (const { id } of manifest.runs) this.lastStep.set(id, store.rewindMetrics(id, Infinity).at(-1)?.step ?? -1);
    this.maxSteps = new Map(runs.map((r) => [r.id, r.config.training.steps]));
    this.jobsLeft = new Map(o.jobs.filter((j) => !j.runIds.every((id) => this.terminal(id))).map((j) => [j.jobId, j]));
    this.meter = new ProgressMeter(runs.length, ledger.countFinished());
    this.meter.planned(manifest.runs.reduce((n, r) => n + (this.terminal(r.id) ? 0 : this.stepsLeft(r.id)), 0));
  }

  /** Follows until every run is done or failed, or `cancelled()`; returns the sweep's status. */
  async follow(cancelled: () => boolean): Promise<SweepStatus> {
    const { o } = this;
    let lastProgress = 0;
    let lastPoll = 0;
    while (!cancelled() && !this.allTerminal()) {
      await this.read(true);
      o.ledger.writeSummary('running');
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = now;
        o.emit({ type: 'progress', ...this.meter.snapshot(false) });
      }
      if (now - lastPoll >= o.pollMs) {
        lastPoll = now;
        await this.checkJobs();
        await this.checkWorkers();
      }
    }
    writeQueueState(o.store.dir, o.state);
    let status: SweepStatus;
    if (cancelled() && !this.allTerminal()) {
      status = 'stopped';
      o.emit({ type: 'log', level: 'info', message: `stopped following; the workers go on. \`grok resume ${o.store.dir}\` catches up.` });
      o.ledger.writeSummary('running', true);
    } else {
      status = o.manifest.runs.some((r) => o.ledger.status(r.id) === 'failed') ? 'failed' : 'done';
      o.ledger.writeSummary(status, true);
    }
    o.emit({ type: 'progress', ...this.meter.snapshot(false) });
    return status;
  }

  private terminal(id: string): boolean {
    return ['done', 'failed'].includes(this.o.ledger.status(id));
  }

  private allTerminal(): boolean {
    return this.o.manifest.runs.every((r) => this.terminal(r.id));
  }

  private stepsLeft(id: string): number {
    return Math.max(0, (this.maxSteps.get(id) ?? 0) - Math.max(0, this.lastStep.get(id) ?? -1));
  }

  /** Reads and applies entries until a read comes back short (caught up) or, with `block`, a block times out. */
  private async read(block: boolean): Promise<number> {
    const { o } = this;
    let total = 0;
    for (;;) {
      const args: Array<string | number> = ['COUNT', READ_COUNT];
      if (block) args.push('BLOCK', o.blockMs);
      const reply = await (o.reader.xread as (...a: Array<string | number>) => Promise<Array<[string, Array<[string, string[]]>]> | null>)(...args, 'STREAMS', o.state.stream, o.state.lastId);
      const entries = reply?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        const entry = decodeEvent(fields);
        if (entry) await this.apply(entry);
        o.state.lastId = id;
      }
      if (entries.length) writeQueueState(o.store.dir, o.state);
      total += entries.length;
      if (entries.length < READ_COUNT) return total;
      block = false;
    }
  }

  private async apply(entry: StreamEntry): Promise<void> {
    const { store, ledger, emit } = this.o;
    switch (entry.type) {
      case 'metrics': {
        const { runId, record } = entry;
        if (!this.known.has(runId)) return;
        const last = this.lastStep.get(runId) ?? -1;
        if (record.step <= last || ledger.status(runId) === 'done') return; // already here (a re-run after a resume, or a re-read)
        store.appendMetrics(runId, record);
        ledger.history(runId).push(record);
        ledger.touched();
        this.lastStep.set(runId, record.step);
        this.meter.trained(record.step - Math.max(0, last));
        return;
      }
      case 'status': {
        const { runId, status } = entry;
        if (!this.known.has(runId)) return;
        const current = ledger.status(runId);
        if (current === 'done' || (current === status && status === 'running')) return;
        const summary = ledger.setStatus(runId, status, { stopReason: entry.stopReason, error: entry.error });
        if (status === 'done') {
          this.meter.runEnded(true, this.stepsLeft(runId));
          await copyFinalCheckpoint(store, this.o.checkpoints, runId, this.lastStep.get(runId) ?? -1);
        }
        if (status === 'done' || status === 'stopped') emit({ type: 'runFinished', run: summary });
        return;
      }
      case 'attempt': {
        const where = entry.resumeStep === null ? 'from step 0' : `resumed from the checkpoint at step ${entry.resumeStep}`;
        emit({ type: 'log', level: 'info', message: `job ${entry.jobId}: ${entry.runIds.length} run(s) on worker ${entry.worker} ${where}${entry.attempt > 1 ? ` (attempt ${entry.attempt})` : ''}` });
        return;
      }
      case 'log':
        emit({ type: 'log', level: entry.level, message: entry.message });
    }
  }

  /** Runs of jobs that BullMQ gave up on are failed, with the job's error. */
  private async checkJobs(): Promise<void> {
    const { queue } = this.o;
    const states = await Promise.all([...this.jobsLeft.keys()].map(async (id) => [id, await queue.getJobState(id)] as const));
    await this.read(false); // every entry of a job that finished is in the stream before it finishes
    for (const [id, s] of states) {
      const job = this.jobsLeft.get(id);
      if (!job) continue;
      if (job.runIds.every((r) => this.terminal(r))) { this.jobsLeft.delete(id); continue; }
      if (s === 'failed') await this.jobFailed(id, job);
      else if (s === 'completed' || s === 'unknown') {
        // Gone (removed, or Redis lost its data): submitting again adds the job anew. Completed without
        // its records in the stream (both expired): only a job id BullMQ does not know trains it again.
        const error = s === 'completed'
          ? 'its job completed but its results are no longer in the stream (expired?); submit the sweep again with another --queue-name to retrain it'
          : 'its job is gone from the queue (removed, or Redis lost its data); submit the sweep again (`grok sweep FILE --queue URL`) to train it again';
        for (const runId of job.runIds) {
          if (!this.terminal(runId)) this.o.ledger.setStatus(runId, 'failed', { error });
        }
      }
    }
  }

  private async jobFailed(id: string, job: PlannedJob): Promise<void> {
    const { queue, ledger, emit } = this.o;
    const j = await queue.getJob(id);
    const tag = `${id}:${j?.finishedOn ?? ''}`;
    if (this.seenFailure.has(tag)) return;
    this.seenFailure.add(tag);
    const error = `batch failed after ${j?.attemptsMade ?? '?'} attempt(s): ${j?.failedReason ?? 'unknown error'}`;
    emit({ type: 'error', message: `job ${id} (${job.runIds.length} run(s)): ${error}` });
    for (const runId of job.runIds) {
      if (this.terminal(runId)) continue;
      const summary = ledger.setStatus(runId, 'failed', { error });
      this.meter.runEnded(false, this.stepsLeft(runId));
      emit({ type: 'runFinished', run: summary });
    }
  }

  /** Says so when nobody trains the jobs (no worker on this queue), once. */
  private async checkWorkers(): Promise<void> {
    if (this.workersChecked < 0 || Date.now() - this.workersChecked < 10_000) return;
    this.workersChecked = Date.now();
    if ((await this.o.queue.getWorkersCount()) > 0) return;
    this.workersChecked = -1;
    this.o.emit({ type: 'log', level: 'warn', message: `no worker is connected to queue "${this.o.queueName}" yet: start some with \`grok worker --queue ${this.o.target.display}\` (see docs/distributed.md)` });
  }
}

/** Keeps the run's final weights in the results folder, as a local sweep does. */
async function copyFinalCheckpoint(store: SweepStore, checkpoints: CheckpointStore, runId: string, last: number): Promise<void> {
  try {
    if (store.latestCheckpoint(runId) === last) return;
    const ckpt = await checkpoints.load(runId);
    if (ckpt && ckpt.step === last) store.saveCheckpoint(runId, ckpt.step, ckpt.bytes);
  } catch {
    // The weights are a convenience here: metrics and summary do not depend on them.
  }
}
