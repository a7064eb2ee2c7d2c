// A sweep the extension starts (its worker client, dist/worker.js) on a results folder that a
// terminal's `grok sweep` is writing is refused with a message naming that process (issue 16's lock),
// and the first writer's files are left byte for byte as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { ResultsLock } from '../../src/store/lock';
import { startSweep } from '../../src/sweep/worker/client';
import { tempDir, writeConfig } from '../sweep/helpers/fixtures';

/** Every file under `dir` with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), `${statSync(p).size}:${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return out;
}

test('the extension\'s sweep on a folder another process writes is refused naming the holder; the holder\'s files are intact', { timeout: 120_000 }, async () => {
  const configPath = writeConfig();
  const outDir = join(tempDir(), 'results');
  // The first writer: a results folder with metrics, held by "grok sweep" (this test process).
  cpSync(join(__dirname, '../fixtures/report-results/grid'), outDir, { recursive: true });
  const lock = ResultsLock.acquire(outDir, 'grok sweep');
  try {
    const before = snapshot(outDir);
    const sweep = startSweep({ configPath, outDir, threads: 1 });
    const errors: string[] = [];
    sweep.on('error', (m) => errors.push(m.message));
    const result = await sweep.done;
    assert.equal(result.status, 'failed', 'the second writer does not run');
    const message = [result.error ?? '', ...errors].join('\n');
    assert.match(message, new RegExp(`is being written by grok sweep \\(pid ${process.pid} on ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the message names the holder\'s process');
    assert.deepEqual(snapshot(outDir), before, 'the first writer\'s files are unchanged, byte for byte');
  } finally {
    lock.release();
  }
});
