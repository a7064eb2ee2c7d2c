// Redis credentials never come from an experiment file (it is shared, committed, pasted into
// issues): a config that names a queue or a password is refused before anything else, with the fix.
import { readFileSync } from 'node:fs';
import { parse, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { ENV_PASSWORD, ENV_URL } from './connection';

const FORBIDDEN = /^(queue|redis|redisUrl|redis_url|password|redisPassword|auth|credentials)$/i;
const URL_WITH_SECRET = /^rediss?:\/\/[^/@\s]*:[^/@\s]+@/i;

/** Throws when the config file at `path` holds a queue setting or a Redis secret. */
export function assertNoQueueSecrets(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return; // the sweep's own loader reports a missing file
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true });
  const problem = findSecret(value, []);
  if (problem) {
    throw new Error(`${path}: ${problem}: the queue and its credentials are not part of an experiment file (it is shared and committed); ` +
      `give the queue with --queue redis://HOST:PORT (or ${ENV_URL}) and the password in ${ENV_PASSWORD}`);
  }
}

function findSecret(v: unknown, path: string[]): string | null {
  if (typeof v === 'string') return URL_WITH_SECRET.test(v) ? `"${path.join('.')}" holds a Redis URL with a password` : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = findSecret(v[i], [...path, String(i)]);
      if (p) return p;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN.test(k)) return `field "${[...path, k].join('.')}" is not allowed`;
      const p = findSecret(x, [...path, k]);
      if (p) return p;
    }
  }
  return null;
}
