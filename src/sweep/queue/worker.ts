// `grok worker`: a BullMQ Worker that trains batch jobs with the real engine. For each job it loads
// the runs' latest checkpoints (a job that an earlier worker started resumes where it was, not at
// step 0), trains them with the sweep core's trainBatch (through QueueRunSink: records and
// states to the sweep's stream, checkpoints to Redis or a shared directory), and waits until every
// write is in Redis before the job completes. BullMQ's lock (renewed every lockDuration/2) marks the
// job as taken; a worker that dies stops renewing it and any live worker's stalled check puts the job
// back in the queue. On SIGTERM/SIGINT the worker checkpoints its runs and puts its jobs back.
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { ExperimentConfig } from '../../config/schema';
import type { Manifest } from '../../store/types';
import type { DevicePreference } from '../../trainer/engine/device';
import type { Dataset } from '../../trainer/tasks/types';
import { trainBatch } from '../batch';
import { SweepControl } from '../control';
import type { SweepDeps } from '../deps';
import { throttledProgress, type Emit } from '../events';
import { RunLedger } from '../ledger';
import { ProgressMeter } from '../progressMeter';
import { datasetKey, groupByResumeStep, type PlannedRun } from '../schedule';
import { withDevice } from '../withDevice';
import { QueueRunSink, StreamWriter } from './runSink';
import { DEFAULT_CHECKPOINT_MAX_BYTES, DEFAULT_CHECKPOINT_TTL_SEC, DirCheckpoints, RedisCheckpoints, type CheckpointStore, type SavedCheckpoint } from './checkpoints';
import { checkConnection, durableOptions, type RedisTarget } from './connection';
import { DEFAULT_QUEUE_NAME, PROTOCOL_VERSION, streamKey, type BatchJobData, type BatchJobResult } from './protocol';

export interface QueueWorkerOptions {
  target: RedisTarget;
  queueName?: string;
  /** Jobs trained at once (each in its own lock-step trainer). */
  concurrency?: number;
  /** Engine threads per job (default: cores / concurrency). */
  threads?: number;
  device?: DevicePreference;
  /** Keep checkpoints in this shared directory instead of Redis (every worker of a sweep must agree). */
  checkpointDir?: string;
  checkpointMaxBytes?: number;
  checkpointTtlSec?: number;
  /** BullMQ: how long a job's lock lives without renewal (a dead worker's job is re-queued after it). */
  lockDurationMs?: number;
  /** BullMQ: how often this worker looks for stalled jobs. */
  stalledIntervalMs?: number;
  /** BullMQ: a job that stalls more often than this fails. */
  maxStalledCount?: number;
  /** How this worker names itself in events (default host:pid). */
  workerId?: string;
  /**
   * Close by itself once the queue has had no job (waiting, delayed, active anywhere) for this long
   * (ms): for workers started as a batch job (Slurm array) that should give their nodes back.
   */
  idleExitMs?: number;
  /** The engine and datasets (tests pass a fake engine). */
  deps: SweepDeps;
  log?: (line: string) => void;
}

export interface QueueWorkerHandle {
  readonly workerId: string;
  /** Checkpoints the running jobs, puts them back in the queue, and closes (resolves when closed). */
  close(): Promise<void>;
  /** Resolves once closed. */
  readonly closed: Promise<void>;
}

export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_STALLED_MS = 15_000;
export const DEFAULT_MAX_STALLED = 3;
const PROGRESS_EVERY_MS = 2000;
/** How long a sweep's stream lives after its last write. */
const STREAM_TTL_SEC = 30 * 24 * 3600;

export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  if (opts.device === 'gpu' && !opts.deps.openDevice) throw new Error('--device gpu: no GPU backend in this build (use --device cpu or auto)');
  await checkConnection(opts.target);
  const log = opts.log ?? ((line: string) => console.error(line));
  // --device: resolved once for the worker, as a local sweep does (auto: a GPU adapter, else the CPU).
  // After a GPU failure under auto, the failed job is retried and this worker's later jobs train on the CPU.
  const { deps, device } = await withDevice(opts.deps, opts.device ?? 'auto');
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const threads = opts.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  // Stream and checkpoint writes: one connection, so that they reach Redis in the order of the calls.
  const writer = new Redis(durableOptions(opts.target));
  writer.on('error', rateLimited(log, (e: Error) => `grok worker: Redis: ${e.message}`));
  const jobs = new JobTrainer(opts, deps, writer, workerId, threads, log);
  const activity = new Activity();

  const worker = new Worker<BatchJobData, BatchJobResult>(queueName, (job, token) => activity.track(() => jobs.process(job, token)), {
    connection: durableOptions(opts.target),
    concurrency,
    lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_MS,
    stalledInterval: opts.stalledIntervalMs ?? DEFAULT_STALLED_MS,
    maxStalledCount: opts.maxStalledCount ?? DEFAULT_MAX_STALLED,
    autorun: true,
  });
  worker.on('error', rateLimited(log, (e: Error) => `grok worker: ${e.message}`));
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof WaitingError)) log(`grok worker: job ${job.id} failed (attempt ${job.attemptsMade}): ${err.message}`);
  });
  worker.on('stalled', (jobId) => log(`grok worker: job ${jobId} had stalled (its worker died?): back in the queue`));
  await worker.waitUntilReady();
  log(`grok worker ${workerId}: waiting for jobs on queue "${queueName}" at ${opts.target.display} (${device ? `training on ${device.description}, ` : ''}concurrency ${concurrency}, ${threads} thread(s) a job, checkpoints in ${opts.checkpointDir ? `directory ${opts.checkpointDir}` : 'Redis'})`);

  let closing: Promise<void> | null = null;
  let stopIdleWatch = (): Promise<void> => Promise.resolve();
  let resolveClosed = (): void => undefined;
  const closed = new Promise<void>((r) => { resolveClosed = r; });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      jobs.shutDown();
      await stopIdleWatch();
      await worker.close();
      await writer.quit().catch(() => writer.disconnect());
      device?.close();
      resolveClosed();
    })();
    return closing;
  };
  if (opts.idleExitMs !== undefined) {
    stopIdleWatch = watchIdleQueue(opts, queueName, opts.idleExitMs, activity, () => closing !== null, async () => {
      log(`grok worker: the queue has had no job for ${Math.round((opts.idleExitMs ?? 0) / 1000)} s: exiting (--idle-exit)`);
      await close();
    });
  }
  return { workerId, close, closed };
}

/** Trains the jobs of one worker: the expanded sweeps, datasets and checkpoint stores it keeps between jobs. */
class JobTrainer {
  private readonly controls = new Set<SweepControl>();
  private readonly expansions = new Map<string, Map<string, PlannedRun>>();
  private readonly datasets = new Map<string, Promise<Dataset>>();
  private shuttingDown = false;

  constructor(private readonly opts: QueueWorkerOptions, private readonly deps: SweepDeps, private readonly writer: Redis,
    private readonly workerId: string, private readonly threads: number, private readonly log: (line: string) => void) {}

  /** Checkpoints the running jobs (they are put back in the queue). */
  shutDown(): void {
    this.shuttingDown = true;
    for (const c of this.controls) c.cancel();
  }

  async process(job: Job<BatchJobData, BatchJobResult>, token?: string): Promise<BatchJobResult> {
    const data = job.data;
    if (data.v !== PROTOCOL_VERSION) throw new UnrecoverableError(`job format v${data.v}; this worker reads v${PROTOCOL_VERSION} (update grok on the workers or the coordinator)`);
    if (this.deps.configHash(data.config) !== data.configHash) throw new UnrecoverableError('the job\'s config does not match its hash (a different grok version, or a damaged job)');
    const runs = this.runsOf(data);
    const first = runs[0];
    if (!first) throw new UnrecoverableError('a job without runs');
    const dataset = await this.datasetOf(first.config, data.configDir);
    const checkpoints = this.checkpointsOf(data.configHash);
    const loaded = new Map<string, SavedCheckpoint | null>();
    await Promise.all(runs.map(async (r) => { loaded.set(r.id, await checkpoints.load(r.id)); }));
    const control = new SweepControl();
    const stream = new StreamWriter(this.writer, streamKey(data.configHash), STREAM_TTL_SEC, () => control.cancel());
    this.controls.add(control);
    const result: BatchJobResult = { worker: this.workerId, runs: [] };
    const job_: JobRun = { job, dataset, checkpoints, loaded, control, stream, skipped: new Set() };
    const started = Date.now();
    try {
      // Runs resume together only from the same step: a kill while a batch wrote its checkpoints can leave two groups.
      for (const { runs: group, resumeStep } of groupByResumeStep(runs, (id) => loaded.get(id)?.step ?? null)) {
        if (control.cancelled) break;
        result.runs.push(...await this.trainGroup(job_, group, resumeStep));
      }
      await stream.flush(); // throws a failed write: the job is retried
    } finally {
      this.controls.delete(control);
    }
    if (control.cancelled) {
      // Shutting down: the runs are checkpointed; hand the job back without spending an attempt.
      await job.moveToWait(token);
      this.log(`grok worker: job ${job.id} put back in the queue (checkpointed)`);
      throw new WaitingError();
    }
    this.log(`grok worker: job ${job.id} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  /** Trains the runs of a job that resume from one step, as one lock-step batch. */
  private async trainGroup(r: JobRun, group: PlannedRun[], resumeStep: number | null): Promise<BatchJobResult['runs']> {
    const { job, stream } = r;
    const data = job.data;
    this.log(`grok worker: job ${job.id} (${data.name}): ${group.length} run(s) ${resumeStep === null ? 'from step 0' : `resumed at step ${resumeStep}`}${job.attemptsStarted > 1 ? `, attempt ${job.attemptsStarted}` : ''}`);
    stream.append({ type: 'attempt', jobId: String(job.id), attempt: job.attemptsStarted, worker: this.workerId, resumeStep, runIds: group.map((g) => g.id) });
    void job.log(`${this.workerId}: ${group.length} run(s) from ${resumeStep === null ? 'step 0' : `checkpoint at step ${resumeStep}`}`).catch(() => undefined);
    const sink = new QueueRunSink({
      stream, checkpoints: r.checkpoints, loaded: r.loaded, shuttingDown: () => this.shuttingDown,
      onSkipped: (runId, reason) => {
        if (r.skipped.size === 0) stream.append({ type: 'log', level: 'warn', jobId: String(job.id), message: `job ${job.id}: run ${runId}: ${reason}` });
        r.skipped.add(runId);
      },
    });
    const manifest: Manifest = {
      name: data.name, configHash: data.configHash, config: data.config, configPath: join(data.configDir, `${data.name}.grok.json`),
      runs: group.map((g) => ({ id: g.id, params: g.params })), createdAt: new Date().toISOString(),
    };
    // The coordinator keeps the sweep's files: this ledger starts each run afresh and writes states to the stream only.
    const ledger = new RunLedger(sink, manifest);
    const meter = new ProgressMeter(group.length, 0);
    meter.planned(group.reduce((n, g) => n + g.config.training.steps - (resumeStep ?? 0), 0));
    const progress = throttledProgress((p) => { void job.updateProgress({ ...p, worker: this.workerId }).catch(() => undefined); }, PROGRESS_EVERY_MS);
    // Run states travel through the stream (the sink); what else the batch says goes to this worker's log.
    const emit: Emit = (e) => {
      if (e.type === 'log' || e.type === 'error') this.log(`grok worker: job ${job.id}: ${e.message}`);
    };
    await trainBatch({
      sink, ledger, meter, control: r.control, deps: this.deps, threads: this.threads, configHash: data.configHash, emit,
      reportProgress: (force = false) => progress(() => meter.snapshot(false), force),
    }, group, r.dataset, resumeStep);
    // A Redis write that failed fails the job (it is retried), rather than leaving a gap.
    if (stream.failed) throw stream.failed;
    return group.map((g) => ({ id: g.id, status: ledger.status(g.id), step: ledger.history(g.id).at(-1)?.step ?? 0 }));
  }

  private runsOf(data: BatchJobData): PlannedRun[] {
    let plan = this.expansions.get(data.configHash);
    if (!plan) {
      plan = new Map(this.deps.expand(data.config).map((r) => [r.id, r]));
      evictOldest(this.expansions, 8);
      this.expansions.set(data.configHash, plan);
    }
    return data.runIds.map((id) => {
      const run = plan.get(id);
      if (!run) throw new UnrecoverableError(`run ${id} is not in the sweep as this worker expands it (a different grok version than the coordinator's?)`);
      return run;
    });
  }

  private datasetOf(config: ExperimentConfig, configDir: string): Promise<Dataset> {
    const key = `${configDir}\n${datasetKey(config)}`;
    let d = this.datasets.get(key);
    if (!d) {
      d = this.deps.buildDataset(config, configDir);
      d.catch(() => this.datasets.delete(key));
      evictOldest(this.datasets, 4);
      this.datasets.set(key, d);
    }
    return d;
  }

  private checkpointsOf(hash: string): CheckpointStore {
    const o = this.opts;
    return o.checkpointDir
      ? new DirCheckpoints(o.checkpointDir, hash)
      : new RedisCheckpoints(this.writer, hash, o.checkpointMaxBytes ?? DEFAULT_CHECKPOINT_MAX_BYTES, o.checkpointTtlSec ?? DEFAULT_CHECKPOINT_TTL_SEC);
  }
}

/** What the runs of one job share while they train. */
interface JobRun {
  job: Job<BatchJobData, BatchJobResult>;
  dataset: Dataset;
  checkpoints: CheckpointStore;
  loaded: Map<string, SavedCheckpoint | null>;
  control: SweepControl;
  stream: StreamWriter;
  /** Runs whose checkpoint could not be stored (reported once a job). */
  skipped: Set<string>;
}

/** Drops the oldest entries of a cache until it has room for one more. */
function evictOldest<K, V>(cache: Map<K, V>, max: number): void {
  for (const key of cache.keys()) {
    if (cache.size < max) return;
    cache.delete(key);
  }
}

/** Whether this worker trains a job now, and since when it has not. */
class Activity {
  busy = 0;
  lastActive = Date.now();

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      this.busy--;
      this.lastActive = Date.now();
    }
  }
}

/**
 * --idle-exit: calls `exit` once the whole queue (not only this worker) has had nothing to do for
 * idleMs. Returns the function that stops watching.
 */
function watchIdleQueue(opts: QueueWorkerOptions, queueName: string, idleMs: number, activity: Activity, closing: () => boolean,
  exit: () => Promise<void>): () => Promise<void> {
  const q = new Queue(queueName, { connection: durableOptions(opts.target) });
  q.on('error', () => undefined);
  let checking = false;
  const timer = setInterval(() => {
    if (checking || closing()) return;
    checking = true;
    void (async () => {
      if (activity.busy > 0) activity.lastActive = Date.now();
      else {
        const counts = await q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'paused', 'waiting-children');
        if (Object.values(counts).some((n) => n > 0)) activity.lastActive = Date.now();
      }
      if (activity.busy === 0 && Date.now() - activity.lastActive >= idleMs && !closing()) await exit();
    })().catch(() => undefined).finally(() => { checking = false; });
  }, Math.min(1000, Math.max(100, idleMs / 4)));
  return async () => {
    clearInterval(timer);
    await q.close().catch(() => undefined);
  };
}

/** A logger that says the same thing at most every 10 s (a Redis outage would flood the terminal). */
function rateLimited<A>(log: (line: string) => void, format: (a: A) => string): (a: A) => void {
  let last = '';
  let at = 0;
  return (a) => {
    const line = format(a);
    if (line === last && Date.now() - at < 10_000) return;
    last = line;
    at = Date.now();
    log(line);
  };
}
