// regimeOf against 56 real curves from the bundled examples (test/fixtures/curves/corpus.json),
// each labelled by a person from its picture (train and val accuracy against step), with the reason.
// How it was made: docs/reproduction.md ("Labelled curves"). The disagreements are listed there;
// the rules are in src/analysis/README.md ("Regimes").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analysisOptions } from '../../src/analysis/options';
import { regimeOf } from '../../src/analysis/regime';
import type { Regime } from '../../src/store/types';
import { point } from './histories';

interface LabelledCurve { id: string; numClasses: number; analysis: Record<string, unknown>; evals: Array<[number, number, number]>; label: Regime; reason: string }

const corpus = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'curves', 'corpus.json'), 'utf8')) as LabelledCurve[];

const labelOf = (c: LabelledCurve, evals: Array<[number, number, number]>) =>
  regimeOf(evals.map(([step, train, val]) => point(step, train, val)), analysisOptions(c.analysis, { numClasses: c.numClasses }));

test(`regimeOf agrees with the person's label on ≥ 90% of ${corpus.length} real curves`, () => {
  assert.ok(corpus.length >= 40);
  const kinds = new Set(corpus.map((c) => c.id.split('/')[0]));
  assert.ok(kinds.size >= 8, 'MLP, transformer, text and mixture sweeps');
  const disagree: string[] = [];
  for (const c of corpus) {
    const r = labelOf(c, c.evals);
    if (r.regime !== c.label) disagree.push(`${c.id}: person ${c.label} (${c.reason}); regimeOf ${r.regime} (${r.reason})`);
  }
  const agreement = 1 - disagree.length / corpus.length;
  console.log(`agreement ${(agreement * 100).toFixed(1)}% (${corpus.length - disagree.length}/${corpus.length})\n${disagree.join('\n')}`);
  assert.ok(agreement >= 0.9, `agreement ${agreement}:\n${disagree.join('\n')}`);
});

// A lower learning rate stretches a curve in time; the rules compare durations with durations of
// the same run, so every label must survive it exactly.
test('the same curves stretched in time (×0.5, ×3: another learning rate) keep every label', () => {
  for (const k of [0.5, 3]) {
    for (const c of corpus) {
      const stretched = c.evals.map(([step, train, val]): [number, number, number] => [step * k, train, val]);
      assert.equal(labelOf(c, stretched).regime, labelOf(c, c.evals).regime, `${c.id} stretched ×${k}`);
    }
  }
});

// Another eval spacing: every other eval (both phases) and twice as many (midpoints interpolated).
// A label may move only where the curve sits on a threshold within one eval of it: at most two per
// spacing (docs/reproduction.md, "Labelled curves", names them).
test('the same curves at another eval spacing (half or twice as many evals) keep their labels (all but ≤ 2 each)', () => {
  type Evals = Array<[number, number, number]>;
  const spacings: Record<string, (e: Evals) => Evals> = {
    'every other eval (even)': (e) => e.filter((_, i) => i % 2 === 0 || i === e.length - 1),
    'every other eval (odd)': (e) => e.filter((_, i) => i % 2 === 1 || i === e.length - 1),
    'twice as many evals': (e) => e.flatMap((p, i) => (i === 0 ? [p] : [[(e[i - 1]![0] + p[0]) / 2, (e[i - 1]![1] + p[1]) / 2, (e[i - 1]![2] + p[2]) / 2] as [number, number, number], p])),
  };
  for (const [name, resample] of Object.entries(spacings)) {
    const moved = corpus.filter((c) => labelOf(c, resample(c.evals)).regime !== labelOf(c, c.evals).regime).map((c) => c.id);
    console.log(`${name}: ${corpus.length - moved.length}/${corpus.length} keep their label${moved.length ? `; moved: ${moved.join(', ')}` : ''}`);
    assert.ok(moved.length <= 2, `${name}: ${moved.join(', ')}`);
  }
});
