// A hand-edited or damaged manifest.json (issue 16, item 11): every reader of the results store
// (status, export, report, resume, the extension) fails with one line naming the file, the field
// and the reason, instead of a raw zod array, a TypeError or a stack trace.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { manifestPath } from '../../src/store/layout';
import { readManifest, StoreError } from '../../src/store/reader';
import { buildSweepReport } from '../../src/report/data';
import { projectDeps } from '../../src/sweep/projectDeps';
import { runSweep } from '../../src/sweep/runner';
import type { WorkerMessage } from '../../src/sweep/worker/protocol';
import { fakeCreateTrainer } from '../sweep/helpers/fakeEngine';
import { tempDir } from '../sweep/helpers/fixtures';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test/fixtures/report-results/grid');
const cli = join(root, 'bin', 'grok.js');
const grok = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of a finished sweep whose manifest `edit` changed (the config file it names does not exist). */
function editedSweep(edit: (m: Json) => void): string {
  const dir = join(tempDir('grok-manifest-'), 'grid');
  cpSync(FIXTURE, dir, { recursive: true });
  const m = JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Json;
  m.configPath = join(dir, 'gone.grok.json');
  edit(m);
  writeFileSync(manifestPath(dir), JSON.stringify(m, null, 2));
  return dir;
}

// Each edit, the field the error must name, and a word of the reason.
const EDITS: Array<{ what: string; edit: (m: Json) => void; field: string; reason: RegExp }> = [
  { what: 'analysis.epsilon a string', edit: (m) => { m.config.analysis.epsilon = 'high'; }, field: 'config.analysis.epsilon', reason: /number/ },
  { what: 'an unknown task kind swept', edit: (m) => { m.config.sweep['task.kind'] = ['bogus']; }, field: 'config.sweep["task.kind"][0]', reason: /bogus|kind/ },
  { what: 'model.dModel negative', edit: (m) => { m.config.model.dModel = -3; }, field: 'config.model.dModel', reason: /-3|positive|at least|≥/ },
  { what: 'runs not an array', edit: (m) => { m.runs = 'x'; }, field: 'runs', reason: /array/ },
  { what: 'a run id leaving the folder', edit: (m) => { m.runs[1].id = '../../etc'; }, field: 'runs[1].id', reason: /folder name/ },
  { what: 'a run param an object', edit: (m) => { m.runs[2].params.seed = { x: 1 }; }, field: 'runs[2].params.seed', reason: /number, string or boolean/ },
  { what: 'no config', edit: (m) => { delete m.config; }, field: 'config', reason: /config object/ },
  { what: 'name a number', edit: (m) => { m.name = 3; }, field: 'name', reason: /string/ },
];

for (const { what, edit, field, reason } of EDITS) {
  test(`a manifest with ${what}: one line naming the file, ${field} and the reason`, () => {
    const dir = editedSweep(edit);
    const file = manifestPath(dir);
    const check = (message: string, who: string) => {
      const line = message.trim();
      assert.ok(!line.includes('\n'), `${who}: one line, got:\n${line}`);
      assert.ok(line.includes(`${file}: ${field}: `), `${who}: names ${file} and ${field}: ${line}`);
      assert.match(line, reason, `${who}: the reason`);
      assert.ok(!/^\s*\[|"code":|\n\s+at /.test(line), `${who}: no zod array, no stack: ${line}`);
    };
    assert.throws(() => readManifest(dir), (e: unknown) => {
      assert.ok(e instanceof StoreError, String(e));
      check(e.message, 'readManifest');
      return true;
    });
    assert.throws(() => buildSweepReport(dir, 'grid'), (e: unknown) => { check((e as Error).message, 'report data'); return true; });
  });
}

test('grok status, export, report and resume on an edited manifest: exit 1 and the one line, no stack', async () => {
  assert.ok(existsSync(join(root, 'dist', 'cli.js')), 'dist/cli.js: npm run build first');
  const dir = editedSweep((m) => { m.config.analysis.epsilon = 'high'; });
  const file = manifestPath(dir);
  for (const args of [['status', dir], ['export', dir, '--csv'], ['report', dir, '--out', join(dir, 'r.html')]]) {
    const r = grok(...args);
    assert.equal(r.status, 1, `grok ${args[0]}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `grok ${args[0]}: one line:\n${r.stderr}`);
    assert.ok(lines[0]!.includes(`${file}: config.analysis.epsilon: `), `grok ${args[0]}: ${lines[0]}`);
  }
  // resume (the runner, as the CLI's and the extension's workers run it): one error event, the same line.
  const errors: string[] = [];
  const status = await runSweep({ outDir: dir }, { ...projectDeps, createTrainer: fakeCreateTrainer() }, (m: WorkerMessage) => { if (m.type === 'error') errors.push(m.message); });
  assert.equal(status, 'failed');
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.ok(errors[0]!.startsWith(`${file}: config.analysis.epsilon: `), errors[0]);
  assert.ok(!errors[0]!.includes('\n'), errors[0]);
});

test('a hand-edited summary.json reads as absent and a status.json with a bad field as a damaged run: grok status still works', () => {
  assert.ok(existsSync(join(root, 'dist', 'cli.js')), 'dist/cli.js: npm run build first');
  const edits: Array<[string, (dir: string) => void, RegExp]> = [
    ['summary: criticalDataSize a string', (dir) => editJson(join(dir, 'summary.json'), (m) => { m.criticalDataSize = 'x'; }), /12 runs \(12 done\)/],
    ['summary: memorizationCapacity an object', (dir) => editJson(join(dir, 'summary.json'), (m) => { m.memorizationCapacity = { a: 1 }; }), /12 runs \(12 done\)/],
    ['status.json: regime a number', (dir) => editJson(join(dir, 'runs', readManifest(dir).runs[0]!.id, 'status.json'), (m) => { m.regime = 5; }),
      /damaged: status\.json is not a run status \("regime": expected a string or null\)/],
  ];
  for (const [what, edit, expected] of edits) {
    const dir = editedSweep(() => {});
    edit(dir);
    const r = grok('status', dir);
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    assert.equal(r.stderr, '', what);
    assert.match(r.stdout, expected, what);
  }
});

function editJson(path: string, edit: (m: Json) => void): void {
  const m = JSON.parse(readFileSync(path, 'utf8')) as Json;
  edit(m);
  writeFileSync(path, JSON.stringify(m));
}

test('the stored fixtures and a valid manifest still read (the check is not stricter than the writer)', () => {
  for (const name of ['grid', 'mixture', 'weights']) {
    const m = readManifest(join(root, 'test/fixtures/report-results', name));
    assert.equal(m.name, name);
  }
  assert.ok(readManifest(join(root, 'test/fixtures/results/modadd-grid')).runs.length > 0);
});
