// rediss:// end to end on a real redis-server that speaks TLS only (a fresh self-signed certificate
// for 127.0.0.1, made with openssl), with a password: the CA and the password come from the
// environment (GROK_REDIS_CA, GROK_REDIS_PASSWORD), a sweep runs through a `grok worker`, and no file
// of the results folder holds the password. A wrong CA, or plain text against TLS and the reverse,
// fail within seconds saying so. Neither the worker nor the coordinator listens on any port, and a
// worker with --idle-exit exits by itself once the queue is empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { readManifest, readRunMetrics, readSummary } from '../../src/store/reader';
import { readQueueState } from '../../src/sweep/queue/state';
import { cli, listeningSockets, runCli, startRedis, tempDir, tlsSkipReason, waitForOutput, writeConfig, type CliProcess } from './helpers';

const skip = tlsSkipReason();
const PASSWORD = 'tls-s3cret-Pw';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('rediss:// with a private CA and a password from the environment: a sweep runs through a worker; clear errors for TLS mistakes; nothing listens', { skip, timeout: 120_000 }, async () => {
  const redis = await startRedis({ password: PASSWORD, tls: true });
  const plain = await startRedis();
  const env = { GROK_REDIS_CA: redis.caFile!, GROK_REDIS_PASSWORD: PASSWORD };
  const procs: CliProcess[] = [];
  try {
    // The server's certificate is not trusted without its CA.
    let r = await runCli(['worker', '--queue', redis.url], { GROK_REDIS_PASSWORD: PASSWORD });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /TLS handshake with Redis at rediss:\/\/127\.0\.0\.1:\d+ failed: .*certificate.*set GROK_REDIS_CA/);
    assert.ok(r.seconds < 10, `took ${r.seconds} s`);
    // Plain text to the TLS port, and TLS to a plain server: an error that names TLS, in seconds.
    r = await runCli(['worker', '--queue', `redis://127.0.0.1:${redis.port}`], env);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Redis at redis:\/\/127\.0\.0\.1:\d+ .*(TLS|rediss)/);
    assert.ok(r.seconds < 12, `took ${r.seconds} s`);
    r = await runCli(['worker', '--queue', `rediss://127.0.0.1:${plain.port}`], { GROK_REDIS_TLS_VERIFY: '0' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Redis at rediss:\/\/127\.0\.0\.1:\d+ .*TLS/);
    assert.ok(r.seconds < 12, `took ${r.seconds} s`);
    assert.doesNotMatch(r.out + (await runCli(['worker', '--queue', redis.url], { ...env, GROK_REDIS_PASSWORD: 'nope' })).out, new RegExp(PASSWORD));

    const configPath = writeConfig({
      name: 'tls-tiny', task: { kind: 'modular', op: 'a+b', modulus: 11 }, model: { kind: 'mlp', dModel: 8, dMlp: 16 },
      training: { steps: 60, evalEvery: 10, checkpointEvery: 20, earlyStop: { enabled: false } },
      sweep: { seed: [0, 1] },
    });
    // The coordinator first (it waits for a worker), then a worker that exits once the queue is empty.
    const outDir = join(tempDir(), 'out');
    const sweep = cli(['sweep', configPath, '--queue', redis.url, '--out', outDir], env);
    procs.push(sweep);
    await waitForOutput(sweep, /2 run\(s\); 1 submitted now/);
    const worker = cli(['worker', '--queue', redis.url, '--threads', '1', '--idle-exit', '2'], env);
    procs.push(worker);
    await waitForOutput(worker, /waiting for jobs on queue "grok" at rediss:\/\/127\.0\.0\.1:\d+/);
    // Nothing listens: the worker and the coordinator only connect out to Redis. (The check itself
    // sees a listening socket: this test process's own.)
    const probe = createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
    const own = listeningSockets(process.pid);
    probe.close();
    if (own) assert.equal(own.length, 1, `the check sees this process's listening socket: ${own.join(', ')}`);
    for (const p of [worker, sweep]) {
      const sockets = listeningSockets(p.child.pid!);
      if (sockets) assert.deepEqual(sockets, [], `pid ${p.child.pid} listens: ${sockets.join(', ')}`);
    }
    const { code } = await sweep.exited;
    assert.equal(code, 0, sweep.output());

    const summary = readSummary(outDir)!;
    assert.equal(summary.status, 'done');
    assert.equal(summary.runs.length, 2);
    for (const run of readManifest(outDir).runs) {
      assert.deepEqual(readRunMetrics(outDir, run.id).map((x) => x.step), [0, 10, 20, 30, 40, 50, 60], run.id);
    }
    // The folder records where the queue is, without the password; nothing in it holds the password.
    assert.equal(readQueueState(outDir)!.url, redis.url);
    for (const f of filesUnder(outDir)) assert.ok(!readFileSync(f).includes(PASSWORD), `${f} holds the password`);
    assert.doesNotMatch(worker.output() + sweep.output(), new RegExp(PASSWORD));

    // --idle-exit: the queue is empty, so the worker gives its node back by itself.
    assert.deepEqual(await worker.exited, { code: 0, signal: null }, worker.output());
    assert.match(worker.output(), /the queue has had no job for 2 s: exiting \(--idle-exit\)/);
  } finally {
    for (const p of procs) await p.kill('SIGKILL');
    await plain.stop();
    await redis.stop();
  }
});
