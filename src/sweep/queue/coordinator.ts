// `grok sweep FILE --queue URL` / `grok resume DIR` of a queued sweep: the coordinator. It opens the
// results folder exactly like a local sweep (openSweep: manifest, resume, --fresh), submits the
// sweep's batches as BullMQ jobs (idempotent ids; failed ones are retried), then reads the sweep's
// Redis Stream from the cursor kept in queue.json into the same files a local sweep writes
// (runs/<id>/metrics.jsonl, status.json, the final checkpoint, summary.json), so every reader of a
// local sweep (curves, regime map, CodeLens, status, export) works unchanged. It is a SweepHandle,
// the interface of a local sweep's worker, so `followSweep` shows it and the extension could drive it.
// Closing it (cancel, Ctrl-C, a kill) loses nothing: the workers go on, and the next coordinator
// catches up from the cursor, dropping records it already has (same run id and step).
import { EventEmitter } from 'node:events';
import { dirname, resolve } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { readRunStatus } from '../../store/reader';
import type { EvalRecord, SweepStatus } from '../../store/types';
import type { SweepStore } from '../../store/writer';
import { UserError, type SweepDeps } from '../deps';
import { isUserCaused } from '../../util/userError';
import { RunLedger } from '../ledger';
import { estimateModelBytes } from '../memory';
import { openSweep } from '../open';
import { projectDeps } from '../projectDeps';
import { ProgressMeter } from '../progressMeter';
import { defaultMemoryBudget } from '../runner';
import { datasetKey, type PlannedRun } from '../schedule';
import type { Dataset } from '../../trainer/tasks/types';
import type { SweepEvents, SweepHandle, SweepResult } from '../worker/client';
import { PROGRESS_INTERVAL_MS, type RunMetrics, type SweepOptions, type WorkerMessage } from '../worker/protocol';
import { DirCheckpoints, RedisCheckpoints, type CheckpointStore } from './checkpoints';
import { assertNoQueueSecrets } from './configGuard';
import { checkConnection, durableOptions, QueueConnectionError, type RedisTarget } from './connection';
import { planJobs, type PlannedJob } from './plan';
import { decodeEvent, DEFAULT_QUEUE_NAME, JOB_NAME, PROTOCOL_VERSION, streamKey, type BatchJobData, type SweepEvent } from './protocol';
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

type MessageOf<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

export function startQueueSweep(options: QueueSweepOptions): SweepHandle {
  return new QueueSweep(options);
}

class QueueSweep extends EventEmitter implements SweepHandle {
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
        const userCaused = isUserCaused(e) || e instanceof QueueConnectionError;
        this.deliver({ type: 'error', message: e.message, ...(userCaused || !e.stack ? {} : { cause: e.stack }) });
        const result: SweepResult = { status: 'failed', outDir: this.outDir, error: e.message };
        this.deliver({ type: 'done', status: 'failed', outDir: this.outDir, error: e.message });
        return result;
      },
    ).finally(() => { this.store?.close(); return this.closeConnections(); });
  }

  /** Stops following (within blockMs); the workers go on with the queued jobs. */
  cancel(): void { this.cancelled = true; }
  pause(): void { /* the workers own the training */ }
  resume(): void { /* the workers own the training */ }

  override on<E extends keyof SweepEvents>(event: E, listener: SweepEvents[E]): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof SweepEvents>(event: E, listener: SweepEvents[E]): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  private deliver(m: WorkerMessage): void {
    // The folder is free again before anyone hears that this sweep is done.
    if (m.type === 'done') this.store?.close();
    if (m.type === 'error' && this.listenerCount('error') === 0) return;
    this.emit(m.type, m);
  }

  private log(message: string, level: MessageOf<'log'>['level'] = 'info'): void {
    this.deliver({ type: 'log', level, message });
  }

  private async run(): Promise<SweepResult> {
    const { opts } = this;
    const deps = opts.deps ?? projectDeps;
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
      loadConfig: async (path) => {
        const config = await deps.loadConfig(path);
        if (config.search) throw new UserError(`${path}: ${SEARCH_IS_LOCAL}`);
        return config;
      },
      createTrainer: () => Promise.reject(new Error('the coordinator does not train')),
    }, (message) => this.log(message, 'warn'));
    const { store, manifest, runs, resumed, movedAside } = opened;
    this.store = store;
    if (manifest.config.search) {
      throw new UserError(`${manifest.configPath}: ${SEARCH_IS_LOCAL}`);
    }
    this.outDir = store.dir;
    if (movedAside) this.log(`--fresh: moved the previous results to ${movedAside}`);

    // What this folder already has: a torn last line is cut, the last step of each run kept.
    const lastStep = new Map<string, number>();
    for (const { id } of manifest.runs) lastStep.set(id, store.rewindMetrics(id, Infinity).at(-1)?.step ?? -1);
    const ledger = new RunLedger(store, manifest);
    // The ledger reads 'running' as an interrupted local session; here the run is still with a worker.
    for (const { id } of manifest.runs) if (readRunStatus(store.dir, id)?.status === 'running') ledger.setStatus(id, 'running');
    const terminal = (id: string): boolean => ['done', 'failed'].includes(ledger.status(id));
    this.deliver({ type: 'started', outDir: store.dir, name: manifest.name, runsTotal: runs.length, runsDone: ledger.countFinished(), resumed });

    const hash = manifest.configHash;
    const key = streamKey(hash);
    const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;

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
    const jobs = planJobs(hash, plannable, (r) => estimateModelBytes(r.config.model, datasets.get(datasetKey(r.config))!), memoryBudget, runsPerJob);
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
    ledger.writeSummary('running', true);
    if (opts.detach) {
      this.log(`submitted; the workers train it. Follow it (and collect the results into ${store.dir}) with: grok resume ${store.dir}`);
      const result: SweepResult = { status: 'running', outDir: store.dir };
      this.deliver({ type: 'done', status: 'running', outDir: store.dir });
      return result;
    }

    // Follow the stream.
    const maxSteps = new Map(runs.map((r) => [r.id, r.config.training.steps]));
    const stepsLeft = (id: string): number => Math.max(0, maxSteps.get(id)! - Math.max(0, lastStep.get(id)!));
    const meter = new ProgressMeter(runs.length, ledger.countFinished());
    meter.planned(manifest.runs.reduce((n, r) => n + (terminal(r.id) ? 0 : stepsLeft(r.id)), 0));
    const reader = this.client();
    const checkpoints: CheckpointStore = opts.checkpointDir ? new DirCheckpoints(opts.checkpointDir, hash) : new RedisCheckpoints(this.client(), hash);
    const known = new Set(manifest.runs.map((r) => r.id));
    const jobsLeft = new Map(jobs.filter((j) => !j.runIds.every(terminal)).map((j) => [j.jobId, j]));
    const seenFailure = new Set<string>();
    let lastProgress = 0;
    let lastPoll = 0;

    const apply = async (event: SweepEvent, pending: Map<string, EvalRecord[]>): Promise<void> => {
      switch (event.type) {
        case 'metrics': {
          const { runId, record } = event;
          if (!known.has(runId)) return;
          const last = lastStep.get(runId)!;
          if (record.step <= last || ledger.status(runId) === 'done') return; // already here (a re-run after a resume, or a re-read)
          store.appendMetrics(runId, record);
          ledger.history(runId).push(record);
          ledger.touched();
          lastStep.set(runId, record.step);
          meter.trained(record.step - Math.max(0, last));
          if (!pending.has(runId)) pending.set(runId, []);
          pending.get(runId)!.push(record);
          return;
        }
        case 'status': {
          const { runId, status } = event;
          if (!known.has(runId)) return;
          const current = ledger.status(runId);
          if (current === 'done' || (current === status && status === 'running')) return;
          this.flushMetrics(pending);
          const summary = ledger.setStatus(runId, status, { stopReason: event.stopReason, error: event.error });
          if (status === 'done') {
            meter.runEnded(true, stepsLeft(runId));
            await copyFinalCheckpoint(store, checkpoints, runId, lastStep.get(runId)!);
          }
          if (status === 'done' || status === 'stopped') this.deliver({ type: 'runFinished', run: summary });
          return;
        }
        case 'attempt': {
          const where = event.resumeStep === null ? 'from step 0' : `resumed from the checkpoint at step ${event.resumeStep}`;
          this.log(`job ${event.jobId}: ${event.runIds.length} run(s) on worker ${event.worker} ${where}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
          return;
        }
        case 'log':
          this.log(event.message, event.level);
      }
    };

    /** Reads and applies entries until a read comes back short (caught up) or, with `block`, a block times out. */
    const read = async (block: boolean): Promise<number> => {
      let total = 0;
      for (;;) {
        const args: Array<string | number> = ['COUNT', READ_COUNT];
        if (block) args.push('BLOCK', opts.blockMs ?? 1000);
        const reply = await (reader.xread as (...a: Array<string | number>) => Promise<Array<[string, Array<[string, string[]]>]> | null>)(...args, 'STREAMS', key, state.lastId);
        const entries = reply?.[0]?.[1] ?? [];
        const pending = new Map<string, EvalRecord[]>();
        for (const [id, fields] of entries) {
          const event = decodeEvent(fields);
          if (event) await apply(event, pending);
          state.lastId = id;
        }
        this.flushMetrics(pending);
        if (entries.length) writeQueueState(store.dir, state);
        total += entries.length;
        if (entries.length < READ_COUNT) return total;
        block = false;
      }
    };

    /** Runs of jobs that BullMQ gave up on are failed, with the job's error. */
    const checkJobs = async (): Promise<void> => {
      const states = await Promise.all([...jobsLeft.keys()].map(async (id) => [id, await queue.getJobState(id)] as const));
      await read(false); // every event of a job that finished is in the stream before it finishes
      for (const [id, s] of states) {
        const job = jobsLeft.get(id)!;
        if (job.runIds.every(terminal)) { jobsLeft.delete(id); continue; }
        if (s === 'failed') {
          const j = await queue.getJob(id);
          const reason = j?.failedReason ?? 'unknown error';
          const tag = `${id}:${j?.finishedOn ?? ''}`;
          if (seenFailure.has(tag)) continue;
          seenFailure.add(tag);
          const error = `batch failed after ${j?.attemptsMade ?? '?'} attempt(s): ${reason}`;
          this.deliver({ type: 'error', message: `job ${id} (${job.runIds.length} run(s)): ${error}` });
          for (const runId of job.runIds) {
            if (terminal(runId)) continue;
            const summary = ledger.setStatus(runId, 'failed', { error });
            meter.runEnded(false, stepsLeft(runId));
            this.deliver({ type: 'runFinished', run: summary });
          }
        } else if (s === 'completed' || s === 'unknown') {
          // Gone (removed, or Redis lost its data): submitting again adds the job anew. Completed without
          // its records in the stream (both expired): only a job id BullMQ does not know trains it again.
          const error = s === 'completed'
            ? 'its job completed but its results are no longer in the stream (expired?); submit the sweep again with another --queue-name to retrain it'
            : 'its job is gone from the queue (removed, or Redis lost its data); submit the sweep again (`grok sweep FILE --queue URL`) to train it again';
          for (const runId of job.runIds) {
            if (!terminal(runId)) ledger.setStatus(runId, 'failed', { error });
          }
        }
      }
    };

    // Say so when nobody trains the jobs (no worker on this queue), once.
    let workersChecked = 0;
    const checkWorkers = async (): Promise<void> => {
      if (workersChecked < 0 || Date.now() - workersChecked < 10_000) return;
      workersChecked = Date.now();
      if ((await queue.getWorkersCount()) > 0) return;
      workersChecked = -1;
      this.log(`no worker is connected to queue "${queueName}" yet: start some with \`grok worker --queue ${opts.target.display}\` (see docs/distributed.md)`, 'warn');
    };
    const allTerminal = (): boolean => manifest.runs.every((r) => terminal(r.id));
    while (!this.cancelled && !allTerminal()) {
      await read(true);
      ledger.writeSummary('running');
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = now;
        this.deliver({ type: 'progress', ...meter.snapshot(false) });
      }
      if (now - lastPoll >= (opts.pollMs ?? DEFAULT_POLL_MS)) {
        lastPoll = now;
        await checkJobs();
        await checkWorkers();
      }
    }
    writeQueueState(store.dir, state);
    let status: SweepStatus;
    if (this.cancelled && !allTerminal()) {
      status = 'stopped';
      this.log(`stopped following; the workers go on. \`grok resume ${store.dir}\` catches up.`);
      ledger.writeSummary('running', true);
    } else {
      status = manifest.runs.some((r) => ledger.status(r.id) === 'failed') ? 'failed' : 'done';
      ledger.writeSummary(status, true);
    }
    this.deliver({ type: 'progress', ...meter.snapshot(false) });
    const result: SweepResult = { status, outDir: store.dir };
    this.deliver({ type: 'done', status, outDir: store.dir });
    return result;
  }

  private flushMetrics(pending: Map<string, EvalRecord[]>): void {
    if (pending.size === 0) return;
    const runs: RunMetrics[] = [...pending].map(([runId, records]) => ({ runId, records }));
    pending.clear();
    this.deliver({ type: 'metrics', runs });
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
