// Runs the CLI as users do: bundled the way scripts/build.mjs bundles it, in a child process.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as esbuild from 'esbuild';

const ROOT = join(__dirname, '..', '..');
let cli = '';

before(async () => {
  cli = join(mkdtempSync(join(tmpdir(), 'grok-cli-')), 'cli.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', format: 'cjs',
    target: 'es2022', logLevel: 'warning', mainFields: ['module', 'main'], external: ['vscode', 'webgpu'],
  });
});

const grok = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8' });

test('grok validate prints the expanded example sweep', () => {
  const r = grok('validate', 'examples/modadd-cds.full.grok.json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /modadd-cds-full: 48 runs/);
  assert.match(r.stdout, /model\.dModel\s+16, 32, 64, 128 {2}\(4\)/);
  assert.match(r.stdout, /seed\s+0, 1, 2 {2}\(3\)/);
  assert.match(r.stdout, /dataset 9409 examples/);
  assert.match(r.stdout, /training\.trainSize=1000: train 1000, val 8409 of 9409/);
  assert.match(r.stdout, /training\.trainSize=4000: train 4000, val 5409 of 9409/);
});

test('grok validate on malformed files: exit 1 (2 for a missing file) and file:line:col errors, no crash', () => {
  for (const [file, where] of [
    ['test/fixtures/invalid/heads-not-dividing.grok.json', ':5:38: model.heads: '],
    ['test/fixtures/invalid/syntax-error.grok.json', ':4:3: name: JSON syntax error'],
    ['test/fixtures/invalid/sweep-non-numeric.grok.json', ':5:35: sweep["model.dModel"][1]: '],
    ['test/fixtures/invalid/empty.grok.json', ':1:1: the file is empty'],
    ['test/fixtures/invalid/missing.grok.json', ':1:1: cannot read the experiment file'],
  ] as const) {
    const r = grok('validate', file);
    // An invalid config is validate's answer (1); a file it cannot read is bad usage (2).
    assert.equal(r.status, file.endsWith('missing.grok.json') ? 2 : 1, `${file}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`${file}${where}`), `${file}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/); // no stack trace
  }
});

test('grok validate --json', () => {
  const ok = JSON.parse(grok('validate', 'examples/modadd-cds.full.grok.json', '--json').stdout);
  assert.equal(ok.runs.length, 48);
  assert.deepEqual(ok.runs[5], { id: 'dModel16_trainSize2000_seed2', params: { 'model.dModel': 16, 'training.trainSize': 2000, seed: 2 } });
  const bad = grok('validate', 'test/fixtures/invalid/modulus-1.grok.json', '--json');
  assert.equal(bad.status, 1);
  assert.deepEqual(JSON.parse(bad.stdout).errors.map((e: { line: number; column: number }) => [e.line, e.column]), [[4, 56]]);
});

test('dispatcher: help, unknown commands and usage errors', () => {
  const help = grok('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: grok <command>[\s\S]*validate/);
  assert.equal(grok().status, 2);
  const unknown = grok('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  assert.match(grok('validate', '--help').stdout, /Usage: grok validate FILE/);
  assert.equal(grok('validate').status, 2);
});
