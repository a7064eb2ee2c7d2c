// The jobs of a distributed sweep: the runner's lock-step batches (schedule.ts planBatches over every
// run of the sweep, so that the plan does not depend on what is already done), each cut into chunks
// of at most `runsPerJob` runs so that many workers can share a big batch. A model trains the same
// whatever else is in its lock-step batch, so chunking changes no result.
// Job ids are the config hash and a hash of the job's run ids: the same sweep always gives the same
// ids, and BullMQ ignores an add whose id exists, so submitting again is idempotent.
import { createHash } from 'node:crypto';
import { planBatches, type PlannedRun } from '../schedule';

export interface PlannedJob {
  jobId: string;
  runIds: string[];
}

export function planJobs(configHash: string, runs: PlannedRun[], bytesOf: (r: PlannedRun) => number, budgetBytes: number, runsPerJob = Infinity): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  for (const batch of planBatches(runs, bytesOf, budgetBytes)) {
    const size = Math.max(1, Math.min(runsPerJob, batch.runs.length));
    // Even chunks: 10 runs at 4 a job give 4+3+3, not 4+4+2.
    const count = Math.ceil(batch.runs.length / size);
    for (let c = 0, start = 0; c < count; c++) {
      const n = Math.floor(batch.runs.length / count) + (c < batch.runs.length % count ? 1 : 0);
      const runIds = batch.runs.slice(start, start + n).map((r) => r.id);
      start += n;
      jobs.push({ jobId: jobIdOf(configHash, runIds), runIds });
    }
  }
  return jobs;
}

/** BullMQ job ids may not contain ':' nor be plain integers. */
export function jobIdOf(configHash: string, runIds: string[]): string {
  const batch = createHash('sha256').update(runIds.join('\n')).digest('hex').slice(0, 16);
  return `${configHash.slice(0, 16)}-${batch}`;
}

/** The sweep's jobs' id prefix (to find them among other sweeps' jobs in a shared queue). */
export function jobIdPrefix(configHash: string): string {
  return `${configHash.slice(0, 16)}-`;
}
