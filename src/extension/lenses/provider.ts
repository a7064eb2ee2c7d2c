// CodeLens on `*.grok.json` (thin: text and positions come from ./lensModel.ts).
// Top line: ▶ Run sweep / ■ Stop / ↻ Resume. Under each model size: its critical data size; under
// each data size: the regimes found; resolved late from summary.json, so they survive a restart.
import * as vscode from 'vscode';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../../store/types';
import { findAnchors, limitLens, topLenses, valueLensTitle, type LensAnchors, type ValueLensKind } from './lensModel';
import type { Span } from '../model/text';
import { isSweepDir, readSummary, resultsDirFor } from '../results/store';
import { isSeedAxis } from '../model/axes';
import type { GrokContext } from '../context';

const toRange = (s: Span) => new vscode.Range(s.start.line, s.start.character, s.end.line, s.end.character);

class ValueLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly uri: vscode.Uri, readonly anchors: LensAnchors, readonly kind: ValueLensKind, readonly index: number, readonly dir: string) {
    super(range);
  }
}

/** summary.json by folder, re-read only when its mtime changes. */
export class SummaryCache {
  private readonly cache = new Map<string, { mtime: number; summary: Summary | null }>();
  get(dir: string): Summary | null {
    let mtime = -1;
    try { mtime = statSync(join(dir, 'summary.json')).mtimeMs; } catch { /* none yet */ }
    const hit = this.cache.get(dir);
    if (hit && hit.mtime === mtime) return hit.summary;
    const summary = mtime < 0 ? null : readSummary(dir);
    this.cache.set(dir, { mtime, summary });
    return summary;
  }
}

export class GrokLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  readonly summaries = new SummaryCache();

  constructor(private readonly ctx: GrokContext) {}

  refresh(): void {
    this.emitter.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('grok').get<boolean>('codeLens.enabled', true)) return [];
    const anchors = findAnchors(doc.getText());
    if (!anchors || token.isCancellationRequested) return [];
    const dir = anchors.name ? resultsDirFor(doc.uri.fsPath, anchors.name) : null;
    const results = !!dir && isSweepDir(dir);
    const summary = dir ? this.summaries.get(dir) : null;
    const complete = !!summary && (summary.status === 'done' || (summary.runs.length > 0 && summary.runs.every((r) => r.status === 'done')));
    const state = this.ctx.controller.stateOf(doc.uri);
    const limit = limitLens(this.ctx.diagnostics?.limitsOf(doc.uri) ?? []);
    const lenses: vscode.CodeLens[] = [...topLenses(state, { trusted: vscode.workspace.isTrusted, hasResults: results, complete }), ...(limit ? [limit] : [])]
      .map((t) => new vscode.CodeLens(toRange(anchors.top), { title: t.title, command: t.command, tooltip: t.tooltip, arguments: t.command ? [doc.uri] : [] }));
    if (!dir) return lenses;
    anchors.modelValues.forEach((v, i) => lenses.push(new ValueLens(toRange(v.span), doc.uri, anchors, 'cds', i, dir)));
    anchors.dataValues.forEach((v, i) => lenses.push(new ValueLens(toRange(v.span), doc.uri, anchors, 'regimes', i, dir)));
    return lenses;
  }

  resolveCodeLens(lens: vscode.CodeLens, token: vscode.CancellationToken): vscode.CodeLens {
    if (!(lens instanceof ValueLens) || token.isCancellationRequested) return lens;
    const summary = this.summaries.get(lens.dir);
    const title = valueLensTitle(lens.anchors, lens.kind, lens.index, summary);
    const axis = lens.kind === 'cds' ? lens.anchors.modelAxis! : lens.anchors.dataAxis!;
    const value = (lens.kind === 'cds' ? lens.anchors.modelValues : lens.anchors.dataValues)[lens.index]?.value;
    lens.command = summary
      ? { title, command: 'grok.showCurves', tooltip: `Curves of the runs with ${axis} = ${String(value)}`, arguments: [lens.uri, { [axis]: value ?? null }] }
      : { title, command: '', tooltip: 'Run the sweep to fill this in' };
    if (isSeedAxis(axis)) lens.command.tooltip = '';
    return lens;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
