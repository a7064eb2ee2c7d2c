// The regime-map panel (host side): model size × data size from summary.json (src/analysis
// regimeMapData), redrawn whenever the summary changes. One per results folder; restored after reload.
import * as vscode from 'vscode';
import { isMapToHost, isRegimeMapState, REGIME_MAP_VIEW_TYPE, type HostToMap } from '../../../webview/regimeMap/protocol';
import type { Selection } from '../../../webview/shared/protocolBase';
import { dataAxisOf } from '../../analysis';
import { buildMapData } from '../model/mapModel';
import { readManifest, readSummary } from '../results/store';
import type { GrokContext } from '../context';
import { CurvesPanel } from './curvesPanel';
import { REGIME_MAP_BODY } from './html';
import { saveExport, setHtml } from './base';

export class RegimeMapPanel {
  private static readonly panels = new Map<string, RegimeMapPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private slice: Selection = {};
  private timer: NodeJS.Timeout | undefined;

  static show(ctx: GrokContext, resultsDir: string): RegimeMapPanel {
    const existing = RegimeMapPanel.panels.get(resultsDir);
    if (existing) { existing.panel.reveal(undefined, true); return existing; }
    const panel = vscode.window.createWebviewPanel(REGIME_MAP_VIEW_TYPE, 'Grok Regime Map', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    return new RegimeMapPanel(ctx, panel, resultsDir);
  }

  static revive(ctx: GrokContext, panel: vscode.WebviewPanel, state: unknown): void {
    if (!isRegimeMapState(state)) { panel.dispose(); return; }
    const p = new RegimeMapPanel(ctx, panel, state.resultsDir);
    p.slice = state.slice ?? {};
  }

  private constructor(private readonly ctx: GrokContext, readonly panel: vscode.WebviewPanel, readonly resultsDir: string) {
    RegimeMapPanel.panels.set(resultsDir, this);
    const name = readManifest(resultsDir)?.name ?? resultsDir.split(/[\\/]/).pop();
    panel.title = `Regime map: ${name}`;
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    setHtml(ctx, panel.webview, 'webview-regimeMap.js', `Regime map: ${name}`, REGIME_MAP_BODY);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      ctx.feed(resultsDir).subscribe((u) => { if (u.summaryChanged || u.manifestChanged) this.scheduleUpdate(); }),
    );
  }

  private scheduleUpdate(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.update(); }, 300);
  }

  update(): void {
    const manifest = readManifest(this.resultsDir);
    const summary = readSummary(this.resultsDir);
    const config = manifest?.config;
    const t0 = Date.now();
    const map = buildMapData({
      name: manifest?.name ?? summary?.name ?? 'sweep', resultsDir: this.resultsDir, summary,
      runs: manifest?.runs ?? [], epsilon: config?.analysis?.epsilon ?? 0.95,
      ...(config ? { dataAxis: dataAxisOf(config) } : {}), slice: this.slice,
    });
    this.ctx.log.debug(`regime map of ${this.resultsDir}: ${map.cells.length} cells in ${Date.now() - t0} ms`);
    const msg: HostToMap = { type: 'update', map };
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isMapToHost(m)) { this.ctx.log.warn('regime map webview: ignored a malformed message'); return; }
    switch (m.type) {
      case 'ready': this.update(); break;
      case 'slice': this.slice = m.slice; this.update(); break;
      case 'openCell': CurvesPanel.show(this.ctx, this.resultsDir, m.params); break;
      case 'export': await saveExport(this.ctx, this.resultsDir, m); break;
    }
  }

  static disposeAll(): void {
    for (const p of [...RegimeMapPanel.panels.values()]) p.panel.dispose();
  }

  dispose(): void {
    RegimeMapPanel.panels.delete(this.resultsDir);
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
