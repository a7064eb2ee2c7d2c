// Which results folders a restored panel may open. A panel restored after a reload gets its folders
// from the webview's saved state, which the webview itself wrote: a compromised or confused webview
// could name any folder on the machine. So the host only reopens a folder that is a results folder
// (manifest.json) and lies inside a workspace folder, or that the extension opened itself before
// (remembered per workspace). Symlinks and `..` are resolved before the check.
import { isAbsolute, resolve } from 'node:path';
import { isInsideFolder, realPathOrNull as realOrNull } from '../../util/paths';
import { isSweepDir } from './store';

export interface RestoreTrust {
  /** The workspace folders' paths. */
  workspaceFolders: readonly string[];
  /** Results folders the extension opened itself in this workspace (real paths). */
  opened: ReadonlySet<string>;
}

export type RestoreCheck = { ok: true; dirs: string[] } | { ok: false; dir: string; reason: string };

/** The saved folders (as saved) when every one may be reopened; else the first refused one and why. */
export function checkRestoredDirs(saved: readonly unknown[], trust: RestoreTrust): RestoreCheck {
  if (saved.length === 0) return { ok: false, dir: '', reason: 'the saved state names no results folder' };
  const roots = trust.workspaceFolders.map(realOrNull).filter((r): r is string => r !== null);
  const dirs: string[] = [];
  for (const d of saved) {
    const shown = typeof d === 'string' ? d : JSON.stringify(d) ?? String(d);
    if (typeof d !== 'string' || !isAbsolute(d) || d.includes('\0')) return { ok: false, dir: shown, reason: 'not an absolute folder path' };
    const real = realOrNull(d);
    if (real === null) return { ok: false, dir: d, reason: 'the folder no longer exists' };
    if (!isSweepDir(real)) return { ok: false, dir: d, reason: 'not a Grok results folder (no manifest.json)' };
    if (!trust.opened.has(real) && !roots.some((root) => isInsideFolder(real, root))) {
      return { ok: false, dir: d, reason: 'it lies outside this workspace\'s folders and Grok did not open it here before' };
    }
    dirs.push(d);
  }
  return { ok: true, dirs };
}

/** The real path of a folder the extension opens (to remember it), or the path itself if it is gone. */
export function realResultsDir(dir: string): string {
  return realOrNull(dir) ?? resolve(dir);
}
