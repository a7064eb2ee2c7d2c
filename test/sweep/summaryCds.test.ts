// summary.json as a sweep writes it to disk (issue 14): every criticalDataSize[] entry carries the
// bracket, the point estimate, the interval and the budget-limited flag, with the values the grid
// supports. Read as raw JSON, not through the reader's types, so a field that goes missing fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSweep } from '../../src/sweep/runner';
import { projectDeps } from '../../src/sweep/projectDeps';
import { summaryPath } from '../../src/store/layout';
import { fakeCreateTrainer } from './helpers/fakeEngine';
import { tempDir, writeConfig } from './helpers/fixtures';

const deps = { ...projectDeps, createTrainer: fakeCreateTrainer() };

/** Runs SMALL_CONFIG (a+b mod 11 at 30 and 90 pairs × 2 seeds) with `patch`; returns summary.json's criticalDataSize. */
async function cdsOnDisk(patch: Record<string, unknown> = {}): Promise<Array<Record<string, unknown>>> {
  const outDir = join(tempDir(), 'out');
  assert.equal(await runSweep({ configPath: writeConfig(patch), outDir }, deps, () => {}), 'done');
  const summary = JSON.parse(readFileSync(summaryPath(outDir), 'utf8')) as { criticalDataSize: Array<Record<string, unknown>> };
  assert.equal(summary.criticalDataSize.length, 1, 'one group (the seeds and data sizes of one model)');
  const entry = at(summary.criticalDataSize, 0);
  for (const key of ['bracket', 'value', 'low', 'high', 'confidence', 'budgetLimited', 'kind', 'seeds', 'epsilon']) {
    assert.ok(key in entry, `criticalDataSize[0] has "${key}": ${JSON.stringify(entry)}`);
  }
  return summary.criticalDataSize;
}

test('summary.json: a settled crossing between 30 and 90: the bracket starts at 30, the estimate and the interval lie in (30, 90], not budget-limited', async () => {
  // The fake engine: 30 pairs memorize (val at the floor), 90 generalize; early stop settles both.
  const c = at(await cdsOnDisk(), 0);
  const [below, above] = c.bracket as [number | null, number | null];
  assert.equal(below, 30, '30 pairs are decisively below ε');
  // 90 is above ε; whether 2 seeds make it decisive is the bracket rule's call (cds.ts): 90 or open.
  assert.ok(above === 90 || above === null, `bracket [${below}, ${above}]`);
  assert.equal(c.kind, 'interpolated');
  const value = c.value as number, low = c.low as number, high = c.high as number | null;
  assert.ok(30 < value && value <= 90, `value ${value} between the two sizes`);
  assert.ok(30 <= low && low <= value, `low ${low} ≤ value ${value}`);
  assert.ok(high === null || (value <= high && high <= 90), `high ${high}`);
  assert.ok((high ?? 90) - low > 0.5 * (90 - 30), `two sizes cannot pin the crossing: ${low}–${high} spans most of the cell`);
  assert.equal(c.budgetLimited, false);
  assert.equal(c.seeds, 2);
});

test('summary.json: runs cut off while still learning make the CDS budget-limited, with the bracket open above', async () => {
  // 100 steps without early stop: at 90 pairs validation is still rising when the budget ends.
  const c = at(await cdsOnDisk({ training: { steps: 100, evalEvery: 20, checkpointEvery: 100, earlyStop: { enabled: false } } }), 0);
  assert.equal(c.kind, 'not-reached');
  assert.deepEqual(c.bracket, [90, null]);
  assert.equal(c.value, null);
  assert.equal(c.high, null, 'no upper end: no size reached ε');
  assert.equal(c.budgetLimited, true);
});
