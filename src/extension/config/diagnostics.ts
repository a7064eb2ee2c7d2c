// Config errors in the Problems panel as you type (debounced), from src/config/load.ts.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { LoadResult } from '../../config/load';
import { configDiagnostics } from './diagnosticsModel';
import type { GrokContext } from '../context';

export const isGrokConfig = (doc: vscode.TextDocument) => /\.grok\.json$/i.test(doc.uri.path);

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('grok');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: GrokContext, private readonly delayMs = 300) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => { this.collection.delete(d.uri); }),
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
      const { result, diagnostics } = configDiagnostics(doc.getText(), doc.uri.fsPath,
        doc.uri.scheme === 'file' ? { configDir: dirname(doc.uri.fsPath), dataRoots: this.ctx.dataRoots(doc.uri) } : {});
      this.collection.set(doc.uri, diagnostics.map((p) => {
        const range = new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.length));
        const d = new vscode.Diagnostic(range, p.message, p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
        d.source = 'grok';
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

  /** Validates every open config again (a setting they depend on changed). */
  checkAll(): void {
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
