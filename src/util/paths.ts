// Whether a path lies inside a folder, symlinks resolved: the one check behind data roots
// (config) and the folders a restored panel may reopen (extension).
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/** The real path (symlinks and `..` resolved), or null when it does not exist. */
export function realPathOrNull(p: string): string | null {
  try { return realpathSync(p); } catch { return null; }
}

/** True when `path` is `folder` or lies below it (both already real paths). */
export function isInsideFolder(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
