// The store's tail of a results folder (src/store/tail.ts), what the live views read: new records
// only, a torn last line waits for its end, a rewind (resume) is reported, run states follow
// status.json, and files that did not change are not opened again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { metricsPath } from '../../src/store/layout';
import { ResultsTail } from '../../src/store/tail';
import type { Manifest, RunSummary } from '../../src/store/types';
import { SweepStore } from '../../src/store/writer';
import { tempDir } from './helpers/fixtures';

const record = (step: number) => ({ step, trainAcc: 0.5, valAcc: 0.25, trainLoss: 1, valLoss: 2, weightNorm: 3, norms: {} });

function folder(): SweepStore {
  const store = new SweepStore(join(tempDir(), 'out'));
  const manifest = { name: 't', configHash: 'h', config: {}, configPath: '', runs: [{ id: 'a', params: {} }, { id: 'b', params: {} }], createdAt: '' } as unknown as Manifest;
  store.writeManifest(manifest);
  return store;
}

const status = (id: string, s: RunSummary['status']): RunSummary => ({ id, params: {}, status: s, regime: null, final: null, steps: { trainFit: null, valFit: null, last: 0 } });

test('each poll gives the new records only; a torn last line is read once it is complete', async () => {
  const store = folder();
  const tail = new ResultsTail(store.dir);
  let u = await tail.poll();
  assert.equal(u.manifestChanged, true);
  assert.deepEqual(tail.runs().map((r) => [r.id, r.status]), [['a', 'pending'], ['b', 'pending']]);
  store.writeRunStatus(status('a', 'running'));
  store.appendMetrics('a', record(0));
  store.appendMetrics('a', record(10));
  u = await tail.poll();
  assert.deepEqual(u.metrics.get('a')?.map((r) => r.step), [0, 10]);
  assert.equal(u.statusChanged, true);
  assert.equal(u.manifestChanged, false);
  assert.equal(tail.runs()[0]?.status, 'running');

  const line = JSON.stringify(record(20)) + '\n';
  appendFileSync(metricsPath(store.dir, 'a'), line.slice(0, 9));
  u = await tail.poll();
  assert.equal(u.metrics.size, 0, 'half a line is not a record yet');
  appendFileSync(metricsPath(store.dir, 'a'), line.slice(9));
  u = await tail.poll();
  assert.deepEqual(u.metrics.get('a')?.map((r) => r.step), [20]);
  assert.equal(u.statusChanged, false);
});

test('a rewound metrics file is reported and read again from its start', async () => {
  const store = folder();
  const tail = new ResultsTail(store.dir);
  store.writeRunStatus(status('b', 'running'));
  for (const s of [0, 10, 20, 30]) store.appendMetrics('b', record(s));
  await tail.poll();
  store.rewindMetrics('b', 10);
  store.appendMetrics('b', record(20));
  const u = await tail.poll();
  assert.ok(u.rewound.has('b'));
  assert.deepEqual(u.metrics.get('b')?.map((r) => r.step), [0, 10, 20]);
});

test('files whose size and mtime did not move are not opened again', async () => {
  const store = folder();
  store.writeRunStatus(status('a', 'done'));
  for (const s of [0, 10]) store.appendMetrics('a', record(s));
  const tail = new ResultsTail(store.dir);
  await tail.poll();
  const opened: string[] = [];
  const { open, readFile } = fs;
  fs.open = (async (...args: Parameters<typeof open>) => { opened.push(String(args[0])); return open(...args); }) as typeof open;
  fs.readFile = (async (...args: Parameters<typeof readFile>) => { opened.push(String(args[0])); return readFile(...args); }) as typeof readFile;
  try {
    const quiet = await tail.poll();
    assert.equal(quiet.metrics.size + quiet.rewound.size, 0);
    assert.deepEqual(opened, [], 'nothing changed, nothing read');
    store.appendMetrics('a', record(20));
    await tail.poll();
    assert.deepEqual(opened, [metricsPath(store.dir, 'a')], 'only the file that grew');
  } finally {
    fs.open = open;
    fs.readFile = readFile;
  }
});
