// The regime-map panel (host side): model size × data size from summary.json (src/analysis
// regimeMapData), redrawn whenever the summary changes. One per results folder, or per set of folders
// to compare (a "sweep" selector switches between them); restored after reload.
import * as vscode from 'vscode';
import { isMapToHost, isRegimeMapState, REGIME_MAP_VIEW_TYPE, type HostToMap } from '../../../webview/regimeMap/protocol';
import type { Selection } from '../../../webview/shared/protocolBase';
import { componentOfAxis, dataAxisOf } from '../../analysis';
import { buildMapData } from '../model/mapModel';
import { readManifest, readSummary } from '../results/store';
import { memorizationSource } from '../../store/memorizationLink';
import type { GrokContext } from '../context';
import { CurvesPanel, SWEEP_AXIS } from './curvesPanel';
import { REGIME_MAP_BODY } from './html';
import { saveExport, setHtml } from './base';

export class RegimeMapPanel {
  private static readonly panels = new Map<string, RegimeMapPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private slice: Selection = {};
  private timer: NodeJS.Timeout | undefined;
  /** The last D_mem link problem logged, so it is logged once, not on every update. */
  private memProblem: string | null = null;

  static show(ctx: GrokContext, dirs: string | string[]): RegimeMapPanel {
    const list = typeof dirs === 'string' ? [dirs] : dirs;
    const existing = RegimeMapPanel.panels.get(list.join('\n'));
    if (existing) { existing.panel.reveal(undefined, true); return existing; }
    const panel = vscode.window.createWebviewPanel(REGIME_MAP_VIEW_TYPE, 'Grok Regime Map', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    return new RegimeMapPanel(ctx, panel, list);
  }

  static revive(ctx: GrokContext, panel: vscode.WebviewPanel, state: unknown): void {
    if (!isRegimeMapState(state)) { panel.dispose(); return; }
    // The saved state comes from the webview: its folders are checked before anything is read.
    const dirs = ctx.restorableDirs(state.compare?.length ? state.compare : [state.resultsDir], 'regime map');
    if (!dirs) { panel.dispose(); return; }
    const p = new RegimeMapPanel(ctx, panel, dirs);
    p.slice = state.slice ?? {};
  }

  static disposeFor(dir: string): void {
    for (const p of [...RegimeMapPanel.panels.values()]) if (p.dirs.includes(dir)) p.panel.dispose();
  }

  private readonly names: string[];

  private constructor(private readonly ctx: GrokContext, readonly panel: vscode.WebviewPanel, readonly dirs: string[]) {
    ctx.rememberOpened(dirs);
    RegimeMapPanel.panels.set(dirs.join('\n'), this);
    this.names = dirs.map((d) => readManifest(d)?.name ?? d.split(/[\\/]/).pop()!);
    const title = `Regime map: ${this.names.join(' vs ')}`;
    panel.title = title;
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    setHtml(ctx, panel.webview, 'webview-regimeMap.js', title, REGIME_MAP_BODY);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      ...dirs.map((d) => ctx.feed(d).subscribe((u) => { if (u.summaryChanged || u.manifestChanged) this.scheduleUpdate(); })),
    );
  }

  /** The folder shown now: the one the "sweep" selector names (the first by default). */
  private get resultsDir(): string {
    const i = this.names.indexOf(String(this.slice[SWEEP_AXIS] ?? ''));
    return this.dirs[Math.max(0, i)]!;
  }

  private scheduleUpdate(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.update(); }, 300);
  }

  update(): void {
    const manifest = readManifest(this.resultsDir);
    const summary = readSummary(this.resultsDir);
    const config = manifest?.config;
    const dataAxis = config ? dataAxisOf(config) : null;
    const t0 = Date.now();
    // D_mem: this sweep's memorization runs and/or the sweep analysis.memorizationResults names.
    const mem = memorizationSource(manifest ?? null, summary);
    if (mem.problem && mem.problem !== this.memProblem) this.ctx.log.warn(`regime map: no D_mem from the link: ${mem.problem}`);
    this.memProblem = mem.problem;
    const map = buildMapData({
      name: manifest?.name ?? summary?.name ?? 'sweep', resultsDir: this.resultsDir, summary, memorization: mem.entries,
      runs: manifest?.runs ?? [], epsilon: config?.analysis?.epsilon ?? 0.95,
      ...(config && dataAxis ? { dataAxis, component: componentOfAxis(config, dataAxis) } : {}), slice: this.slice,
    });
    if (this.dirs.length > 1) {
      map.sliceAxes = { [SWEEP_AXIS]: this.names, ...map.sliceAxes };
      map.slice = { [SWEEP_AXIS]: this.names[this.dirs.indexOf(this.resultsDir)]!, ...map.slice };
      map.compare = this.dirs;
    }
    this.ctx.log.debug(`regime map of ${this.resultsDir}: ${map.cells.length} cells in ${Date.now() - t0} ms`);
    const msg: HostToMap = { type: 'update', map };
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isMapToHost(m)) { this.ctx.log.warn('regime map webview: ignored a malformed message'); return; }
    switch (m.type) {
      case 'ready': this.update(); break;
      case 'slice': this.slice = m.slice; this.update(); break;
      case 'openCell': CurvesPanel.show(this.ctx, this.dirs, this.dirs.length > 1 ? { ...m.params, [SWEEP_AXIS]: this.names[this.dirs.indexOf(this.resultsDir)]! } : m.params); break;
      case 'export': await saveExport(this.ctx, this.resultsDir, m); break;
    }
  }

  static disposeAll(): void {
    for (const p of [...RegimeMapPanel.panels.values()]) p.panel.dispose();
  }

  dispose(): void {
    RegimeMapPanel.panels.delete(this.dirs.join('\n'));
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
