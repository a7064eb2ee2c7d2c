// The queue side of `grok sweep FILE --queue URL` and `grok resume DIR` (for a folder with a
// queue.json): their option parsing hands over here, and this runs the distributed coordinator
// (src/sweep/queue/coordinator.ts) with the same progress display as a local sweep.
import { ENV_PASSWORD, ENV_URL, QueueConnectionError, resolveRedisTarget } from '../sweep/queue/connection';
import { startQueueSweep } from '../sweep/queue/coordinator';
import { readQueueState } from '../sweep/queue/state';
import type { SweepOptions } from '../sweep/options';
import { exitCodeOf, followSweep } from './progress';

/** parseArgs options that `grok sweep` and `grok resume` add for the queue. */
export const QUEUE_OPTIONS = {
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  attempts: { type: 'string' },
  'runs-per-job': { type: 'string' },
  'checkpoint-dir': { type: 'string' },
  detach: { type: 'boolean' },
} as const;

export interface QueueValues {
  queue?: string;
  'queue-name'?: string;
  attempts?: string;
  'runs-per-job'?: string;
  'checkpoint-dir'?: string;
  detach?: boolean;
}

export const QUEUE_USAGE = [
  'Distributed (docs/distributed.md): the batches go to a Redis queue that `grok worker`s train;',
  'this command follows the results into the same folder. Ctrl-C stops following only.',
  `  --queue URL          redis://HOST:PORT or rediss:// (TLS); "env" = ${ENV_URL}. Password: ${ENV_PASSWORD}`,
  '  --runs-per-job N     at most N runs a job, so that more workers share a big batch',
  '  --attempts N         tries per job before its runs are marked failed (default 3)',
  '  --checkpoint-dir D   the workers keep checkpoints in D (to copy the final weights from)',
  '  --queue-name NAME    BullMQ queue (default "grok")',
  '  --detach             submit and exit; `grok resume DIR` collects the results later',
];

/** True when `values` asks for the queue (or the folder was submitted to one). */
export function wantsQueue(values: QueueValues, outDir?: string): boolean {
  return values.queue !== undefined || (outDir !== undefined && readQueueState(outDir) !== null);
}

/** Runs the coordinator; resolves to the exit code (0 done or detached, 130 stopped following, 1 failed, 2 bad arguments). */
export async function runQueuedSweep(command: string, options: SweepOptions, values: QueueValues): Promise<number> {
  const positive = (flag: keyof QueueValues): number | undefined => {
    const v = values[flag];
    if (v === undefined || typeof v === 'boolean') return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= 1)) throw new QueueConnectionError(`--${flag}: expected a whole number >= 1, got "${v}"`);
    return n;
  };
  let target, attempts, runsPerJob;
  // `grok resume DIR` reconnects to the Redis the folder was submitted to (its URL holds no password).
  const stored = !values.queue && options.outDir ? readQueueState(options.outDir) : null;
  try {
    attempts = positive('attempts');
    runsPerJob = positive('runs-per-job');
    target = resolveRedisTarget({ url: values.queue ?? (process.env[ENV_URL] ? undefined : stored?.url) });
  } catch (e) {
    if (!(e instanceof QueueConnectionError)) throw e;
    console.error(`grok ${command}: ${e.message}`);
    return 2;
  }
  const sweep = startQueueSweep({
    ...options, target, attempts, runsPerJob,
    queueName: values['queue-name'] ?? stored?.queueName,
    checkpointDir: values['checkpoint-dir'],
    detach: Boolean(values.detach),
  });
  const result = await followSweep(sweep, { handleSigint: true });
  if (result.status === 'running') return 0; // --detach
  return exitCodeOf(result);
}
