// Grok: New Experiment… — a bundled example or a blank template, written into the workspace and opened.
import * as vscode from 'vscode';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GrokContext } from '../context';
import { blankTemplate, exampleText, freeFileName, listExamples, renamed } from './templates';

export async function newExperiment(ctx: GrokContext, preset?: unknown): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const pick = await vscode.window.showInformationMessage('Grok: open a folder first; the experiment file and its results go there.', 'Open Folder…');
    if (pick) await vscode.commands.executeCommand('workbench.action.files.openFolder');
    return undefined;
  }
  const examplesDir = vscode.Uri.joinPath(ctx.extensionUri, 'examples').fsPath;
  const examples = listExamples(examplesDir);
  type Item = vscode.QuickPickItem & { example?: (typeof examples)[number]; blank?: boolean };
  const items: Item[] = [
    { label: '$(new-file) Blank experiment', description: 'a small template with every section', blank: true },
    { label: 'Examples', kind: vscode.QuickPickItemKind.Separator },
    ...examples.filter((e) => !e.paperScale).map((e): Item => ({ label: e.name, description: e.file, detail: e.description, example: e })),
    { label: 'Paper scale (hours on a CPU)', kind: vscode.QuickPickItemKind.Separator },
    ...examples.filter((e) => e.paperScale).map((e): Item => ({ label: e.name, description: e.file, detail: e.description, example: e })),
  ];
  const chosen = typeof preset === 'string'
    ? items.find((i) => i.example?.name === preset || i.example?.file === preset || (preset === 'blank' && i.blank))
    : await vscode.window.showQuickPick(items, { title: 'Grok: New Experiment', placeHolder: 'Start from a bundled example or a blank template', matchOnDescription: true, matchOnDetail: true });
  if (!chosen) return undefined;
  const dir = folder.uri.fsPath;
  let file: string;
  if (chosen.blank) {
    const name = await vscode.window.showInputBox({ title: 'Grok: New Experiment', prompt: 'Experiment name (its results go to .grok/<name>/)', value: 'my-experiment',
      validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'letters, digits, -, _ and . only') });
    if (!name) return undefined;
    file = freeFileName(dir, name);
    writeFileSync(join(dir, file), blankTemplate(name));
  } else {
    const ex = chosen.example!;
    file = freeFileName(dir, ex.file.replace(/\.grok\.json$/, ''));
    // A second copy gets its own name, so that its results go to their own folder.
    const name = file.replace(/\.grok\.json$/, '');
    writeFileSync(join(dir, file), renamed(exampleText(readFileSync(join(examplesDir, ex.file), 'utf8')), ex.name, name));
    for (const d of ex.dataFiles) {
      const target = join(dir, d);
      if (existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(examplesDir, d), target);
    }
  }
  const uri = vscode.Uri.file(join(dir, file));
  ctx.log.info(`new experiment ${uri.fsPath}${chosen.example ? ` from the example ${chosen.example.file}` : ' (blank template)'}`);
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}
