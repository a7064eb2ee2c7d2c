// Engine speed: ms per lock-step training step (forward, backward, AdamW) on the setup of
// bench/reference/bench.py: P=97, a+b, N=3000 full batch, 4 heads, MLP 4d, ReLU, no LayerNorm.
// Prints one JSON line per case: {"engine":"grok-wasm","case":"d32-m1","msPerStep":...}.
//   node --import tsx bench/engine.ts [--cases d32-m1,d128-m1,d32-m16] [--steps 20] [--warmup 3] [--threads N]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { ModelConfig } from '../src/config/schema';
import { createTrainer } from '../src/trainer/engine/index';
import { buildDataset } from '../src/trainer/tasks/index';
import type { Dataset } from '../src/trainer/tasks/types';
import { Rng } from '../src/util/rng';

const P = 97, N_TRAIN = 3000;

/** (a+b) mod P, every pair, as a sweep builds it. */
function additionData(P: number): Promise<Dataset> {
  return buildDataset({ kind: 'modular', op: 'a+b', modulus: P }, { configDir: process.cwd(), seed: 0 });
}

async function benchCase(name: string, data: Dataset, steps: number, warmup: number, threads: number): Promise<Record<string, unknown>> {
  const [, d, m] = /^d(\d+)-m(\d+)$/.exec(name)!.map(Number);
  const model: ModelConfig = { kind: 'transformer', dModel: d, heads: 4, layers: 1, activation: 'relu', layerNorm: 'none', initStd: 'pytorch', pooling: 'mean' };
  const runs = Array.from({ length: m }, (_, seed) => {
    const order = new Rng(seed, 1).shuffle(Int32Array.from({ length: data.count }, (_, i) => i));
    return { seed, trainIdx: order.slice(0, N_TRAIN), valIdx: order.slice(N_TRAIN), initScale: 1, lr: 1e-3, weightDecay: 1, warmupSteps: 0 };
  });
  const usedThreads = threads;
  const trainer = await createTrainer({ model, optimizer: { betas: [0.9, 0.98], eps: 1e-8 }, dataset: data, runs, batchSize: null, threads: usedThreads });
  for (let s = 0; s < warmup; s++) await trainer.trainStep();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    await trainer.trainStep();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  await trainer.dispose();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return { engine: 'grok-wasm', case: name, dModel: d, models: m, n: N_TRAIN, threads: usedThreads, steps, msPerStep: Number(median.toFixed(2)), minMs: Number(times[0].toFixed(2)),
    // CPU time of all threads per step: on a busy shared machine, a steadier measure of the work than wall time.
    cpuMsPerStep: Number(((cpu.user + cpu.system) / 1000 / steps).toFixed(2)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    cases: { type: 'string', default: 'd32-m1,d128-m1,d32-m16' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
  } });
  const data = await additionData(P);
  for (const name of values.cases!.split(',')) {
    console.log(JSON.stringify(await benchCase(name.trim(), data, Number(values.steps), Number(values.warmup), Number(values.threads))));
  }
}

void main();
