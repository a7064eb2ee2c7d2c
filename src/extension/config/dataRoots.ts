// The `grok.dataRoots` setting: folders besides a config's own that its text data (task.path,
// testPath, tokenizer.vocabFile) may be read from, as `--data-root DIR` is for the CLI. The editor's
// diagnostics and the sweeps this window starts check data paths against the same roots.
// No vscode import (unit-tested).
import { isAbsolute, join, resolve } from 'node:path';

export interface DataRootsBase {
  /** The workspace folder of the config (else the first one): where relative entries resolve. */
  workspaceFolder: string | undefined;
  home: string;
}

/** The setting's folders as absolute paths, and a line for each entry that cannot be used. */
export function resolveDataRoots(raw: unknown, base: DataRootsBase): { roots: string[]; problems: string[] } {
  if (raw === undefined || raw === null) return { roots: [], problems: [] };
  if (!Array.isArray(raw)) return { roots: [], problems: [`grok.dataRoots: expected a list of folders, found ${JSON.stringify(raw)}`] };
  const roots: string[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = `grok.dataRoots[${i}]`;
    if (typeof entry !== 'string' || entry.trim() === '' || entry.includes('\0')) {
      problems.push(`${at}: expected a folder path, found ${JSON.stringify(entry)}`);
      return;
    }
    let p = entry.trim();
    if (base.workspaceFolder !== undefined) p = p.replace(/\$\{workspaceFolder\}/g, base.workspaceFolder);
    if (p === '~' || p.startsWith('~/')) p = join(base.home, p.slice(1));
    if (/\$\{[^}]*\}/.test(p)) {
      problems.push(`${at}: ${JSON.stringify(entry)}: only \${workspaceFolder} and ~ are expanded${base.workspaceFolder === undefined ? ' (no workspace folder is open)' : ''}`);
      return;
    }
    if (!isAbsolute(p)) {
      if (base.workspaceFolder === undefined) {
        problems.push(`${at}: ${JSON.stringify(entry)} is relative and no workspace folder is open; give an absolute path`);
        return;
      }
      p = resolve(base.workspaceFolder, p);
    }
    p = resolve(p);
    if (!roots.includes(p)) roots.push(p);
  });
  return { roots, problems };
}
