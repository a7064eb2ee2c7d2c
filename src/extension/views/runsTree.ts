// The Grok view: sweeps → groups (runs that differ only in seed) → runs, each with its status,
// regime, converged accuracies and stop reason. Finds every results folder of the workspace
// (`.grok/<name>/manifest.json`) and refreshes when a sweep writes.
import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunSummary } from '../../store/types';
import { groupDescription, paramsText, runDescription, sweepDescription, sweepOverview, type RunGroupOverview, type SweepOverview } from '../model/runsModel';
import type { GrokContext } from '../context';

export type GrokNode =
  | { kind: 'sweep'; sweep: SweepOverview }
  | { kind: 'group'; sweep: SweepOverview; group: RunGroupOverview }
  | { kind: 'run'; sweep: SweepOverview; run: RunSummary };

export function isGrokNode(x: unknown): x is GrokNode {
  return typeof x === 'object' && x !== null && 'kind' in x && 'sweep' in x
    && ['sweep', 'group', 'run'].includes(String((x as { kind: unknown }).kind));
}

const REGIME_ICONS: Record<string, [string, string]> = {
  grokking: ['star-full', 'charts.blue'],
  progression: ['pass-filled', 'charts.blue'],
  'semi-grokking': ['circle-large-filled', 'charts.purple'],
  ungrokking: ['circle-slash', 'charts.orange'],
  diverged: ['flame', 'charts.red'],
  'no-learning': ['dash', 'disabledForeground'],
  unsettled: ['question', 'charts.yellow'],
};

function runIcon(r: RunSummary): vscode.ThemeIcon {
  switch (r.status) {
    case 'running': return new vscode.ThemeIcon('sync~spin');
    case 'pending': return new vscode.ThemeIcon('circle-outline');
    case 'failed': return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'stopped': return new vscode.ThemeIcon('debug-pause');
    default: {
      const [id, color] = REGIME_ICONS[r.regime ?? ''] ?? ['pass', 'foreground'];
      return new vscode.ThemeIcon(id, new vscode.ThemeColor(color));
    }
  }
}

function sweepIcon(s: SweepOverview): vscode.ThemeIcon {
  switch (s.state) {
    case 'running': return new vscode.ThemeIcon('sync~spin');
    case 'done': return new vscode.ThemeIcon('beaker');
    case 'failed': return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    default: return new vscode.ThemeIcon('debug-pause');
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<GrokNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<GrokNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private sweeps: SweepOverview[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: GrokContext) {
    const soon = () => this.refreshSoon();
    for (const glob of ['**/.grok/*/manifest.json', '**/.grok/*/summary.json', '**/.grok/*/runs/*/status.json', '**/*.grok.json']) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      this.disposables.push(w, w.onDidChange(soon), w.onDidCreate(soon), w.onDidDelete(soon));
    }
    this.disposables.push(ctx.controller.onDidChange(soon), this.changed);
  }

  /** Every results folder of the workspace, as last read. */
  get all(): readonly SweepOverview[] {
    return this.sweeps;
  }

  refreshSoon(ms = 400): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, ms);
  }

  async refresh(): Promise<void> {
    // Results folders: `.grok/*/` next to every experiment file (read from disk: `.grok/` is
    // git-ignored, which file search may honour), any other `.grok/*/manifest.json`, and the running ones.
    const experiments = await vscode.workspace.findFiles('**/*.grok.json', '**/{node_modules,.grok}/**', 500);
    const manifests = await vscode.workspace.findFiles('**/.grok/*/manifest.json', '**/node_modules/**', 500);
    const dirs = new Set([...manifests.map((m) => dirname(m.fsPath)), ...this.ctx.controller.runningDirs()]);
    for (const grok of new Set(experiments.map((e) => join(dirname(e.fsPath), '.grok')))) {
      try {
        for (const d of readdirSync(grok, { withFileTypes: true })) if (d.isDirectory() && existsSync(join(grok, d.name, 'manifest.json'))) dirs.add(join(grok, d.name));
      } catch { /* no results yet */ }
    }
    const running = new Set(this.ctx.controller.runningDirs());
    this.sweeps = [...dirs].sort().map((d) => sweepOverview(d, running.has(d)));
    void vscode.commands.executeCommand('setContext', 'grok.hasExperiments', experiments.length > 0);
    void vscode.commands.executeCommand('setContext', 'grok.hasResults', this.sweeps.length > 0);
    void vscode.commands.executeCommand('setContext', 'grok.canResume', this.sweeps.some((s) => s.state === 'unfinished' && s.configPath));
    this.changed.fire(undefined);
  }

  getTreeItem(n: GrokNode): vscode.TreeItem {
    switch (n.kind) {
      case 'sweep': {
        const s = n.sweep;
        const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `sweep:${s.dir}`;
        item.description = sweepDescription(s);
        item.iconPath = sweepIcon(s);
        item.contextValue = s.state === 'running' ? 'sweep-running' : s.state === 'done' ? 'sweep-done' : 'sweep-stopped';
        item.tooltip = new vscode.MarkdownString(`**${s.name}** · ${vscode.workspace.asRelativePath(s.dir)}\n\n${sweepDescription(s)}${s.axes.length ? `\n\nswept: ${s.axes.join(', ')}` : ''}`);
        return item;
      }
      case 'group': {
        const g = n.group;
        // Small sweeps open fully (every run in sight); big ones list their groups.
        const item = new vscode.TreeItem(g.label, n.sweep.groups.length <= 8 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `group:${n.sweep.dir}:${g.key}`;
        item.description = groupDescription(g);
        const regimes = new Set(g.runs.map((r) => r.regime).filter(Boolean));
        const any = g.runs.find((r) => r.status !== 'done') ?? g.runs[0]!;
        item.iconPath = g.runs.some((r) => r.status === 'running') ? new vscode.ThemeIcon('sync~spin')
          : regimes.size === 1 && g.runs.every((r) => r.status === 'done') ? runIcon(g.runs[0]!) : runIcon({ ...any, regime: null });
        item.contextValue = 'group';
        return item;
      }
      case 'run': {
        const r = n.run;
        const seedKeys = Object.keys(r.params).filter((k) => k === 'seed' || k.endsWith('.seed'));
        const flat = n.sweep.groups.length === 1;
        const item = new vscode.TreeItem(flat ? paramsText(r.params) : paramsText(r.params, seedKeys.length ? seedKeys : Object.keys(r.params)), vscode.TreeItemCollapsibleState.None);
        item.id = `run:${n.sweep.dir}:${r.id}`;
        item.description = runDescription(r);
        item.iconPath = runIcon(r);
        item.contextValue = 'run';
        item.tooltip = new vscode.MarkdownString(`**${r.id}** · ${paramsText(r.params)}\n\n${runDescription(r)}\n\nsteps: last ${r.steps.last}, train fit ${r.steps.trainFit ?? '–'}, val fit ${r.steps.valFit ?? '–'}`);
        item.command = { command: 'grok.showCurves', title: 'Show Curves', arguments: [n] };
        return item;
      }
    }
  }

  getChildren(n?: GrokNode): GrokNode[] {
    if (!n) return this.sweeps.map((sweep) => ({ kind: 'sweep', sweep }));
    if (n.kind === 'sweep') {
      if (n.sweep.groups.length === 1) return n.sweep.groups[0]!.runs.map((run) => ({ kind: 'run', sweep: n.sweep, run }));
      return n.sweep.groups.map((group) => ({ kind: 'group', sweep: n.sweep, group }));
    }
    if (n.kind === 'group') return n.group.runs.map((run) => ({ kind: 'run', sweep: n.sweep, run }));
    return [];
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
