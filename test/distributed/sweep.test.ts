// Distributed sweeps end to end on a real redis-server (127.0.0.1) and the real engine:
// (1) 3 `grok worker` processes, one SIGKILLed mid-batch: its batch goes back to the queue (BullMQ
//     stalled-job detection) and another worker resumes it from its last checkpoint; the results
//     folder ends with every run exactly once and the same metrics, bit for bit, as a local sweep.
// (2) the coordinator (`grok sweep --queue`) is SIGKILLed mid-sweep and `grok resume DIR` catches up
//     from the stream cursor: complete, no line lost or repeated, identical to the local sweep.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { startQueueSweep } from '../../src/sweep/queue/coordinator';
import { DEFAULT_QUEUE_NAME, type StreamEntry } from '../../src/sweep/queue/protocol';
import { readQueueState } from '../../src/sweep/queue/state';
import { configHash } from '../../src/config/sweep';
import { readManifest, readRunMetrics, readSummary, listRuns } from '../../src/store/reader';
import { latestCheckpoint, readCheckpoint } from '../../src/store/checkpoints';
import { createTrainer } from '../../src/trainer/engine/index';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import { cli, skipReason, sleep, startRedis, tempDir, watchStream, writeConfig, type CliProcess } from './helpers';
import { withoutTimings } from '../sweep/helpers/fixtures';

const skip = skipReason();

// 3 model sizes x 2 data sizes x 2 seeds = 12 runs of a tiny MLP on (a+b) mod 23. Early stop is on
// (resumed runs replay their records through it); checkpoints every 250 of up to 2000 steps.
const CONFIG = {
  name: 'dist-tiny',
  task: { kind: 'modular', op: 'a+b', modulus: 23 },
  model: { kind: 'mlp', dModel: 8, dMlp: 32 },
  optimizer: { lr: 0.01, weightDecay: 1.0 },
  training: { steps: 2000, evalEvery: 50, checkpointEvery: 250, earlyStop: { enabled: true, holdEvals: 4, plateauSteps: 1500 } },
  sweep: { 'model.dModel': [8, 12, 16], 'training.trainSize': [150, 300], seed: [0, 1] },
};
// --device cpu: the local reference trains on the CPU engine (auto would take a GPU where there is one).
const WORKER_FLAGS = ['--device', 'cpu', '--threads', '1', '--lock-ms', '4000', '--stalled-ms', '1000', '--max-stalled', '5'];

let configPath = '';
let reference = '';

before(async () => {
  if (skip) return;
  configPath = writeConfig(CONFIG);
  reference = join(tempDir(), 'local');
  const t0 = Date.now();
  const status = await runSweep({ configPath, outDir: reference, threads: 1 }, { ...projectDeps, createTrainer }, () => undefined);
  assert.equal(status, 'done');
  console.log(`# local reference sweep: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

/** Every run's records without the wall clock, and its status fields that do not depend on timing. */
function resultsOf(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of listRuns(dir)) {
    out[run.id] = {
      status: run.status, stopReason: run.stopReason, regime: run.regime, final: run.final, steps: run.steps,
      metrics: readRunMetrics(dir, run.id).map(withoutTimings),
    };
  }
  return out;
}

function assertSameAsReference(dir: string): void {
  const manifest = readManifest(dir);
  assert.equal(manifest.runs.length, 12);
  for (const { id } of manifest.runs) {
    const lines = readFileSync(join(dir, 'runs', id, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const steps = lines.map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(steps, [...new Set(steps)].sort((a, b) => a - b), `${id}: each step once, in order`);
  }
  const got = resultsOf(dir);
  const want = resultsOf(reference);
  for (const id of Object.keys(want)) assert.deepEqual(got[id], want[id], `${id}: same as the local sweep`);
  const summary = readSummary(dir)!;
  assert.equal(summary.status, 'done');
  assert.deepEqual(summary.criticalDataSize, readSummary(reference)!.criticalDataSize);
  // The final weights come back too, byte for byte.
  for (const { id } of manifest.runs) {
    const step = latestCheckpoint(reference, id)!;
    assert.equal(latestCheckpoint(dir, id), step, `${id}: final checkpoint`);
    assert.deepEqual(readCheckpoint(dir, id, step), readCheckpoint(reference, id, step));
  }
}

test('3 workers, one SIGKILLed mid-batch: the batch resumes from its checkpoint elsewhere; results equal a local sweep bit for bit', { skip, timeout: 180_000 }, async () => {
  const redis = await startRedis();
  const workers: CliProcess[] = [];
  const watch: { stop(): Promise<void> }[] = [];
  const queue = new Queue(DEFAULT_QUEUE_NAME, { connection: redis.target.options });
  try {
    for (const id of ['w1', 'w2', 'w3']) workers.push(cli(['worker', '--queue', redis.url, '--id', id, ...WORKER_FLAGS]));
    const outDir = join(tempDir(), 'queued');
    const hash = configHash(readManifest(reference).config);
    // Watch the stream as a test: which worker has which job, how far each run is.
    const owner = new Map<string, string>(); // job id -> worker
    const jobOf = new Map<string, string>(); // run id -> job id
    const attempts: Array<Extract<StreamEntry, { type: 'attempt' }>> = [];
    let victim: { worker: string; job: string } | null = null;
    let killed: Promise<void> | null = null;
    let probing = false;
    // Freeze the worker (SIGSTOP), make sure its batch is still active in the queue (not finished in
    // the meantime, however loaded the machine), then SIGKILL it; otherwise let it go and try again.
    const probe = async (job: string): Promise<void> => {
      const worker = owner.get(job)!;
      const w = workers[Number(worker.slice(1)) - 1];
      assert.ok(w, `a worker named ${worker}`);
      w.child.kill('SIGSTOP');
      const state = await queue.getJobState(job).catch(() => 'unknown');
      if (state === 'active') {
        victim = { worker, job };
        killed = w.kill('SIGKILL');
      } else {
        w.child.kill('SIGCONT');
        probing = false;
      }
    };
    watch.push(watchStream(redis.target, hash, (e) => {
      if (e.type === 'attempt') {
        attempts.push(e);
        owner.set(e.jobId, e.worker);
        for (const r of e.runIds) jobOf.set(r, e.jobId);
      }
      // Kill a worker once a run of its batch is past its first checkpoint (250) and far from done.
      if (!victim && !probing && e.type === 'metrics' && e.record.step >= 300 && e.record.step <= 1200) {
        probing = true;
        void probe(jobOf.get(e.runId)!);
      }
    }));
    const t0 = Date.now();
    const sweep = startQueueSweep({ configPath, outDir, target: redis.target, runsPerJob: 2, pollMs: 500 });
    const result = await sweep.done;
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(result.status, 'done', result.error);
    assert.ok(victim, 'a worker was killed mid-batch');
    await killed;
    const v = victim as { worker: string; job: string };
    const resumed = attempts.filter((a) => a.jobId === v.job && a.worker !== v.worker);
    assert.ok(resumed.length > 0, `job ${v.job} was taken over after ${v.worker} died`);
    assert.ok(resumed.some((a) => (a.resumeStep ?? 0) >= 250), `resumed from a checkpoint, not step 0: ${JSON.stringify(resumed)}`);
    assertSameAsReference(outDir);
    console.log(`# distributed sweep with a killed worker: ${seconds.toFixed(1)} s, ${readQueueState(outDir)!.jobs} jobs, job ${v.job} resumed at step ${resumed.map((a) => a.resumeStep).join(',')}`);

    // Submitting again is idempotent: no job is added, nothing is trained again, nothing is duplicated.
    const again = cli(['sweep', configPath, '--queue', redis.url, '--out', outDir, '--runs-per-job', '2']);
    const { code } = await again.exited;
    assert.equal(code, 0, again.output());
    assert.match(again.output(), /0 submitted now, 6 already queued or finished/);
    assertSameAsReference(outDir);
  } finally {
    for (const w of watch) await w.stop();
    await queue.close();
    for (const w of workers) await w.kill('SIGKILL');
    await redis.stop();
  }
});

test('the coordinator SIGKILLed mid-sweep: `grok resume DIR` catches up from the stream, nothing lost or repeated', { skip, timeout: 180_000 }, async () => {
  const redis = await startRedis();
  const workers: CliProcess[] = [];
  try {
    // One worker process training two batches at once, and a second one.
    workers.push(cli(['worker', '--queue', redis.url, '--concurrency', '2', ...WORKER_FLAGS]));
    workers.push(cli(['worker', '--queue', redis.url, ...WORKER_FLAGS]));
    const outDir = join(tempDir(), 'coordinated');
    const first = cli(['sweep', configPath, '--queue', redis.url, '--out', outDir, '--runs-per-job', '2']);
    // Kill it as soon as it has written some records locally.
    const deadline = Date.now() + 60_000;
    const linesSoFar = (): number => existsSync(join(outDir, 'manifest.json'))
      ? readManifest(outDir).runs.reduce((n, r) => n + readRunMetrics(outDir, r.id).length, 0) : 0;
    while (linesSoFar() < 5) {
      assert.ok(Date.now() < deadline, `no metrics arrived: ${first.output()}`);
      assert.equal(first.child.exitCode, null, `the coordinator ended early: ${first.output()}`);
      await sleep(20);
    }
    await first.kill('SIGKILL');
    const doneAtKill = listRuns(outDir).filter((r) => r.status === 'done').length;
    assert.ok(doneAtKill < 12, 'killed before the end');
    const cursorAtKill = readQueueState(outDir)!.lastId;
    await sleep(1500); // the workers go on meanwhile

    const second = cli(['resume', outDir]);
    const { code } = await second.exited;
    assert.equal(code, 0, second.output());
    assert.match(second.output(), /0 submitted now/);
    assert.notEqual(readQueueState(outDir)!.lastId, cursorAtKill);
    assertSameAsReference(outDir);
  } finally {
    for (const w of workers) await w.kill('SIGKILL');
    await redis.stop();
  }
});
