import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatConfigError, type ConfigError } from '../../src/config/errors';
import { loadConfig, loadConfigFile, requireConfigFile } from '../../src/config/load';

const INVALID = join(__dirname, '..', 'fixtures', 'invalid');
const fixtures = readdirSync(INVALID).filter((f) => f.endsWith('.grok.json')).sort();

/** `// expect: LINE:COL PATH | MESSAGE-PREFIX` lines at the top of a fixture. */
function expectations(text: string) {
  return [...text.matchAll(/^\/\/ expect: (\d+):(\d+) (\S*) ?\| (.*)$/gm)]
    // Every group takes part in a match: the defaults only satisfy the type.
    .map(([, line, column, path = '', message = '']) => ({ line: Number(line), column: Number(column), path, message }));
}

test('there are at least 12 malformed fixtures, each declaring its expected errors', () => {
  assert.ok(fixtures.length >= 12, `${fixtures.length} fixtures`);
  for (const f of fixtures.filter((f) => f !== 'empty.grok.json')) {
    assert.ok(expectations(readFileSync(join(INVALID, f), 'utf8')).length > 0, `${f} has no "// expect:" line`);
  }
});

for (const f of fixtures.filter((f) => f !== 'empty.grok.json')) {
  test(`fixture ${f}: error at the declared line:column, path and message`, () => {
    const file = join(INVALID, f);
    const result = loadConfigFile(file);
    assert.equal(result.ok, false);
    if (result.ok) return;
    for (const want of expectations(readFileSync(file, 'utf8'))) {
      const hit: ConfigError | undefined = result.errors.find((e) => e.line === want.line && e.column === want.column && e.path === want.path);
      assert.ok(hit, `no error at ${want.line}:${want.column} ${want.path}; got:\n${result.errors.map(formatConfigError).join('\n')}`);
      assert.ok(hit.message.startsWith(want.message), `message: ${hit.message}\nwanted prefix: ${want.message}`);
      assert.equal(formatConfigError(hit), `${file}:${want.line}:${want.column}: ${want.path ? `${want.path}: ` : ''}${hit.message}`);
      assert.equal(hit.file, file);
    }
  });
}

test('offset and length cover the offending node', () => {
  const text = '{\n  "name": "x",\n  "task": { "kind": "modular", "modulus": 1 }\n}';
  const result = loadConfig(text, 'mem.grok.json');
  assert.equal(result.ok, false);
  if (result.ok) return;
  const e = at(result.errors, 0);
  assert.equal(text.slice(e.offset, e.offset + e.length), '1');
  assert.deepEqual([e.line, e.column, e.path], [3, 43, 'task.modulus']);
});

test('an empty file and a missing file are clear errors', () => {
  const empty = loadConfig('  // nothing here\n', 'e.grok.json');
  assert.equal(empty.ok, false);
  if (!empty.ok) assert.match(at(empty.errors, 0).message, /the file is empty/);
  const missing = loadConfigFile(join(tmpdir(), 'no-such-dir-grok', 'x.grok.json'));
  assert.equal(missing.ok, false);
  if (!missing.ok) {
    assert.match(formatConfigError(at(missing.errors, 0)), /x\.grok\.json:1:1: cannot read the experiment file \(no such file/);
  }
  assert.throws(() => requireConfigFile(join(tmpdir(), 'no-such-dir-grok', 'x.grok.json')), /cannot read the experiment file/);
});

test('a valid file with comments and trailing commas loads with defaults filled in', () => {
  const result = loadConfig(`{
    // a comment
    "name": "ok", /* another */
    "task": { "kind": "modular", "op": "a-b", "modulus": 13, },
    "training": { "trainFraction": 0.5 },
  }`, 'ok.grok.json');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  if (!result.ok) return;
  assert.equal(result.config.model.dModel, 128);
  assert.equal(result.config.seed, 0);
  assert.equal(result.runs.length, 1);
  assert.equal(at(result.runs, 0).id, 'run');
});

test('an error on a swept field is reported once per sweep value, not once per run', () => {
  const result = loadConfig(JSON.stringify({
    name: 'x', task: { kind: 'modular' }, model: { heads: 8 },
    sweep: { seed: [0, 1, 2], 'model.dModel': [12, 16, 20] },
  }, null, 1), 'x.grok.json');
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.errors.map((e) => e.path), ['sweep["model.dModel"][0]', 'sweep["model.dModel"][2]']);
});

test('sweeping the task kind fills in the defaults of the new kind; a sweep value may fix an invalid base', () => {
  const ok = loadConfig(JSON.stringify({
    name: 'x', task: { kind: 'modular', op: 'a*b', modulus: 11 },
    sweep: { 'task.kind': ['modular', 'memorization'] },
  }), 'x.grok.json');
  assert.ok(ok.ok);
  if (ok.ok) assert.equal((at(ok.runs, 1).config.task as { symmetric?: boolean }).symmetric, false);
  // The base trainSize (200) is too large for P = 11, but every run takes its trainSize from the axis.
  const fixed = loadConfig(JSON.stringify({
    name: 'x', task: { kind: 'modular', modulus: 11 }, training: { trainSize: 200 },
    sweep: { 'training.trainSize': [10, 20] },
  }), 'x.grok.json');
  assert.ok(fixed.ok);
});

test('mixtures: per-component sizes, unique names, component paths as sweep axes', () => {
  const base = { name: 'mix', task: { kind: 'mixture', modulus: 7, components: [{ op: 'a+b', trainSize: 20 }, { op: 'a+b', labels: 'random' }] } };
  const ok = loadConfig(JSON.stringify({ ...base, sweep: { 'task.components.1.trainSize': [10, 30], 'task.components.0.trainSize': [5] } }), 'm.grok.json');
  assert.ok(ok.ok, ok.ok ? '' : ok.errors.map(formatConfigError).join('\n'));
  if (ok.ok) assert.deepEqual(ok.runs.map((r) => r.id), ['task.components.1.trainSize10_task.components.0.trainSize5', 'task.components.1.trainSize30_task.components.0.trainSize5']);
  const dup = loadConfig(JSON.stringify({ name: 'mix', task: { kind: 'mixture', modulus: 7, components: [{ op: 'a+b' }, { op: 'a+b' }] } }), 'm.grok.json');
  assert.equal(dup.ok, false);
  if (!dup.ok) assert.deepEqual(dup.errors.map((e) => [e.path, e.message.split(';')[0]]), [['task.components[1]', 'component name "a+b" is already used by component 0']]);
  const beyond = loadConfig(JSON.stringify({ ...base, sweep: { 'task.components.2.trainSize': [10] } }), 'm.grok.json');
  assert.equal(beyond.ok, false);
  if (!beyond.ok) assert.match(at(beyond.errors, 0).message, /names no field/);
});

test('search: the axis must be a data size, not swept, with a range inside the dataset', () => {
  const at = (search: unknown, sweep = {}) => {
    const r = loadConfig(JSON.stringify({ name: 's', task: { kind: 'modular', modulus: 11 }, search, sweep }), 's.grok.json');
    return r.ok ? [] : r.errors.map((e) => e.path);
  };
  assert.deepEqual(at({ axis: 'training.trainSize', range: [10, 100] }), []);
  assert.deepEqual(at({ range: [10, 121] }), ['search.range[1]']);
  assert.deepEqual(at({ range: [50, 10] }), ['search.range']);
  assert.deepEqual(at({ axis: 'training.trainFraction', range: [0.1, 1] }), ['search.range[1]']);
  assert.deepEqual(at({ axis: 'seed', range: [0, 5] }), ['search.axis']);
  assert.deepEqual(at({ range: [10, 100] }, { 'training.trainSize': [20] }), ['search.axis']);
});

test('text tasks: data files are looked up relative to the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grok-load-'));
  const file = join(dir, 't.grok.json');
  writeFileSync(file, JSON.stringify({ name: 't', task: { kind: 'text', format: 'csv', path: 'train.csv' }, model: { kind: 'encoder' } }, null, 2));
  const missing = loadConfigFile(file);
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.deepEqual([at(missing.errors, 0).path, at(missing.errors, 0).line], ['task.path', 6]);
  writeFileSync(join(dir, 'train.csv'), 'text,label\nhi,1\n');
  assert.equal(loadConfigFile(file).ok, true);
});
