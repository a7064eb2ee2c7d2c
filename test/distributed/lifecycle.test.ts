// Job life cycle on a real redis-server: bounded retries (a batch that keeps failing ends failed, its
// error in summary.json; submitting again retries it), and a graceful worker shutdown (SIGTERM: the
// batch is checkpointed into --checkpoint-dir and handed back; the next worker resumes at that step),
// and a submission that Redis lost (restart without persistence) trained after submitting again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startQueueSweep } from '../../src/sweep/queue/coordinator';
import { readQueueState } from '../../src/sweep/queue/state';
import type { StreamEntry } from '../../src/sweep/queue/protocol';
import { startQueueWorker } from '../../src/sweep/queue/worker';
import { requireConfigFile } from '../../src/config/load';
import { configHash } from '../../src/config/sweep';
import { listRuns, readManifest, readRunMetrics, readSummary } from '../../src/store/reader';
import { latestCheckpoint, readCheckpoint } from '../../src/store/checkpoints';
import { createTrainer } from '../../src/trainer/engine/index';
import type { LockstepSpec } from '../../src/trainer/engine/types';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import { fakeCreateTrainer } from '../sweep/helpers/fakeEngine';
import { cli, skipReason, startRedis, tempDir, watchStream, writeConfig } from './helpers';
import { withoutTimings } from '../sweep/helpers/fixtures';

const skip = skipReason();

test('a batch that keeps failing is tried `attempts` times, then its runs are failed with the error; submitting again retries it', { skip, timeout: 120_000 }, async () => {
  const redis = await startRedis();
  const logs: string[] = [];
  // dModel 12 fails at step 30 every time (its checkpoint is at 20: each attempt resumes there and fails again).
  const failing = fakeCreateTrainer({ failAtStep: 30, failure: 'throw' });
  const healthy = fakeCreateTrainer();
  const flaky = (spec: LockstepSpec) => (spec.model.dModel === 12 ? failing(spec) : healthy(spec));
  const common = { target: redis.target, threads: 1, lockDurationMs: 4000, stalledIntervalMs: 1000, log: (l: string) => logs.push(l) };
  let worker = await startQueueWorker({ ...common, deps: { ...projectDeps, createTrainer: flaky } });
  try {
    const configPath = writeConfig({
      name: 'flaky', task: { kind: 'modular', op: 'a+b', modulus: 11 }, model: { kind: 'mlp', dModel: 8, dMlp: 16 },
      training: { steps: 100, evalEvery: 10, checkpointEvery: 20, earlyStop: { enabled: false } },
      sweep: { 'model.dModel': [8, 12], seed: [0, 1] },
    });
    const outDir = join(tempDir(), 'out');
    const attempts: Array<Extract<StreamEntry, { type: 'attempt' }>> = [];
    const watch = watchStream(redis.target, hashOf(configPath), (e) => { if (e.type === 'attempt') attempts.push(e); });
    const errors: string[] = [];
    const sweep = startQueueSweep({ configPath, outDir, target: redis.target, attempts: 2, backoffMs: 100, pollMs: 300 });
    sweep.on('error', (e) => errors.push(e.message));
    const result = await sweep.done;
    await watch.stop();
    assert.equal(result.status, 'failed');
    const summary = readSummary(outDir)!;
    assert.equal(summary.status, 'failed');
    for (const run of summary.runs) {
      if (run.params['model.dModel'] === 12) {
        assert.equal(run.status, 'failed', run.id);
        assert.match(run.error!, /^batch failed after 2 attempt\(s\): fake engine failure at step 30$/);
      } else {
        assert.equal(run.status, 'done', run.id);
      }
    }
    assert.ok(errors.some((m) => /fake engine failure at step 30/.test(m)), errors.join('\n'));
    const failedJob = attempts.filter((a) => a.runIds.some((id) => id.includes('dModel12')));
    assert.deepEqual(failedJob.map((a) => a.resumeStep), [null, 20], 'the second attempt resumed from the checkpoint at step 20');

    // The engine is fixed: submitting the sweep again retries the failed batch, from its checkpoint.
    await worker.close();
    worker = await startQueueWorker({ ...common, deps: { ...projectDeps, createTrainer: healthy } });
    const again = await startQueueSweep({ configPath, outDir, target: redis.target, attempts: 2, backoffMs: 100, pollMs: 300 }).done;
    assert.equal(again.status, 'done', again.error);
    const after = readSummary(outDir)!;
    assert.equal(after.status, 'done');
    assert.ok(after.runs.every((r) => r.status === 'done' && r.steps.last === 100 && !r.error));
    for (const r of after.runs) assert.deepEqual(readRunMetrics(outDir, r.id).map((x) => x.step), Array.from({ length: 11 }, (_, i) => i * 10));
  } finally {
    await worker.close();
    await redis.stop();
  }
});

test('SIGTERM: a worker checkpoints its batch into --checkpoint-dir and hands it back; the next worker resumes at that step', { skip, timeout: 150_000 }, async () => {
  const redis = await startRedis();
  const ckptDir = tempDir('grok-ckpt-');
  const configPath = writeConfig({
    name: 'graceful', task: { kind: 'modular', op: 'a+b', modulus: 23 }, model: { kind: 'mlp', dModel: 8, dMlp: 32 },
    optimizer: { lr: 0.01, weightDecay: 1.0 },
    training: { steps: 3000, evalEvery: 50, checkpointEvery: 1000, earlyStop: { enabled: false } },
    sweep: { 'training.trainSize': [150, 300], seed: [0, 1] },
  });
  const reference = join(tempDir(), 'local');
  assert.equal(await runSweep({ configPath, outDir: reference, threads: 1 }, { ...projectDeps, createTrainer }, () => undefined), 'done');
  const flags = ['--queue', redis.url, '--device', 'cpu', '--threads', '1', '--checkpoint-dir', ckptDir, '--lock-ms', '4000', '--stalled-ms', '1000'];
  const first = cli(['worker', ...flags, '--id', 'first']);
  let second: ReturnType<typeof cli> | null = null;
  try {
    const attempts: Array<Extract<StreamEntry, { type: 'attempt' }>> = [];
    let terminated = false;
    const watch = watchStream(redis.target, hashOf(configPath), (e) => {
      if (e.type === 'attempt') attempts.push(e);
      // Stop the first worker between checkpoints (its last one at 1000), then start the second.
      if (!terminated && e.type === 'metrics' && e.record.step >= 1300) {
        terminated = true;
        first.child.kill('SIGTERM');
        void first.exited.then(() => { second = cli(['worker', ...flags, '--id', 'second']); });
      }
    });
    const outDir = join(tempDir(), 'out');
    const result = await startQueueSweep({ configPath, outDir, target: redis.target, checkpointDir: ckptDir, pollMs: 500 }).done;
    await watch.stop();
    assert.equal(result.status, 'done', result.error);
    assert.deepEqual(await first.exited, { code: 0, signal: null }, first.output());
    assert.match(first.output(), /put back in the queue \(checkpointed\)/);
    const taken = attempts.filter((a) => a.worker === 'second');
    assert.equal(taken.length, 1, JSON.stringify(attempts));
    const step = at(taken, 0).resumeStep!;
    assert.ok(step >= 1300 && step % 1000 !== 0, `resumed at the step where the first worker stopped (${step}), not at its last periodic checkpoint`);
    // Same results as a local sweep, the final weights copied from the checkpoint directory.
    for (const run of listRuns(reference)) {
      const strip = (dir: string) => readRunMetrics(dir, run.id).map(withoutTimings);
      assert.deepEqual(strip(outDir), strip(reference), run.id);
      assert.deepEqual(readCheckpoint(outDir, run.id, 3000), readCheckpoint(reference, run.id, 3000));
      assert.equal(latestCheckpoint(outDir, run.id), 3000);
    }
    assert.equal(readManifest(outDir).runs.length, 4);
  } finally {
    await first.kill();
    await (second as ReturnType<typeof cli> | null)?.kill();
    await redis.stop();
  }
});

test('--detach, then Redis loses its data (restart without persistence): submitting again re-adds the jobs and the sweep completes', { skip, timeout: 90_000 }, async () => {
  const redis = await startRedis();
  const admin = new Redis(redis.target.options);
  let worker: Awaited<ReturnType<typeof startQueueWorker>> | null = null;
  try {
    const configPath = writeConfig({
      name: 'lost', task: { kind: 'modular', op: 'a+b', modulus: 11 }, model: { kind: 'mlp', dModel: 8, dMlp: 16 },
      training: { steps: 60, evalEvery: 10, checkpointEvery: 20, earlyStop: { enabled: false } },
      sweep: { 'model.dModel': [8, 12], seed: [0, 1] },
    });
    const outDir = join(tempDir(), 'out');
    const submitted = (logs: string[]): number => Number(/(\d+) submitted now/.exec(logs.join('\n'))?.[1] ?? NaN);
    // Submitted with no worker running, then the data is gone.
    const firstLogs: string[] = [];
    const first = startQueueSweep({ configPath, outDir, target: redis.target, detach: true });
    first.on('log', (m) => firstLogs.push(m.message));
    assert.equal((await first.done).status, 'running');
    const jobs = submitted(firstLogs);
    assert.ok(jobs >= 1, firstLogs.join('\n'));
    assert.equal(readQueueState(outDir)!.jobs, jobs);
    await admin.flushall();

    worker = await startQueueWorker({ target: redis.target, threads: 1, deps: { ...projectDeps, createTrainer: fakeCreateTrainer() }, log: () => undefined });
    const againLogs: string[] = [];
    const again = startQueueSweep({ configPath, outDir, target: redis.target, pollMs: 300 });
    again.on('log', (m) => againLogs.push(m.message));
    const result = await again.done;
    assert.equal(result.status, 'done', result.error);
    assert.equal(submitted(againLogs), jobs, againLogs.join('\n'));
    const summary = readSummary(outDir)!;
    assert.equal(summary.status, 'done');
    assert.equal(summary.runs.length, 4);
    for (const r of summary.runs) {
      assert.equal(r.status, 'done', r.id);
      assert.deepEqual(readRunMetrics(outDir, r.id).map((x) => x.step), [0, 10, 20, 30, 40, 50, 60], r.id);
    }
  } finally {
    await worker?.close();
    admin.disconnect();
    await redis.stop();
  }
});

function hashOf(configPath: string): string {
  return configHash(requireConfigFile(configPath).config);
}
