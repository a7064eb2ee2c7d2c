// One writer per results folder (issue 16): two sweeps on one folder, a second writer refused by
// name, a stale lock after kill -9 taken over with a log line.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lockPath, readLock, ResultsLock } from '../../src/store/lock';
import { readManifest, readRunMetrics } from '../../src/store/reader';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import type { WorkerMessage } from '../../src/sweep/worker/protocol';
import { fakeCreateTrainer } from '../sweep/helpers/fakeEngine';
import { tempDir, writeConfig } from '../sweep/helpers/fixtures';

const ROOT = join(__dirname, '..', '..');

test('two sweeps started on one folder at once: one trains, the other is refused naming the holder; no duplicate records', async () => {
  const configPath = writeConfig();
  const outDir = join(tempDir(), 'r');
  const deps = { ...projectDeps, createTrainer: fakeCreateTrainer() };
  const messages: WorkerMessage[][] = [[], []];
  const [a, b] = await Promise.all([0, 1].map((i) => runSweep({ configPath, outDir, writer: `writer ${i}` }, deps, (m) => at(messages, i).push(m))));
  assert.deepEqual([a, b].sort(), ['done', 'failed']);
  const loser = at(messages, a === 'failed' ? 0 : 1);
  const error = loser.find((m) => m.type === 'error');
  assert.ok(error && error.type === 'error');
  assert.match(error.message, new RegExp(`is being written by writer ${a === 'failed' ? 1 : 0} \\(pid ${process.pid} on ${hostname()}, since `));
  assert.equal(error.cause, undefined, 'no stack trace for a busy folder');
  for (const { id } of readManifest(outDir).runs) {
    const steps = readRunMetrics(outDir, id).map((r) => r.step);
    assert.deepEqual(steps, [...new Set(steps)].sort((x, y) => x - y), `${id}: duplicate or out-of-order records`);
  }
  assert.equal(existsSync(lockPath(outDir)), false, 'the lock is given up when the sweep ends');
  // Once the first is done the folder is free: resuming it works.
  assert.equal(await runSweep({ outDir }, deps, () => {}), 'done');
});

test('a second writer is refused while the first holds the lock; after release it may write', () => {
  const dir = tempDir();
  const first = ResultsLock.acquire(dir, 'grok sweep');
  const held = JSON.parse(readFileSync(lockPath(dir), 'utf8'));
  assert.deepEqual([held.pid, held.host, held.owner], [process.pid, hostname(), 'grok sweep']);
  assert.ok(!Number.isNaN(Date.parse(held.startedAt)));
  assert.throws(() => ResultsLock.acquire(dir, 'the extension'), (e: Error) => e.name === 'UserError' && /is being written by grok sweep \(pid \d+ on /.test(e.message));
  first.release();
  assert.equal(readLock(dir), null);
  ResultsLock.acquire(dir, 'the extension').release();
});

test('a stale lock of a process killed with kill -9 is taken over, with a log line', async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { ResultsLock } = require(${JSON.stringify(join(ROOT, 'src/store/lock.ts'))});
    ResultsLock.acquire(${JSON.stringify(dir)}, 'grok sweep');
    console.log('locked');
    setInterval(() => {}, 1000);`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before locking`)));
  });
  assert.throws(() => ResultsLock.acquire(dir, 'grok resume'), /is being written by grok sweep/);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.equal(readLock(dir)?.alive, false, 'a dead holder is stale');
  const logs: string[] = [];
  const lock = ResultsLock.acquire(dir, 'grok resume', (m) => logs.push(m));
  assert.equal(logs.length, 1);
  assert.match(at(logs, 0), new RegExp(`took over the lock of grok sweep \\(pid ${child.pid} on .*no longer running`));
  assert.equal(readLock(dir)?.holder.pid, process.pid);
  lock.release();
});
