import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../../src/store/jsonl';
import { SweepStore } from '../../src/store/writer';
import { listCheckpoints } from '../../src/store/checkpoints';
import { readRunMetrics } from '../../src/store/reader';
import { tempDir } from './helpers/fixtures';

const rec = (step: number) => ({ step, trainLoss: 1, trainAcc: 0.5, valLoss: 1, valAcc: 0.1, weightNorm: 1, norms: {} });

test('a torn last metrics line is skipped on read and cut on rewind', () => {
  const store = new SweepStore(tempDir());
  store.writeRunStatus({ id: 'r', params: {}, status: 'running', regime: null, final: null, steps: { trainFit: null, valFit: null, last: 0 } });
  for (const s of [0, 10, 20]) store.appendMetrics('r', rec(s));
  const path = join(store.dir, 'runs', 'r', 'metrics.jsonl');
  appendFileSync(path, '{"step":30,"trainLo');
  assert.deepEqual(readRunMetrics(store.dir, 'r').map((r) => r.step), [0, 10, 20]);
  assert.equal(readJsonl(path).tornTail, true);

  const kept = store.rewindMetrics('r', 10);
  assert.deepEqual(kept.map((r) => r.step), [0, 10]);
  assert.equal(readFileSync(path, 'utf8'), [rec(0), rec(10)].map((r) => JSON.stringify(r) + '\n').join(''));
});

test('a corrupt line before the last is skipped and flagged as damage (the writer quarantines the run)', () => {
  const path = join(tempDir(), 'm.jsonl');
  writeFileSync(path, JSON.stringify(rec(0)) + '\nnot json\n' + JSON.stringify(rec(2)) + '\n');
  const contents = readJsonl<{ step: number }>(path);
  assert.deepEqual(contents.records.map((r) => r.step), [0, 2]);
  assert.deepEqual(contents.damagedLines, [2]);
  assert.equal(contents.tornTail, false);
});

test('checkpoints: only the latest is kept, written atomically', () => {
  const store = new SweepStore(tempDir());
  store.saveCheckpoint('r', 100, Uint8Array.of(1, 2, 3));
  store.saveCheckpoint('r', 200, Uint8Array.of(4, 5));
  assert.deepEqual(listCheckpoints(store.dir, 'r'), [200]);
  assert.deepEqual([...store.loadCheckpoint('r', 200)], [4, 5]);
  assert.ok(!readdirSync(join(store.dir, 'runs', 'r')).some((f) => f.includes('.tmp')));
  assert.ok(!existsSync(join(store.dir, 'runs', 'r', 'ckpt-100.safetensors')));
});

test('the first manifest written in a .grok folder adds .grok/.gitignore (once; a user\'s own is kept)', () => {
  const grok = join(tempDir(), '.grok');
  const manifest = { name: 'a', configHash: 'h', config: {}, runs: [], createdAt: '' } as never;
  new SweepStore(join(grok, 'a')).writeManifest(manifest);
  assert.equal(readFileSync(join(grok, '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), '*');
  writeFileSync(join(grok, '.gitignore'), 'mine\n');
  new SweepStore(join(grok, 'b')).writeManifest(manifest);
  assert.equal(readFileSync(join(grok, '.gitignore'), 'utf8'), 'mine\n', 'an existing .gitignore is left alone');
  const elsewhere = tempDir();
  new SweepStore(join(elsewhere, 'out')).writeManifest(manifest);
  assert.ok(!existsSync(join(elsewhere, '.gitignore')), 'outside .grok/ (grok sweep --out) nothing is added');
});
