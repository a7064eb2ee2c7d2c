// Plain-English descriptions of what a field allows ("an integer from 1 to 4096") and of what a
// file holds ("the string \"abc\""), for error messages. The allowed values are read off the
// field's JSON Schema, so they always agree with the validator.
import { z } from 'zod';

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  pattern?: string;
  minItems?: number;
  prefixItems?: JsonSchema[];
  items?: JsonSchema | boolean;
  properties?: Record<string, JsonSchema>;
}

/** What a field allows, e.g. `an integer from 2 to 1024` or `one of "a+b", "a-b"`. */
export function describeAllowed(schema: z.ZodType): string {
  let text = allowedCache.get(schema);
  if (text === undefined) {
    text = describeJson(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
    allowedCache.set(schema, text);
  }
  return text;
}

/** Schemas are immutable: what each allows is worked out once. */
const allowedCache = new WeakMap<z.ZodType, string>();

function describeJson(s: JsonSchema): string {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(describeJson).join(' or ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => describeJson({ type: t })).join(' or ');
  switch (types[0]) {
    case 'integer': return `an integer${describeBounds(s)}`;
    case 'number': return `a number${describeBounds(s)}`;
    case 'boolean': return 'true or false';
    case 'null': return 'null';
    case 'string':
      if (s.pattern) return `a string matching ${s.pattern}`;
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'array':
      if (s.prefixItems) return `a list of ${s.prefixItems.length}: [${s.prefixItems.map(describeJson).join(', ')}]`;
      if (s.items && typeof s.items === 'object') {
        return `a list${s.minItems ? ` of at least ${s.minItems}` : ''} of ${describeJson(s.items)}`;
      }
      return 'a list';
    case 'object':
      return s.properties ? `an object with fields ${Object.keys(s.properties).join(', ')}` : 'an object';
    default: return 'any value';
  }
}

function describeBounds(s: JsonSchema): string {
  const lo = s.minimum ?? s.exclusiveMinimum;
  // zod writes the safe-integer limits as bounds of every integer; they are no real limit.
  const hi = (s.maximum ?? s.exclusiveMaximum);
  const hasHi = hi !== undefined && hi < Number.MAX_SAFE_INTEGER;
  const hasLo = lo !== undefined && lo > Number.MIN_SAFE_INTEGER;
  if (hasLo && hasHi && s.minimum !== undefined && s.maximum !== undefined) return ` from ${lo} to ${hi}`;
  const parts: string[] = [];
  if (hasLo) parts.push(`${s.minimum !== undefined ? '≥' : '>'} ${lo}`);
  if (hasHi) parts.push(`${s.maximum !== undefined ? '≤' : '<'} ${hi}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** What a value is, for "got …": `the string "abc"`, `1.5`, `a list`, `nothing`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${truncate(JSON.stringify(v))}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const json = JSON.stringify(v);
  const kind = Array.isArray(v) ? 'the list' : 'the object';
  return json.length <= 40 ? `${kind} ${json}` : Array.isArray(v) ? 'a list' : 'an object';
}

function truncate(s: string): string {
  return s.length <= 40 ? s : `${s.slice(0, 37)}…"`;
}

/** The closest of `options` to `word`, if it is a plausible typo. */
export function closestMatch(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestDistance) { best = o; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  // prev and cur hold b.length + 1 entries; every index below is in 0..b.length.
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
