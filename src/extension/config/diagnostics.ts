// Config errors in the Problems panel as you type (debounced), from src/config/load.ts.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { loadConfig, type LoadResult } from '../../config/load';
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

  /** Validates now; returns the load result (the commands use it before starting a sweep). */
  check(doc: vscode.TextDocument): LoadResult | null {
    if (!isGrokConfig(doc) || doc.isClosed) return null;
    const result = loadConfig(doc.getText(), doc.uri.fsPath, doc.uri.scheme === 'file' ? { configDir: dirname(doc.uri.fsPath), dataRoots: this.ctx.dataRoots(doc.uri) } : {});
    const diags = result.ok ? [] : result.errors.map((e) => {
      const start = doc.positionAt(e.offset);
      const end = doc.positionAt(e.offset + Math.max(e.length, 1));
      const d = new vscode.Diagnostic(new vscode.Range(start, end), e.path ? `${e.path}: ${e.message}` : e.message, vscode.DiagnosticSeverity.Error);
      d.source = 'grok';
      return d;
    });
    this.collection.set(doc.uri, diags);
    this.ctx.lenses?.refresh();
    return result;
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
