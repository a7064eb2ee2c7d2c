// Config errors in the Problems panel as you type (debounced), from src/config/load.ts, with the
// engine's limits for the grok.device / grok.threads settings (src/sweep/limits.ts, as grok validate).
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { ExtraChecks, LoadResult } from '../../config/load';
import { configDiagnostics, type ConfigDiagnostic } from './diagnosticsModel';
import { engineChecks } from '../../sweep/limits';
import type { DeviceSetting } from '../sweep/device';
import type { GrokContext } from '../context';

export const isGrokConfig = (doc: vscode.TextDocument) => /\.grok\.json$/i.test(doc.uri.path);

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('grok');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The engine-limit diagnostics of each open config, by URI (the lens shows them on the top line). */
  private readonly limits = new Map<string, ConfigDiagnostic[]>();
  /** The engine checks, kept across checks (they cache generated datasets: half the CPU time), renewed now and then. */
  private engine: { key: string; checks: ExtraChecks; uses: number } | undefined;

  constructor(private readonly ctx: GrokContext, private readonly delayMs = 300) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => { this.collection.delete(d.uri); this.limits.delete(d.uri.toString()); }),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isGrokConfig(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.check(doc); }, this.delayMs));
  }

  /** Validates now; returns the load result (the commands use it before starting a sweep). Never throws. */
  check(doc: vscode.TextDocument): LoadResult | null {
    if (!isGrokConfig(doc) || doc.isClosed) return null;
    try {
      const settings = vscode.workspace.getConfiguration('grok', doc.uri);
      const limits = this.engineChecks(settings.get<DeviceSetting>('device', 'auto'), settings.get<number>('threads', 0));
      const { result, diagnostics } = configDiagnostics(doc.getText(), doc.uri.fsPath,
        doc.uri.scheme === 'file' ? { configDir: dirname(doc.uri.fsPath), dataRoots: this.ctx.dataRoots(doc.uri), limits } : { limits });
      this.limits.set(doc.uri.toString(), diagnostics.filter((p) => p.limit));
      this.collection.set(doc.uri, diagnostics.map((p) => {
        const range = new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.length));
        const d = new vscode.Diagnostic(range, p.message, p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
        d.source = 'grok';
        if (p.limit) d.code = 'engine limit';
        return d;
      }));
      this.ctx.lenses?.refresh();
      return result;
    } catch (e) {
      // Nothing above should throw; if it does, the editor keeps working and the log says why.
      this.ctx.log.error(`diagnostics of ${doc.uri.fsPath}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return null;
    }
  }

  private engineChecks(device: DeviceSetting, threads: number): ExtraChecks {
    const key = `${device}/${threads}`;
    if (!this.engine || this.engine.key !== key || this.engine.uses >= 100) {
      this.engine = { key, checks: engineChecks(device, ...(threads > 0 ? [threads] : [])), uses: 0 };
    }
    this.engine.uses++;
    return this.engine.checks;
  }

  /** The engine-limit diagnostics of a config as last checked. */
  limitsOf(uri: vscode.Uri): ConfigDiagnostic[] {
    return this.limits.get(uri.toString()) ?? [];
  }

  /** Validates every open config again (a setting they depend on changed). */
  checkAll(): void {
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
