// Which fields differ between two resolved configs, as dotted paths (keys that contain dots, like
// sweep axes, are bracketed): what `grok sweep` prints when it refuses to mix two configs in one
// results directory.

export interface ConfigChange { path: string; before: unknown; after: unknown }

export function diffConfig(before: unknown, after: unknown, path = ''): ConfigChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffConfig(before[k], after[k], joinPath(path, k)));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || '(root)', before, after }];
}

export function formatChanges(changes: ConfigChange[]): string {
  return changes.map((c) => `  ${c.path}: ${show(c.before)} -> ${show(c.after)}`).join('\n');
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : JSON.stringify(v);
}

function joinPath(path: string, key: string): string {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return path === '' ? k : k.startsWith('[') ? path + k : `${path}.${k}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
