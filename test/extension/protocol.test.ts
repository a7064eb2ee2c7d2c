// The webview protocols (webview/*/protocol.ts), the one definition both the host and the webviews
// import: the guards accept what the host really sends (built from stored results) and refuse
// malformed messages; the HTML shell's CSP only runs the nonce'd bundle.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  isCurvesState, isCurvesToHost, isHostToCurves, toCurvePoint, type CurvePoint, type HostToCurves,
} from '../../webview/curves/protocol';
import { isHostToMap, isMapToHost, isRegimeMapState, type HostToMap } from '../../webview/regimeMap/protocol';
import { isExportRequest, isSelection } from '../../webview/shared/protocolBase';
import { buildMapData } from '../../src/extension/model/mapModel';
import { listRuns, readManifest, readRunMetrics, readSummary } from '../../src/extension/results/store';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../src/extension/panels/html';

const FIXTURE = join(__dirname, '../fixtures/results/modadd-grid');
/** What a message looks like on the other side of postMessage (structured clone ≈ JSON here). */
const wire = <T>(m: T): unknown => JSON.parse(JSON.stringify(m));

describe('curves protocol', () => {
  const runs = listRuns(FIXTURE);
  const points: Record<string, CurvePoint[]> = {};
  for (const r of runs) points[r.id] = readRunMetrics(FIXTURE, r.id).map(toCurvePoint);

  test('the init message built from stored results passes the guard after the wire', () => {
    assert.equal(runs.length, 27);
    assert.ok(Object.values(points).every((p) => p.length > 10), 'every run has its eval points');
    const init: HostToCurves = {
      type: 'init', sweep: { name: 'modadd-grid', resultsDir: FIXTURE, axes: { 'model.dModel': [16, 32, 64] }, epsilon: 0.95 },
      runs: runs.map((r) => ({ id: r.id, params: r.params, status: r.status, regime: r.regime })), points,
    };
    assert.ok(isHostToCurves(wire(init)));
    assert.ok(isHostToCurves(wire({ type: 'metrics', runId: 'r000', points: points.r000!.slice(0, 3) })));
    assert.ok(isHostToCurves({ type: 'select', selection: { 'model.dModel': 32, seed: null } }));
    assert.ok(isHostToCurves({ type: 'runs', runs: [] }));
  });

  test('toCurvePoint keeps what is drawn, components flattened to accuracies', () => {
    const p = toCurvePoint({
      step: 100, trainAcc: 1, valAcc: 0.5, trainLoss: 0.01, valLoss: 2, weightNorm: 30,
      components: { add: { train: { acc: 1 }, val: { acc: 0.9 } }, sub: { train: { acc: 0.8 }, val: { acc: 0.1 } } },
    });
    assert.deepEqual(p, { step: 100, trainAcc: 1, valAcc: 0.5, trainLoss: 0.01, valLoss: 2, weightNorm: 30, components: { add: { trainAcc: 1, valAcc: 0.9 }, sub: { trainAcc: 0.8, valAcc: 0.1 } } });
  });

  test('malformed host messages are refused', () => {
    for (const bad of [null, 'init', [], { type: 'nope' }, { type: 'metrics', runId: 3, points: [] },
      { type: 'metrics', runId: 'r', points: [{ step: 1, trainAcc: 'x' }] },
      { type: 'init', sweep: { name: 'x' }, runs: [], points: {} },
      { type: 'select', selection: { a: [1] } }]) {
      assert.equal(isHostToCurves(bad), false, JSON.stringify(bad));
    }
  });

  test('webview → host: ready, state, openRegimeMap, export; state is what the serializer revives', () => {
    assert.ok(isCurvesToHost({ type: 'ready' }));
    assert.ok(isCurvesToHost({ type: 'openRegimeMap' }));
    const state = { resultsDir: FIXTURE, selection: { 'model.dModel': 16 }, smoothing: 0.6, logX: true, band: 'std', aggregate: true, components: false };
    assert.ok(isCurvesToHost(wire({ type: 'state', state })));
    assert.ok(isCurvesState(wire(state)));
    assert.equal(isCurvesState({ selection: {} }), false, 'no results folder: the serializer disposes the panel');
    assert.ok(isCurvesToHost({ type: 'export', format: 'png', content: 'iVBOR', suggestedName: 'a.png' }));
    assert.equal(isCurvesToHost({ type: 'export', format: 'gif', content: '', suggestedName: 'a.gif' }), false);
    assert.equal(isCurvesToHost({ type: 'state', state: { resultsDir: 3 } }), false);
    assert.equal(isCurvesToHost({ type: 'openCell', params: {} }), false, 'a regime-map message is not a curves message');
  });
});

describe('regime-map protocol', () => {
  test('the update built from stored results passes the guard after the wire, and holds a full grid', () => {
    const manifest = readManifest(FIXTURE)!;
    const map = buildMapData({ name: 'modadd-grid', resultsDir: FIXTURE, summary: readSummary(FIXTURE), runs: manifest.runs, epsilon: 0.95 });
    const msg: HostToMap = { type: 'update', map };
    assert.ok(isHostToMap(wire(msg)));
    assert.equal(map.xAxis.path, 'model.dModel');
    assert.deepEqual(map.xAxis.values, [16, 32, 64]);
    assert.equal(map.yAxis.path, 'training.trainSize');
    assert.equal(map.cells.length, 9);
    assert.ok(map.cells.every((c) => c.regime && c.runs === 3 && c.finished === 3), 'every cell coloured, 3 seeds finished');
    assert.equal(map.dCrit.length, 3);
    const summaryCds = readSummary(FIXTURE)!.criticalDataSize.find((c) => c.group['model.dModel'] === 64)!;
    assert.ok(Math.abs(map.dCrit[2]!.value! - summaryCds.value!) < 0.01, 'D_crit of dModel=64 matches summary.json');
    assert.equal(map.dCrit[2]!.text, 'CDS ≥ 2000 · ≈ 2883 (90% CI 2043–2945)', 'the analysis\' CDS line');
    assert.equal(map.uCurves.length, 3, 'one U-curve per data size');
    assert.ok(map.uCurves.every((u) => u.points.length === 3 && u.points.every((p) => p.valAcc != null)));
  });

  test('a sweep without a data-size axis gives a problem, still a valid message', () => {
    const map = buildMapData({ name: 'x', resultsDir: '/r', summary: null, runs: [{ id: 'r0', params: { 'model.dModel': 8, seed: 0 } }], epsilon: 0.95 });
    assert.match(map.problem ?? '', /data-size axis/);
    assert.ok(isHostToMap(wire({ type: 'update', map })));
  });

  test('webview → host messages, and malformed ones', () => {
    assert.ok(isMapToHost({ type: 'ready' }));
    assert.ok(isMapToHost({ type: 'openCell', params: { 'model.dModel': 16, 'training.trainSize': 2000 } }));
    assert.ok(isMapToHost({ type: 'slice', slice: { 'optimizer.weightDecay': 1 } }));
    assert.ok(isMapToHost({ type: 'export', format: 'svg', content: '<svg/>', suggestedName: 'm.svg' }));
    for (const bad of [{ type: 'openCell', params: { a: { b: 1 } } }, { type: 'slice' }, { type: 'update' }, { type: 'export', format: 'svg' }, 42]) {
      assert.equal(isMapToHost(bad), false, JSON.stringify(bad));
    }
    assert.equal(isHostToMap({ type: 'update', map: { name: 'x' } }), false);
    assert.ok(isRegimeMapState({ resultsDir: '/r', slice: {} }));
    assert.equal(isRegimeMapState({}), false);
  });

  test('shared guards', () => {
    assert.ok(isSelection({ a: 1, b: 'x', c: true, d: null }));
    assert.equal(isSelection({ a: undefined }), false);
    assert.equal(isExportRequest({ type: 'export', format: 'csv', content: 1, suggestedName: 'x' }), false);
  });
});

describe('webview HTML shell', () => {
  test('CSP: scripts only with the nonce, nothing remote, resources from the webview source', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
    assert.notEqual(nonce, makeNonce());
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', nonce);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
    assert.doesNotMatch(csp, /unsafe-eval|https?:\/\/(?!x\.vscode-cdn\.net)/);
    const html = webviewHtml({ title: 'T<x>', cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x.vscode-cdn.net/dist/webview-curves.js', styleUri: 'https://x.vscode-cdn.net/media/webview.css', body: '<main></main>' });
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]!, new RegExp(`nonce="${nonce}" src="https://x.vscode-cdn.net/dist/webview-curves.js"`));
    assert.match(html, /<title>T&lt;x&gt;<\/title>/);
  });
});
