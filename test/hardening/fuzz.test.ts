// Fuzzing the config checker (issue 16): 10,000 configs mutated from the bundled examples by random
// edits of values, keys and bytes. No exception may escape, and every rejection must name a position.
import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatConfigError } from '../../src/config/errors';
import { loadConfigBytes, type LoadResult } from '../../src/config/load';
import { Rng } from '../../src/util/rng';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const CONFIGS = 10_000;
const SEED = 16;

const sources = readdirSync(EXAMPLES).filter((f) => f.endsWith('.grok.json')).sort()
  .map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8') }));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

class Mutator {
  constructor(private readonly rng: Rng) {}
  int(n: number): number { return this.rng.nextU32() % n; }
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }

  value(depth = 0): Json {
    switch (this.int(depth > 2 ? 6 : 9)) {
      case 0: return this.pick([0, -1, 1, 2, 7, 97, 1024, 4096, 16384, 2 ** 31, 2 ** 32, 2 ** 53, 1e12, 1e30, 1e308, -1e308, 0.5, 1e-300, -0]);
      case 1: return (this.rng.nextU32() / 2 ** 16) - 32768;
      case 2: return this.pick(['', 'a+b', 'a/b', 'mlp', 'encoder', 'text', 'mixture', 'modular', '__proto__', 'constructor', '../../../../etc/passwd', '/etc/passwd', 'ü\u0000\ud800', 'x'.repeat(300), 'training.trainSize', 'model.dModel']);
      case 3: return null;
      case 4: return this.int(2) === 0;
      case 5: return this.pick([[], {}]);
      case 6: return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      case 7: { const o: Record<string, Json> = {}; for (let i = this.int(3); i > 0; i--) define(o, this.key(), this.value(depth + 1)); return o; }
      default: { let v: Json = 1; for (let i = 50 + this.int(40); i > 0; i--) v = this.int(2) ? [v] : { a: v }; return v; }
    }
  }

  key(): string {
    return this.pick(['name', 'task', 'model', 'kind', 'dModel', 'heads', 'dMlp', 'sweep', 'search', 'seed', 'steps', 'trainSize', 'trainFraction', 'components', 'path',
      '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'model.dModel', 'model.__proto__', '__proto__.polluted', 'model.constructor.x',
      'task.components.0.trainSize', 'task.components.99.op', 'training.trainSize', 'training.lr', 'optimizer.lr', 'task.kind', 'model.kind', 'analysis.epsilon', 'x'.repeat(200)]);
  }

  /** A random edit of the parsed tree: one value replaced, or one key renamed, added or removed. */
  tree(root: Json): Json {
    const nodes: Array<{ parent: Json[] | Record<string, Json>; key: string | number }> = [];
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach((c, i) => { nodes.push({ parent: v, key: i }); walk(c); });
      else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) { nodes.push({ parent: v, key: k }); walk(v[k]!); }
    };
    walk(root);
    if (!nodes.length) return this.value();
    const { parent, key } = this.pick(nodes);
    const op = this.int(4);
    if (op <= 1 || Array.isArray(parent)) (parent as Record<string | number, Json>)[key] = this.value();
    else if (op === 2) { const v = parent[key]!; /* walk read key from parent */ delete parent[key]; define(parent, this.key(), v); }
    else if (this.int(2)) delete parent[key as string];
    else define(parent, this.key(), this.value());
    return root;
  }

  /** Random byte edits: flips, inserts, deletes, a truncation or a duplicated slice. */
  bytes(b: Buffer): Buffer {
    let out = Buffer.from(b);
    for (let n = 1 + this.int(3); n > 0; n--) {
      const at = this.int(out.length + 1);
      switch (this.int(6)) {
        case 0: if (at < out.length) out[at] = this.int(256); break;
        case 1: out = Buffer.concat([out.subarray(0, at), Buffer.from([this.pick([0x00, 0x22, 0x2c, 0x2f, 0x2a, 0x5b, 0x7b, 0x7d, 0xe9, 0xff, 0xc3, 0xef, this.int(256)])]), out.subarray(at)]); break;
        case 2: out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + this.int(8))]); break;
        case 3: out = out.subarray(0, at); break;
        case 4: out = Buffer.concat([out.subarray(0, at), out.subarray(this.int(out.length + 1)).subarray(0, 40), out.subarray(at)]); break;
        default: out = Buffer.concat([Buffer.from(this.pick(['\ufeff', '/*', '//', '"', '{', ']'])), out]);
      }
    }
    return out;
  }
}

/** Sets an own property, even one named __proto__ (an assignment would set the prototype instead). */
function define(o: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function checkResult(r: LoadResult, bytes: Buffer, label: string): void {
  assert.equal(typeof r.ok, 'boolean', label);
  if (r.ok) return;
  assert.ok(r.errors.length > 0, `${label}: rejected without an error`);
  const length = bytes.length;
  for (const e of r.errors) {
    const where = `${label}: ${formatConfigError(e)}`;
    assert.ok(Number.isInteger(e.line) && e.line >= 1 && Number.isInteger(e.column) && e.column >= 1, `no position: ${where}`);
    assert.ok(e.offset >= 0 && e.offset <= length, `offset ${e.offset} outside the file: ${where}`);
    assert.ok(e.message.length > 0 && !e.message.startsWith('internal error'), `not a user's error: ${where}`);
    assert.equal(e.file, label);
  }
}

test(`${CONFIGS} mutated example configs: no exception escapes, every rejection names a position`, () => {
  const m = new Mutator(new Rng(SEED, 16));
  const counts = { accepted: 0, rejected: 0 };
  for (let i = 0; i < CONFIGS; i++) {
    const src = at(sources, i % sources.length);
    let bytes: Buffer;
    const kind = m.int(3);
    if (kind === 2) {
      bytes = m.bytes(Buffer.from(src.text));
    } else {
      let tree = JSON.parse(stripComments(src.text)) as Json;
      for (let n = 1 + m.int(3); n > 0; n--) tree = m.tree(tree);
      bytes = Buffer.from(JSON.stringify(tree, null, m.int(2) ? 2 : undefined));
    }
    const label = `fuzz-${i}-${src.name}`;
    let r: LoadResult;
    try {
      r = loadConfigBytes(bytes, label, { configDir: EXAMPLES });
    } catch (e) {
      assert.fail(`${label}: the checker threw ${(e as Error).stack}\ninput: ${bytes.toString('latin1').slice(0, 2000)}`);
    }
    checkResult(r, bytes, label);
    counts[r.ok ? 'accepted' : 'rejected']++;
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was written to');
  // The mutations must mostly break things, or the fuzzing tests little.
  assert.ok(counts.rejected > CONFIGS * 0.5, JSON.stringify(counts));
});

/** The examples' comments, for the tree edits (JSON.parse has none). */
function stripComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, str: string | undefined) => str ?? '');
}
