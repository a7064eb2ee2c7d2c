// The runs table panel (host side): the runs of one or more results folders, refreshed as sweeps write.
import * as vscode from 'vscode';
import { isRunsTableState, isTableToHost, RUNS_TABLE_VIEW_TYPE, type HostToTable } from '../../../webview/runsTable/protocol';
import { runRows, sweepOverview } from '../model/runsModel';
import type { GrokContext } from '../context';
import { CurvesPanel } from './curvesPanel';
import { RUNS_TABLE_BODY } from './html';
import { setHtml } from './base';

export class RunsTablePanel {
  private static readonly panels = new Map<string, RunsTablePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  static show(ctx: GrokContext, dirs: string[]): RunsTablePanel {
    const existing = RunsTablePanel.panels.get(dirs.join('\n'));
    if (existing) { existing.panel.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(RUNS_TABLE_VIEW_TYPE, 'Grok Runs', vscode.ViewColumn.Active, { enableScripts: true });
    return new RunsTablePanel(ctx, panel, dirs);
  }

  static revive(ctx: GrokContext, panel: vscode.WebviewPanel, state: unknown): void {
    // The saved state comes from the webview: its folders are checked before anything is read.
    const dirs = isRunsTableState(state) ? ctx.restorableDirs(state.dirs, 'runs') : null;
    if (!dirs) { panel.dispose(); return; }
    new RunsTablePanel(ctx, panel, dirs);
  }

  static disposeAll(): void {
    for (const p of [...RunsTablePanel.panels.values()]) p.panel.dispose();
  }

  private constructor(private readonly ctx: GrokContext, readonly panel: vscode.WebviewPanel, readonly dirs: string[]) {
    ctx.rememberOpened(dirs);
    RunsTablePanel.panels.set(dirs.join('\n'), this);
    const title = `Runs: ${dirs.map((d) => d.split(/[\\/]/).pop()).join(', ')}`;
    panel.title = title;
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    setHtml(ctx, panel.webview, 'webview-runsTable.js', title, RUNS_TABLE_BODY);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isTableToHost(m)) return;
        if (m.type === 'ready') this.update();
        else CurvesPanel.show(ctx, [m.dir], m.params);
      }),
      panel.onDidDispose(() => this.dispose()),
      ...dirs.map((d) => ctx.feed(d).subscribe((u) => { if (u.summaryChanged || u.manifestChanged || u.metrics.size) this.scheduleUpdate(); })),
    );
  }

  private scheduleUpdate(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.update(); }, 1000);
  }

  private update(): void {
    const running = new Set(this.ctx.controller.runningDirs());
    const sweeps = this.dirs.map((d) => sweepOverview(d, running.has(d)));
    const axes = [...new Set(sweeps.flatMap((s) => s.axes.length ? s.axes : []))];
    const seedAxes = [...new Set(sweeps.flatMap((s) => s.runs.flatMap((r) => Object.keys(r.params).filter((k) => k === 'seed' || k.endsWith('.seed')))))];
    const msg: HostToTable = { type: 'rows', title: sweeps.map((s) => s.name).join(' vs '), axes: [...axes, ...seedAxes], rows: sweeps.flatMap(runRows) };
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    RunsTablePanel.panels.delete(this.dirs.join('\n'));
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
