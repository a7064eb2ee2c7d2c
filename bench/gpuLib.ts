// What the GPU benches measure (bench/gpu.ts, one case or grid at a time; bench/gpu-all.ts, the
// unattended bundle run): ms per lock-step training step of the GPU backend on bench/reference's
// setup (P=97, a+b, N=3000 full batch, 4 heads, MLP 4d, ReLU, no LayerNorm), and grid estimates.
// Every timing loop has a time budget, so that a slow adapter (llvmpipe) still finishes in time:
// it then times fewer steps, and says how many.
import { dirname } from 'node:path';
import type { ModelConfig } from '../src/config/schema';
import { planBatches, type PlannedRun } from '../src/sweep/schedule';
import { modelRunSpec } from '../src/sweep/batch';
import { projectDeps } from '../src/sweep/projectDeps';
import { gpuModelBytes } from '../src/trainer/engine/device';
import type { ModelRunSpec } from '../src/trainer/engine/types';
import { createGpuTrainer, probeGpu, type GpuTrainer } from '../src/trainer/engine/webgpu/trainer';
import { buildDataset } from '../src/trainer/tasks/index';
import type { Dataset } from '../src/trainer/tasks/types';
import { Rng } from '../src/util/rng';

/** (a+b) mod P, every pair, as a sweep builds it. */
export function additionData(P: number): Promise<Dataset> {
  return buildDataset({ kind: 'modular', op: 'a+b', modulus: P }, { configDir: process.cwd(), seed: 0 });
}

export function runSpec(data: Dataset, seed: number, train: number): ModelRunSpec {
  const order = new Rng(seed, 1).shuffle(Int32Array.from({ length: data.count }, (_, i) => i));
  return { seed, trainIdx: order.slice(0, train), valIdx: order.slice(train), initScale: 1, lr: 1e-3, weightDecay: 1, warmupSteps: 0 };
}

/** The bench's model at width d: a transformer of dModel d (4, 2 or 1 heads), or an MLP of embedding d and hidden 4d. */
export function modelOf(d: number, kind: 'transformer' | 'mlp' = 'transformer'): ModelConfig {
  const heads = [4, 2, 1].find((h) => d % h === 0)!;
  return { kind, dModel: d, heads, layers: 1, activation: 'relu', layerNorm: 'none', initStd: 'pytorch', pooling: 'mean' } as ModelConfig;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface Timing { device: string; msPerStep: number; minMs: number; evalMs: number; steps: number; setupMs: number }

export interface TimeOptions {
  /** At most this many timed steps (default 50), after `warmup` (default 5) untimed ones. */
  steps?: number;
  warmup?: number;
  /** Stop timing once this much wall time is spent (at least one chunk is timed). Default: none. */
  budgetMs?: number;
  /** Evaluations timed (default 3). */
  evals?: number;
}

/**
 * Steady-state ms per step (the queue kept busy, flushed before each clock read, chunks of up to 5
 * steps so the figure includes the host's encoding, as in a sweep) and ms per evaluate.
 */
export async function timeTrainer(trainer: GpuTrainer, o: TimeOptions = {}, setupStart = performance.now()): Promise<Timing> {
  const steps = o.steps ?? 50, warmup = o.warmup ?? 5, budget = o.budgetMs ?? Infinity;
  const t0 = performance.now();
  for (let s = 0; s < warmup; s++) {
    await trainer.trainStep();
    if (performance.now() - t0 > budget / 3) break; // a slow adapter: one warm-up step is enough
  }
  await trainer.flush();
  const setupMs = performance.now() - setupStart;
  const per: number[] = [];
  const start = performance.now();
  let done = 0;
  while (done < steps) {
    const c0 = performance.now();
    const k = Math.min(5, steps - done, per.length === 0 && budget < Infinity ? 1 : 5);
    for (let s = 0; s < k; s++) await trainer.trainStep();
    await trainer.flush();
    per.push((performance.now() - c0) / k);
    done += k;
    if (performance.now() - start > budget * 0.8) break;
  }
  const evals: number[] = [];
  for (let e = 0; e < (o.evals ?? 3); e++) {
    if (e > 0 && performance.now() - start > budget * 0.8) break; // a slow adapter: one eval is enough
    const e0 = performance.now();
    await trainer.evaluate();
    evals.push(performance.now() - e0);
    if (performance.now() - start > budget) break;
  }
  return { device: trainer.description, msPerStep: median(per), minMs: Math.min(...per), evalMs: evals.length ? median(evals) : NaN, steps: done, setupMs };
}

export type Select = Parameters<typeof createGpuTrainer>[1];

export async function trainerFor(model: ModelConfig, data: Dataset, runs: ModelRunSpec[], select: Select, betas: [number, number] = [0.9, 0.98], batchSize: number | null = null): Promise<GpuTrainer> {
  const t = await createGpuTrainer({ model, optimizer: { betas, eps: 1e-8 }, dataset: data, runs, batchSize }, select);
  if (!t) throw new Error('no GPU adapter');
  return t;
}

export function rounded(t: Timing): { device: string; msPerStep: number; minMs: number; evalMs: number; timedSteps: number; setupMs: number } {
  return { device: t.device, msPerStep: Number(t.msPerStep.toFixed(3)), minMs: Number(t.minMs.toFixed(3)), evalMs: Number(t.evalMs.toFixed(2)), timedSteps: t.steps, setupMs: Math.round(t.setupMs) };
}

export interface CaseResult extends ReturnType<typeof rounded> { engine: 'grok-webgpu'; case: string; dModel: number; models: number; n: number }

/** One bench/reference case, `d<dModel>-m<models>`: `models` runs of width d trained in one lock-step batch. */
export async function benchCase(name: string, data: Dataset, n: number, select: Select, o: TimeOptions = {}): Promise<CaseResult> {
  const m = /^d(\d+)-m(\d+)$/.exec(name);
  if (!m) throw new Error(`case ${name}: expected d<dModel>-m<models>`);
  const [d, models] = [Number(m[1]), Number(m[2])];
  const s0 = performance.now();
  const trainer = await trainerFor(modelOf(d), data, Array.from({ length: models }, (_, seed) => runSpec(data, seed, n)), select);
  try {
    return { engine: 'grok-webgpu', case: name, dModel: d, models, n, ...rounded(await timeTrainer(trainer, o, s0)) };
  } finally {
    await trainer.dispose();
  }
}

export interface GridWidth {
  width: number;
  runs: number;
  batches: number;
  modelsPerBatch: number;
  /** Measured on this width's first batch, or null when the budget ran out (then `scaledFrom`). */
  timing: ReturnType<typeof rounded> | null;
  /** The width whose timing was scaled by (width / it)² because this one was not measured. */
  scaledFrom?: number;
  msPerStep: number;
  evalMs: number;
  /** Upper bound (every run to its step budget, no early stop) in hours. */
  estimateHours: number;
}

export interface GridResult {
  config: string;
  name: string;
  runs: number;
  steps: number;
  evalEvery: number;
  earlyStop: boolean;
  /** Which share of the grid's training was actually run to time it. */
  fraction: string;
  widths: GridWidth[];
  estimateHours: number;
  budgetMs: number;
}

/**
 * A sweep config's grid (e.g. examples/repro-cds-vs-model.full.grok.json): its runs, packed into
 * lock-step batches as a GPU sweep packs them (the adapter's largest buffer), per model width the
 * first batch trained for a few steps within the budget, and the whole grid extrapolated:
 * Σ batches × (steps × ms/step + steps/evalEvery × ms/eval). With early stop on, runs that settle
 * stop sooner, so this is an upper bound; widths the budget did not reach are scaled by width².
 */
export async function gridFromConfig(configPath: string, select: Select, o: { budgetMs: number; probeSteps?: number; subBatch?: number; onProgress?: (snapshot: GridResult) => void; log?: (line: string) => void }): Promise<GridResult> {
  const deadline = performance.now() + o.budgetMs;
  const config = await projectDeps.loadConfig(configPath);
  const runs: PlannedRun[] = projectDeps.expand(config);
  const data = await projectDeps.buildDataset(config, dirname(configPath));
  const probe = await probeGpu(select);
  const budget = probe.kind === 'gpu' ? probe.maxBufferBytes : 2 ** 30;
  const splits = new Map(runs.map((r) => [r.id, projectDeps.split(data, r.config)]));
  const batches = planBatches(runs, (r) => {
    const s = splits.get(r.id)!;
    return gpuModelBytes(r.config.model, data, r.config.training.batchSize, { train: s.train.length, val: s.val.length });
  }, budget);
  const byWidth = new Map<number, typeof batches>();
  for (const b of batches) {
    const w = b.runs[0]!.config.model.dModel;
    if (!byWidth.has(w)) byWidth.set(w, []);
    byWidth.get(w)!.push(b);
  }
  const { steps, evalEvery } = config.training;
  const rows: GridWidth[] = [...byWidth.keys()].sort((a, b) => a - b).map((w) => {
    const wb = byWidth.get(w)!;
    return { width: w, runs: wb.reduce((n, b) => n + b.runs.length, 0), batches: wb.length, modelsPerBatch: wb[0]!.runs.length, timing: null, msPerStep: NaN, evalMs: NaN, estimateHours: NaN };
  });
  /** Every row's estimate from what is measured so far (unmeasured widths scaled from the nearest measured one). */
  const snapshot = (): GridResult => {
    for (const row of rows) {
      if (!row.timing) {
        const near = rows.filter((x) => x.timing).sort((a, b) => Math.abs(a.width - row.width) - Math.abs(b.width - row.width))[0];
        const k = near ? (row.width / near.width) ** 2 : NaN;
        Object.assign(row, { scaledFrom: near?.width, msPerStep: near ? near.msPerStep * k : NaN, evalMs: near ? near.evalMs * k : NaN });
      }
      row.estimateHours = row.batches * (steps * row.msPerStep + Math.floor(steps / evalEvery) * (Number.isNaN(row.evalMs) ? 0 : row.evalMs)) / 3.6e6;
    }
    const timedSteps = rows.reduce((n, x) => n + (x.timing ? x.timing.timedSteps * (o.subBatch ? Math.min(o.subBatch, x.modelsPerBatch) : x.modelsPerBatch) : 0), 0);
    const totalSteps = runs.length * steps;
    const sub = o.subBatch ? `, ${o.subBatch} models of it (ms/step scaled by batch size / ${o.subBatch})` : '';
    return {
      config: configPath, name: config.name, runs: runs.length, steps, evalEvery, earlyStop: config.training.earlyStop.enabled,
      fraction: `${timedSteps} of ${totalSteps} run-steps trained (${(100 * timedSteps / totalSteps).toPrecision(2)}%): the first batch${sub} of ${rows.filter((x) => x.timing).length} of ${rows.length} widths`,
      widths: rows.map((r) => ({ ...r })), estimateHours: rows.reduce((h, x) => h + x.estimateHours, 0), budgetMs: o.budgetMs,
    };
  };
  // Smallest and largest width first, so that a budget that runs out leaves the others bracketed.
  const visit = rows.length > 1 ? [rows[0]!, rows.at(-1)!, ...rows.slice(1, -1)] : rows;
  for (const row of visit) {
    const left = deadline - performance.now();
    if (left < 5000) break;
    const first = byWidth.get(row.width)![0]!;
    const members = o.subBatch ? first.runs.slice(0, o.subBatch) : first.runs;
    const c = first.runs[0]!.config;
    const s0 = performance.now();
    const trainer = await trainerFor(c.model, data, members.map((r) => modelRunSpec(r.config, splits.get(r.id)!)), select, c.optimizer.betas, c.training.batchSize);
    try {
      const t = await timeTrainer(trainer, { steps: o.probeSteps ?? 20, warmup: 2, budgetMs: Math.min(left, (o.budgetMs / visit.length) * 1.5), evals: 1 }, s0);
      // A sub-batch: a lock-step step costs about in proportion to the models it holds.
      const scale = first.runs.length / members.length;
      row.timing = rounded(t);
      row.msPerStep = t.msPerStep * scale;
      row.evalMs = t.evalMs * scale;
    } finally {
      await trainer.dispose();
    }
    o.log?.(`grid width ${row.width}: ${row.msPerStep.toFixed(1)} ms/step over ${row.timing.timedSteps} steps (batch of ${row.modelsPerBatch}${o.subBatch ? `, timed on ${members.length}` : ''})`);
    o.onProgress?.(snapshot());
  }
  return snapshot();
}

/**
 * The fixed paper-scale grid of issue 9 (hidden 4–100 × train 2600–5000 × 11 seeds, P=113): every
 * (hidden, train size, seed) is a run; runs of one width share a shape and train in lock-step
 * batches (train sizes may differ within a batch). For each width, a probe batch of as many runs
 * as fit the adapter's largest buffer is timed.
 */
export async function fixedGrid(o: { hidden: number[]; trains: number[]; seeds: number; steps: number; evalEvery: number; probeSteps: number; kind: 'transformer' | 'mlp' }, select: Select, print: (row: object) => void): Promise<void> {
  const data = await additionData(113);
  const all = o.trains.flatMap((train) => Array.from({ length: o.seeds }, (_, seed) => ({ train, seed })));
  let totalMs = 0;
  for (const h of o.hidden) {
    let batch = all.length, trainer: GpuTrainer | null = null;
    while (!trainer) {
      try {
        trainer = await trainerFor(modelOf(h, o.kind), data, all.slice(0, batch).map((r) => runSpec(data, r.seed, r.train)), select);
      } catch (e) {
        if (batch > 1 && /largest storage buffer|out of memory|4 GiB/.test(String(e))) { batch = Math.ceil(batch / 2); continue; }
        throw e;
      }
    }
    try {
      const t = await timeTrainer(trainer, { steps: o.probeSteps, warmup: 3 });
      const batches = Math.ceil(all.length / batch);
      const ms = batches * (o.steps * t.msPerStep + Math.floor(o.steps / o.evalEvery) * t.evalMs);
      totalMs += ms;
      print({ engine: 'grok-webgpu', grid: o.kind, hidden: h, runs: all.length, modelsPerBatch: batch, batches, ...rounded(t), estimateHours: Number((ms / 3.6e6).toFixed(3)) });
    } finally {
      await trainer.dispose();
    }
  }
  print({ engine: 'grok-webgpu', grid: o.kind, P: 113, hidden: o.hidden, train: o.trains, seeds: o.seeds, runs: o.hidden.length * all.length, steps: o.steps, evalEvery: o.evalEvery, estimateHours: Number((totalMs / 3.6e6).toFixed(2)) });
}
