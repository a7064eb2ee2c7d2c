// The Grok commands. Thin: they resolve which config / results folder is meant and call the
// controller and panels.
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { GrokContext } from './context';
import { isGrokConfig } from './config/diagnostics';
import { CurvesPanel } from './panels/curvesPanel';
import { RegimeMapPanel } from './panels/regimeMapPanel';
import { isSweepDir, listRuns, readSummary, resultsDirFor } from './results/store';
import { cdsCsv, runsCsv } from './export/csv';
import { isSelection, type Selection } from '../../webview/shared/protocolBase';
import { parseQueueSetting, QUEUE_PASSWORD_SECRET } from './sweep/queue';
import type { Starter } from './sweep/controller';
import { loadQueueClient } from './sweep/queueClient';
import { newExperiment } from './onboarding/newExperiment';
import { isGrokNode, type GrokNode } from './views/runsTree';
import { RunsTablePanel } from './panels/runsTablePanel';

export function registerCommands(ctx: GrokContext): void {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
    ctx.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        await ctx.showError(`Grok: ${id}: ${(e as Error).message}`);
      }
    }));
  reg('grok.startSweep', (arg) => startSweep(ctx, arg, false));
  reg('grok.resumeSweep', (arg) => startSweep(ctx, arg, true));
  reg('grok.stopSweep', (arg) => stopSweep(ctx, arg));
  reg('grok.showCurves', async (arg, sel) => {
    if (isGrokNode(arg)) {
      const selection = nodeSelection(arg);
      ctx.log.info(`curves of ${arg.sweep.name}${selection ? ` ${JSON.stringify(selection)}` : ''}`);
      CurvesPanel.show(ctx, arg.sweep.dir, selection);
      return;
    }
    const dirs = dirsOf(arg, sel);
    if (dirs) { CurvesPanel.show(ctx, dirs); return; }
    const dir = await resultsDirOf(ctx, arg);
    if (dir) CurvesPanel.show(ctx, dir, isSelection(sel) ? (sel as Selection) : undefined);
  });
  reg('grok.showRegimeMap', async (arg, sel) => {
    const dirs = dirsOf(arg, sel);
    if (dirs) { RegimeMapPanel.show(ctx, dirs); return; }
    const dir = await resultsDirOf(ctx, arg);
    if (dir) RegimeMapPanel.show(ctx, dir);
  });
  reg('grok.newExperiment', (preset) => newExperiment(ctx, preset));
  reg('grok.openWalkthrough', () => vscode.commands.executeCommand('workbench.action.openWalkthrough', `${ctx.extension.extension.id}#grok.getStarted`, false));
  reg('grok.compareSweeps', (arg, sel) => compareSweeps(ctx, arg, sel));
  reg('grok.openReport', (arg, sel) => openReport(ctx, arg, sel));
  reg('grok.showRunsTable', async (arg, sel) => {
    const dirs = dirsOf(arg, sel) ?? (await pickResults(ctx, 'Grok: runs of which sweeps?', true));
    if (dirs?.length) RunsTablePanel.show(ctx, dirs);
  });
  reg('grok.revealResults', (arg) => revealResults(arg));
  reg('grok.deleteResults', (arg) => deleteResults(ctx, arg));
  reg('grok.refreshRuns', () => ctx.runs?.refresh());
  reg('grok.exportResults', (arg) => exportResults(ctx, arg));
  reg('grok.showLog', () => ctx.log.show());
  reg('grok.setQueuePassword', () => setQueuePassword(ctx));
}

/** Keeps the Redis password of grok.queue in SecretStorage (never in settings); empty removes it. */
async function setQueuePassword(ctx: GrokContext): Promise<void> {
  const pw = await vscode.window.showInputBox({
    title: 'Grok: Redis password of the sweep queue (grok.queue)', password: true, ignoreFocusOut: true,
    prompt: 'Kept in VS Code\'s secret storage, never in settings or results. Leave empty to remove it.',
  });
  if (pw === undefined) return;
  if (pw === '') {
    await ctx.extension.secrets.delete(QUEUE_PASSWORD_SECRET);
    void vscode.window.showInformationMessage('Grok: queue password removed.');
  } else {
    await ctx.extension.secrets.store(QUEUE_PASSWORD_SECRET, pw);
    void vscode.window.showInformationMessage('Grok: queue password saved in secret storage.');
  }
  ctx.log.info(`queue password ${pw === '' ? 'removed from' : 'saved in'} secret storage`);
}

/** grok.queue as a sweep starter: undefined = local; throws with the fix when it cannot be used. */
async function queueStarter(ctx: GrokContext): Promise<{ starter: Starter; display: string } | undefined> {
  const q = parseQueueSetting(vscode.workspace.getConfiguration('grok').get<string>('queue', 'local'));
  if (q.kind === 'local') return undefined;
  if (q.kind === 'invalid') throw new Error(q.message);
  const password = await ctx.extension.secrets.get(QUEUE_PASSWORD_SECRET);
  // Loaded on first use from its own bundle: the queue client (bullmq, ioredis) stays out of activation.
  const { resolveRedisTarget, startQueueSweep } = loadQueueClient();
  const target = resolveRedisTarget({ url: q.url, ...(password ? { password } : {}) });
  ctx.log.info(`queue ${target.display}: ${password ? 'password from secret storage' : 'no password in secret storage (Grok: Set Queue Password)'}`);
  return { starter: (o) => startQueueSweep({ ...o, target }), display: target.display };
}

/** A tree node's config file (from its manifest), so that Resume/Stop work from the Grok view. */
const asUri = (arg: unknown): vscode.Uri | undefined => (arg instanceof vscode.Uri ? arg
  : isGrokNode(arg) && arg.sweep.configPath ? vscode.Uri.file(arg.sweep.configPath) : undefined);

/** What a node selects in the curves panel: a run (its params, seed included) or a group. */
function nodeSelection(n: GrokNode): Selection | undefined {
  if (n.kind === 'run') return { ...n.run.params };
  if (n.kind === 'group') return { ...n.group.params };
  return undefined;
}

/** Several results folders: the Grok view's multi-selection (two or more sweeps) or a list of URIs. */
function dirsOf(arg: unknown, sel: unknown): string[] | undefined {
  const list = Array.isArray(sel) ? sel : Array.isArray(arg) ? arg : null;
  if (!list) return undefined;
  const dirs = [...new Set(list.map((x) => (isGrokNode(x) ? x.sweep.dir : x instanceof vscode.Uri ? x.fsPath : null)).filter((d): d is string => !!d))];
  return dirs.length > 1 ? dirs : undefined;
}

/** Results folders of the workspace, picked in a quick pick (several when `many`). */
async function pickResults(ctx: GrokContext, title: string, many: boolean): Promise<string[] | undefined> {
  await ctx.runs?.refresh();
  const sweeps = ctx.runs?.all ?? [];
  if (!sweeps.length) { void vscode.window.showInformationMessage('Grok: no results yet. Run a sweep first (Grok: Start Sweep).'); return undefined; }
  if (sweeps.length === 1 && !many) return [sweeps[0]!.dir];
  const items = sweeps.map((s) => ({ label: s.name, description: vscode.workspace.asRelativePath(s.dir), detail: `${s.counts.done}/${s.runs.length} runs done`, dir: s.dir }));
  if (!many) { const p = await vscode.window.showQuickPick(items, { title }); return p ? [p.dir] : undefined; }
  const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true });
  return picked?.map((p) => p.dir);
}

/** Compare sweeps: two or more results folders in one curves panel and one regime map. */
async function compareSweeps(ctx: GrokContext, arg: unknown, sel: unknown): Promise<void> {
  const dirs = dirsOf(arg, sel) ?? (await pickResults(ctx, 'Grok: compare which sweeps? (pick two or more)', true));
  if (!dirs) return;
  if (dirs.length < 2) { void vscode.window.showInformationMessage('Grok: pick two or more sweeps to compare.'); return; }
  ctx.log.info(`comparing ${dirs.join(', ')}`);
  CurvesPanel.show(ctx, dirs, {});
  RegimeMapPanel.show(ctx, dirs);
}

/** Grok: Open Report — `grok report` for the selected sweeps (a self-contained HTML file), then opens it. */
async function openReport(ctx: GrokContext, arg: unknown, sel: unknown): Promise<void> {
  const dirs = dirsOf(arg, sel) ?? (isGrokNode(arg) ? [arg.sweep.dir] : await pickResults(ctx, 'Grok: report of which sweeps?', true));
  if (!dirs?.length) return;
  const out = dirs.length === 1 ? join(dirs[0]!, 'report.html') : join(dirname(dirs[0]!), 'report.html');
  const cli = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'cli.js').fsPath;
  const output = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Grok: writing the report', cancellable: true }, (_p, token) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [cli, 'report', ...dirs, '--out', out], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`grok report failed: ${(stderr || err.message).trim()}`)); else resolve(stdout.trim());
      });
      token.onCancellationRequested(() => child.kill());
    }));
  ctx.log.info(`grok report: ${output}`);
  const pick = await vscode.window.showInformationMessage(`Grok: report written to ${vscode.workspace.asRelativePath(out)}.`, 'Open in Browser', 'Reveal');
  if (pick === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.file(out));
  if (pick === 'Reveal') await revealPath(out);
}

async function revealPath(path: string): Promise<void> {
  if (vscode.env.remoteName) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path));
  else await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
}

async function revealResults(arg: unknown): Promise<void> {
  if (isGrokNode(arg)) await revealPath(arg.sweep.dir);
}

/** Deletes a results folder after a modal confirmation; refused while a sweep writes it. */
async function deleteResults(ctx: GrokContext, arg: unknown): Promise<void> {
  if (!isGrokNode(arg)) return;
  const s = arg.sweep;
  if (ctx.controller.runningDirs().includes(s.dir) || s.state === 'running') {
    void vscode.window.showWarningMessage(`Grok: ${s.name} is running; stop it before deleting its results.`);
    return;
  }
  const pick = await vscode.window.showWarningMessage(`Delete the results of "${s.name}"?`, { modal: true, detail: `${vscode.workspace.asRelativePath(s.dir)}: ${s.runs.length} runs, their metrics and checkpoints. This cannot be undone.` }, 'Delete');
  if (pick !== 'Delete') return;
  CurvesPanel.disposeFor(s.dir);
  RegimeMapPanel.disposeFor(s.dir);
  await rm(s.dir, { recursive: true, force: true });
  ctx.log.info(`deleted ${s.dir}`);
  await ctx.runs?.refresh();
}

/** The config meant: the argument, the active `*.grok.json`, or one picked from the workspace. */
async function configOf(arg: unknown): Promise<vscode.Uri | undefined> {
  const uri = asUri(arg);
  if (uri && /\.grok\.json$/i.test(uri.path)) return uri;
  const active = vscode.window.activeTextEditor?.document;
  if (active && isGrokConfig(active)) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.grok.json', '**/{node_modules,.grok}/**', 200);
  if (files.length === 1) return files[0];
  if (!files.length) {
    const pick = await vscode.window.showWarningMessage('Grok: no *.grok.json experiment file in this workspace.', 'New Experiment…');
    if (pick) await vscode.commands.executeCommand('grok.newExperiment');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: basename(f.fsPath), description: vscode.workspace.asRelativePath(dirname(f.fsPath)), uri: f })),
    { title: 'Grok: which experiment?', placeHolder: 'Pick a *.grok.json file' },
  );
  return pick?.uri;
}

async function startSweep(ctx: GrokContext, arg: unknown, resume: boolean): Promise<void> {
  const uri = await configOf(arg);
  if (!uri) return;
  if (resume && ctx.controller.resumePaused(uri)) return;
  if (ctx.controller.isRunning(uri)) {
    void vscode.window.showInformationMessage('Grok: this sweep is already running.');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    const pick = await vscode.window.showWarningMessage('Grok: sweeps run only in a trusted workspace (stored results still show).', 'Manage Workspace Trust');
    if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.isDirty) await doc.save();
  const result = ctx.diagnostics?.check(doc);
  if (!result) return;
  if (!result.ok) {
    const first = result.errors[0]!;
    await ctx.showError(
      `Grok: ${basename(uri.fsPath)} has ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}: ${first.path ? `${first.path}: ` : ''}${first.message}`,
      uri, doc.positionAt(first.offset),
    );
    return;
  }
  const name = result.config.name;
  const dir = resultsDirFor(uri.fsPath, name);
  let fresh = false;
  if (!resume && isSweepDir(dir)) {
    const pick = await vscode.window.showWarningMessage(
      `Grok: ${vscode.workspace.asRelativePath(dir)} already holds results of "${name}".`,
      { modal: true, detail: 'Resume continues the unfinished runs. Start Over moves the old results aside and runs everything again.' },
      'Resume', 'Start Over',
    );
    if (!pick) return;
    fresh = pick === 'Start Over';
  }
  const queue = await queueStarter(ctx);
  ctx.controller.start(uri, name, { fresh, ...(queue ? { queue } : {}) });
}

async function stopSweep(ctx: GrokContext, arg: unknown): Promise<void> {
  const uri = asUri(arg) ?? (vscode.window.activeTextEditor && isGrokConfig(vscode.window.activeTextEditor.document) ? vscode.window.activeTextEditor.document.uri : undefined);
  if (uri && ctx.controller.stop(uri)) return;
  const latest = ctx.controller.latest();
  if (latest) ctx.controller.stop(latest.configUri);
  else void vscode.window.showInformationMessage('Grok: no sweep is running.');
}

/** The results folder meant: a folder argument, a config's, the running sweep's, or one picked. */
async function resultsDirOf(ctx: GrokContext, arg: unknown): Promise<string | undefined> {
  if (isGrokNode(arg)) return arg.sweep.dir;
  const uri = asUri(arg);
  if (uri && !/\.grok\.json$/i.test(uri.path)) return uri.fsPath;
  const fromConfig = async (u: vscode.Uri) => {
    const doc = await vscode.workspace.openTextDocument(u);
    const r = ctx.diagnostics?.check(doc);
    const name = r?.ok ? r.config.name : /"name"\s*:\s*"([^"]+)"/.exec(doc.getText())?.[1];
    return name ? resultsDirFor(u.fsPath, name) : undefined;
  };
  if (uri) return fromConfig(uri);
  const active = vscode.window.activeTextEditor?.document;
  if (active && isGrokConfig(active)) {
    const d = await fromConfig(active.uri);
    if (d && (isSweepDir(d) || ctx.controller.isRunning(active.uri))) return d;
  }
  const running = ctx.controller.latest();
  if (running?.resultsDir) return running.resultsDir;
  const manifests = await vscode.workspace.findFiles('**/.grok/*/manifest.json', '**/node_modules/**', 200);
  if (manifests.length === 1) return dirname(manifests[0]!.fsPath);
  if (!manifests.length) {
    const pick = await vscode.window.showInformationMessage('Grok: no results yet. Run a sweep first.', 'Start Sweep');
    if (pick) await vscode.commands.executeCommand('grok.startSweep');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    manifests.map((m) => ({ label: basename(dirname(m.fsPath)), description: vscode.workspace.asRelativePath(dirname(m.fsPath)), dir: dirname(m.fsPath) })),
    { title: 'Grok: which results?' },
  );
  return pick?.dir;
}

async function exportResults(ctx: GrokContext, arg: unknown): Promise<void> {
  const dir = await resultsDirOf(ctx, arg);
  if (!dir) return;
  const summary = readSummary(dir);
  const runs = summary?.runs.length ? summary.runs : listRuns(dir);
  if (!runs.length) { void vscode.window.showInformationMessage('Grok: these results have no runs yet.'); return; }
  const name = summary?.name ?? basename(dir);
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(dir, `${name}-runs.csv`)), filters: { CSV: ['csv'] }, title: 'Export results as CSV' });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(runsCsv(runs), 'utf8'));
  let also = '';
  if (summary?.criticalDataSize.length) {
    const cdsUri = vscode.Uri.file(target.fsPath.replace(/(\.csv)?$/i, '-cds.csv').replace(/-runs-cds\.csv$/, '-cds.csv'));
    await vscode.workspace.fs.writeFile(cdsUri, Buffer.from(cdsCsv(summary), 'utf8'));
    also = ` and ${basename(cdsUri.fsPath)}`;
  }
  ctx.log.info(`exported ${runs.length} runs to ${target.fsPath}${also}`);
  void vscode.window.showInformationMessage(`Grok: exported ${runs.length} runs to ${basename(target.fsPath)}${also}.`);
}
