// The curves panel's live seed mean and band are the report's, on the same folder, with seeds that
// stopped early (the grid fixture: its seeds end at different steps). Both call one function
// (src/analysis/seedStats.ts): a stopped seed holds its last value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildSweepReport } from '../../src/report/data';
import { listRuns, readRunMetrics } from '../../src/extension/results/store';
import { toCurvePoint, type CurvePoint, type CurveRun } from '../../webview/curves/protocol';
import { buildSeries, groupRuns, type ViewOptions } from '../../webview/curves/model';

const dir = join(__dirname, '../fixtures/report-results/grid');
const round4 = (x: number) => Number(x.toPrecision(4));

test('the live seed mean and min–max band equal the report\'s on a folder with early-stopped seeds', () => {
  const runs: CurveRun[] = listRuns(dir).map((r) => ({ id: r.id, params: r.params, status: r.status, regime: r.regime }));
  const points: Record<string, CurvePoint[]> = {};
  for (const r of runs) points[r.id] = readRunMetrics(dir, r.id).map(toCurvePoint);
  const opts: ViewOptions = { selection: {}, smoothing: 0, logX: false, logY: false, band: 'minmax', aggregate: true, components: false };
  const panel = buildSeries('acc', runs, points, opts);
  const groups = groupRuns(runs);
  const report = buildSweepReport(dir, 'grid');

  let compared = 0, afterAStop = 0;
  for (const chart of report.curves) {
    for (const rs of chart.series) {
      const g = groups.find((x) => x.runs.every((r) => Object.entries(rs.params).every(([k, v]) => r.params[k] === v)));
      assert.ok(g, `a panel group for ${rs.label}`);
      const lastSteps = g.runs.map((r) => points[r.id]!.at(-1)!.step);
      for (const [split, band] of [['val', rs.val], ['train', rs.train]] as const) {
        const s = panel.find((x) => x.group === g.label && x.split === split);
        assert.ok(s, `the panel draws ${g.label} ${split}`);
        rs.steps.forEach((step, k) => {
          const i = s.points.findIndex((p) => p.x === step);
          assert.ok(i >= 0, `${g.label} ${split}: the panel has step ${step}`);
          assert.equal(round4(s.points[i]!.y), band.mean[k], `${g.label} ${split} mean at step ${step}`);
          assert.equal(round4(s.band!.lo[i]!.y), band.min[k], `${g.label} ${split} min at step ${step}`);
          assert.equal(round4(s.band!.hi[i]!.y), band.max[k], `${g.label} ${split} max at step ${step}`);
          compared++;
          if (step > Math.min(...lastSteps)) afterAStop++;
        });
      }
    }
  }
  assert.ok(compared > 100, `compared ${compared} points`);
  assert.ok(afterAStop > 20, `${afterAStop} of them lie after a seed of their group stopped early`);

  // The old panel (mean over the seeds still running) differs there: this test can fail.
  const seed0 = groups.find((g) => new Set(g.runs.map((r) => points[r.id]!.at(-1)!.step)).size > 1)!;
  const [early, late] = [...seed0.runs].sort((a, b) => points[a.id]!.at(-1)!.step - points[b.id]!.at(-1)!.step);
  const after = points[late!.id]!.find((p) => p.step > points[early!.id]!.at(-1)!.step)!;
  const held = (points[early!.id]!.at(-1)!.trainAcc + after.trainAcc) / 2;
  const s = panel.find((x) => x.group === seed0.label && x.split === 'train')!;
  assert.equal(s.points.find((p) => p.x === after.step)!.y, held, 'the early seed holds its last value in the mean');
});
