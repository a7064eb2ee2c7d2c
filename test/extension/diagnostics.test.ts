// The editor's diagnostics and lenses never throw (issue 16): hostile documents — JSON nested
// thousands deep, prototype keys, a BOM, binary garbage, odd characters — give located problems
// (src/extension/config/diagnosticsModel.ts) and lens anchors or none (lenses/lensModel.ts), never
// an exception in the extension host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDiagnostics } from '../../src/extension/config/diagnosticsModel';
import { findAnchors, limitLens, valueLenses } from '../../src/extension/lenses/lensModel';
import { engineChecks } from '../../src/sweep/limits';
import { Rng } from '../../src/util/rng';

const VALID = '{"name":"ok","task":{"kind":"modular","modulus":7},"sweep":{"model.dModel":[8,16],"training.trainSize":[10,20]}}';

function garbage(seed: number, n: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
}

/** Each hostile text, and whether the checker must refuse it. */
const HOSTILE: Array<[string, string, boolean]> = [
  ['arrays nested 100,000 deep', `{"name":"a","sweep":{"model.dModel":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, true],
  ['objects nested 50,000 deep', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`, true],
  ['200,000 unclosed brackets', '['.repeat(200_000), true],
  ['prototype keys at the top', '{"__proto__":{"polluted":1},"constructor":{"x":1},"prototype":1,"name":"p","task":{"kind":"modular","modulus":7}}', true],
  ['prototype keys as sweep axes', '{"name":"p","task":{"kind":"modular","modulus":7},"sweep":{"__proto__.x":[1],"model.constructor":[2],"toString":[3],"hasOwnProperty":[4],"model.__proto__":[5]}}', true],
  ['an object with a __proto__ key as a sweep value', '{"name":"p","task":{"kind":"modular","modulus":7},"sweep":{"model.dModel":[{"__proto__":1}]}}', true],
  ['a BOM before an invalid config', '\uFEFF{"name":"bad name!","task":{"kind":"modular"}}', true],
  ['random bytes as UTF-8', new TextDecoder().decode(garbage(1, 4096)), true],
  ['random bytes as Latin-1', Buffer.from(garbage(2, 4096)).toString('latin1'), true],
  ['random bytes after a valid prefix', `{"name":"g","task":${Buffer.from(garbage(3, 512)).toString('latin1')}`, true],
  ['NUL, lone surrogates, 1e999', '{"name":"a\u0000b\uD800","sweep":{"\uDC00":[1e999,-1e999]},"task":{"kind":"modular","modulus":1e999}}', true],
  ['an unterminated comment', '/* {"name":"x"}', true],
  ['empty', '', true],
  ['only a comment', '// nothing\n', true],
  ['a 2 MB string', `{"name":"${'x'.repeat(2_000_000)}"}`, true],
  ['10,000 unknown keys', `{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, true],
  ['a BOM before a valid config', `\uFEFF${VALID}`, false],
];

test('the diagnostics of hostile documents: located problems, never an exception', () => {
  const configDir = mkdtempSync(join(tmpdir(), 'grok-diag-'));
  for (const [what, text, refused] of HOSTILE) {
    let out: ReturnType<typeof configDiagnostics> | undefined;
    assert.doesNotThrow(() => { out = configDiagnostics(text, join(configDir, 'h.grok.json'), { configDir }); }, what);
    const { result, diagnostics } = out!;
    assert.equal(result.ok, !refused, `${what}: ${diagnostics.map((d) => d.message).join(' | ').slice(0, 300)}`);
    if (refused) assert.ok(diagnostics.length >= 1, `${what}: at least one diagnostic`);
    else assert.deepEqual(diagnostics, [], what);
    for (const d of diagnostics) {
      assert.ok(Number.isInteger(d.offset) && d.offset >= 0 && d.offset + d.length <= text.length, `${what}: range ${d.offset}+${d.length} inside ${text.length}`);
      assert.ok(typeof d.message === 'string' && d.message.length > 0 && d.message.length < 2000, `${what}: a short message`);
      assert.ok(!/internal error/.test(d.message), `${what}: a real diagnostic, not a checker crash: ${d.message}`);
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was touched');
});

test('the lenses of hostile documents: anchors or none, never an exception', () => {
  for (const [what, text] of HOSTILE) {
    assert.doesNotThrow(() => {
      const anchors = findAnchors(text);
      if (anchors) valueLenses(anchors, null);
    }, what);
  }
  const proto = findAnchors('{"name":"p","sweep":{"__proto__":[1,2],"model.dModel":[8,16],"training.trainSize":[10,20]}}');
  assert.ok(proto);
  assert.deepEqual(proto.modelValues.map((v) => v.value), [8, 16]);
  assert.deepEqual(proto.dataValues.map((v) => v.value), [10, 20]);
  assert.equal(findAnchors(HOSTILE[0]![1]), null, 'too deep to anchor: no lenses');
});

const BIG = JSON.stringify({ name: 'big', task: { kind: 'modular', modulus: 97 }, model: { dModel: 4096, dMlp: 16384, heads: 4 }, training: { trainSize: 3000, steps: 20, evalEvery: 10 } }, null, 2);

test('the engine\'s memory limit in the editor: an error under grok.device cpu at model.dModel, a warning under auto, and on the lens', () => {
  const cpu = configDiagnostics(BIG, 'big.grok.json', { limits: engineChecks('cpu', 1) });
  assert.equal(cpu.result.ok, false);
  assert.equal(cpu.diagnostics.length, 1, JSON.stringify(cpu.diagnostics));
  const [e] = cpu.diagnostics;
  assert.equal(e!.severity, 'error');
  assert.equal(e!.limit, true);
  assert.match(e!.message, /^model\.dModel: this run needs about \d+\.\d GiB on the CPU engine, more than the 4 GiB wasm32 addresses/);
  assert.equal(BIG.slice(e!.offset, e!.offset + e!.length), '4096', 'at the dModel value');
  const auto = configDiagnostics(BIG, 'big.grok.json', { limits: engineChecks('auto', 1) });
  assert.equal(auto.result.ok, true, 'auto: a GPU may train it');
  assert.deepEqual(auto.diagnostics.map((d) => [d.severity, d.limit]), [['warning', true]]);
  assert.match(auto.diagnostics[0]!.message, /it will fail on either device|only a GPU can train it/);
  // The lens: the first limit (errors first), shortened, all of them in the tooltip.
  const lens = limitLens(cpu.diagnostics);
  assert.ok(lens);
  assert.match(lens.title, /^⛔ model\.dModel: this run needs about/);
  assert.ok(lens.title.length <= 95, lens.title);
  assert.equal(lens.tooltip, `error: ${e!.message}`);
  assert.match(limitLens([...auto.diagnostics, ...auto.diagnostics])!.title, /^⚠ .*\(\+1 more\)$/);
  assert.equal(limitLens([]), null);
});

test('a sweep beyond a day of compute: a warning with the ETA at training.steps; a small sweep has no limit diagnostic', () => {
  const long = JSON.stringify({ name: 'long', task: { kind: 'modular', modulus: 97 }, model: { dModel: 32, heads: 4 }, training: { trainSize: 3000, steps: 1e12, evalEvery: 1000 } });
  const r = configDiagnostics(long, 'long.grok.json', { limits: engineChecks('auto', 1) });
  assert.equal(r.result.ok, true);
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0]!.severity, 'warning');
  assert.equal(r.diagnostics[0]!.limit, true);
  assert.match(r.diagnostics[0]!.message, /^training\.steps: this sweep needs about .* FLOPs .*ETA of about/);
  const small = configDiagnostics(VALID, 'ok.grok.json', { limits: engineChecks('cpu', 1) });
  assert.deepEqual(small.diagnostics, []);
  // A config mistake is no limit, even next to one.
  const both = configDiagnostics(BIG.replace('"heads": 4', '"heads": 3'), 'big.grok.json', { limits: engineChecks('cpu', 1) });
  assert.ok(both.diagnostics.some((d) => !d.limit), JSON.stringify(both.diagnostics));
});
