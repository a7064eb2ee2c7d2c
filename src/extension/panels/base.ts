// What both webview panels share: options (scripts on, resources only from dist/ and media/),
// the HTML shell, typed message dispatch and saving exports.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { ExportRequest } from '../../../webview/shared/protocolBase';
import { makeNonce, webviewHtml } from './html';
import type { GrokContext } from '../context';

export function webviewOptions(ctx: GrokContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist'), vscode.Uri.joinPath(ctx.extensionUri, 'media')],
    enableFindWidget: false,
  };
}

export function setHtml(ctx: GrokContext, webview: vscode.Webview, bundle: string, title: string, body: string): void {
  webview.options = webviewOptions(ctx);
  webview.html = webviewHtml({
    title, body, nonce: makeNonce(), cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(ctx.extensionUri, 'dist', bundle)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(ctx.extensionUri, 'media', 'webview.css')).toString(),
  });
}

/** Saves an export the webview produced; the default location is the sweep's results folder. */
export async function saveExport(ctx: GrokContext, resultsDir: string, req: ExportRequest): Promise<void> {
  const filters: Record<string, string[]> = { png: { PNG: ['png'] }, svg: { SVG: ['svg'] }, csv: { CSV: ['csv'] } }[req.format] as never;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(`${resultsDir}/${basename(req.suggestedName)}`), filters, title: `Export ${req.format.toUpperCase()}`,
  });
  if (!target) return;
  const bytes = req.format === 'png' ? Buffer.from(req.content, 'base64') : Buffer.from(req.content, 'utf8');
  await vscode.workspace.fs.writeFile(target, bytes);
  ctx.log.info(`exported ${req.format} to ${target.fsPath} (${bytes.length} bytes)`);
  const open = await vscode.window.showInformationMessage(`Exported ${basename(target.fsPath)}`, 'Reveal');
  if (open) await vscode.commands.executeCommand('revealFileInOS', target);
}
