// Entry point: one GrokContext owns everything; deactivate disposes it.
import type * as vscode from 'vscode';
import { GrokContext } from './context';
import { registerCommands } from './commands';

let ctx: GrokContext | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  ctx = new GrokContext(extension);
  extension.subscriptions.push(ctx);
  registerCommands(ctx);
  ctx.activate();
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
