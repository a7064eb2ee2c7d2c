// Which fields differ between two resolved configs, as field paths (`training.steps`,
// `sweep["model.dModel"]`): what `grok sweep` prints when it refuses to mix two configs in one
// results directory.
import { formatPath, type PathSegment } from '../config/errors';

export interface ConfigChange { path: string; before: unknown; after: unknown }

export function diffConfig(before: unknown, after: unknown): ConfigChange[] {
  const out: ConfigChange[] = [];
  walk(before, after, [], out);
  return out;
}

export function formatChanges(changes: ConfigChange[]): string {
  return changes.map((c) => `  ${c.path}: ${show(c.before)} -> ${show(c.after)}`).join('\n');
}

function walk(before: unknown, after: unknown, path: PathSegment[], out: ConfigChange[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) walk(before[k], after[k], [...path, k], out);
  } else if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({ path: formatPath(path) || '(the whole config)', before, after });
  }
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : JSON.stringify(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
