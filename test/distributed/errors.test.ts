// Bad queue settings fail fast with a message that says what to fix: a refused connection, a server
// that never answers, a malformed URL, a wrong or missing password (redis-server --requirepass), a
// password on the command line, and a queue or password inside the experiment file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { cli, freePort, runCli, skipReason, startRedis, tempDir, writeConfig } from './helpers';

const skip = skipReason();
const CONFIG = {
  name: 'err-tiny',
  task: { kind: 'modular', op: 'a+b', modulus: 7 },
  model: { kind: 'mlp', dModel: 8, dMlp: 16 },
  training: { steps: 20, evalEvery: 10, checkpointEvery: 10 },
};

const run = runCli;

test('a bad URL fails within seconds with a clear message (refused, no answer, malformed, password on the command line)', { skip, timeout: 90_000 }, async () => {
  const configPath = writeConfig(CONFIG);
  const closed = await freePort(); // nothing listens there
  let r = await run(['worker', '--queue', `redis://127.0.0.1:${closed}`]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`cannot connect to Redis at redis://127\\.0\\.0\\.1:${closed}: connection refused`));
  assert.ok(r.seconds < 8, `took ${r.seconds} s`);

  const outDir = join(tempDir(), 'out');
  r = await run(['sweep', configPath, '--queue', `redis://127.0.0.1:${closed}`, '--out', outDir]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /connection refused/);
  assert.ok(r.seconds < 8, `took ${r.seconds} s`);
  assert.ok(!existsSync(join(outDir, 'manifest.json')), 'nothing written before the connection works');

  // A server that accepts the connection and never answers: the ping times out (5 s), no hang.
  const sockets: Socket[] = [];
  const silent = createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    r = await run(['worker', '--queue', `redis://127.0.0.1:${(silent.address() as { port: number }).port}`]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /no answer from Redis at .* within 5 s/);
    assert.ok(r.seconds < 12, `took ${r.seconds} s`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }

  r = await run(['sweep', configPath, '--queue', 'http://127.0.0.1:6379']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /is not a Redis URL; expected redis:\/\/HOST:PORT or rediss:\/\/HOST:PORT/);
  r = await run(['worker', '--queue', 'redis://127.0.0.1:99999']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /not a URL/);
  r = await run(['worker', '--queue', 'redis://:hunter2@127.0.0.1:6379']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /do not put the Redis password on the command line/);
  assert.doesNotMatch(r.out, /hunter2/);
  r = await run(['worker']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /no Redis URL: give --queue redis:\/\/HOST:PORT or set GROK_REDIS_URL/);
});

test('a wrong or missing password fails within seconds; the right one (from the environment) works; --device gpu without a GPU fails clearly', { skip, timeout: 90_000 }, async () => {
  const redis = await startRedis({ password: 'correct-horse' });
  try {
    const configPath = writeConfig(CONFIG);
    let r = await run(['worker', '--queue', redis.url], { GROK_REDIS_PASSWORD: 'wrong' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Redis at redis:\/\/127\.0\.0\.1:\d+ rejected the credentials \(wrong password or user\): check GROK_REDIS_PASSWORD/);
    assert.doesNotMatch(r.out, /wrong\b(?! password)/);
    assert.ok(r.seconds < 8, `took ${r.seconds} s`);

    r = await run(['sweep', configPath, '--queue', redis.url], { GROK_REDIS_PASSWORD: 'wrong' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /rejected the credentials/);
    assert.ok(r.seconds < 8, `took ${r.seconds} s`);

    r = await run(['worker', '--queue', redis.url]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /requires a password: set GROK_REDIS_PASSWORD/);

    // The password in GROK_REDIS_URL works as well as in GROK_REDIS_PASSWORD; `--queue env` reads it.
    r = await run(['worker', '--queue', 'env'], { GROK_REDIS_URL: `redis://:wrong@127.0.0.1:${redis.port}` });
    assert.match(r.out, /rejected the credentials/);
    const ok = cli(['worker', '--queue', redis.url], { GROK_REDIS_PASSWORD: 'correct-horse' });
    const t0 = Date.now();
    while (!/waiting for jobs/.test(ok.output())) {
      assert.ok(Date.now() - t0 < 20_000, ok.output());
      assert.equal(ok.child.exitCode, null, ok.output());
      await new Promise((res) => setTimeout(res, 50));
    }
    ok.child.kill('SIGTERM');
    assert.deepEqual(await ok.exited, { code: 0, signal: null }, ok.output());

    // --device gpu where WebGPU finds no hardware adapter: an error listing what was tried, in seconds.
    const gpu = cli(['worker', '--queue', redis.url, '--device', 'gpu'], { GROK_REDIS_PASSWORD: 'correct-horse' });
    const g0 = Date.now();
    while (gpu.child.exitCode === null && !/waiting for jobs/.test(gpu.output())) {
      assert.ok(Date.now() - g0 < 30_000, gpu.output());
      await new Promise((res) => setTimeout(res, 50));
    }
    if (/waiting for jobs/.test(gpu.output())) {
      assert.match(gpu.output(), /training on GPU: /); // this machine has a GPU
      await gpu.kill('SIGTERM');
    } else {
      assert.equal((await gpu.exited).code, 1, gpu.output());
      assert.match(gpu.output(), /grok worker: --device gpu: \S/);
      assert.ok((Date.now() - g0) / 1000 < 15, `took ${(Date.now() - g0) / 1000} s`);
    }
  } finally {
    await redis.stop();
  }
});

test('a queue or a Redis password in the experiment file is refused', { skip, timeout: 60_000 }, async () => {
  const redis = await startRedis();
  try {
    // A bad config is bad usage (exit 2), refused before anything starts.
    let r = await run(['sweep', writeConfig({ ...CONFIG, queue: 'redis://127.0.0.1:6379' }), '--queue', redis.url]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /field "queue" is not allowed: the queue and its credentials are not part of an experiment file/);
    r = await run(['sweep', writeConfig({ ...CONFIG, description: 'redis://:s3cret@10.0.0.1:6379' }), '--queue', redis.url]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /"description" holds a Redis URL with a password/);
  } finally {
    await redis.stop();
  }
});
