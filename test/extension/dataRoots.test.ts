// The grok.dataRoots setting (src/extension/config/dataRoots.ts): resolved against the config's
// workspace folder, then used by the diagnostics (loadConfig's dataRoots) and by the sweeps the
// extension starts (SweepOptions.dataRoots, sent to the worker), so text data may lie in those
// folders as well as in the config's own (issue 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataRoots } from '../../src/extension/config/dataRoots';
import { loadConfig } from '../../src/config/load';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import type { WorkerMessage } from '../../src/sweep/worker/protocol';
import { fakeCreateTrainer } from '../sweep/helpers/fakeEngine';

const ws = '/home/me/project';
const base = { workspaceFolder: ws, home: '/home/me' };

test('grok.dataRoots entries resolve: absolute, relative to the workspace folder, ${workspaceFolder}, ~', () => {
  assert.deepEqual(resolveDataRoots(['/data/corpora', 'shared/../data', '${workspaceFolder}/../datasets', '~/corpora', '~', '/data/corpora/'], base), {
    roots: ['/data/corpora', `${ws}/data`, '/home/me/datasets', '/home/me/corpora', '/home/me'], problems: [],
  });
  assert.deepEqual(resolveDataRoots(undefined, base), { roots: [], problems: [] });
  assert.deepEqual(resolveDataRoots([], base), { roots: [], problems: [] });
});

test('unusable grok.dataRoots entries are left out with a line naming the entry', () => {
  const r = resolveDataRoots(['/ok', 3, '', '${env:HOME}/x', null, 'a\0b'], base);
  assert.deepEqual(r.roots, ['/ok']);
  assert.equal(r.problems.length, 5);
  assert.match(r.problems[0]!, /^grok\.dataRoots\[1\]: expected a folder path, found 3$/);
  assert.match(r.problems[2]!, /^grok\.dataRoots\[3\]: .*only \$\{workspaceFolder\} and ~ are expanded/);
  assert.match(resolveDataRoots('/data', base).problems[0]!, /expected a list of folders/);
  const noWorkspace = resolveDataRoots(['data', '/abs'], { workspaceFolder: undefined, home: '/home/me' });
  assert.deepEqual(noWorkspace.roots, ['/abs']);
  assert.match(noWorkspace.problems[0]!, /relative and no workspace folder is open/);
});

/** A project whose config reads text data from a folder beside the workspace. */
function project(): { config: string; text: string; data: string; workspace: string } {
  const root = mkdtempSync(join(tmpdir(), 'grok-dataroots-'));
  const workspace = join(root, 'ws');
  const data = join(root, 'corpora');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(data);
  const rows = ['text,label'];
  for (let i = 0; i < 40; i++) rows.push(`${i % 2 ? 'good fine nice' : 'bad poor awful'} ${i},${i % 2}`);
  writeFileSync(join(data, 'reviews.csv'), rows.join('\n') + '\n');
  const text = JSON.stringify({
    name: 'reviews', task: { kind: 'text', format: 'csv', path: '../corpora/reviews.csv' },
    model: { kind: 'encoder', dModel: 8, heads: 2, layers: 1 }, training: { steps: 4, evalEvery: 2, trainFraction: 0.5 },
  });
  const config = join(workspace, 'reviews.grok.json');
  writeFileSync(config, text);
  return { config, text, data, workspace };
}

test('the diagnostics\' check: text data in a grok.dataRoots folder is accepted, elsewhere refused naming the setting', () => {
  const p = project();
  const without = loadConfig(p.text, p.config, { configDir: p.workspace });
  assert.equal(without.ok, false);
  const message = !without.ok ? without.errors.map((e) => `${e.path}: ${e.message}`).join('\n') : '';
  assert.match(message, /^task\.path: .* is outside the config's folder .*grok\.dataRoots/m);
  const { roots } = resolveDataRoots(['../corpora'], { workspaceFolder: p.workspace, home: '/nowhere' });
  assert.deepEqual(roots, [p.data]);
  const withRoots = loadConfig(p.text, p.config, { configDir: p.workspace, dataRoots: roots });
  assert.equal(withRoots.ok, true, !withRoots.ok ? withRoots.errors.map((e) => e.message).join('\n') : '');
});

test('a sweep started with the setting\'s roots (SweepOptions.dataRoots, as the extension sends them) trains; without, it is refused', async () => {
  const p = project();
  const deps = { ...projectDeps, createTrainer: fakeCreateTrainer() };
  const errors: string[] = [];
  const listen = (m: WorkerMessage) => { if (m.type === 'error') errors.push(m.message); };
  assert.equal(await runSweep({ configPath: p.config, outDir: join(p.workspace, 'out-a') }, deps, listen), 'failed');
  assert.match(errors.join('\n'), /reviews\.grok\.json:1:\d+: task\.path: .* is outside the config's folder/);
  errors.length = 0;
  const status = await runSweep({ configPath: p.config, outDir: join(p.workspace, 'out-b'), dataRoots: [p.data] }, deps, listen);
  assert.deepEqual(errors, []);
  assert.equal(status, 'done');
  assert.equal(JSON.parse(readFileSync(join(p.workspace, 'out-b', 'manifest.json'), 'utf8')).name, 'reviews');
});
