// regimeOf against 52 real curves from the bundled examples (test/fixtures/curves/corpus.json),
// each labelled by a person from its picture (train and val accuracy against step), with the reason.
// How it was made: docs/reproduction.md ("Labelled curves"). The disagreements are listed there.
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

// The target is 90%; today's rules reach 86.5% (45/52). The test holds that level so that a
// rule change that loses agreement fails; the seven disagreements are in docs/reproduction.md.
test(`regimeOf agrees with the person's label on ≥ 86% of ${corpus.length} real curves (target 90%: not met)`, () => {
  assert.ok(corpus.length >= 40);
  const kinds = new Set(corpus.map((c) => c.id.split('/')[0]));
  assert.ok(kinds.size >= 8, 'MLP, transformer, text and mixture sweeps');
  const disagree: string[] = [];
  for (const c of corpus) {
    const opts = analysisOptions(c.analysis, { numClasses: c.numClasses });
    const r = regimeOf(c.evals.map(([step, train, val]) => point(step, train, val)), opts);
    if (r.regime !== c.label) disagree.push(`${c.id}: person ${c.label} (${c.reason}); regimeOf ${r.regime} (${r.reason})`);
  }
  const agreement = 1 - disagree.length / corpus.length;
  console.log(`agreement ${(agreement * 100).toFixed(1)}% (${corpus.length - disagree.length}/${corpus.length})\n${disagree.join('\n')}`);
  assert.ok(agreement >= 0.86, `agreement ${agreement}:\n${disagree.join('\n')}`);
});
