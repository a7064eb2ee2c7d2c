// Where the queue's Redis is and how to log in: the URL comes from `--queue URL` or GROK_REDIS_URL,
// credentials only from the environment (GROK_REDIS_URL's user:password, GROK_REDIS_USERNAME,
// GROK_REDIS_PASSWORD) or from the caller (the extension's SecretStorage), never from a command
// line or a config file. `rediss://` connects over TLS. `checkConnection` fails within seconds with a
// message naming the cause (refused, unknown host, no answer, wrong password) instead of retrying.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import Redis, { type RedisOptions } from 'ioredis';

export const ENV_URL = 'GROK_REDIS_URL';
export const ENV_PASSWORD = 'GROK_REDIS_PASSWORD';
export const ENV_USERNAME = 'GROK_REDIS_USERNAME';
/** PEM file of the CA that signed the server's certificate (rediss:// with a private CA). */
export const ENV_TLS_CA = 'GROK_REDIS_CA';
/** "0" accepts any server certificate (testing only). */
export const ENV_TLS_VERIFY = 'GROK_REDIS_TLS_VERIFY';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** A bad URL, a refused connection, wrong credentials: a message for the user, no stack trace. */
export class QueueConnectionError extends Error {
  override name = 'QueueConnectionError';
}

export interface RedisTarget {
  /** The URL without credentials: safe to print and to store in the results folder. */
  display: string;
  /** ioredis options (host, port, db, username, password, tls). */
  options: RedisOptions;
}

export interface ResolveOptions {
  /** `--queue URL` (or the URL stored in a results folder); falls back to GROK_REDIS_URL. "env" = GROK_REDIS_URL. */
  url?: string;
  /** A password from a secret store (the extension's SecretStorage); wins over the environment. */
  password?: string;
  env?: NodeJS.ProcessEnv;
}

/** The Redis to use, from the flag and the environment. Throws QueueConnectionError with the fix. */
export function resolveRedisTarget(opts: ResolveOptions = {}): RedisTarget {
  const env = opts.env ?? process.env;
  const fromFlag = opts.url !== undefined && opts.url !== 'env';
  const raw = fromFlag ? opts.url! : env[ENV_URL];
  if (!raw) {
    throw new QueueConnectionError(`no Redis URL: give --queue redis://HOST:PORT or set ${ENV_URL}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new QueueConnectionError(`${fromFlag ? '--queue' : ENV_URL}: "${redactUrl(raw)}" is not a URL; expected redis://HOST:PORT or rediss://HOST:PORT (TLS)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueConnectionError(`${fromFlag ? '--queue' : ENV_URL}: "${redactUrl(raw)}" is not a Redis URL; expected redis://HOST:PORT or rediss://HOST:PORT (TLS)`);
  }
  if (fromFlag && url.password) {
    throw new QueueConnectionError(`--queue: do not put the Redis password on the command line (other users can read it in the process list); set ${ENV_PASSWORD} or ${ENV_URL} instead`);
  }
  if (!url.hostname) throw new QueueConnectionError(`${redactUrl(raw)}: no host; expected redis://HOST:PORT`);
  const port = url.port ? Number(url.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new QueueConnectionError(`${redactUrl(raw)}: bad port "${url.port}"`);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new QueueConnectionError(`${redactUrl(raw)}: the path must be a database number (redis://HOST:PORT/0), got "/${dbText}"`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');

  const options: RedisOptions = { host, port, db };
  const username = env[ENV_USERNAME] || decodeURIComponent(url.username) || undefined;
  const password = opts.password || env[ENV_PASSWORD] || decodeURIComponent(url.password) || undefined;
  if (username) options.username = username;
  if (password) options.password = password;
  if (url.protocol === 'rediss:') {
    const caPath = env[ENV_TLS_CA];
    let ca: Buffer | undefined;
    if (caPath) {
      try {
        ca = readFileSync(caPath);
      } catch (e) {
        throw new QueueConnectionError(`${ENV_TLS_CA}: cannot read ${caPath} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
    }
    options.tls = { ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}), rejectUnauthorized: env[ENV_TLS_VERIFY] !== '0' };
  }
  const display = `${url.protocol}//${url.host}${db ? `/${db}` : ''}`;
  return { display, options };
}

/** The URL with any password replaced by "***". */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0];
    return `${scheme}${user ? `${user}:` : ''}***@`;
  });
}

/** Options of a long-lived connection (queue, worker): reconnects after a network blip. */
export function durableOptions(target: RedisTarget): RedisOptions {
  return { ...target.options, maxRetriesPerRequest: null, connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS };
}

/**
 * Connects once and PINGs, without retrying: resolves when Redis answers, throws a
 * QueueConnectionError naming the cause within about `timeoutMs` otherwise.
 */
export async function checkConnection(target: RedisTarget, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => { lastError = e; });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('ETIMEDOUT')), timeoutMs);
  });
  try {
    await Promise.race([(async () => { await client.connect(); await client.ping(); })(), timeout]);
  } catch (e) {
    throw new QueueConnectionError(describeConnectionError(lastError ?? (e as Error), target, timeoutMs));
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** A connection failure in words, with what to check. */
export function describeConnectionError(e: Error, target: RedisTarget, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): string {
  const msg = e.message ?? String(e);
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const where = `Redis at ${target.display}`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return `${where} rejected the credentials (wrong password or user): check ${ENV_PASSWORD} (and ${ENV_USERNAME})`;
  }
  if (/NOAUTH|Authentication required/i.test(msg)) {
    return `${where} requires a password: set ${ENV_PASSWORD} (or put it in ${ENV_URL})`;
  }
  if (/AUTH.*without any password configured|called without any password/i.test(msg)) {
    return `${where} has no password set, but one was given: unset ${ENV_PASSWORD}`;
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) {
    return `cannot connect to ${where}: connection refused (is redis-server running there, and listening on that port?)`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(msg)) {
    return `cannot connect to ${where}: unknown host "${target.options.host}"`;
  }
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(msg)) {
    return `no answer from ${where} within ${Math.round(timeoutMs / 1000)} s (wrong host or port, a firewall, or TLS where the server expects plain text or the reverse)`;
  }
  if (/certificate|SSL|TLS|EPROTO/i.test(msg)) {
    return `TLS handshake with ${where} failed: ${msg} (set ${ENV_TLS_CA} to the CA's PEM file for a private CA)`;
  }
  if (/Connection is closed|ECONNRESET|EPIPE/i.test(msg)) {
    return `${where} closed the connection (${msg}): is it a Redis server, and does it expect TLS (rediss://)?`;
  }
  return `cannot use ${where}: ${msg}`;
}
