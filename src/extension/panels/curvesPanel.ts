// The curves panel (host side): sends a sweep's runs and metrics to webview/curves, then new eval
// points as the sweep writes them. One panel per results folder; restored after a reload.
import * as vscode from 'vscode';
import {
  CURVES_VIEW_TYPE, isCurvesState, isCurvesToHost, toCurvePoint, type CurvePoint, type CurveRun, type CurvesState, type HostToCurves,
} from '../../../webview/curves/protocol';
import type { Selection } from '../../../webview/shared/protocolBase';
import { listRuns, readManifest, readRunMetrics } from '../results/store';
import type { RunSummary } from '../../store/types';
import type { GrokContext } from '../context';
import { CURVES_BODY } from './html';
import { saveExport, setHtml } from './base';

const toRun = (r: RunSummary): CurveRun => ({ id: r.id, params: r.params, status: r.status, regime: r.regime });

export class CurvesPanel {
  private static readonly panels = new Map<string, CurvesPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private selection: Selection | undefined;

  static show(ctx: GrokContext, resultsDir: string, selection?: Selection): CurvesPanel {
    const existing = CurvesPanel.panels.get(resultsDir);
    if (existing) {
      existing.panel.reveal(undefined, true);
      if (selection) existing.post({ type: 'select', selection });
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CURVES_VIEW_TYPE, 'Grok Curves', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    return new CurvesPanel(ctx, panel, resultsDir, selection);
  }

  static revive(ctx: GrokContext, panel: vscode.WebviewPanel, state: unknown): void {
    if (!isCurvesState(state)) { panel.dispose(); return; }
    new CurvesPanel(ctx, panel, state.resultsDir, state.selection);
  }

  static disposeAll(): void {
    for (const p of [...CurvesPanel.panels.values()]) p.panel.dispose();
  }

  private constructor(private readonly ctx: GrokContext, readonly panel: vscode.WebviewPanel, readonly resultsDir: string, selection?: Selection) {
    this.selection = selection;
    CurvesPanel.panels.set(resultsDir, this);
    const name = readManifest(resultsDir)?.name ?? resultsDir.split(/[\\/]/).pop();
    panel.title = `Curves: ${name}`;
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    setHtml(ctx, panel.webview, 'webview-curves.js', `Curves: ${name}`, CURVES_BODY);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
    const feed = ctx.feed(resultsDir);
    this.disposables.push(feed.subscribe((u) => {
      if (u.manifestChanged || u.rewound.size) { this.sendInit(); return; }
      for (const [runId, recs] of u.metrics) this.post({ type: 'metrics', runId, points: recs.map(toCurvePoint) });
      if (u.statusChanged || u.summaryChanged || u.metrics.size) this.post({ type: 'runs', runs: feed.runs().map(toRun) });
    }));
  }

  private post(m: HostToCurves): void {
    void this.panel.webview.postMessage(m);
  }

  private sendInit(): void {
    const manifest = readManifest(this.resultsDir);
    const runs = listRuns(this.resultsDir);
    const points: Record<string, CurvePoint[]> = {};
    for (const r of runs) points[r.id] = readRunMetrics(this.resultsDir, r.id).map(toCurvePoint);
    const axes: Record<string, Array<number | string | boolean>> = {};
    for (const r of manifest?.runs ?? []) for (const [k, v] of Object.entries(r.params)) if (!(axes[k] ??= []).includes(v)) axes[k]!.push(v);
    for (const vs of Object.values(axes)) if (vs.every((v) => typeof v === 'number')) (vs as number[]).sort((a, b) => a - b);
    const epsilon = (manifest?.config as { analysis?: { epsilon?: number } } | undefined)?.analysis?.epsilon ?? 0.95;
    this.post({
      type: 'init',
      sweep: { name: manifest?.name ?? 'sweep', resultsDir: this.resultsDir, axes, epsilon, ...(manifest?.device ? { device: manifest.device.description } : {}) },
      runs: runs.map(toRun), points,
      ...(this.selection ? { selection: this.selection } : {}),
    });
    this.selection = undefined;
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isCurvesToHost(m)) { this.ctx.log.warn(`curves webview: ignored a malformed message`); return; }
    switch (m.type) {
      case 'ready': await this.ctx.feed(this.resultsDir).ready(); this.sendInit(); break;
      case 'state': this.state = m.state; break;
      case 'openRegimeMap': await vscode.commands.executeCommand('grok.showRegimeMap', vscode.Uri.file(this.resultsDir)); break;
      case 'export': await saveExport(this.ctx, this.resultsDir, m); break;
    }
  }

  /** The webview's latest state (also persisted by the webview itself through setState). */
  state: CurvesState | undefined;

  dispose(): void {
    CurvesPanel.panels.delete(this.resultsDir);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
