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
import { findAnchors, valueLenses } from '../../src/extension/lenses/lensModel';
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
