// Who runs the per-model work of a step: the calling thread, or a pool of worker threads sharing
// the memory. A step is one list of jobs; the threads take them in order, each the next one not yet
// taken (an atomic counter in the memory), so a thread that is slowed down (another process on its
// core) does fewer jobs instead of holding up the step. A model's result does not depend on where
// its work ran.
import { Worker } from 'node:worker_threads';
import { distAsset } from '../../util/assets';
import type { Backend } from './backend';
import type { EnginePlan } from './layout';
import { ModelRunner, type EvalSums } from './runner';
import { instantiateKernels } from './wasm';

/**
 * Work on one model's 1-based step: gradients of some chunks in a lane, then the update. A step
 * split over `lanes` > 1 jobs (on different threads, at once) is updated by whichever of them
 * finishes its chunks last.
 */
export interface TrainJob { model: number; step: number; chunks: number[] | 'all'; lane: number; lanes: number }

export interface Executor {
  readonly threads: number;
  /** Runs the jobs, all threads at once; jobs that share a model-step are taken by different threads. */
  train(jobs: TrainJob[]): Promise<void>;
  evaluate(models: number[]): Promise<EvalSums[]>;
  /** Logits [count, C] of model `model` over every example. */
  logits(model: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** The messages of thread.ts. */
export type ThreadRequest =
  | { kind: 'init'; module: WebAssembly.Module; memory: WebAssembly.Memory; plan: EnginePlan }
  | { kind: 'train'; jobs: TrainJob[]; next: number }
  | { kind: 'evaluate'; models: number[] }
  | { kind: 'logits'; model: number };
export type ThreadReply = { ok: true; result?: EvalSums[]; logits?: Float32Array } | { ok: false; error: string };

/** Runners built on first use, per thread. */
export class Runners {
  private readonly runners = new Map<number, ModelRunner>();
  constructor(private readonly backend: Backend, private readonly plan: EnginePlan) {}

  get(model: number): ModelRunner {
    let r = this.runners.get(model);
    if (!r) { r = new ModelRunner(this.backend, this.plan, model); this.runners.set(model, r); }
    return r;
  }

  train(jobs: TrainJob[]): void {
    for (const j of jobs) this.run(j);
  }

  /** Takes jobs in order, each the next one no thread has taken yet (counter: an i32 at `next`). */
  take(jobs: TrainJob[], next: number, i32: Int32Array): void {
    for (let k = Atomics.add(i32, next >>> 2, 1); k < jobs.length; k = Atomics.add(i32, next >>> 2, 1)) this.run(jobs[k]!); // k < jobs.length
  }

  private run(j: TrainJob): void {
    const r = this.get(j.model);
    if (j.lanes > 1) r.trainShare(j.step, j.chunks === 'all' ? Array.from({ length: r.chunks }, (_, c) => c) : j.chunks, j.lane, j.lanes);
    else r.train(j.step);
  }

  evaluate(models: number[]): EvalSums[] {
    return models.map((i) => this.get(i).evaluate());
  }
}

export class LocalExecutor implements Executor {
  readonly threads = 1;
  constructor(private readonly runners: Runners) {}
  async train(jobs: TrainJob[]): Promise<void> { this.runners.train(jobs); }
  async evaluate(models: number[]): Promise<EvalSums[]> { return this.runners.evaluate(models); }
  async logits(model: number): Promise<Float32Array> { return this.runners.get(model).logits(); }
  async dispose(): Promise<void> {}
}

class ThreadHandle {
  private pending: { resolve: (r: ThreadReply) => void; reject: (e: Error) => void } | null = null;
  constructor(readonly worker: Worker) {
    worker.on('message', (r: ThreadReply) => { const p = this.pending; this.pending = null; p?.resolve(r); });
    worker.on('error', (e) => { const p = this.pending; this.pending = null; p?.reject(e); });
  }

  async request(msg: ThreadRequest): Promise<EvalSums[]> {
    return (await this.reply(msg)).result ?? [];
  }

  async reply(msg: ThreadRequest): Promise<ThreadReply & { ok: true }> {
    const reply = await new Promise<ThreadReply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
    if (!reply.ok) throw new Error(`engine thread: ${reply.error}`);
    return reply;
  }
}

export class ThreadExecutor implements Executor {
  private readonly i32: Int32Array;

  private constructor(private readonly handles: ThreadHandle[], memory: WebAssembly.Memory, private readonly next: number) {
    this.i32 = new Int32Array(memory.buffer);
  }

  static async start(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory, plan: EnginePlan): Promise<ThreadExecutor> {
    const file = distAsset('engine-thread.js');
    const threads = Array.from({ length: count }, () => new ThreadHandle(new Worker(file)));
    await Promise.all(threads.map((t) => t.request({ kind: 'init', module, memory, plan })));
    return new ThreadExecutor(threads, memory, plan.nextJob);
  }

  /** Item k goes to thread k mod T. */
  private deal<T>(items: T[]): T[][] {
    const out: T[][] = this.handles.map(() => []);
    items.forEach((x, k) => out[k % out.length]!.push(x)); // k mod T < T
    return out;
  }

  get threads(): number { return this.handles.length; }

  /** Every thread gets the whole list and takes jobs from it (the counter is reset before they start). */
  async train(jobs: TrainJob[]): Promise<void> {
    if (jobs.length === 0) return;
    Atomics.store(this.i32, this.next >>> 2, 0);
    await Promise.all(this.handles.map((t) => t.request({ kind: 'train', jobs, next: this.next })));
  }

  async evaluate(models: number[]): Promise<EvalSums[]> {
    const parts = this.deal(models);
    const results = await Promise.all(this.handles.map((t, w) => {
      const part = parts[w] ?? [];
      return part.length ? t.request({ kind: 'evaluate', models: part }) : [];
    }));
    // Undo the dealing: model k came back as item floor(k / T) of thread k mod T.
    const T = this.handles.length;
    return models.map((model, k) => {
      const sums = results[k % T]?.[Math.floor(k / T)];
      if (sums === undefined) throw new Error(`engine thread ${k % T}: no evaluation came back for model ${model}`);
      return sums;
    });
  }

  /** On the thread that evaluates the model (any thread could: the memory is shared). */
  async logits(model: number): Promise<Float32Array> {
    const reply = await this.handles[model % this.handles.length]!.reply({ kind: 'logits', model }); // the trainer checked the index
    return reply.logits!;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.handles.map((t) => t.worker.terminate()));
  }
}

export function localRunners(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: EnginePlan): Runners {
  return new Runners(instantiateKernels(module, memory), plan);
}
