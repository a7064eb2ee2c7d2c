// What the views draw from the progress measures: the curves panel's two progress charts and CSV
// columns, the spectrum heatmap's grid, the regime map cell's measures and forecasts, and the
// run summary's last-eval measures and live forecast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../assertions';
import { buildSeries, curvesCsv, hasProgress, type ViewOptions } from '../../webview/curves/model';
import { toCurvePoint, type CurvePoint, type CurveRun } from '../../webview/curves/protocol';
import { spectrumGrid } from '../../webview/curves/spectrumModel';
import { buildMapData } from '../../src/extension/model/mapModel';
import { summarize } from '../../src/analysis/summarize';
import { ConfigSchema } from '../../src/config/schema';
import type { EvalRecord } from '../../src/store/types';

const opts: ViewOptions = { selection: {}, smoothing: 0, logX: false, logY: true, band: 'none', aggregate: false, components: false };

/** An a+b mod 7 run: train fits at 100, val at the floor; frequency 2 grows, excluded loss rises. */
function records(steps: number[]): EvalRecord[] {
  return steps.map((s) => ({
    step: s, trainAcc: s >= 100 ? 1 : 0.5, valAcc: 0.05, trainLoss: 1, valLoss: 3, weightNorm: 10, norms: {}, wallMs: s,
    progress: { spectrum: [0.1, 1, 1 + s / 100, 1], keyFreqs: [2], keyFraction: (1 + s / 100) ** 2 / ((1 + s / 100) ** 2 + 2), gini: 0.1, restrictedLoss: 1 / (1 + s / 100), excludedLoss: 1 + s / 100, ms: 3 },
  }));
}

test('curves: restricted/excluded and key fraction/Gini series, CSV columns; the cost is not sent', () => {
  const runs: CurveRun[] = [{ id: 'r', params: { seed: 0 }, status: 'running', regime: null }];
  const points: Record<string, CurvePoint[]> = { r: records([0, 100, 200]).map(toCurvePoint) };
  assert.equal(hasProgress(points), true);
  assert.equal((at(points.r ?? [], 0).progress as { ms?: number }).ms, undefined);
  const circuit = buildSeries('circuit', runs, points, opts);
  assert.deepEqual(circuit.map((s) => s.split), ['restricted', 'excluded']);
  assert.deepEqual(circuit[1]!.points.map((p) => p.y), [1, 2, 3]);
  const sparsity = buildSeries('sparsity', runs, points, opts);
  assert.deepEqual(sparsity.map((s) => s.split), ['keyFraction', 'gini']);
  const csv = curvesCsv(runs, points, {});
  assert.match(csv.split('\n')[0]!, /keyFraction,gini,restrictedLoss,excludedLoss,keyFreqs$/);
  assert.equal(hasProgress({ r: points.r!.map(({ progress: _p, ...rest }) => rest) }), false);
});

test('spectrum heatmap: frequencies 1..K per eval, each over that eval\'s largest', () => {
  const grid = spectrumGrid(records([0, 100, 200]).map(toCurvePoint))!;
  assert.deepEqual(grid.steps, [0, 100, 200]);
  assert.equal(grid.freqs, 3);
  assert.deepEqual(grid.cells[0], [1, 1, 1]);
  assert.deepEqual(grid.cells[2], [1 / 3, 1, 1 / 3]);
  assert.deepEqual(grid.keyFreqs, [2]);
  assert.equal(spectrumGrid([]), null);
});

test('summary and regime map: the measures at the last eval, and the forecast of a running run', () => {
  const config = ConfigSchema.parse({ name: 'x', task: { kind: 'modular', modulus: 7 }, training: { steps: 1000, trainSize: 20 }, sweep: { seed: [0, 1] } });
  const history = records([0, 100, 200, 300, 400, 500]);
  const s = summarize([
    { id: 'a', params: { seed: 0, 'model.dModel': 128, 'training.trainSize': 20 }, status: 'done', history },
    { id: 'b', params: { seed: 1, 'model.dModel': 128, 'training.trainSize': 20 }, status: 'running', history: history.slice(0, 4) },
  ], config, { configHash: 'h', updatedAt: 'now' });
  const [a, b] = s.runs;
  assert.deepEqual(a!.progress, { keyFreqs: [2], keyFraction: history[5]!.progress!.keyFraction, gini: 0.1, restrictedLoss: 1 / 6, excludedLoss: 6 });
  assert.equal(a!.forecast, undefined, 'finished runs have their outcome, not a forecast');
  assert.equal(b!.forecast!.regime, 'grokking', b!.forecast!.reason);
  assert.equal(b!.forecast!.valReachStep, 300); // leadRatio 3 × the circuit step 100 (excluded/restricted = 4 ≥ 2 there)
  const map = buildMapData({ name: 'x', resultsDir: '/tmp/x', summary: s, runs: s.runs.map((r) => ({ id: r.id, params: r.params })), epsilon: 0.95 });
  const cell = map.cells[0]!;
  assert.equal(cell.progress!.runs, 2);
  assert.ok(Math.abs(cell.progress!.excludedLoss! - (6 + 4) / 2) < 1e-12);
  assert.deepEqual(cell.forecasts, [{ regime: 'grokking', runs: 1, confidence: b!.forecast!.confidence, valReachStep: 300 }]);
});
