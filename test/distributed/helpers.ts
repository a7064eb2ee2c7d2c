// Test helpers for distributed sweeps: a throwaway redis-server on 127.0.0.1 (random free port,
// no persistence, its own temp dir), CLI processes (`node dist/cli.js ...`) with their output kept,
// and a reader of a sweep's Redis Stream.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { checkConnection, resolveRedisTarget, type RedisTarget } from '../../src/distributed/connection';
import { decodeEvent, streamKey, type SweepEvent } from '../../src/distributed/protocol';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

/** Why the distributed tests cannot run here, or null. */
export function skipReason(): string | false {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error) return 'redis-server is not on PATH (apt-get install redis-server): distributed tests skipped';
  return false;
}

export function tempDir(prefix = 'grok-dist-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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

export interface TestRedis {
  port: number;
  url: string;
  target: RedisTarget;
  stop(): Promise<void>;
}

/** A redis-server bound to 127.0.0.1 only, killed by stop(). */
export async function startRedis(opts: { password?: string } = {}): Promise<TestRedis> {
  const dir = tempDir('grok-redis-');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'];
  if (opts.password) args.push('--requirepass', opts.password);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const url = `redis://127.0.0.1:${port}`;
  const target = resolveRedisTarget({ url, env: opts.password ? { GROK_REDIS_PASSWORD: opts.password } : {} });
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
    port, url, target,
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

/** A sweep config (JSON) in a fresh temp dir; returns its path. */
export function writeConfig(config: Record<string, unknown>, dir = tempDir()): string {
  const path = join(dir, `${String(config.name)}.grok.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** Follows a sweep's stream from the start, calling `onEvent` for each event, until stop(). */
export function watchStream(target: RedisTarget, configHash: string, onEvent: (e: SweepEvent) => void): { stop(): Promise<void> } {
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
