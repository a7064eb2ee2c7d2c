// A results folder lives in `.grok/` next to its config. On first use that folder gets a .gitignore
// of `*`, so metrics and checkpoints never fill Source Control (a user can delete or edit it).
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const GROK_GITIGNORE = '# Grok sweep results (metrics, checkpoints): not for version control.\n*\n';

/** Writes `.grok/.gitignore` when `resultsDir` is inside a `.grok` folder that has none. Returns its path when written. */
export function ensureGrokGitignore(resultsDir: string): string | null {
  const parent = dirname(resultsDir);
  if (basename(parent) !== '.grok') return null;
  const path = join(parent, '.gitignore');
  if (existsSync(path)) return null;
  try {
    writeFileSync(path, GROK_GITIGNORE, { flag: 'wx' });
    return path;
  } catch {
    return null; // written meanwhile by another sweep, or a read-only folder: nothing to do
  }
}
