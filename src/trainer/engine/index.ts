// The CPU training engine: M models of one shape trained in lock-step on WASM-SIMD kernels,
// split across worker threads that share one WebAssembly.Memory.
//
// Public API (the sweep runner and the PyTorch parity script use exactly this):
//   createTrainer(spec: LockstepSpec): Promise<LockstepTrainer>
//       Fresh weights per run (seed, model.initStd, run.initScale), zero AdamW state, step 0.
//   trainerFromCheckpoint(spec, checkpoints: (Uint8Array | null)[]): Promise<LockstepTrainer>
//       As createTrainer, then model i restored from checkpoints[i] (null keeps the fresh init).
//   initialCheckpoint(spec, i = 0): Uint8Array
//       Model i's initial weights as a checkpoint (step 0, zero AdamW state), without a trainer:
//       safetensors with every parameter by its docs/models.md name, adam.m.<name>, adam.v.<name>.
//   initialWeights(spec, i = 0): Map<string, Float32Array>   the same weights, as arrays.
//   writeSafetensors / readSafetensors (./safetensors): raw named F32 tensors ⇄ bytes.
//   encodeCheckpoint / decodeCheckpoint (./checkpoint): a model's state ⇄ checkpoint bytes.
// A checkpoint's step is that model's optimizer step count; loading it resumes the AdamW bias
// correction, the warmup and the minibatch order exactly where they were.
import { availableParallelism } from 'node:os';
import { modelDims, type ModelDims } from '../models/dims';
import { initParams } from '../models/init';
import { configHash, decodeCheckpoint, encodeCheckpoint, readBlock, writeBlock } from './checkpoint';
import { LocalExecutor, localRunners, ThreadExecutor, type Executor } from './executor';
import { chunkCount, planEngine, tensorSlots, type EnginePlan, type ModelPlan } from './layout';
import type { TrainJob } from './executor';
import type { EvalSums, SplitSums } from './runner';
import type { EvalMetrics, LockstepSpec, LockstepTrainer } from './types';
import { createSharedMemory, kernelModule } from './wasm';

export type { LockstepSpec, LockstepTrainer, EvalMetrics } from './types';
export { writeSafetensors, readSafetensors, type NamedTensor } from './safetensors';
export { encodeCheckpoint, decodeCheckpoint, type ModelState } from './checkpoint';

function dimsOf(spec: LockstepSpec): ModelDims {
  return modelDims(spec.model, spec.dataset);
}

export function initialWeights(spec: LockstepSpec, i = 0): Map<string, Float32Array> {
  const run = spec.runs[i];
  if (run === undefined) throw new Error(`initialWeights: no run ${i} (of ${spec.runs.length})`);
  return initParams(dimsOf(spec), spec.model.initStd, run.initScale, run.seed);
}

export function initialCheckpoint(spec: LockstepSpec, i = 0): Uint8Array {
  const dims = dimsOf(spec);
  return encodeCheckpoint(dims, tensorSlots(dims).tensors, { step: 0, params: initialWeights(spec, i) }, spec.configHash ?? configHash(spec.model));
}

export async function trainerFromCheckpoint(spec: LockstepSpec, checkpoints: (Uint8Array | null)[]): Promise<LockstepTrainer> {
  const trainer = await createTrainer(spec);
  checkpoints.forEach((bytes, i) => { if (bytes) trainer.loadCheckpoint(i, bytes); });
  return trainer;
}

/** The engine's memory, laid out and filled: data, index lists and initial weights. */
export interface PreparedEngine {
  plan: EnginePlan;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  f32: Float32Array;
}

/** Worker threads a trainer uses: the spec's count (default: cores), no more than it can keep busy. */
function threadCount(spec: LockstepSpec): number {
  const wanted = Math.max(1, spec.threads ?? availableParallelism());
  const chunks = Math.max(...spec.runs.map((r) => chunkCount(spec.batchSize === null ? r.trainIdx.length : Math.min(spec.batchSize, r.trainIdx.length))));
  return Math.min(wanted, spec.runs.length > 1 ? spec.runs.length : chunks);
}

export async function prepareEngine(spec: LockstepSpec, threads = 1): Promise<PreparedEngine> {
  if (spec.runs.length === 0) throw new Error('createTrainer: no runs');
  const plan = planEngine(dimsOf(spec), spec.dataset, spec.runs, spec.batchSize, { betas: spec.optimizer.betas, eps: spec.optimizer.eps }, threads);
  const memory = createSharedMemory(plan.bytes);
  const module = await kernelModule(spec.kernels);
  const views = { i32: new Int32Array(memory.buffer), f32: new Float32Array(memory.buffer), u8: new Uint8Array(memory.buffer) };
  writeData(views, plan, spec);
  plan.models.forEach((m, i) => writeBlock(views.f32, m, m.params, initialWeights(spec, i)));
  return { plan, memory, module, f32: views.f32 };
}

export async function createTrainer(spec: LockstepSpec): Promise<LockstepTrainer> {
  const threads = threadCount(spec);
  const { plan, memory, module, f32 } = await prepareEngine(spec, threads);
  const executor: Executor = threads > 1
    ? await ThreadExecutor.start(threads, module, memory, plan)
    : new LocalExecutor(localRunners(module, memory, plan));
  return new Trainer(spec, plan, f32, executor);
}

function writeData(views: { i32: Int32Array; u8: Uint8Array }, plan: EnginePlan, spec: LockstepSpec): void {
  const data = spec.dataset;
  views.i32.set(data.inputs, plan.inputs >>> 2);
  views.i32.set(data.labels, plan.labels >>> 2);
  views.u8.set(data.component, plan.component);
  for (let e = 0; e < data.count; e++) views.i32[(plan.allIdx >>> 2) + e] = e;
  spec.runs.forEach((run, i) => {
    const m = plan.models[i];
    if (m === undefined) throw new Error(`run ${i}: no model in the engine plan (${plan.models.length} models)`);
    if (run.trainIdx.length === 0) throw new Error(`run ${i}: no training examples`);
    for (const ix of [run.trainIdx, run.valIdx]) {
      for (const e of ix) if (e < 0 || e >= data.count) throw new Error(`run ${i}: example index ${e} outside the dataset`);
    }
    views.i32.set(run.trainIdx, m.trainIdx >>> 2);
    views.i32.set(run.valIdx, m.valIdx >>> 2);
  });
}

class Trainer implements LockstepTrainer {
  /** Optimizer steps taken, per model. */
  private readonly steps: number[];
  private readonly active: boolean[];
  private readonly hash: string;

  constructor(private readonly spec: LockstepSpec, private readonly plan: EnginePlan, private readonly f32: Float32Array, private readonly executor: Executor) {
    this.steps = spec.runs.map(() => 0);
    this.active = spec.runs.map(() => true);
    this.hash = spec.configHash ?? configHash(spec.model);
  }

  get modelCount(): number { return this.spec.runs.length; }
  get step(): number { return Math.max(...this.steps); }

  async trainStep(): Promise<void> {
    const active = this.steps.map((_, i) => i).filter((i) => this.active[i]);
    const split = active.filter((i) => this.model(i).lanes.length > 1);
    const whole = active.filter((i) => this.model(i).lanes.length === 1);
    // One pass with every thread busy: the whole models first, then the models with several lanes
    // (chunk c in lane c mod L), whose lanes can run on different threads at once; the lane that finishes last
    // takes the update, which sums the chunk gradients in chunk order, so no split changes a result.
    const jobs: TrainJob[] = whole.map((i) => ({ model: i, step: this.stepOf(i) + 1, chunks: 'all', lane: 0, lanes: 1 }));
    for (const i of split) {
      const m = this.model(i);
      const L = m.lanes.length, chunks = m.chunkGrads.length, step = this.stepOf(i) + 1;
      for (let l = 0; l < L; l++) {
        const mine = Array.from({ length: chunks }, (_, c) => c).filter((c) => c % L === l);
        jobs.push({ model: i, step, chunks: mine, lane: l, lanes: L });
      }
    }
    await this.executor.train(jobs);
    for (const i of active) this.steps[i] = this.stepOf(i) + 1;
  }

  async evaluate(): Promise<EvalMetrics[]> {
    const sums = await this.executor.evaluate(this.spec.runs.map((_, i) => i));
    return sums.map((s, i) => this.metrics(i, s));
  }

  private metrics(i: number, s: EvalSums): EvalMetrics {
    const names = this.spec.dataset.componentNames;
    const norms: Record<string, number> = {};
    const squares = (k: number): number => {
      const q = s.squares[k];
      if (q === undefined) throw new Error(`model ${i}: no sum of squares for tensor ${k} (${s.squares.length} sums)`);
      return q;
    };
    this.model(i).tensors.forEach((t, k) => { norms[t.name] = Math.sqrt(squares(k)); });
    const out: EvalMetrics = {
      step: this.stepOf(i),
      trainLoss: mean(s.train).loss, trainAcc: mean(s.train).acc,
      valLoss: mean(s.val).loss, valAcc: mean(s.val).acc,
      weightNorm: Math.sqrt(s.squares.reduce((a, b) => a + b, 0)),
      norms,
    };
    if (names.length > 1) {
      const sums = (list: SplitSums[], c: number): SplitSums => {
        const sc = list[c];
        if (sc === undefined) throw new Error(`model ${i}: no sums for component ${c} "${names[c]}" (${list.length} sums)`);
        return sc;
      };
      out.components = Object.fromEntries(names.map((name, c) => [name, { train: mean(sums(s.trainComponents, c)), val: mean(sums(s.valComponents, c)) }]));
    }
    return out;
  }

  async logits(i: number): Promise<Float32Array> {
    this.checkIndex(i);
    return this.executor.logits(i);
  }

  deactivate(i: number): void {
    this.checkIndex(i);
    this.active[i] = false;
  }

  saveCheckpoint(i: number): Uint8Array {
    const m = this.model(i);
    return encodeCheckpoint(this.plan.dims, m.tensors, {
      step: this.stepOf(i), params: readBlock(this.f32, m, m.params), adamM: readBlock(this.f32, m, m.adamM), adamV: readBlock(this.f32, m, m.adamV),
    }, this.hash);
  }

  loadCheckpoint(i: number, bytes: Uint8Array): void {
    const m = this.model(i);
    const state = decodeCheckpoint(this.plan.dims, m.tensors, bytes);
    writeBlock(this.f32, m, m.params, state.params);
    writeBlock(this.f32, m, m.adamM, state.adamM);
    writeBlock(this.f32, m, m.adamV, state.adamV);
    this.steps[i] = state.step;
  }

  async dispose(): Promise<void> {
    await this.executor.dispose();
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.steps.length) throw new Error(`no model ${i} (of ${this.steps.length})`);
  }

  /** Model i's plan; throws the same error as checkIndex for an index that names no model. */
  private model(i: number): ModelPlan {
    this.checkIndex(i);
    return this.plan.models[i]!; // one plan per run, as many as steps
  }

  private stepOf(i: number): number {
    this.checkIndex(i);
    return this.steps[i]!;
  }
}

function mean(s: SplitSums): { loss: number; acc: number } {
  return s.count === 0 ? { loss: NaN, acc: NaN } : { loss: s.loss / s.count, acc: s.correct / s.count };
}
