// Issue 16, the config checker as a hostile or unlucky user meets it: huge sweeps, prototype keys,
// deep nesting and encodings each get a positioned error (or pass), never an exception.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatConfigError } from '../../src/config/errors';
import { loadConfig, loadConfigFile, type LoadResult } from '../../src/config/load';
import { ConfigSchema } from '../../src/config/schema';
import { withFieldValue } from '../../src/config/sweep';

const dir = mkdtempSync(join(tmpdir(), 'grok-harden-config-'));
const BASE = { name: 'h', task: { kind: 'modular', op: 'a+b', modulus: 97 }, model: { kind: 'mlp', dModel: 8 }, training: { steps: 10, trainSize: 100 } };
const errorsOf = (r: LoadResult) => (r.ok ? [] : r.errors.map(formatConfigError));

test('a 100,000-run sweep validates in well under 5 s of CPU time (linear in the number of runs)', () => {
  const text = JSON.stringify({ ...BASE, sweep: { seed: Array.from({ length: 100_000 }, (_, i) => i) } });
  const cpu = process.cpuUsage();
  const r = loadConfig(text, 'big.grok.json');
  const used = process.cpuUsage(cpu);
  const seconds = (used.user + used.system) / 1e6;
  assert.equal(r.ok, true, errorsOf(r).join('\n'));
  if (r.ok) assert.equal(r.runs.length, 100_000);
  // Before the fix each value copied the whole config (its 100k-value sweep included): > 120 s.
  assert.ok(seconds < 5, `${seconds.toFixed(2)} s of CPU time`);
});

test('withFieldValue copies only the path it sets, not the config (nor its sweep)', () => {
  const config = ConfigSchema.parse({ ...BASE, sweep: { seed: [1, 2, 3] } });
  const run = withFieldValue(config, ['model', 'dModel'], 16) as typeof config;
  assert.equal(run.model.dModel, 16);
  assert.equal(config.model.dModel, 8, 'the base is untouched');
  assert.equal(run.task, config.task, 'unswept sections are shared, not copied');
  assert.deepEqual(run.sweep, {});
});

test('prototype keys are refused with a position, as fields and as sweep axes', () => {
  const cases: Array<[string, RegExp]> = [
    [JSON.stringify({ ...BASE, sweep: { '__proto__.x': [1] } }), /:1:\d+: sweep\["__proto__\.x"\]: axis "__proto__\.x": "__proto__" names an object's prototype/],
    [JSON.stringify({ ...BASE, sweep: { 'model.constructor': [1] } }), /sweep\["model\.constructor"\]: axis .*"constructor" names an object's prototype/],
    [JSON.stringify({ ...BASE, sweep: { 'task.prototype': [1] } }), /"prototype" names an object's prototype/],
    ['{ "name": "p", "__proto__": { "x": 1 }, "task": { "kind": "modular" } }', /:1:16: __proto__: the field name "__proto__" is not allowed/],
    ['{ "name": "p", "task": { "kind": "modular" }, "analysis": { "constructor": { "x": 1 } } }', /analysis\.constructor: the field name "constructor" is not allowed/],
  ];
  for (const [text, want] of cases) {
    const r = loadConfig(text, 'p.grok.json');
    assert.equal(r.ok, false, text);
    assert.match(errorsOf(r).join('\n'), want);
  }
  assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype was written to');
});

test('JSON nested 3000 deep is refused with a position, not a stack overflow', () => {
  for (const text of ['{"a":' + '['.repeat(3000) + ']'.repeat(3000) + '}', '{"a":' + '{"b":'.repeat(3000) + '1' + '}'.repeat(3000) + '}']) {
    const r = loadConfig(text, 'deep.grok.json');
    assert.equal(r.ok, false);
    const e = at(r.ok ? [] : r.errors, 0);
    assert.match(formatConfigError(e), /^deep\.grok\.json:1:\d+: nested more than 64 levels deep/);
    assert.ok(e.offset > 0);
  }
});

test('a UTF-8 BOM is accepted (editors show the file clean)', () => {
  const file = join(dir, 'bom.grok.json');
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(BASE))]));
  const r = loadConfigFile(file);
  assert.equal(r.ok, true, errorsOf(r).join('\n'));
  assert.equal(loadConfig(`\ufeff${JSON.stringify(BASE)}`, 'bom.grok.json').ok, true);
});

test('Latin-1 bytes are an error naming the byte offset, line and column, not silent U+FFFD', () => {
  const file = join(dir, 'latin1.grok.json');
  writeFileSync(file, Buffer.concat([Buffer.from('{ "name": "latin",\n  "description": "caf'), Buffer.from([0xe9]), Buffer.from('", "task": { "kind": "modular" } }')]));
  const r = loadConfigFile(file);
  assert.equal(r.ok, false);
  assert.match(at(errorsOf(r), 0), /latin1\.grok\.json:2:22: not valid UTF-8 at byte offset 40 \(byte 0xe9\)/);
});

test('an unterminated comment is named as such, also when it opens the file', () => {
  for (const [text, where] of [['/* notes\n{ "name": "x" }', ':1:1:'], ['{ "name": "x", "task": { "kind": "modular" } /* the end\n}', ':1:46:']] as const) {
    const r = loadConfig(text, 'c.grok.json');
    assert.equal(r.ok, false);
    const errors = errorsOf(r);
    assert.equal(errors.length, 1, errors.join('\n'));
    const error = at(errors, 0);
    assert.ok(error.includes(where), error);
    assert.match(error, /unterminated comment/);
    assert.doesNotMatch(error, /empty/);
  }
});

test('a syntax error is reported once (not with the echoes it causes)', () => {
  const r = loadConfig('{"name": "x", "task": {"kind":modular}}', 's.grok.json');
  assert.deepEqual(errorsOf(r), ['s.grok.json:1:31: task.kind: JSON syntax error: unexpected character']);
});

test('text data paths stay inside the config\'s folder or a data root; symlinks are resolved first', () => {
  const root = mkdtempSync(join(tmpdir(), 'grok-harden-paths-'));
  const project = join(root, 'project');
  const outside = join(root, 'outside');
  mkdirSync(join(project, 'data'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(project, 'data', 'train.csv'), 'text,label\na,0\n');
  writeFileSync(join(outside, 'secret.csv'), 'text,label\nsecret,1\n');
  symlinkSync(join(outside, 'secret.csv'), join(project, 'data', 'link.csv'));
  const config = (path: string) => JSON.stringify({ name: 't', task: { kind: 'text', format: 'csv', path }, model: { kind: 'encoder', dModel: 8, heads: 2 } });
  const check = (path: string, dataRoots?: string[]) => {
    const file = join(project, 't.grok.json');
    writeFileSync(file, config(path));
    return loadConfigFile(file, { dataRoots });
  };
  assert.equal(check('data/train.csv').ok, true);
  for (const path of ['../outside/secret.csv', join(outside, 'secret.csv'), 'data/link.csv', '../../../../../../etc/passwd']) {
    const r = check(path);
    assert.equal(r.ok, false, path);
    assert.match(errorsOf(r).join('\n'), /t\.grok\.json:1:\d+: task\.path: .* is outside the config's folder .*--data-root/, path);
  }
  assert.equal(check('../outside/secret.csv', [outside]).ok, true, 'an explicit data root allows it');
});
