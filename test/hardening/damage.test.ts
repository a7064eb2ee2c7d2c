// Runs are the unit of damage (issue 16): a truncated checkpoint, a garbage line in the middle of a
// finished run's metrics.jsonl, an invalid status.json. Readers show the rest of the sweep; resume
// quarantines the damaged run, retrains it and finishes the sweep with the same results.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/store/atomic';
import { latestCheckpoint } from '../../src/store/checkpoints';
import { checkpointPath, metricsPath, statusPath } from '../../src/store/layout';
import { listRuns, readManifest, readRunMetrics } from '../../src/store/reader';
import { readRepairs } from '../../src/store/repair';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import type { WorkerMessage } from '../../src/sweep/worker/protocol';
import { buildSweepReport } from '../../src/report/data';
import { fakeCreateTrainer } from '../sweep/helpers/fakeEngine';
import { metricsOf, tempDir, writeConfig } from '../sweep/helpers/fixtures';

const deps = () => ({ ...projectDeps, createTrainer: fakeCreateTrainer() });
const cli = join(__dirname, '..', '..', 'bin', 'grok.js');
const grok = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

async function finishedSweep(): Promise<{ dir: string; reference: ReturnType<typeof metricsOf> }> {
  const dir = join(tempDir(), 'r');
  assert.equal(await runSweep({ configPath: writeConfig({ training: { earlyStop: { enabled: false } } }), outDir: dir }, deps(), () => {}), 'done');
  return { dir, reference: metricsOf(dir) };
}

async function resume(dir: string): Promise<{ status: string; logs: string[] }> {
  const logs: string[] = [];
  const status = await runSweep({ outDir: dir }, deps(), (m: WorkerMessage) => {
    if (m.type === 'log' || m.type === 'error') logs.push(m.message);
  });
  return { status, logs };
}

/** grok status and the report read the folder (the CLI needs dist/: npm run build). */
function assertReadable(dir: string): void {
  assert.equal(listRuns(dir).length, 4);
  assert.equal(buildSweepReport(dir, 'r').name, 'tiny');
  if (existsSync(join(__dirname, '..', '..', 'dist', 'cli.js'))) {
    for (const args of [['status', dir], ['export', dir, '--csv']]) {
      const r = grok(...args);
      assert.equal(r.status, 0, `grok ${args[0]}: ${r.stderr}`);
    }
  }
}

test('a truncated checkpoint: only its run retrains (from step 0), with the reason logged and recorded', async () => {
  const { dir, reference } = await finishedSweep();
  const { id } = at(readManifest(dir).runs, 0);
  const step = latestCheckpoint(dir, id)!;
  const ckpt = checkpointPath(dir, id, step);
  truncateSync(ckpt, Math.floor(statSync(ckpt).size / 2));
  // The run was interrupted before it finished: its resume needs that checkpoint.
  const status = JSON.parse(readFileSync(statusPath(dir, id), 'utf8'));
  writeFileSync(statusPath(dir, id), JSON.stringify({ ...status, status: 'running' }));
  assertReadable(dir);
  const { status: result, logs } = await resume(dir);
  assert.equal(result, 'done', logs.join('\n'));
  assert.ok(logs.some((l) => l.includes(`run ${id}: checkpoint ckpt-${step}.safetensors is truncated`) && l.includes('trains again from step 0')), logs.join('\n'));
  assert.deepEqual(metricsOf(dir), reference, 'every run ends with the records of an undamaged sweep');
  const repair = at(readRepairs(dir), 0);
  assert.equal(repair.runId, id);
  assert.ok(existsSync(join(repair.quarantined, `ckpt-${step}.safetensors`)), 'the damaged file is kept in quarantine');
});

test('a garbage line in the middle of a finished run\'s metrics.jsonl: readers skip it, resume retrains that run alone', async () => {
  const { dir, reference } = await finishedSweep();
  const runs = readManifest(dir).runs;
  const id = at(runs, 1).id, other = at(runs, 2).id;
  const lines = readFileSync(metricsPath(dir, id), 'utf8').split('\n');
  lines.splice(3, 0, '\u0000\u0000garbage{');
  writeFileSync(metricsPath(dir, id), lines.join('\n'));
  assert.equal(readRunMetrics(dir, id).length, reference[id]?.length, 'the reader skips the damaged line');
  assertReadable(dir);
  const otherMetrics = readFileSync(metricsPath(dir, other));
  const { status, logs } = await resume(dir);
  assert.equal(status, 'done', logs.join('\n'));
  assert.ok(logs.some((l) => l.includes(`run ${id}: metrics.jsonl line 4 is damaged`)), logs.join('\n'));
  assert.deepEqual(metricsOf(dir), reference);
  assert.deepEqual(readFileSync(metricsPath(dir, other)), otherMetrics, 'the other runs are not touched');
});

test('an invalid status.json: shown as a damaged run, rebuilt on resume', async () => {
  const { dir, reference } = await finishedSweep();
  const id = at(readManifest(dir).runs, 3).id;
  writeFileSync(statusPath(dir, id), '{"status": "done", "steps": {');
  const shown = listRuns(dir).find((r) => r.id === id)!;
  assert.equal(shown.status, 'stopped');
  assert.match(shown.stopReason ?? '', /damaged: status\.json is not valid JSON/);
  assert.equal(shown.steps.last, reference[id]?.at(-1)?.step);
  assertReadable(dir);
  const { status, logs } = await resume(dir);
  assert.equal(status, 'done', logs.join('\n'));
  assert.ok(logs.some((l) => l.includes(`run ${id}: status.json is not valid JSON`)), logs.join('\n'));
  assert.equal(listRuns(dir).find((r) => r.id === id)!.status, 'done');
  assert.deepEqual(metricsOf(dir), reference);
});

test('atomic writes use a name unique per process, thread and write; leftovers of a crash are removed on open', async () => {
  const { dir } = await finishedSweep();
  const id = at(readManifest(dir).runs, 0).id;
  const leftover = `${statusPath(dir, id)}.tmp-99999`;
  const leftover2 = join(dir, 'summary.json.tmp-99999-0-3');
  writeFileSync(leftover, 'half');
  writeFileSync(leftover2, 'half');
  writeFileAtomic(join(dir, 'x.json'), '1');
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('x.json')), ['x.json']);
  assert.equal((await resume(dir)).status, 'done');
  assert.equal(existsSync(leftover), false);
  assert.equal(existsSync(leftover2), false);
});
