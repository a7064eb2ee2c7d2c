/// <reference types="@webgpu/types" />
// The GPU engine of one lock-step batch: the plan of layout.ts in one device buffer, the shared
// model code (transformer.ts, mlp.ts) recording into a Recorder, and one dispatch per op over every
// model of a step (program.ts). Parameters, gradients and AdamW state never leave the device;
// evaluation reduces losses and norms on the device and reads back a few floats per model;
// checkpoints read back one model's blocks.
import type { LockstepSpec, ModelRunSpec } from '../types';
import { modelDims, type ModelDims } from '../../models/dims';
import type { Dataset } from '../../tasks/types';
import { initParams } from '../../models/init';
import { GpuMachine } from './gpu';
import { planGpu, type GpuPlan } from './layout';
import { GpuModel } from './model';
import { ProgramBuilder } from './program';
import { Recorder, type Call } from './recorder';

/** One optimizer step of one model (1-based step). */
export interface GpuJob { model: number; step: number }

/** Per model after evaluate: per split and component (loss sum, correct sum), then Σx² per tensor. */
export interface GpuStats { train: [number, number][]; val: [number, number][]; squares: number[] }

export class GpuHost {
  private readonly recorder = new Recorder();
  private readonly models: GpuModel[];

  private constructor(readonly machine: GpuMachine, readonly plan: GpuPlan, spec: LockstepSpec) {
    this.models = plan.models.map((m, i) => new GpuModel(this.recorder, plan, m, runOf(spec.runs, i).trainIdx));
  }

  /** Model i's memory plan and recorder; throws for an index that names no model. */
  private model(i: number): GpuModel {
    const g = this.models[i];
    if (g === undefined) throw new Error(`webgpu backend: no model ${i} (of ${this.models.length})`);
    return g;
  }

  /** Plans the memory, creates the device buffer and uploads the data, index lists and initial weights. */
  static async create(adapter: GPUAdapter, spec: LockstepSpec): Promise<GpuHost> {
    if (spec.runs.length === 0) throw new Error('createTrainer: no runs');
    const dims = modelDims(spec.model, spec.dataset);
    const plan = planWithPartials(dims, spec.dataset, spec.runs, spec.batchSize, { betas: spec.optimizer.betas, eps: spec.optimizer.eps });
    const machine = await GpuMachine.create(adapter, plan.bytes, plan.models.length);
    try {
      for (const r of initialImage(plan, spec)) await machine.write(r.offset, r.data);
    } catch (e) {
      machine.destroy();
      throw e;
    }
    return new GpuHost(machine, plan, spec);
  }

  private builder(models: number[]): ProgramBuilder {
    return new ProgramBuilder({ scratch: models.map((i) => this.model(i).m.partial / 4), vocab: this.plan.dims.V });
  }

  /** Records fn for each model into its own call list. */
  private record(models: number[], fn: (model: GpuModel, index: number) => void): Call[][] {
    return models.map((i) => {
      this.recorder.calls = [];
      fn(this.model(i), i);
      return this.recorder.calls;
    });
  }

  /** One optimizer step of each job's model: one program, one submission. */
  async train(jobs: GpuJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const uploads: { offset: number; data: Uint8Array }[] = [];
    const lists = this.record(jobs.map((j) => j.model), (model, i) => {
      const batch = model.train(jobs.find((j) => j.model === i)!.step);
      if (batch) uploads.push({ offset: model.m.batchIdx, data: new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength) });
    });
    const b = this.builder(jobs.map((j) => j.model));
    b.addGroup(lists);
    await this.machine.run(b.dispatches, uploads);
  }

  /** Loss and accuracy sums per split and component, and Σx² per tensor, for each model. */
  async evaluate(models: number[]): Promise<GpuStats[]> {
    const { plan, recorder } = this;
    const comps = plan.componentCount;
    const b = this.builder(models);
    b.addGroup(this.record(models, (g) => recorder.zero(g.m.stats, plan.statsFloats)));
    for (const split of [0, 1]) {
      const count = (i: number): number => (split === 0 ? this.model(i).m.trainCount : this.model(i).m.valCount);
      const chunks = models.map((i) => Math.ceil(count(i) / this.model(i).m.cap));
      for (let c = 0; c < Math.max(0, ...chunks); c++) {
        const group = models.filter((_, z) => chunks[z]! > c); // one chunk count per model
        const sub = this.builder(group);
        sub.addGroup(this.record(group, (g, i) => {
          const m = g.m;
          const idx = (split === 0 ? m.trainIdx : m.valIdx) + c * m.cap * 4;
          const n = Math.min(m.cap, count(i) - c * m.cap);
          g.forward(idx, n, false);
          recorder.evalAccum(m.loss, m.correct, idx, n, plan.component, m.stats + split * 2 * comps * 4, comps);
        }));
        b.dispatches.push(...sub.dispatches);
      }
    }
    b.addGroup(this.record(models, (g) => {
      plan.tensors.forEach((t, k) => recorder.squares(g.m.params + t.offset, t.size, g.m.stats + (4 * comps + k) * 4));
    }));
    await this.machine.run(b.dispatches);
    const raw = await this.readFloats(models.map((i) => ({ ptr: this.model(i).m.stats, count: plan.statsFloats })));
    return raw.map((f) => {
      // f holds plan.statsFloats = 4·comps + tensors floats: the pairs below are in range.
      const split = (s: number): [number, number][] => Array.from({ length: comps }, (_, c) => [f[(s * comps + c) * 2]!, f[(s * comps + c) * 2 + 1]!]);
      return { train: split(0), val: split(1), squares: Array.from(f.subarray(4 * comps, 4 * comps + plan.tensors.length)) };
    });
  }

  /** Gradients of the mean loss over each model's whole training set (tests), left in the grads blocks. */
  async gradients(models: number[]): Promise<void> {
    const b = this.builder(models);
    b.addGroup(this.record(models, (g) => g.gradients(g.m.trainIdx, g.m.trainCount)));
    await this.machine.run(b.dispatches);
  }

  /** Raw floats of the engine memory (tests, checkpoints). */
  async readFloats(ranges: { ptr: number; count: number }[]): Promise<Float32Array[]> {
    const raw = await this.machine.read(ranges.map((r) => ({ offset: r.ptr, bytes: r.count * 4 })));
    return raw.map((u) => new Float32Array(u.buffer, u.byteOffset, u.byteLength / 4));
  }

  /** Model i's params, AdamW m and v blocks, concatenated. */
  async readState(i: number): Promise<Float32Array> {
    const m = this.model(i).m, n = this.plan.blockFloats;
    const [p, mm, v] = await this.readFloats([m.params, m.adamM, m.adamV].map((ptr) => ({ ptr, count: n })));
    if (!p || !mm || !v) throw new Error(`webgpu backend: model ${i}'s state did not come back whole`);
    const out = new Float32Array(3 * n);
    out.set(p, 0); out.set(mm, n); out.set(v, 2 * n);
    return out;
  }

  /** Writes model i's params, m and v blocks (as readState returns them). */
  async writeState(i: number, blocks: Float32Array): Promise<void> {
    const m = this.model(i).m, n = this.plan.blockFloats;
    if (blocks.length !== 3 * n) throw new Error(`state of ${blocks.length} floats, expected ${3 * n}`);
    const bytes = (k: number): Uint8Array => new Uint8Array(blocks.buffer, blocks.byteOffset + k * n * 4, n * 4);
    await this.machine.write(m.params, bytes(0));
    await this.machine.write(m.adamM, bytes(1));
    await this.machine.write(m.adamV, bytes(2));
  }

  /** Waits for the work in flight (Dawn aborts on a pending promise), then frees the device. */
  async destroy(): Promise<void> {
    await this.machine.idle().catch(() => undefined);
    this.machine.destroy();
  }
}

/**
 * The memory plan of layout.ts with its split-K partial regions sized: planned once to record one
 * training step per model, whose program says the largest partial region it needs.
 */
export function planWithPartials(dims: ModelDims, data: Dataset, runs: ModelRunSpec[], batchSize: number | null,
  optimizer: { betas: [number, number]; eps: number }): GpuPlan {
  const draft = planGpu(dims, data, runs, batchSize, optimizer);
  const recorder = new Recorder();
  const dry = new ProgramBuilder({ scratch: draft.models.map(() => 4), vocab: dims.V });
  draft.models.forEach((m, i) => {
    recorder.calls = [];
    new GpuModel(recorder, draft, m, runOf(runs, i).trainIdx).train(1);
    dry.addGroup([recorder.calls]);
  });
  return planGpu(dims, data, runs, batchSize, optimizer, dry.partialNeed);
}

/** Run i of a batch whose plan has one model per run. */
function runOf(runs: ModelRunSpec[], i: number): ModelRunSpec {
  const run = runs[i];
  if (run === undefined) throw new Error(`webgpu backend: no run ${i} (of ${runs.length})`);
  return run;
}

/** The non-zero initial contents: dataset, index lists and initial weights (the rest starts as zeros). */
function initialImage(plan: GpuPlan, spec: LockstepSpec): { offset: number; data: Uint8Array }[] {
  const data = spec.dataset;
  const bytes = (a: Int32Array | Float32Array | Uint8Array): Uint8Array => {
    const out = new Uint8Array(Math.ceil(a.byteLength / 4) * 4);
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return out;
  };
  const out = [
    { offset: plan.inputs, data: bytes(data.inputs) },
    { offset: plan.labels, data: bytes(data.labels) },
    { offset: plan.component, data: bytes(data.component) },
  ];
  spec.runs.forEach((run, i) => {
    const m = plan.models[i];
    if (m === undefined) throw new Error(`run ${i}: no model in the GPU plan (${plan.models.length} models)`);
    for (const ix of [run.trainIdx, run.valIdx]) {
      for (const e of ix) if (e < 0 || e >= data.count) throw new Error(`run ${i}: example index ${e} outside the dataset`);
    }
    out.push({ offset: m.trainIdx, data: bytes(run.trainIdx) }, { offset: m.valIdx, data: bytes(run.valIdx) });
    const weights = initParams(plan.dims, spec.model.initStd, run.initScale, run.seed);
    const block = new Float32Array(plan.blockFloats);
    for (const t of plan.tensors) block.set(weights.get(t.name)!, t.offset / 4);
    out.push({ offset: m.params, data: bytes(block) });
  });
  return out.filter((r) => r.data.length > 0);
}
