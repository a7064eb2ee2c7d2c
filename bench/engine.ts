// Engine speed on the setup of bench/reference/bench.py: P=97, a+b, N=3000 full batch, 4 heads,
// MLP 4d, ReLU, no LayerNorm, AdamW. Prints one JSON line per case (run by scripts/run-bench.mjs):
//   {"engine":"grok-wasm","case":"d32-m1","msPerStep":...,"cpuMsPerStep":...,"profile":{...},...}
//   node --import tsx bench/engine.ts [--cases d32-m1,d128-m1,d32-m16] [--steps 20] [--warmup 3]
//        [--threads N] [--profile-steps 5]
//   node --import tsx bench/engine.ts --serve [--threads N]: one warm process, driven through stdin by
//        bench/paired.ts (`npm run bench`), so that its rounds interleave with PyTorch's: see serve().
// msPerStep: wall time of one lock-step step (all models), median; cpuMsPerStep: CPU time of all
// threads of the process per step. profile: one model trained on this thread alone; `cpu` is its CPU
// time per model-step measured without any timers (what T threads' CPU time is compared with), and
// the groups say where it goes, from a second pass with every kernel call timed (glue = the rest: JS).
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ModelConfig } from '../src/config/schema';
import type { Backend, Kernels } from '../src/trainer/engine/backend';
import { Runners } from '../src/trainer/engine/executor';
import { createTrainer, prepareEngine } from '../src/trainer/engine/index';
import type { LockstepSpec } from '../src/trainer/engine/types';
import { buildDataset } from '../src/trainer/tasks/index';
import type { Dataset } from '../src/trainer/tasks/types';
import { Rng } from '../src/util/rng';
import { instantiateKernels, kernelBuild } from '../src/trainer/engine/wasm';
import { distAsset } from '../src/util/assets';

const P = 97, N_TRAIN = 3000;

/** (a+b) mod P, every pair, as a sweep builds it. */
function additionData(P: number): Promise<Dataset> {
  return buildDataset({ kind: 'modular', op: 'a+b', modulus: P }, { configDir: process.cwd(), seed: 0 });
}

function specOf(name: string, data: Dataset, threads: number): LockstepSpec {
  const match = /^d(\d+)-m(\d+)$/.exec(name);
  if (!match) throw new Error(`bench case '${name}' is not d<dModel>-m<models>`);
  const d = Number(match[1]), m = Number(match[2]);
  const model: ModelConfig = { kind: 'transformer', dModel: d, heads: 4, layers: 1, activation: 'relu', layerNorm: 'none', initStd: 'pytorch', pooling: 'mean' };
  const runs = Array.from({ length: m }, (_, seed) => {
    const order = new Rng(seed, 1).shuffle(Int32Array.from({ length: data.count }, (_, i) => i));
    return { seed, trainIdx: order.slice(0, N_TRAIN), valIdx: order.slice(N_TRAIN), initScale: 1, lr: 1e-3, weightDecay: 1, warmupSteps: 0 };
  });
  return { model, optimizer: { betas: [0.9, 0.98], eps: 1e-8 }, dataset: data, runs, batchSize: null, threads };
}

/** Which profile group a kernel belongs to (anything else: elementwise). */
const GROUPS: Record<string, string> = {
  matmul: 'matmul', matmulTN: 'matmul', matmulNT: 'matmul', transpose: 'matmul',
  attentionForward: 'attention', attentionBackward: 'attention',
  softmaxCrossEntropy: 'softmaxCE', adamw: 'optimizer',
};
const MATMULS = new Set(['matmul', 'matmulTN', 'matmulNT']);

/** CPU time of this process in ms (the profile runs on the main thread alone: its threads are gone). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * One model trained on this thread. Its CPU time per model-step (`cpu`) is measured untimed: the
 * number that T threads' CPU time is compared with. Where it goes comes from a second pass with
 * every kernel call timed by the wall clock (performance.now(), tens of ns; process CPU time costs
 * a system call, µs, per read): each group gets its share of that pass's wall time, applied to
 * `cpu`, so preemption by other processes (which hits kernels and glue alike) cancels out. The
 * chunk-gradient sum before AdamW counts as optimizer work; glue is the rest (the models' and
 * runner's JS). Also the FLOP of the matrix products (2·m·k·n each).
 */
function profile(steps: number, prepared: Awaited<ReturnType<typeof prepareEngine>>) {
  const backend = instantiateKernels(prepared.module, prepared.memory);
  const plain = new Runners(backend, prepared.plan).get(0);
  plain.train(1);
  const untimed0 = cpuMs();
  for (let t = 2; t < 2 + steps; t++) plain.train(t);
  const untimed = cpuMs() - untimed0;
  const ms: Record<string, number> = { matmul: 0, attention: 0, softmaxCE: 0, optimizer: 0, elementwise: 0 };
  const products: Record<string, number> = {};
  let flop = 0, inUpdate = false;
  const timed = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(backend.kernels)) {
    if (typeof fn !== 'function') continue;
    const group = GROUPS[name] ?? 'elementwise';
    timed[name] = (...args: number[]) => {
      const t0 = performance.now();
      const r = (fn as (...a: number[]) => unknown)(...args);
      const spent = performance.now() - t0;
      const into = inUpdate && name === 'add' ? 'optimizer' : group;
      ms[into] = (ms[into] ?? 0) + spent;
      if (MATMULS.has(name)) products[name] = (products[name] ?? 0) + spent;
      // matmul*(a, b, out, m, k, n): every call passes all six.
      if (MATMULS.has(name)) flop += 2 * args[3]! * args[4]! * args[5]!;
      return r;
    };
  }
  const runners = new Runners({ kernels: timed as unknown as Kernels, memory: backend.memory } satisfies Backend, prepared.plan);
  const runner = runners.get(0);
  const step = (t: number): void => {
    runner.gradChunks(t, Array.from({ length: runner.chunks }, (_, c) => c), 0);
    inUpdate = true; runner.update(t); inUpdate = false;
  };
  step(1);
  for (const k of Object.keys(ms)) ms[k] = 0;
  for (const k of Object.keys(products)) products[k] = 0;
  flop = 0;
  const t0 = performance.now(), cpu0 = cpuMs();
  for (let t = 2; t < 2 + steps; t++) step(t);
  const wall = performance.now() - t0, timedCpu = cpuMs() - cpu0;
  const kernelsMs = Object.values(ms).reduce((a, b) => a + b, 0);
  // ms per model-step of the untimed CPU time, by the group's share of the timed pass's wall time
  const share = (x: number) => Number(((untimed * x) / wall / steps).toFixed(3));
  const per = (x: number) => Number((x / steps).toFixed(3));
  const { S, d, F, C } = prepared.plan.dims;
  return {
    // The products' FLOP of the bench's 1-layer model as PyTorch computes them: per example, K and V
    // over S positions, Q, the output projection, the MLP and the unembedding, forward and both
    // backward products. The engine executes fewer where it folds the first block's K and V through
    // the embedding tables (models/transformer.ts foldsEmbedding): flopExecutedPerModelStep.
    flopPerModelStep: 3 * 2 * N_TRAIN * (2 * S * d * d + 2 * d * d + 2 * d * F + d * C),
    flopExecutedPerModelStep: flop / steps,
    profile: { ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, share(v)])), glue: share(wall - kernelsMs), cpu: per(untimed),
      timedCpu: per(timedCpu), timedWall: per(wall),
      products: Object.fromEntries(Object.entries(products).map(([k, v]) => [k, share(v)])) },
  };
}

/**
 * The measured per-core peak of 128-bit WASM SIMD (bench/assembly/peak.ts, built by run-bench.mjs
 * as dist/bench-peak-<build>.wasm): the best of 12 one-core runs, in FLOP per CPU-second.
 */
function measurePeak(build: string): number {
  const module = new WebAssembly.Module(readFileSync(distAsset(`bench/peak-${build}.wasm`)));
  const { peakLoop } = new WebAssembly.Instance(module).exports as { peakLoop: (iters: number, x: number) => number };
  const iters = 1e7;
  let best = 0;
  for (let r = 0; r < 12; r++) {
    const t0 = cpuMs();
    peakLoop(iters, 0.999999);
    best = Math.max(best, (iters * 96) / ((cpuMs() - t0) / 1000));
  }
  return best;
}

const load = (): number => Number(loadavg()[0]!.toFixed(2)); // loadavg() is always [1, 5, 15 min]

async function benchCase(name: string, data: Dataset, steps: number, warmup: number, threads: number, profileSteps: number): Promise<Record<string, unknown>> {
  const spec = specOf(name, data, threads);
  const m = spec.runs.length;
  const trainer = await createTrainer(spec);
  for (let s = 0; s < warmup; s++) await trainer.trainStep();
  const times: number[] = [];
  const load0 = load();
  const cpu0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    await trainer.trainStep();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  await trainer.dispose();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? NaN;
  const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / steps;
  const prof = profile(profileSteps, await prepareEngine({ ...spec, runs: spec.runs.slice(0, 1) }, 1));
  return {
    engine: 'grok-wasm', case: name, dModel: spec.model.dModel, models: m, n: N_TRAIN, threads, steps,
    msPerStep: Number(median.toFixed(2)), minMs: Number((times[0] ?? NaN).toFixed(2)),
    cpuMsPerStep: Number(cpuMsPerStep.toFixed(2)), load: [load0, load()],
    ...prof,
  };
}

/**
 * --serve: after the machine line, answers one JSON line per JSON line on stdin, one case at a time:
 *   {"open": "d32-m1"}   build that case's trainer (T threads); reply {"ready": ..., dModel, models, threads}
 *   {"steps": n}         n lock-step steps; reply {"steps": n, "wallMs": ..., "cpuMs": ..., "stepMs": [...]}
 *                        (totals over the n steps; CPU time of every thread of this process)
 *   {"profile": n}       profile() of one model of the open case over n steps; reply its result
 *   {"close": true}      dispose of the trainer; reply {"closed": ...}
 * Warm-up is the caller's: its first {"steps": n} after "open" are the warm-up.
 */
async function serve(data: Dataset, threads: number): Promise<void> {
  const { createInterface } = await import('node:readline');
  let open: { spec: LockstepSpec; trainer: Awaited<ReturnType<typeof createTrainer>> } | null = null;
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line) as { open?: string; steps?: number; profile?: number; close?: boolean };
    let reply: Record<string, unknown>;
    if (cmd.open) {
      if (open) await open.trainer.dispose();
      const spec = specOf(cmd.open, data, threads);
      open = { spec, trainer: await createTrainer(spec) };
      reply = { ready: cmd.open, dModel: spec.model.dModel, models: spec.runs.length, n: N_TRAIN, threads };
    } else if (!open) {
      throw new Error(`bench/engine.ts --serve: ${line} before {"open": case}`);
    } else if (cmd.steps) {
      const stepMs: number[] = [];
      const cpu0 = process.cpuUsage(), t0 = performance.now();
      for (let s = 0; s < cmd.steps; s++) {
        const s0 = performance.now();
        await open.trainer.trainStep();
        stepMs.push(Number((performance.now() - s0).toFixed(3)));
      }
      const wallMs = performance.now() - t0, cpu = process.cpuUsage(cpu0);
      reply = { steps: cmd.steps, wallMs: Number(wallMs.toFixed(3)), cpuMs: (cpu.user + cpu.system) / 1000, stepMs };
    } else if (cmd.profile) {
      reply = profile(cmd.profile, await prepareEngine({ ...open.spec, runs: open.spec.runs.slice(0, 1) }, 1));
    } else {
      await open.trainer.dispose();
      reply = { closed: open.spec.runs.length };
      open = null;
    }
    console.log(JSON.stringify(reply));
  }
  if (open) await open.trainer.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    cases: { type: 'string', default: 'd32-m1,d128-m1,d32-m16' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'profile-steps': { type: 'string', default: '5' },
    serve: { type: 'boolean', default: false },
  } });
  const data = await additionData(P);
  const build = kernelBuild();
  console.log(JSON.stringify({ engine: 'grok-wasm', kernels: build, peakFlopsPerCore: Math.round(measurePeak(build.name)), load: load() }));
  if (values.serve) return serve(data, Number(values.threads));
  for (const name of values.cases!.split(',')) {
    console.log(JSON.stringify(await benchCase(name.trim(), data, Number(values.steps), Number(values.warmup), Number(values.threads), Number(values['profile-steps']))));
  }
}

void main();
