// The worker process through its client, on the real engine (dist/worker.js): a SIGKILL mid-sweep
// followed by a resume gives exactly the metrics of an uninterrupted sweep; cancel keeps partial
// results; a crashed worker (fake engine) is reported with its cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SweepHandle } from '../../src/sweep/events';
import { startSweep } from '../../src/sweep/worker/client';
import { ResultsTail } from '../../src/store/tail';
import { readSummary } from '../../src/store/reader';
import { latestCheckpoint } from '../../src/store/checkpoints';
import { metricsOf, statusesOf, tempDir, writeConfig } from './helpers/fixtures';

// Real engine, tiny sizes: 4 runs of a+b mod 11 with an 8-wide transformer, 300 steps.
const configPath = writeConfig({ training: { steps: 300, evalEvery: 20, checkpointEvery: 60, earlyStop: { holdEvals: 3, plateauSteps: 100 } }, optimizer: { lr: 0.01 } });
const fakeWorker = { workerPath: join(__dirname, 'helpers', 'fakeWorker.ts'), execArgv: ['--import', 'tsx'] };

/** Calls `act` once, when some run has recorded an eval at `step` or later (tailing the results folder, as the extension does). */
function whenStep(sweep: SweepHandle, outDir: string, step: number, act: () => void): void {
  const tail = new ResultsTail(outDir);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void tail.poll().then((u) => {
      busy = false;
      if ([...u.metrics.values()].some((records) => records.some((x) => x.step >= step))) {
        clearInterval(timer);
        act();
      }
    });
  }, 20);
  void sweep.done.then(() => clearInterval(timer));
}

test('SIGKILL mid-sweep, then resume: final metrics identical to an uninterrupted sweep, no line lost or repeated', async () => {
  const reference = join(tempDir(), 'ref');
  assert.equal((await startSweep({ configPath, outDir: reference, threads: 1 }).done).status, 'done');

  const outDir = join(tempDir(), 'killed');
  const first = startSweep({ configPath, outDir, threads: 1 });
  whenStep(first, outDir, 130, () => process.kill(first.pid!, 'SIGKILL'));
  const killed = await first.done;
  assert.equal(killed.status, 'failed');
  assert.match(killed.error!, /killed \(SIGKILL/);
  const unfinished = Object.entries(statusesOf(outDir)).filter(([, s]) => s !== 'done').map(([id]) => id);
  assert.ok(unfinished.length > 0, 'the kill came before the end');
  assert.ok(unfinished.some((id) => (latestCheckpoint(outDir, id) ?? 0) >= 60), 'the resume starts from a checkpoint, not from scratch');

  const resumed = await startSweep({ outDir, threads: 2 }).done; // `grok resume DIR`; thread count does not matter
  assert.equal(resumed.status, 'done');
  const got = metricsOf(outDir);
  const want = metricsOf(reference);
  for (const [id, records] of Object.entries(want)) {
    assert.ok(records.length > 3, `${id} has evals`);
    assert.deepEqual(got[id], records, `${id}: resumed metrics equal the uninterrupted ones`);
  }
  assert.deepEqual(statusesOf(outDir), statusesOf(reference));
  const summary = readSummary(outDir)!;
  assert.equal(summary.status, 'done');
  assert.deepEqual(summary.runs.map((r) => [r.id, r.regime, r.stopReason]), readSummary(reference)!.runs.map((r) => [r.id, r.regime, r.stopReason]));
});

test('cancel: the sweep stops within an eval interval, keeping partial results as "stopped"', async () => {
  // Long enough that no run can finish before the cancel arrives, however fast the machine.
  const longConfig = writeConfig({ training: { steps: 200_000, evalEvery: 20, checkpointEvery: 60, earlyStop: { enabled: false } }, optimizer: { lr: 0.01 } });
  const outDir = join(tempDir(), 'cancelled');
  const sweep = startSweep({ configPath: longConfig, outDir, threads: 1 });
  let cancelledAt = 0;
  whenStep(sweep, outDir, 40, () => { cancelledAt = Date.now(); sweep.cancel(); });
  const result = await sweep.done;
  assert.equal(result.status, 'stopped');
  assert.ok(Date.now() - cancelledAt < 5000, 'stopped promptly');
  const summary = readSummary(outDir)!;
  assert.equal(summary.status, 'stopped');
  const stopped = summary.runs.filter((r) => r.status === 'stopped');
  assert.ok(stopped.length > 0);
  for (const r of stopped) {
    assert.equal(r.stopReason, 'cancelled');
    assert.ok(r.steps.last >= 40 && r.steps.last < 200_000, `${r.id} kept its evals up to ${r.steps.last}`);
  }
});

test('a worker that runs out of memory is reported with its cause', async () => {
  const sweep = startSweep({
    ...fakeWorker, configPath, outDir: join(tempDir(), 'oom'), execArgv: [...fakeWorker.execArgv, '--max-old-space-size=64'],
    env: { ...process.env, FAKE_ENGINE: JSON.stringify({ failAtStep: 30, failure: 'oom' }) },
  });
  const errors: string[] = [];
  sweep.on('error', (e) => errors.push(e.message));
  const result = await sweep.done;
  assert.equal(result.status, 'failed');
  assert.match(result.error!, /ran out of memory/);
  assert.match(result.error!, /heap out of memory/, 'the stderr tail is included');
  assert.deepEqual(errors, [result.error]);
  // What was computed before the crash is on disk.
  assert.ok(Object.values(metricsOf(result.outDir!)).every((records) => records.length >= 1));
});

test('a worker that exits unexpectedly is reported with its exit code; an engine error fails its runs only', async () => {
  const exited = await startSweep({ ...fakeWorker, configPath, outDir: join(tempDir(), 'exit'), env: { ...process.env, FAKE_ENGINE: '{"failAtStep":10,"failure":"exit"}' } }).done;
  assert.equal(exited.status, 'failed');
  assert.match(exited.error!, /exited with code 7/);

  const outDir = join(tempDir(), 'throw');
  const thrown = await startSweep({ ...fakeWorker, configPath, outDir, env: { ...process.env, FAKE_ENGINE: '{"failAtStep":10,"failure":"throw"}' } }).done;
  assert.equal(thrown.status, 'failed');
  const runs = readSummary(outDir)!.runs;
  assert.ok(runs.every((r) => r.status === 'failed' && /fake engine failure at step 10/.test(r.error ?? '')));
});
