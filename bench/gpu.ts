// GPU backend speed: ms per lock-step training step on the setup of bench/engine.ts (P=97, a+b,
// N=3000 full batch, 4 heads, MLP 4d, ReLU, no LayerNorm), and an estimate of the circuit-competition
// paper-scale grid (hidden 4–100 × train 2600–5000 × 11 seeds, P=113) from measured batches.
// `npm run bench -- --device gpu [options]` runs it (or: node --import tsx bench/gpu.ts [options]).
//   --cases d32-m1,d128-m1,d32-m16   --steps 50 --warmup 5 --n 3000 --p 97
//   --grid                            also estimate the grid (one probe batch per hidden width)
//   --grid-hidden 4,8,...,100 --grid-train 2600,...,5000 --grid-seeds 11 --grid-steps 20000
//   --grid-eval-every 100 --grid-probe-steps 20 --grid-kind transformer|mlp
//   --allow-software                  accept a software adapter (llvmpipe: a smoke test, not a timing)
//   --probe                           only list the adapters tried and the chosen one's limits
// Backend: Dawn's default (Vulkan on Linux); GROK_WEBGPU_BACKEND=opengles|vulkan picks one.
// Prints one JSON line per case, per grid width, and a grid summary.
import { parseArgs } from 'node:util';
import type { ModelConfig } from '../src/config/schema';
import type { ModelRunSpec } from '../src/trainer/engine/types';
import { selectDevice } from '../src/trainer/engine/webgpu/select';
import { createGpuTrainer, type GpuTrainer } from '../src/trainer/engine/webgpu/trainer';
import { buildDataset } from '../src/trainer/tasks/index';
import type { Dataset } from '../src/trainer/tasks/types';
import { Rng } from '../src/util/rng';

/** (a+b) mod P, every pair, as a sweep builds it. */
function additionData(P: number): Promise<Dataset> {
  return buildDataset({ kind: 'modular', op: 'a+b', modulus: P }, { configDir: process.cwd(), seed: 0 });
}

function runSpec(data: Dataset, seed: number, train: number): ModelRunSpec {
  const order = new Rng(seed, 1).shuffle(Int32Array.from({ length: data.count }, (_, i) => i));
  return { seed, trainIdx: order.slice(0, train), valIdx: order.slice(train), initScale: 1, lr: 1e-3, weightDecay: 1, warmupSteps: 0 };
}

/** The bench's model at width d: a transformer of dModel d (4, 2 or 1 heads), or an MLP of embedding d and hidden 4d. */
function modelOf(d: number, kind: 'transformer' | 'mlp' = 'transformer'): ModelConfig {
  const heads = [4, 2, 1].find((h) => d % h === 0)!;
  return { kind, dModel: d, heads, layers: 1, activation: 'relu', layerNorm: 'none', initStd: 'pytorch', pooling: 'mean' };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Timing { device: string; msPerStep: number; minMs: number; evalMs: number; bytes?: number }

/** Steady-state ms per step (the queue kept busy; flushed before each clock read) and ms per evaluate. */
async function time(trainer: GpuTrainer, steps: number, warmup: number): Promise<Timing> {
  for (let s = 0; s < warmup; s++) await trainer.trainStep();
  await trainer.flush();
  const per: number[] = [];
  // Batches of 5 steps between flushes: the per-step figure includes the host's encoding, as in a sweep.
  for (let done = 0; done < steps; done += 5) {
    const t0 = performance.now();
    const k = Math.min(5, steps - done);
    for (let s = 0; s < k; s++) await trainer.trainStep();
    await trainer.flush();
    per.push((performance.now() - t0) / k);
  }
  const evals: number[] = [];
  for (let e = 0; e < 3; e++) {
    const t0 = performance.now();
    await trainer.evaluate();
    evals.push(performance.now() - t0);
  }
  return { device: trainer.description, msPerStep: median(per), minMs: Math.min(...per), evalMs: median(evals) };
}

type Select = Parameters<typeof createGpuTrainer>[1];

async function trainerFor(model: ModelConfig, data: Dataset, runs: ModelRunSpec[], select: Select): Promise<GpuTrainer> {
  const t = await createGpuTrainer({ model, optimizer: { betas: [0.9, 0.98], eps: 1e-8 }, dataset: data, runs, batchSize: null }, select);
  if (!t) throw new Error('no GPU adapter');
  return t;
}

async function benchCase(name: string, data: Dataset, n: number, steps: number, warmup: number, select: Select): Promise<Record<string, unknown>> {
  const m = /^d(\d+)-m(\d+)$/.exec(name);
  if (!m) throw new Error(`case ${name}: expected d<dModel>-m<models>`);
  const [d, models] = [Number(m[1]), Number(m[2])];
  const trainer = await trainerFor(modelOf(d), data, Array.from({ length: models }, (_, seed) => runSpec(data, seed, n)), select);
  try {
    const t = await time(trainer, steps, warmup);
    return { engine: 'grok-webgpu', case: name, dModel: d, models, n, steps, ...round(t) };
  } finally {
    await trainer.dispose();
  }
}

function round(t: Timing): Record<string, unknown> {
  return { device: t.device, msPerStep: Number(t.msPerStep.toFixed(3)), minMs: Number(t.minMs.toFixed(3)), evalMs: Number(t.evalMs.toFixed(2)) };
}

/**
 * The grid: every (hidden, train size, seed) is a run; runs of one width share a shape, so they
 * train in lock-step batches (train sizes may differ within a batch). For each width, a probe
 * batch of as many runs as fit the adapter's largest buffer is timed; the estimate is
 * Σ_width batches × (steps × ms/step + steps/evalEvery × ms/eval).
 */
async function grid(values: Record<string, string | boolean | undefined>, select: Select): Promise<void> {
  const list = (s: string): number[] => s.split(',').map(Number);
  const hidden = list(values['grid-hidden'] as string), trains = list(values['grid-train'] as string);
  const seeds = Number(values['grid-seeds']), steps = Number(values['grid-steps']), evalEvery = Number(values['grid-eval-every']);
  const probe = Number(values['grid-probe-steps']);
  const kind = values['grid-kind'] as 'transformer' | 'mlp';
  const data = await additionData(113);
  const all = trains.flatMap((train) => Array.from({ length: seeds }, (_, seed) => ({ train, seed })));
  let totalMs = 0;
  for (const h of hidden) {
    let batch = all.length, trainer: GpuTrainer | null = null;
    while (!trainer) {
      try {
        trainer = await trainerFor(modelOf(h, kind), data, all.slice(0, batch).map((r) => runSpec(data, r.seed, r.train)), select);
      } catch (e) {
        if (batch > 1 && /largest storage buffer|out of memory|4 GiB/.test(String(e))) { batch = Math.ceil(batch / 2); continue; }
        throw e;
      }
    }
    try {
      const t = await time(trainer, probe, 3);
      const batches = Math.ceil(all.length / batch);
      const ms = batches * (steps * t.msPerStep + Math.floor(steps / evalEvery) * t.evalMs);
      totalMs += ms;
      console.log(JSON.stringify({ engine: 'grok-webgpu', grid: kind, hidden: h, runs: all.length, modelsPerBatch: batch, batches, ...round(t), estimateHours: Number((ms / 3.6e6).toFixed(3)) }));
    } finally {
      await trainer.dispose();
    }
  }
  console.log(JSON.stringify({ engine: 'grok-webgpu', grid: kind, P: 113, hidden, train: trains, seeds, runs: hidden.length * all.length, steps, evalEvery, estimateHours: Number((totalMs / 3.6e6).toFixed(2)) }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    cases: { type: 'string', default: 'd32-m1,d128-m1,d32-m16' },
    steps: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    n: { type: 'string', default: '3000' },
    p: { type: 'string', default: '97' },
    device: { type: 'string', default: 'gpu' },
    grid: { type: 'boolean', default: false },
    'grid-hidden': { type: 'string', default: '4,8,12,16,24,32,48,64,80,100' },
    'grid-train': { type: 'string', default: '2600,3000,3400,3800,4200,4600,5000' },
    'grid-seeds': { type: 'string', default: '11' },
    'grid-steps': { type: 'string', default: '20000' },
    'grid-eval-every': { type: 'string', default: '100' },
    'grid-probe-steps': { type: 'string', default: '20' },
    'grid-kind': { type: 'string', default: 'transformer' },
    'allow-software': { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
  } });
  if (values.probe) {
    const c = await selectDevice('auto', { allowSoftware: values['allow-software'] });
    const limits = c.kind === 'gpu' ? Object.fromEntries(['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup']
      .map((k) => [k, (c.adapter.limits as unknown as Record<string, number>)[k]])) : null;
    console.log(JSON.stringify({ device: c.kind === 'gpu' ? c.description : 'cpu', tried: c.tried, limits }));
    return;
  }
  if (values.device !== 'gpu') throw new Error('bench/gpu.ts measures the GPU backend (--device gpu); bench/engine.ts measures the CPU engine');
  const select: Select = { pref: 'gpu', allowSoftware: values['allow-software'] };
  const data = await additionData(Number(values.p));
  if (values.cases) {
    for (const name of values.cases.split(',').filter((c) => c.trim())) {
      console.log(JSON.stringify(await benchCase(name.trim(), data, Number(values.n), Number(values.steps), Number(values.warmup), select)));
    }
  }
  if (values.grid) await grid(values, select);
}

main().catch((e: unknown) => {
  console.error(`bench/gpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
