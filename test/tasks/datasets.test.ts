import { strict as assert } from 'node:assert';
import { at } from '../assertions';
import { test } from 'node:test';
import { MODULAR_OPS, TaskSchema, type ModularOp, type TaskConfig } from '../../src/config/schema';
import { buildDataset, datasetDependsOnSeed, datasetSize } from '../../src/trainer/tasks/index';
import type { Dataset } from '../../src/trainer/tasks/types';

const task = (t: object): TaskConfig => TaskSchema.parse(t);
const build = (t: object, seed = 0) => buildDataset(task(t), { configDir: '.', seed });
/** Example i's tokens: [a, b, =] or [a, op, b, =]; fails the test on a shorter row. */
function row(d: Dataset, i: number): [number, number, number, ...number[]] {
  const [x, y, z, ...rest] = d.inputs.subarray(i * d.seqLen, (i + 1) * d.seqLen);
  assert.ok(x !== undefined && y !== undefined && z !== undefined, `example ${i} has at least 3 tokens`);
  return [x, y, z, ...rest];
}

// Direct formulas, written independently of src/trainer/tasks/ops.ts.
const FORMULAS: Record<ModularOp, (a: number, b: number, P: number) => number> = {
  'a+b': (a, b, P) => (a + b) % P,
  'a-b': (a, b, P) => (a - b + P) % P,
  'a*b': (a, b, P) => (a * b) % P,
  'a/b': () => NaN, // checked through c·b ≡ a below
  '(a+b)^2': (a, b, P) => ((a + b) ** 2) % P,
  'a^2+b^2': (a, b, P) => (a ** 2 + b ** 2) % P,
  'a^2+ab+b^2': (a, b, P) => (a ** 2 + a * b + b ** 2) % P,
  'a^3+ab': (a, b, P) => (a ** 3 + a * b) % P,
};

for (const op of MODULAR_OPS) {
  test(`modular ${op}: sizes, sequence "a b =", every label against the formula (P = 7 and 11)`, async () => {
    for (const P of [7, 11]) {
      const d = await build({ kind: 'modular', op, modulus: P });
      const pairs = op === 'a/b' ? P * (P - 1) : P * P;
      assert.equal(d.count, pairs);
      assert.equal(datasetSize(task({ kind: 'modular', op, modulus: P })), pairs);
      assert.deepEqual([d.seqLen, d.vocabSize, d.numClasses], [3, P + 1, P]);
      assert.equal(d.inputs.length, 3 * pairs);
      const seen = new Set<string>();
      for (let i = 0; i < d.count; i++) {
        const [a, b, eq] = row(d, i);
        assert.equal(eq, P);
        assert.ok(a >= 0 && a < P && b >= 0 && b < P);
        seen.add(`${a},${b}`);
        const c = d.labels[i]!; // i < count
        if (op === 'a/b') {
          assert.notEqual(b, 0);
          assert.equal((c * b) % P, a, `${a}/${b} = ${c} mod ${P}`);
        } else {
          assert.equal(c, FORMULAS[op](a, b, P), `${a} ${op} ${b} mod ${P}`);
        }
      }
      assert.equal(seen.size, pairs, 'every pair exactly once');
      assert.ok(d.component.every((k) => k === 0));
    }
  });
}

test('a/b with a non-prime modulus is refused', async () => {
  await assert.rejects(build({ kind: 'modular', op: 'a/b', modulus: 12 }), /prime/);
});

test('a large prime stays exact (no float overflow in a^3 + ab at P = 1021)', async () => {
  const d = await build({ kind: 'modular', op: 'a^3+ab', modulus: 1021 });
  const P = 1021n;
  for (const i of [0, 1, 12345, d.count - 1]) {
    const [x, y] = row(d, i), a = BigInt(x), b = BigInt(y);
    assert.equal(BigInt(at(d.labels, i)), (a ** 3n + a * b) % P);
  }
});

test('memorization: same inputs as the op, labels uniform-ish, deterministic and seed-dependent', async () => {
  const P = 31;
  const m0 = await build({ kind: 'memorization', op: 'a+b', modulus: P }, 0);
  const again = await build({ kind: 'memorization', op: 'a+b', modulus: P }, 0);
  const m1 = await build({ kind: 'memorization', op: 'a+b', modulus: P }, 1);
  const modular = await build({ kind: 'modular', op: 'a+b', modulus: P });
  assert.deepEqual(m0.inputs, modular.inputs);
  assert.deepEqual(m0.labels, again.labels);
  const agree = m0.labels.reduce((n, l, i) => n + (l === m1.labels[i] ? 1 : 0), 0);
  assert.ok(agree < m0.count * 0.1, `seeds 0 and 1 agree on ${agree} of ${m0.count}`);
  const matchesOp = m0.labels.reduce((n, l, i) => n + (l === modular.labels[i] ? 1 : 0), 0);
  assert.ok(matchesOp < m0.count * 0.1);
  // Uniform: each class ~ 31 times; chi-square with 30 dof stays far below 80 for a fair draw.
  const counts = new Array(P).fill(0);
  for (const l of m0.labels) counts[l]++;
  const expected = m0.count / P;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 80, `chi2 = ${chi2}`);
  assert.ok(datasetDependsOnSeed(task({ kind: 'memorization', modulus: P })));
  assert.ok(!datasetDependsOnSeed(task({ kind: 'modular', modulus: P })));
});

test('memorization symmetric: (a, b) and (b, a) share a label; not so without it', async () => {
  const P = 17;
  const labelOf = (d: Dataset) => {
    const m = new Map<string, number>();
    for (let i = 0; i < d.count; i++) m.set(row(d, i).slice(0, 2).join(','), d.labels[i]!); // i < count
    return m;
  };
  const sym = labelOf(await build({ kind: 'memorization', op: 'a*b', modulus: P, symmetric: true }, 3));
  const asym = labelOf(await build({ kind: 'memorization', op: 'a*b', modulus: P }, 3));
  let asymDiffers = 0;
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      assert.equal(sym.get(`${a},${b}`), sym.get(`${b},${a}`));
      if (asym.get(`${a},${b}`) !== asym.get(`${b},${a}`)) asymDiffers++;
    }
  }
  assert.ok(asymDiffers > P * P * 0.8);
});

test('mixture: operator token per component, component ids, per-component labels', async () => {
  const P = 7;
  const t = { kind: 'mixture', modulus: P, components: [{ op: 'a+b' }, { op: 'a/b' }, { op: 'a*b', labels: 'random', name: 'noise' }] };
  const d = await build(t, 5);
  assert.equal(d.count, 49 + 42 + 49);
  assert.equal(datasetSize(task(t)), 140);
  assert.deepEqual([d.seqLen, d.vocabSize, d.numClasses], [4, P + 1 + 3, P]);
  assert.deepEqual(d.componentNames, ['a+b', 'a/b', 'noise']);
  const perComponent = [0, 0, 0];
  let randomMatchesOp = 0;
  for (let i = 0; i < d.count; i++) {
    const [a, op, b, eq] = row(d, i);
    const k = d.component[i]!, label = d.labels[i]!; // i < count
    perComponent[k] = at(perComponent, k) + 1;
    assert.equal(op, P + 1 + k);
    assert.equal(eq, P);
    if (k === 0) assert.equal(label, (a + b) % P);
    if (k === 1) assert.equal((label * b) % P, a);
    if (k === 2 && label === (a * b) % P) randomMatchesOp++;
  }
  assert.deepEqual(perComponent, [49, 42, 49]);
  assert.ok(randomMatchesOp < 20, `${randomMatchesOp} random labels equal a*b`);
  const otherSeed = await build(t, 6);
  assert.notDeepEqual(otherSeed.labels, d.labels);
  assert.deepEqual(otherSeed.labels.subarray(0, 91), d.labels.subarray(0, 91)); // op-labelled parts do not move
  assert.ok(datasetDependsOnSeed(task(t)));
});
