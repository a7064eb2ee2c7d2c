// `grok worker --queue URL`: trains the batch jobs of distributed sweeps (see docs/distributed.md).
import { parseArgs } from 'node:util';
import { ENV_PASSWORD, ENV_URL, QueueConnectionError, resolveRedisTarget } from '../sweep/queue/connection';
import { DEFAULT_CHECKPOINT_MAX_BYTES, DEFAULT_CHECKPOINT_TTL_SEC } from '../sweep/queue/checkpoints';
import { DEFAULT_QUEUE_NAME } from '../sweep/queue/protocol';
import { DEFAULT_LOCK_MS, DEFAULT_MAX_STALLED, DEFAULT_STALLED_MS, startQueueWorker, type QueueWorkerHandle } from '../sweep/queue/worker';
import { createTrainer } from '../trainer/engine/index';
import { openSweepDevice } from '../trainer/engine/device';
import { projectDeps } from '../sweep/projectDeps';
import type { CliCommand } from './main';
import { parseEngineFlags } from './progress';

export const workerCommand: CliCommand = {
  summary: 'train the jobs of distributed sweeps from a Redis queue',
  usage: [
    'Usage: grok worker [--queue redis://HOST:PORT] [--concurrency N] [--threads N] [--device auto|gpu|cpu]',
    '                   [--checkpoint-dir DIR] [--queue-name NAME]',
    '',
    'Pulls lock-step batches of sweeps submitted with `grok sweep FILE --queue URL`, trains them, and',
    'streams every eval back through Redis. Checkpoints every checkpointEvery steps: a batch whose',
    'worker dies goes back in the queue and the next worker resumes it from its last checkpoint.',
    'SIGTERM or Ctrl-C checkpoints the running batches and puts them back in the queue.',
    '',
    `  --queue URL             the Redis (default: ${ENV_URL}); rediss:// for TLS. The password comes from`,
    `                          ${ENV_PASSWORD} (or ${ENV_URL}), never from the command line`,
    '  --concurrency N         batches trained at once (default 1)',
    '  --threads N             engine threads per batch (default: cores / concurrency)',
    '  --device D              auto (default): a GPU adapter if there is one (WebGPU), else the CPU;',
    '                          gpu: a GPU adapter or a clear error; cpu: the CPU engine only',
    '  --checkpoint-dir DIR    keep checkpoints in DIR (a filesystem every worker shares) instead of Redis',
    `  --checkpoint-max-mb N   largest checkpoint kept in Redis (default ${DEFAULT_CHECKPOINT_MAX_BYTES / 2 ** 20})`,
    `  --checkpoint-ttl-h N    hours a checkpoint stays in Redis (default ${DEFAULT_CHECKPOINT_TTL_SEC / 3600})`,
    `  --queue-name NAME       BullMQ queue (default "${DEFAULT_QUEUE_NAME}")`,
    `  --lock-ms N             job lock duration: a dead worker's batch is re-queued after it (default ${DEFAULT_LOCK_MS})`,
    `  --stalled-ms N          how often to look for stalled batches (default ${DEFAULT_STALLED_MS})`,
    `  --max-stalled N         a batch that stalls more often fails (default ${DEFAULT_MAX_STALLED})`,
    '  --id NAME               this worker\'s name in logs (default host:pid)',
    '  --idle-exit SEC         exit (code 0) once the queue has had no job for SEC seconds: for workers',
    '                          started as batch jobs (a Slurm array) that should give their nodes back',
    '',
    'Runs until stopped (or idle, with --idle-exit). Exit code: 0 after SIGTERM/Ctrl-C or --idle-exit, 1 when Redis is unusable, 2 bad arguments.',
  ].join('\n'),
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args, allowPositionals: false, strict: true,
        options: {
          queue: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, device: { type: 'string' },
          'checkpoint-dir': { type: 'string' }, 'checkpoint-max-mb': { type: 'string' }, 'checkpoint-ttl-h': { type: 'string' },
          'queue-name': { type: 'string' }, 'lock-ms': { type: 'string' }, 'stalled-ms': { type: 'string' }, 'max-stalled': { type: 'string' },
          id: { type: 'string' }, 'idle-exit': { type: 'string' },
        },
      }));
    } catch (e) {
      return usageError((e as Error).message);
    }
    const num = (flag: string, min: number): number | undefined => {
      const v = (values as Record<string, string | undefined>)[flag];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!(Number.isFinite(n) && n >= min)) throw new Error(`--${flag}: expected a number >= ${min}, got "${v}"`);
      return n;
    };
    let engine, concurrency, maxMb, ttlH, lockMs, stalledMs, maxStalled, idleExit;
    try {
      engine = parseEngineFlags(values);
      concurrency = num('concurrency', 1);
      maxMb = num('checkpoint-max-mb', 0);
      ttlH = num('checkpoint-ttl-h', 0.001);
      lockMs = num('lock-ms', 100);
      stalledMs = num('stalled-ms', 100);
      maxStalled = num('max-stalled', 0);
      idleExit = num('idle-exit', 1);
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { threads, device } = engine;
    let target;
    try {
      target = resolveRedisTarget({ url: values.queue });
    } catch (e) {
      if (e instanceof QueueConnectionError) return usageError(e.message);
      throw e;
    }
    // Signals are handled from the start: one that comes while connecting stops the worker as soon as it is up.
    let handle: QueueWorkerHandle | null = null;
    let signals = 0;
    const stop = (): void => {
      if (++signals > 1) process.exit(130);
      console.error('grok worker: checkpointing the running batches and putting them back in the queue (again to quit at once)');
      void handle?.close();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      handle = await startQueueWorker({
        target, deps: { ...projectDeps, createTrainer, openDevice: (pref) => openSweepDevice(pref) }, device, threads,
        concurrency: concurrency && Math.floor(concurrency),
        queueName: values['queue-name'],
        checkpointDir: values['checkpoint-dir'],
        checkpointMaxBytes: maxMb === undefined ? undefined : Math.floor(maxMb * 2 ** 20),
        checkpointTtlSec: ttlH === undefined ? undefined : Math.ceil(ttlH * 3600),
        lockDurationMs: lockMs, stalledIntervalMs: stalledMs, maxStalledCount: maxStalled,
        workerId: values.id,
        idleExitMs: idleExit === undefined ? undefined : Math.round(idleExit * 1000),
      });
    } catch (e) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      throw e;
    }
    if (signals > 0) void handle.close();
    await handle.closed;
    return 0;
  },
};

function usageError(message: string): number {
  console.error(`grok worker: ${message}\n\n${workerCommand.usage}`);
  return 2;
}
