// Dotted field paths ("model.dModel", "task.components.0.trainSize"): parsing, reading, writing,
// and finding the schema of the field a path names (sweep axes must name a real field).
import type { z } from 'zod';
import type { PathSegment } from './errors';

/** "task.components.0.trainSize" → ["task", "components", 0, "trainSize"]. */
export function parseDottedPath(path: string): PathSegment[] {
  return path.split('.').map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * Names that reach into an object's prototype rather than its own fields: a config may not use
 * them as field names or path segments (`__proto__.x` would write to every object).
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The own field `seg` of `v` (never one inherited from a prototype), or undefined. */
export function ownValue(v: unknown, seg: PathSegment): unknown {
  return v !== null && typeof v === 'object' && Object.hasOwn(v, seg) ? (v as Record<PathSegment, unknown>)[seg] : undefined;
}

export function getAtPath(root: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) cur = ownValue(cur, seg);
  return cur;
}

/**
 * A copy of `root` with the value at `path` set (`undefined` deletes the key): only the objects on
 * the path are copied, the rest is shared, so that the cost does not grow with the config's size.
 */
export function withValueAtPath<T>(root: T, path: readonly PathSegment[], value: unknown): T {
  const [seg, ...rest] = path;
  if (seg === undefined) return value as T; // the empty path: the value itself
  const node = root !== null && typeof root === 'object' ? root as Record<PathSegment, unknown> : {};
  const copy: Record<PathSegment, unknown> = Array.isArray(node) ? [...node] as unknown as Record<PathSegment, unknown> : { ...node };
  if (PROTOTYPE_KEYS.has(String(seg))) throw new Error(`refusing the prototype key ${JSON.stringify(seg)} in a field path`);
  const child = rest.length === 0 ? value : withValueAtPath(ownValue(node, seg), rest, value);
  if (child === undefined) delete copy[seg];
  else copy[seg] = child;
  return copy as T;
}

/** A data-size field: `training.trainSize|trainFraction` or `task.components.N.trainSize|trainFraction`. */
export function isDataSizePath(path: readonly PathSegment[]): boolean {
  const last = path[path.length - 1];
  if (last !== 'trainSize' && last !== 'trainFraction') return false;
  return (path.length === 2 && path[0] === 'training')
    || (path.length === 4 && path[0] === 'task' && path[1] === 'components' && typeof path[2] === 'number');
}

/** trainSize ↔ trainFraction: the alternative a data-size path excludes. */
export function dataSizeSibling(path: readonly PathSegment[]): PathSegment[] {
  const last = path[path.length - 1] === 'trainSize' ? 'trainFraction' : 'trainSize';
  return [...path.slice(0, -1), last];
}

// Zod 4 keeps a schema's structure in `_zod.def`; these are the parts we walk.
interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  element?: z.ZodType;
  items?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  values?: unknown[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips optional/default/prefault/nullable/readonly/catch/pipe wrappers. */
export function unwrapSchema(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The fields an object schema allows (for "unknown field" messages); `value` picks a union's option. */
export function objectFieldNames(s: z.ZodType, value?: unknown): string[] {
  const d = defOf(selectOption(unwrapSchema(s), value));
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}


/** Whether `path` names the discriminator of a union (task.kind): changing it changes the fields that apply. */
export function namesDiscriminator(root: z.ZodType, path: readonly PathSegment[], value: unknown): boolean {
  const parent = path.length ? fieldSchemaAt(root, path.slice(0, -1), value) : null;
  return !!parent && defOf(unwrapSchema(parent)).discriminator === path[path.length - 1];
}

/**
 * Every leaf field (not an object) with its schema. With `value`, unions follow the option it
 * selects and arrays its elements; without, every option is walked and arrays are leaves.
 */
export function leafFields(root: z.ZodType, value?: unknown): Array<{ path: PathSegment[]; schema: z.ZodType }> {
  const out: Array<{ path: PathSegment[]; schema: z.ZodType }> = [];
  const walk = (s: z.ZodType, path: PathSegment[], v: unknown) => {
    const inner = unwrapSchema(s);
    const d = defOf(inner);
    const at = (seg: PathSegment) => ownValue(v, seg);
    if (d.type === 'union' && d.discriminator && d.options) {
      const options = value === undefined ? d.options : [selectOption(inner, v)];
      for (const o of options) if (o !== inner) walk(o, path, v);
    } else if (d.type === 'object' && d.shape) {
      for (const [k, f] of Object.entries(d.shape)) walk(f, [...path, k], at(k));
    } else if (d.type === 'array' && d.element && Array.isArray(v)) {
      v.forEach((e, i) => walk(d.element!, [...path, i], e));
    } else if (path.length) {
      out.push({ path, schema: s });
    }
  };
  walk(root, [], value);
  return out;
}

/**
 * The option of a discriminated union that `value` selects, or the union itself when the value
 * does not select one.
 */
function selectOption(s: z.ZodType, value: unknown): z.ZodType {
  const d = defOf(s);
  if (d.type !== 'union' || !d.discriminator || !d.options) return s;
  const tag = ownValue(value, d.discriminator);
  for (const option of d.options) {
    const field = ownValue(defOf(unwrapSchema(option)).shape, d.discriminator) as z.ZodType | undefined;
    if (field && defOf(unwrapSchema(field)).values?.includes(tag)) return option;
  }
  return s;
}

/**
 * The schema of the field `path` names, or null when it names none. `value` (the config being
 * checked) picks the option of discriminated unions (task.kind) and bounds array indices.
 */
export function fieldSchemaAt(root: z.ZodType, path: readonly PathSegment[], value: unknown): z.ZodType | null {
  let s: z.ZodType = root;
  let v: unknown = value;
  for (const seg of path) {
    s = selectOption(unwrapSchema(s), v);
    const d = defOf(s);
    let next: z.ZodType | undefined;
    if (d.type === 'object') {
      next = typeof seg === 'string' ? (ownValue(d.shape, seg) as z.ZodType | undefined) ?? d.catchall : undefined;
      // strict objects catch all with `never`, open ones (analysis) with `unknown`: neither names a field
      if (next && (defOf(next).type === 'never' || defOf(next).type === 'unknown')) next = undefined;
    } else if (d.type === 'array' && typeof seg === 'number') {
      next = Array.isArray(v) && seg < v.length ? d.element : undefined;
    } else if (d.type === 'tuple' && typeof seg === 'number') {
      next = d.items?.[seg];
    } else if (d.type === 'record' && typeof seg === 'string' && !PROTOTYPE_KEYS.has(seg)) {
      next = d.valueType;
    }
    if (!next) return null;
    s = next;
    v = ownValue(v, seg);
  }
  return s;
}
