// The one object that owns every disposable of the extension (rust-analyzer style): the log,
// the sweep controller, the lens provider, diagnostics, file watchers, results feeds and panels.
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { ResultsFeed } from './results/feed';
import { SweepController, type ActiveSweep, type Starter } from './sweep/controller';
import { GrokLensProvider } from './lenses/provider';
import { ConfigDiagnostics } from './config/diagnostics';
import { CurvesPanel } from './panels/curvesPanel';
import { RegimeMapPanel } from './panels/regimeMapPanel';
import { CURVES_VIEW_TYPE } from '../../webview/curves/protocol';
import { REGIME_MAP_VIEW_TYPE } from '../../webview/regimeMap/protocol';
import { RUNS_TABLE_VIEW_TYPE } from '../../webview/runsTable/protocol';
import { RunsTablePanel } from './panels/runsTablePanel';
import { RunsTreeProvider } from './views/runsTree';
import { checkRestoredDirs, realResultsDir } from './results/restore';
import { resolveDataRoots } from './config/dataRoots';

/** workspaceState key: the results folders Grok's panels opened in this workspace (real paths, newest first). */
const OPENED_RESULTS = 'grok.openedResults';
const OPENED_RESULTS_MAX = 200;

export const GROK_SELECTOR: vscode.DocumentSelector = [
  { language: 'jsonc', pattern: '**/*.grok.json' },
  { language: 'json', pattern: '**/*.grok.json' },
];

export class GrokContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly controller: SweepController;
  lenses: GrokLensProvider | undefined;
  diagnostics: ConfigDiagnostics | undefined;
  runs: RunsTreeProvider | undefined;
  private readonly feeds = new Map<string, ResultsFeed>();
  private dataRootProblems = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext, starter?: Starter) {
    this.log = vscode.window.createOutputChannel('Grok', { log: true });
    this.push(this.log);
    this.controller = new SweepController(this, starter);
    this.push(this.controller);
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  push(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  /** Wires providers, watchers and serializers (commands are registered by ./commands.ts). */
  activate(): void {
    this.lenses = new GrokLensProvider(this);
    this.diagnostics = new ConfigDiagnostics(this);
    this.runs = new RunsTreeProvider(this);
    const tree = vscode.window.createTreeView('grok.runs', { treeDataProvider: this.runs, canSelectMany: true, showCollapseAll: true });
    this.push(this.runs, tree);
    void this.runs.refresh();
    const watcher = vscode.workspace.createFileSystemWatcher('**/.grok/*/{summary,manifest}.json');
    const refresh = () => this.lenses?.refresh();
    this.push(
      this.lenses, this.diagnostics, watcher,
      vscode.languages.registerCodeLensProvider(GROK_SELECTOR, this.lenses),
      watcher.onDidChange(refresh), watcher.onDidCreate(refresh), watcher.onDidDelete(refresh),
      this.controller.onDidChange(refresh),
      vscode.workspace.onDidGrantWorkspaceTrust(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['grok.dataRoots', 'grok.device', 'grok.threads'].some((s) => e.affectsConfiguration(s))) this.diagnostics?.checkAll();
        if (e.affectsConfiguration('grok')) refresh();
      }),
      vscode.window.registerWebviewPanelSerializer(CURVES_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => CurvesPanel.revive(this, panel, state),
      }),
      vscode.window.registerWebviewPanelSerializer(REGIME_MAP_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => RegimeMapPanel.revive(this, panel, state),
      }),
      vscode.window.registerWebviewPanelSerializer(RUNS_TABLE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => RunsTablePanel.revive(this, panel, state),
      }),
      { dispose: () => { CurvesPanel.disposeAll(); RegimeMapPanel.disposeAll(); RunsTablePanel.disposeAll(); } },
    );
    this.log.info(`Grok activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: stored results only, no sweeps'})`);
  }

  /** The live feed of a results folder (one per folder, shared). */
  feed(dir: string): ResultsFeed {
    let f = this.feeds.get(dir);
    if (!f) {
      f = new ResultsFeed(dir, 1500);
      this.feeds.set(dir, f);
      f.subscribe((u) => { if (u.summaryChanged || u.manifestChanged) this.lenses?.refresh(); });
    }
    return f;
  }

  /**
   * The grok.dataRoots folders for a config: where its text data may lie besides its own folder (the
   * diagnostics and the sweeps started here check against them). Unusable entries are logged.
   */
  dataRoots(configUri?: vscode.Uri): string[] {
    const folder = (configUri && vscode.workspace.getWorkspaceFolder(configUri)) ?? vscode.workspace.workspaceFolders?.[0];
    const { roots, problems } = resolveDataRoots(vscode.workspace.getConfiguration('grok', configUri).get<unknown>('dataRoots', []), {
      workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined, home: homedir(),
    });
    const said = problems.join('\n');
    if (said && said !== this.dataRootProblems) this.log.warn(`${said} (left out)`);
    this.dataRootProblems = said;
    return roots;
  }

  /** Remembers results folders a panel opened, so that the panel may reopen them after a reload. */
  rememberOpened(dirs: readonly string[]): void {
    const known = this.extension.workspaceState.get<string[]>(OPENED_RESULTS, []);
    const next = [...new Set([...dirs.map(realResultsDir), ...known])].slice(0, OPENED_RESULTS_MAX);
    if (next.length !== known.length || next.some((d, i) => d !== known[i])) void this.extension.workspaceState.update(OPENED_RESULTS, next);
  }

  /**
   * The folders a restored panel's saved state names, when it may reopen them (results folders in
   * the workspace, or opened by Grok before); otherwise says why and returns null.
   */
  restorableDirs(saved: readonly unknown[], panel: string): string[] | null {
    const check = checkRestoredDirs(saved, {
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      opened: new Set(this.extension.workspaceState.get<string[]>(OPENED_RESULTS, [])),
    });
    if (check.ok) return check.dirs;
    const message = `Grok did not restore the ${panel} panel: ${check.dir ? `${check.dir}: ` : ''}${check.reason}. Open the results again from the Grok view.`;
    this.log.warn(message);
    void vscode.window.showWarningMessage(message);
    return null;
  }

  onSweepStarted(s: ActiveSweep): void {
    if (s.resultsDir && vscode.workspace.getConfiguration('grok').get<boolean>('openCurvesOnStart', true)) {
      CurvesPanel.show(this, s.resultsDir);
    }
  }

  /**
   * An error with "Open Log" and "Go to Config". The position is the given one, else the first
   * `file:line:col` of the message that names this config.
   */
  async showError(message: string, configUri?: vscode.Uri, position?: vscode.Position): Promise<void> {
    this.log.error(message);
    let pos = position;
    if (!pos && configUri) {
      const m = new RegExp(`${escapeRe(configUri.fsPath)}:(\\d+):(\\d+)`).exec(message) ?? /\.grok\.json:(\d+):(\d+)/.exec(message);
      if (m) pos = new vscode.Position(Number(m[1]) - 1, Number(m[2]) - 1);
    }
    const buttons = configUri ? ['Open Log', 'Go to Config'] : ['Open Log'];
    const pick = await vscode.window.showErrorMessage(message, ...buttons);
    if (pick === 'Open Log') this.log.show(true);
    if (pick === 'Go to Config' && configUri) {
      const editor = await vscode.window.showTextDocument(configUri, { preview: false });
      if (pos) {
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
    }
  }

  static configDir(uri: vscode.Uri): string {
    return dirname(uri.fsPath);
  }

  dispose(): void {
    for (const f of this.feeds.values()) f.dispose();
    this.feeds.clear();
    for (const d of this.disposables.splice(0).reverse()) {
      try { d.dispose(); } catch (e) { console.error(e); }
    }
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
