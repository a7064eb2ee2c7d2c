// A fixed-seed sweep on the real CPU engine, run three ways, with a hash of every run's
// metrics.jsonl (each line byte for byte, only its `wallMs` field cut: the wall clock is the one
// value that legitimately differs between two sessions; and the `progress` measures, which issue 22
// added after the hashes were recorded and whose `ms` is wall time too):
//   local   in this process (the local front-end, startLocalSweep, with the real engine)
//   worker  through the forked worker process (dist/worker.js, as `grok sweep` and the extension run it)
//   queue   `grok sweep --queue` on a throwaway redis-server with 2 `grok worker` processes
// The three must agree with one another and, with --expect FILE, with hashes recorded earlier:
// scripts/sweep-identity.expected.json holds those of main at 07f3e83 without the sweep-core
// refactor (issue 15), the tree it was merged onto. Earlier recordings: d6659af 349f6ba4...,
// 9cbc5f9 1d4e4d06..., 629c6cd f50d4ddd... (other work changed the values in between: per-block
// tensor names, the default init, ...); the refactor matched each of them.
//   npm run build && node --import tsx scripts/sweep-identity.ts [--expect scripts/sweep-identity.expected.json] [--only local,worker,queue]
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../src/store/reader';
import { metricsPath } from '../src/store/layout';
import { createTrainer } from '../src/trainer/engine/index';
import { projectDeps } from '../src/sweep/projectDeps';
import { startLocalSweep } from '../src/sweep/local';
import { startSweep } from '../src/sweep/worker/client';
import { cli, skipReason, startRedis, tempDir, waitForOutput, writeConfig } from '../test/distributed/helpers';

const CONFIG = {
  name: 'identity',
  seed: 7,
  task: { kind: 'modular', op: 'a+b', modulus: 23 },
  model: { kind: 'mlp', dModel: 8, dMlp: 32 },
  optimizer: { lr: 0.01, weightDecay: 1.0 },
  training: { steps: 1500, evalEvery: 50, checkpointEvery: 250, earlyStop: { enabled: true, holdEvals: 4, plateauSteps: 1000 } },
  sweep: { 'model.dModel': [8, 12], 'training.trainSize': [150, 300], seed: [0, 1] },
};

type Hashes = Record<string, string>;

/** sha256 of each run's metrics.jsonl with the wallMs and progress fields cut from every line, and of them all. */
function hashesOf(dir: string): Hashes {
  const out: Hashes = {};
  const all = createHash('sha256');
  for (const { id } of readManifest(dir).runs) {
    const text = readFileSync(metricsPath(dir, id), 'utf8').replace(/,"wallMs":\d+(\.\d+)?/g, '').replace(/,"progress":\{[^{}]*\}/g, '');
    out[id] = createHash('sha256').update(text).digest('hex');
    all.update(`${id}\n${text}`);
  }
  out['(all runs)'] = all.digest('hex');
  return out;
}

async function local(configPath: string): Promise<string> {
  const outDir = join(tempDir(), 'local');
  const { status, error } = await startLocalSweep({ configPath, outDir, threads: 1, device: 'cpu' }, { ...projectDeps, createTrainer }).done;
  if (status !== 'done') throw new Error(`local sweep: ${status} ${error ?? ''}`);
  return outDir;
}

async function worker(configPath: string): Promise<string> {
  const outDir = join(tempDir(), 'worker');
  const result = await startSweep({ configPath, outDir, threads: 1, device: 'cpu' }).done;
  if (result.status !== 'done') throw new Error(`worker sweep: ${result.status} ${result.error ?? ''}`);
  return outDir;
}

async function queue(configPath: string): Promise<string> {
  const skip = skipReason();
  if (skip) throw new Error(skip);
  const redis = await startRedis();
  const workers = [0, 1].map((i) => cli(['worker', '--queue', redis.url, '--device', 'cpu', '--threads', '1', '--id', `w${i}`]));
  try {
    for (const w of workers) await waitForOutput(w, /waiting for jobs/);
    const outDir = join(tempDir(), 'queue');
    // At most 2 runs a job, so that both workers train.
    const coordinator = cli(['sweep', configPath, '--out', outDir, '--queue', redis.url, '--runs-per-job', '2']);
    const { code } = await coordinator.exited;
    if (code !== 0) throw new Error(`queue sweep: exit ${code}\n${coordinator.output()}`);
    const trained = workers.map((w) => (w.output().match(/done in/g) ?? []).length);
    console.error(`# queue: jobs done per worker: ${trained.join(', ')}`);
    return outDir;
  } finally {
    for (const w of workers) await w.kill('SIGTERM');
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const expectAt = args.indexOf('--expect');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : ['local', 'worker', 'queue'];
  const configPath = writeConfig(CONFIG);
  const modes: Record<string, (p: string) => Promise<string>> = { local, worker, queue };
  const result: Record<string, Hashes> = {};
  for (const mode of only) {
    const run = modes[mode];
    if (!run) throw new Error(`unknown mode ${mode}`);
    const t0 = Date.now();
    result[mode] = hashesOf(await run(configPath));
    console.error(`# ${mode}: ${((Date.now() - t0) / 1000).toFixed(1)} s, all runs ${result[mode]['(all runs)']}`);
  }
  console.log(JSON.stringify(result, null, 2));
  const reference = Object.values(result)[0];
  let ok = Object.values(result).every((h) => JSON.stringify(h) === JSON.stringify(reference));
  if (!ok) console.error('MISMATCH between modes');
  if (expectAt >= 0) {
    const expected = JSON.parse(readFileSync(args[expectAt + 1] ?? '', 'utf8')) as Record<string, Hashes>;
    for (const [mode, h] of Object.entries(result)) {
      const want = expected[mode];
      const same = JSON.stringify(h) === JSON.stringify(want);
      console.error(`# ${mode}: ${same ? 'identical to the recorded hashes' : 'DIFFERS from the recorded hashes'}`);
      ok &&= same;
    }
  }
  process.exit(ok ? 0 : 1);
}

void main();
