// The curves panel (host side): sends the runs and metrics of one results folder, or of several to
// compare them (each run then has a "sweep" axis and an id prefixed with its sweep's name), to
// webview/curves, then new eval points as the sweeps write them. One panel per set of folders;
// restored after a reload.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import {
  CURVES_VIEW_TYPE, isCurvesState, isCurvesToHost, toCurvePoint, type CurvePoint, type CurveRun, type CurvesState, type HostToCurves,
} from '../../../webview/curves/protocol';
import type { Selection } from '../../../webview/shared/protocolBase';
import { listRuns, readManifest, readRunMetrics } from '../results/store';
import type { RunSummary } from '../../store/types';
import type { GrokContext } from '../context';
import { CURVES_BODY } from './html';
import { saveExport, setHtml } from './base';

/** The axis that tells compared sweeps apart. */
export const SWEEP_AXIS = 'sweep';

interface Source { dir: string; name: string }

export class CurvesPanel {
  private static readonly panels = new Map<string, CurvesPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private selection: Selection | undefined;
  private readonly sources: Source[];

  static show(ctx: GrokContext, dirs: string | string[], selection?: Selection): CurvesPanel {
    const list = typeof dirs === 'string' ? [dirs] : dirs;
    const existing = CurvesPanel.panels.get(list.join('\n'));
    if (existing) {
      // A hidden panel reloads on reveal and asks for init: the selection goes with it then.
      if (selection) existing.selection = selection;
      existing.panel.reveal(undefined, true);
      if (selection) existing.post({ type: 'select', selection });
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CURVES_VIEW_TYPE, 'Grok Curves', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    return new CurvesPanel(ctx, panel, list, selection);
  }

  static revive(ctx: GrokContext, panel: vscode.WebviewPanel, state: unknown): void {
    if (!isCurvesState(state)) { panel.dispose(); return; }
    // The saved state comes from the webview: its folders are checked before anything is read.
    const dirs = ctx.restorableDirs(state.compare?.length ? state.compare : [state.resultsDir], 'curves');
    if (!dirs) { panel.dispose(); return; }
    new CurvesPanel(ctx, panel, dirs, state.selection);
  }

  static disposeAll(): void {
    for (const p of [...CurvesPanel.panels.values()]) p.panel.dispose();
  }

  /** Closes the panels that show `dir` (its results were deleted). */
  static disposeFor(dir: string): void {
    for (const p of [...CurvesPanel.panels.values()]) if (p.sources.some((s) => s.dir === dir)) p.panel.dispose();
  }

  private constructor(private readonly ctx: GrokContext, readonly panel: vscode.WebviewPanel, readonly dirs: string[], selection?: Selection) {
    this.selection = selection;
    ctx.rememberOpened(dirs);
    CurvesPanel.panels.set(dirs.join('\n'), this);
    const names = new Set<string>();
    this.sources = dirs.map((dir) => {
      let name = readManifest(dir)?.name ?? basename(dir);
      if (names.has(name)) name = `${name} (${basename(dir)})`;
      names.add(name);
      return { dir, name };
    });
    const title = `Curves: ${this.sources.map((s) => s.name).join(' vs ')}`;
    panel.title = title;
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
    setHtml(ctx, panel.webview, 'webview-curves.js', title, CURVES_BODY);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
    for (const src of this.sources) {
      this.disposables.push(ctx.feed(src.dir).subscribe((u) => {
        if (u.manifestChanged || u.rewound.size) { this.sendInit(); return; }
        for (const [runId, recs] of u.metrics) this.post({ type: 'metrics', runId: this.runId(src, runId), points: recs.map(toCurvePoint) });
        if (u.statusChanged || u.summaryChanged || u.metrics.size) this.post({ type: 'runs', runs: this.allRuns() });
      }));
    }
  }

  private get comparing(): boolean {
    return this.sources.length > 1;
  }

  private runId(src: Source, id: string): string {
    return this.comparing ? `${src.name}/${id}` : id;
  }

  private toRun(src: Source, r: RunSummary): CurveRun {
    return { id: this.runId(src, r.id), params: this.comparing ? { [SWEEP_AXIS]: src.name, ...r.params } : r.params, status: r.status, regime: r.regime };
  }

  private allRuns(): CurveRun[] {
    return this.sources.flatMap((src) => listRuns(src.dir).map((r) => this.toRun(src, r)));
  }

  private post(m: HostToCurves): void {
    void this.panel.webview.postMessage(m);
  }

  private sendInit(): void {
    const runs: CurveRun[] = [];
    const points: Record<string, CurvePoint[]> = {};
    const axes: Record<string, Array<number | string | boolean>> = {};
    let epsilon = 0.95;
    let device: string | undefined;
    for (const src of this.sources) {
      const manifest = readManifest(src.dir);
      device ??= manifest?.device?.description;
      for (const r of listRuns(src.dir)) {
        const run = this.toRun(src, r);
        runs.push(run);
        points[run.id] = readRunMetrics(src.dir, r.id).map(toCurvePoint);
      }
      for (const r of manifest?.runs ?? []) {
        const params = this.comparing ? { [SWEEP_AXIS]: src.name, ...r.params } : r.params;
        for (const [k, v] of Object.entries(params)) if (!(axes[k] ??= []).includes(v)) axes[k]!.push(v);
      }
      epsilon = (manifest?.config as { analysis?: { epsilon?: number } } | undefined)?.analysis?.epsilon ?? epsilon;
    }
    for (const vs of Object.values(axes)) if (vs.every((v) => typeof v === 'number')) (vs as number[]).sort((a, b) => a - b);
    this.post({
      type: 'init',
      sweep: {
        name: this.sources.map((s) => s.name).join(' vs '), resultsDir: this.dirs[0]!, axes, epsilon,
        ...(device ? { device } : {}), ...(this.comparing ? { compare: this.dirs } : {}),
      },
      runs, points,
      ...(this.selection ? { selection: this.selection } : {}),
    });
    this.selection = undefined;
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isCurvesToHost(m)) { this.ctx.log.warn(`curves webview: ignored a malformed message`); return; }
    switch (m.type) {
      case 'ready':
        await Promise.all(this.sources.map((s) => this.ctx.feed(s.dir).ready()));
        this.sendInit();
        break;
      case 'state': this.state = m.state; break;
      case 'openRegimeMap': await vscode.commands.executeCommand('grok.showRegimeMap', this.comparing ? this.dirs.map((d) => vscode.Uri.file(d)) : vscode.Uri.file(this.dirs[0]!)); break;
      case 'export': await saveExport(this.ctx, this.dirs[0]!, m); break;
    }
  }

  /** The webview's latest state (also persisted by the webview itself through setState). */
  state: CurvesState | undefined;

  dispose(): void {
    CurvesPanel.panels.delete(this.dirs.join('\n'));
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
