// `grok worker`: a BullMQ Worker that trains batch jobs with the real engine. For each job it loads
// the runs' latest checkpoints (a job that an earlier worker started resumes where it was, not at
// step 0), trains them with the sweep runner's trainBatch (through QueueBatchStore: records and
// states to the sweep's stream, checkpoints to Redis or a shared directory), and waits until every
// write is in Redis before the job completes. BullMQ's lock (renewed every lockDuration/2) marks the
// job as taken; a worker that dies stops renewing it and any live worker's stalled check puts the job
// back in the queue. On SIGTERM/SIGINT the worker checkpoints its runs and puts its jobs back.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { ExperimentConfig } from '../../config/schema';
import type { Manifest } from '../../store/types';
import { trainBatch, type BatchContext } from '../batch';
import { SweepControl } from '../control';
import type { SweepDeps } from '../deps';
import { RunLedger } from '../ledger';
import { ProgressMeter } from '../progressMeter';
import { datasetKey, type PlannedRun } from '../schedule';
import type { Dataset } from '../../trainer/tasks/types';
import type { SweepDevice } from '../../trainer/engine/device';
import type { Device } from '../worker/protocol';
import { QueueBatchStore, StreamSink } from './batchStore';
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
  device?: Device;
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
  let deps = opts.deps;
  let device: SweepDevice | null = null;
  if (opts.deps.openDevice) {
    const opened = (device = await opts.deps.openDevice(opts.device ?? 'auto'));
    deps = { ...opts.deps, createTrainer: (spec) => opened.createTrainer(spec) };
  }
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const threads = opts.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  // Stream and checkpoint writes: one connection, so that they reach Redis in the order of the calls.
  const writer = new Redis(durableOptions(opts.target));
  writer.on('error', rateLimited(log, (e: Error) => `grok worker: Redis: ${e.message}`));
  const controls = new Set<SweepControl>();
  let shuttingDown = false;
  const expansions = new Map<string, Map<string, PlannedRun>>();
  const datasets = new Map<string, Promise<Dataset>>();

  const runsOf = (data: BatchJobData): PlannedRun[] => {
    let plan = expansions.get(data.configHash);
    if (!plan) {
      plan = new Map(opts.deps.expand(data.config).map((r) => [r.id, r]));
      if (expansions.size >= 8) expansions.delete(expansions.keys().next().value!);
      expansions.set(data.configHash, plan);
    }
    return data.runIds.map((id) => {
      const run = plan.get(id);
      if (!run) throw new UnrecoverableError(`run ${id} is not in the sweep as this worker expands it (a different grok version than the coordinator's?)`);
      return run;
    });
  };

  const datasetOf = (config: ExperimentConfig, configDir: string): Promise<Dataset> => {
    const key = `${configDir}\n${datasetKey(config)}`;
    let d = datasets.get(key);
    if (!d) {
      d = opts.deps.buildDataset(config, configDir);
      d.catch(() => datasets.delete(key));
      if (datasets.size >= 4) datasets.delete(datasets.keys().next().value!);
      datasets.set(key, d);
    }
    return d;
  };

  const checkpointsOf = (hash: string): CheckpointStore => opts.checkpointDir
    ? new DirCheckpoints(opts.checkpointDir, hash)
    : new RedisCheckpoints(writer, hash, opts.checkpointMaxBytes ?? DEFAULT_CHECKPOINT_MAX_BYTES, opts.checkpointTtlSec ?? DEFAULT_CHECKPOINT_TTL_SEC);

  const processJob = async (job: Job<BatchJobData, BatchJobResult>, token?: string): Promise<BatchJobResult> => {
    const data = job.data;
    if (data.v !== PROTOCOL_VERSION) throw new UnrecoverableError(`job format v${data.v}; this worker reads v${PROTOCOL_VERSION} (update grok on the workers or the coordinator)`);
    if (opts.deps.configHash(data.config) !== data.configHash) throw new UnrecoverableError('the job\'s config does not match its hash (a different grok version, or a damaged job)');
    const runs = runsOf(data);
    const dataset = await datasetOf(runs[0].config, data.configDir);
    const checkpoints = checkpointsOf(data.configHash);
    const loaded = new Map<string, SavedCheckpoint | null>();
    await Promise.all(runs.map(async (r) => { loaded.set(r.id, await checkpoints.load(r.id)); }));
    const control = new SweepControl();
    const sink = new StreamSink(writer, streamKey(data.configHash), STREAM_TTL_SEC, () => control.cancel());
    controls.add(control);
    const skipped = new Set<string>();
    const manifest: Manifest = {
      name: data.name, configHash: data.configHash, config: data.config, configPath: join(data.configDir, `${data.name}.grok.json`),
      runs: runs.map((r) => ({ id: r.id, params: r.params })), createdAt: new Date().toISOString(),
    };
    // Runs resume together only from the same step: a kill while a batch wrote its checkpoints can leave two groups.
    const groups = new Map<number | null, PlannedRun[]>();
    for (const r of runs) {
      const step = loaded.get(r.id)?.step ?? null;
      if (!groups.has(step)) groups.set(step, []);
      groups.get(step)!.push(r);
    }
    const scratch = mkdtempSync(join(tmpdir(), 'grok-worker-'));
    const result: BatchJobResult = { worker: workerId, runs: [] };
    const started = Date.now();
    try {
      for (const [resumeStep, group] of groups) {
        if (control.cancelled) break;
        log(`grok worker: job ${job.id} (${data.name}): ${group.length} run(s) ${resumeStep === null ? 'from step 0' : `resumed at step ${resumeStep}`}${job.attemptsStarted > 1 ? `, attempt ${job.attemptsStarted}` : ''}`);
        sink.emit({ type: 'attempt', jobId: String(job.id), attempt: job.attemptsStarted, worker: workerId, resumeStep, runIds: group.map((r) => r.id) });
        void job.log(`${workerId}: ${group.length} run(s) from ${resumeStep === null ? 'step 0' : `checkpoint at step ${resumeStep}`}`).catch(() => undefined);
        const store = new QueueBatchStore(scratch, {
          sink, checkpoints, loaded, shuttingDown: () => shuttingDown,
          onSkipped: (runId, reason) => {
            if (skipped.size === 0) sink.emit({ type: 'log', level: 'warn', jobId: String(job.id), message: `job ${job.id}: run ${runId}: ${reason}` });
            skipped.add(runId);
          },
        });
        const ledger = new RunLedger(store, { ...manifest, runs: group.map((r) => ({ id: r.id, params: r.params })) });
        const meter = new ProgressMeter(group.length, 0);
        meter.planned(group.reduce((n, r) => n + r.config.training.steps - (resumeStep ?? 0), 0));
        let lastProgress = 0;
        const ctx: BatchContext = {
          store, ledger, meter, control, deps, threads, configHash: data.configHash,
          send: () => undefined,
          reportProgress: (force = false) => {
            const now = Date.now();
            if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
            lastProgress = now;
            void job.updateProgress({ ...meter.snapshot(false), worker: workerId }).catch(() => undefined);
          },
        };
        await trainBatch(ctx, group, dataset, resumeStep);
        // A Redis write that failed fails the job (it is retried), rather than leaving a gap.
        if (sink.failed) throw sink.failed;
        for (const r of group) result.runs.push({ id: r.id, status: ledger.status(r.id), step: ledger.history(r.id).at(-1)?.step ?? 0 });
      }
      await sink.flush(); // throws a failed write: the job is retried
    } finally {
      controls.delete(control);
      rmSync(scratch, { recursive: true, force: true });
    }
    if (control.cancelled) {
      // Shutting down: the runs are checkpointed; hand the job back without spending an attempt.
      await job.moveToWait(token);
      log(`grok worker: job ${job.id} put back in the queue (checkpointed)`);
      throw new WaitingError();
    }
    log(`grok worker: job ${job.id} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };

  let busy = 0;
  let lastActive = Date.now();
  const tracked = async (job: Job<BatchJobData, BatchJobResult>, token?: string): Promise<BatchJobResult> => {
    busy++;
    try {
      return await processJob(job, token);
    } finally {
      busy--;
      lastActive = Date.now();
    }
  };

  const worker = new Worker<BatchJobData, BatchJobResult>(queueName, tracked, {
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
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => { resolveClosed = r; });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      if (idleTimer) clearInterval(idleTimer);
      for (const c of controls) c.cancel();
      await idleQueue?.close().catch(() => undefined);
      await worker.close();
      await writer.quit().catch(() => writer.disconnect());
      resolveClosed();
    })();
    return closing;
  };

  // --idle-exit: the whole queue (not only this worker) has had nothing to do for idleExitMs.
  let idleTimer: NodeJS.Timeout | null = null;
  let idleQueue: Queue | null = null;
  if (opts.idleExitMs !== undefined) {
    const idleMs = opts.idleExitMs;
    const q = (idleQueue = new Queue(queueName, { connection: durableOptions(opts.target) }));
    q.on('error', () => undefined);
    let checking = false;
    idleTimer = setInterval(() => {
      if (checking || closing) return;
      checking = true;
      void (async () => {
        if (busy > 0) lastActive = Date.now();
        else {
          const counts = await q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'paused', 'waiting-children');
          if (Object.values(counts).some((n) => n > 0)) lastActive = Date.now();
        }
        if (busy === 0 && Date.now() - lastActive >= idleMs && !closing) {
          log(`grok worker: the queue has had no job for ${Math.round(idleMs / 1000)} s: exiting (--idle-exit)`);
          await close();
        }
      })().catch(() => undefined).finally(() => { checking = false; });
    }, Math.min(1000, Math.max(100, idleMs / 4)));
  }
  return { workerId, close, closed };
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
