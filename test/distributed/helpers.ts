// Test helpers for distributed sweeps: a throwaway redis-server on 127.0.0.1 (random free port,
// no persistence, its own temp dir), CLI processes (`node dist/cli.js ...`) with their output kept,
// and a reader of a sweep's Redis Stream.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { checkConnection, resolveRedisTarget, type RedisTarget } from '../../src/sweep/queue/connection';
import { decodeEvent, streamKey, type StreamEntry } from '../../src/sweep/queue/protocol';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

/** Why the distributed tests cannot run here, or null. */
export function skipReason(): string | false {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error) return 'redis-server is not on PATH (apt-get install redis-server): distributed tests skipped';
  return false;
}

const tempDirs: string[] = [];
// The test files' temp folders go when the test process ends (set GROK_KEEP_TEST_DIRS=1 to look at them).
process.on('exit', () => {
  if (process.env.GROK_KEEP_TEST_DIRS === '1') return;
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'grok-dist-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Why the TLS test cannot run here (no redis-server, or no openssl to make a certificate), or null. */
export function tlsSkipReason(): string | false {
  const base = skipReason();
  if (base) return base;
  if (spawnSync('openssl', ['version']).error) return 'openssl is not on PATH (needed to make a test certificate): TLS test skipped';
  return false;
}

export interface TestRedis {
  port: number;
  url: string;
  target: RedisTarget;
  /** With tls: the PEM file of the server's self-signed certificate (its own CA), for GROK_REDIS_CA. */
  caFile?: string;
  stop(): Promise<void>;
}

/**
 * A redis-server bound to 127.0.0.1 only, killed by stop(). With `tls` it speaks TLS only (no plain
 * port), with a fresh self-signed certificate for 127.0.0.1, and the URL is rediss://.
 */
export async function startRedis(opts: { password?: string; tls?: boolean } = {}): Promise<TestRedis> {
  const dir = tempDir('grok-redis-');
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'];
  let caFile: string | undefined;
  if (opts.tls) {
    caFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', caFile, '-days', '1', '-subj', '/CN=grok-test-redis',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl could not make a certificate: ${r.stderr}`);
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', caFile, '--tls-key-file', keyFile,
      '--tls-ca-cert-file', caFile, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  if (opts.password) args.push('--requirepass', opts.password);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const url = `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {};
  if (opts.password) env.GROK_REDIS_PASSWORD = opts.password;
  if (caFile) env.GROK_REDIS_CA = caFile;
  const target = resolveRedisTarget({ url, env });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await checkConnection(target, 1000);
      break;
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start: ${(e as Error).message}\n${output}`);
      await sleep(100);
    }
  }
  return {
    port, url, target, caFile,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `node dist/cli.js ...args`, its stdout and stderr kept together. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith('GROK_REDIS')) delete clean[k];
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child, exited, output: () => out,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs the CLI to its end (killed after 30 s); returns exit code, output and seconds taken. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; seconds: number }> {
  const t0 = Date.now();
  const p = cli(args, env);
  const timer = setTimeout(() => void p.kill('SIGKILL'), 30_000);
  const { code } = await p.exited;
  clearTimeout(timer);
  return { code, out: p.output(), seconds: (Date.now() - t0) / 1000 };
}

/** Waits until the process's output matches `re` (fails if it exits first or after `ms`). */
export async function waitForOutput(p: CliProcess, re: RegExp, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!re.test(p.output())) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`exited (${p.child.exitCode ?? p.child.signalCode}) before printing ${re}:\n${p.output()}`);
    if (Date.now() - t0 > ms) throw new Error(`no ${re} after ${ms} ms:\n${p.output()}`);
    await sleep(50);
  }
}

/**
 * The TCP ports a process listens on (Linux: its socket inodes in /proc/PID/fd matched against
 * /proc/net/tcp{,6} entries in state LISTEN), with their address; null where /proc is missing.
 */
export function listeningSockets(pid: number): string[] | null {
  if (!existsSync(`/proc/${pid}/fd`) || !existsSync('/proc/net/tcp')) return null;
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address (hex ip:port), f[3] state (0A = LISTEN), f[9] inode
      if (f[3] === '0A' && f[9] !== undefined && inodes.has(f[9])) found.push(`${f[1]} (${table})`);
    }
  }
  return found;
}

/** A sweep config (JSON) in a fresh temp dir; returns its path. */
export function writeConfig(config: Record<string, unknown>, dir = tempDir()): string {
  const path = join(dir, `${String(config.name)}.grok.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** Follows a sweep's stream from the start, calling `onEvent` for each event, until stop(). */
export function watchStream(target: RedisTarget, configHash: string, onEvent: (e: StreamEntry) => void): { stop(): Promise<void> } {
  const client = new Redis({ ...target.options, maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  let stopped = false;
  const loop = (async () => {
    let last = '0-0';
    while (!stopped) {
      const reply = (await client.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', streamKey(configHash), last).catch(() => null)) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        last = id;
        const e = decodeEvent(fields);
        if (e) onEvent(e);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      client.disconnect();
    },
  };
}
