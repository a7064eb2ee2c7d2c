// The CLI as an unlucky user meets it (issue 16), through the built `grok` and real processes:
// two `grok sweep` on one folder, a worker killed with -9 and what `grok status` says then, the
// exit codes of every command for bad usage, a target folder the file system refuses, a damaged
// store file, and --data-root on sweep and resume.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLock } from '../../src/store/lock';
import { tempDir } from '../sweep/helpers/fixtures';

const cli = join(__dirname, '..', '..', 'bin', 'grok.js');
const grok = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const start = (...args: string[]): ChildProcess => spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** A small real sweep: 2 runs of a+b mod 11 on the CPU engine. */
function config(steps: number, dir = tempDir('grok-hcli-')): string {
  const file = join(dir, 'x.grok.json');
  writeFileSync(file, JSON.stringify({
    name: 'x', task: { kind: 'modular', op: 'a+b', modulus: 11 }, model: { dModel: 8, heads: 2 },
    training: { steps, evalEvery: 50, checkpointEvery: 100, trainSize: 60, earlyStop: { enabled: false } }, sweep: { seed: [0, 1] },
  }));
  return file;
}

function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

async function until(what: string, ok: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const csvRows = (dir: string): string[] => {
  const r = grok('export', dir, '--csv');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split('\n');
};

test('two grok sweep processes on one folder: one trains, the other exits 1 naming the holder; the results equal a single run', async () => {
  const file = config(600);
  const out = join(tempDir(), 'shared');
  const first = start('sweep', file, '--out', out, '--threads', '1', '--device', 'cpu');
  const firstDone = finished(first);
  await until('the first sweep to take the lock', () => readLock(out) !== null);
  // The first writer's worker is paused (SIGSTOP) while the second runs, so that on a loaded
  // machine the first cannot finish before the second starts: they overlap for certain.
  const holder = readLock(out)!.holder.pid;
  process.kill(holder, 'SIGSTOP');
  let second;
  try {
    second = await finished(start('sweep', file, '--out', out, '--threads', '1', '--device', 'cpu'));
  } finally {
    process.kill(holder, 'SIGCONT');
  }
  const one = await firstDone;
  assert.equal(one.code, 0, one.stderr);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, /is being written by grok sweep \(pid \d+ on .*, since .*\); two writers would mix their results/);
  assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
  const alone = join(tempDir(), 'alone');
  assert.equal(grok('sweep', file, '--out', alone, '--threads', '1', '--device', 'cpu').status, 0);
  const strip = (rows: string[]) => rows.map((row) => row.split(',').filter((_, i) => i !== at(rows, 0).split(',').indexOf('wallMs')).join(','));
  const [shared, single] = [csvRows(out), csvRows(alone)];
  assert.equal(shared.length, single.length, 'export row count');
  assert.deepEqual(strip(shared), strip(single), 'the same records (wall times aside)');
});

test('kill -9 of the sweep worker: grok status says interrupted (not running) and names grok resume', async () => {
  const file = config(100_000);
  const out = join(tempDir(), 'killed');
  const sweep = start('sweep', file, '--out', out, '--threads', '1', '--device', 'cpu');
  const done = finished(sweep);
  await until('evals of both runs', () => ['seed0', 'seed1'].every((id) => existsSync(join(out, 'runs', id, 'metrics.jsonl'))));
  const holder = readLock(out)!.holder;
  assert.notEqual(holder.pid, sweep.pid, 'the lock is the worker child\'s');
  process.kill(holder.pid, 'SIGKILL');
  const cliExit = await done;
  assert.notEqual(cliExit.code, 0);
  const status = grok('status', out);
  assert.equal(status.status, 0, status.stderr);
  const [head = '', , ...rows] = status.stdout.split('\n'); // split gives at least one line
  assert.match(head, new RegExp(`^x: 2 runs \\(2 stopped\\); sweep interrupted \\(its writer, grok sweep \\(pid ${holder.pid} .*\\), is no longer running\\); continue it with \`grok resume ${out}\`$`));
  assert.ok(rows.slice(0, 2).every((r) => /^seed\d\s+stopped\s.*interrupted$/.test(r)), rows.join('\n'));
});

test('every command: exit 2 for bad usage (unknown option, missing argument, a folder or file that is not what it needs)', () => {
  const notResults = tempDir();
  const cases: string[][] = [
    [], ['nope'],
    ['validate'], ['validate', 'x.grok.json', '--bogus'], ['validate', join(notResults, 'missing.grok.json')],
    ['sweep'], ['sweep', 'x.grok.json', '--bogus'], ['sweep', join(notResults, 'missing.grok.json')],
    ['resume'], ['resume', notResults, '--bogus'], ['resume', notResults],
    ['status'], ['status', notResults, '--bogus'], ['status', notResults],
    ['export', notResults], ['export', notResults, '--csv', '--bogus'], ['export', notResults, '--csv'],
    ['report'], ['report', notResults, '--bogus'], ['report', notResults],
    ['worker', '--bogus'],
  ];
  for (const args of cases) {
    const r = grok(...args);
    assert.equal(r.status, 2, `grok ${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `grok ${args.join(' ')}: no stack trace`);
  }
  assert.match(grok('status', notResults).stderr, /not a results folder \(no manifest\.json\)/);
});

test('a target the file system refuses is one line naming the folder and the fix; a damaged manifest names its file', { skip: process.platform !== 'linux' }, () => {
  // /proc answers ENOENT to mkdir although the folder exists (Node's recursive mkdir never returns there).
  const r = spawnSync(process.execPath, [cli, 'sweep', config(20), '--out', '/proc/grok-test/out', '--device', 'cpu'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /mkdir \/proc\/grok-test: \/proc does not accept new folders .*; choose a writable folder \(--out DIR\)/);
  const dir = tempDir();
  writeFileSync(join(dir, 'manifest.json'), '{"name": "x", "runs": [');
  const s = grok('status', dir);
  assert.equal(s.status, 1);
  assert.match(s.stderr, new RegExp(`^grok status: ${join(dir, 'manifest.json')}: the manifest is damaged: not valid JSON .*; restore it from a copy`));
  assert.doesNotMatch(s.stderr, /\n\s+at /);
});

test('--data-root on grok sweep and grok resume: text data outside the config\'s folder is refused without it (symlinks resolved)', () => {
  const root = tempDir('grok-hcli-roots-');
  const project = join(root, 'project'), outside = join(root, 'outside');
  mkdirSync(project);
  mkdirSync(outside);
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'good fine great' : 'bad awful poor'} ${i},${i % 2}`);
  writeFileSync(join(outside, 'data.csv'), `text,label\n${rows.join('\n')}\n`);
  symlinkSync(join(outside, 'data.csv'), join(project, 'link.csv'));
  const file = join(project, 't.grok.json');
  writeFileSync(file, JSON.stringify({
    name: 't', task: { kind: 'text', format: 'csv', path: 'link.csv' }, model: { kind: 'encoder', dModel: 8, heads: 2 },
    training: { steps: 4, evalEvery: 2, trainSize: 20 },
  }));
  const out = join(root, 'out');
  const refused = grok('sweep', file, '--out', out, '--device', 'cpu');
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /t\.grok\.json:1:\d+: task\.path: "link\.csv" is outside the config's folder \(it is .*outside\/data\.csv\).*--data-root/);
  assert.equal(existsSync(out), false, 'nothing written');
  const ok = grok('sweep', file, '--out', out, '--device', 'cpu', '--threads', '1', '--data-root', outside);
  assert.equal(ok.status, 0, ok.stderr);
  const resumed = grok('resume', out, '--device', 'cpu');
  assert.equal(resumed.status, 1, resumed.stderr);
  assert.match(resumed.stderr, /task\.path: "link\.csv" is outside the config's folder/);
  assert.equal(grok('resume', out, '--device', 'cpu', '--data-root', outside).status, 0);
});
