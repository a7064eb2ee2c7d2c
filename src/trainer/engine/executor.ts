// Who runs the per-model work of a step: the calling thread, or a pool of worker threads sharing
// the memory. Jobs are dealt round-robin; a model's result does not depend on where it ran.
import { Worker } from 'node:worker_threads';
import { distAsset } from '../../util/assets';
import type { Backend } from './backend';
import type { EnginePlan } from './layout';
import { ModelRunner, type EvalSums } from './runner';
import { instantiateKernels } from './wasm';

/** One optimizer step of one model: its 1-based step number. */
export interface TrainJob { model: number; step: number }

export interface Executor {
  train(jobs: TrainJob[]): Promise<void>;
  evaluate(models: number[]): Promise<EvalSums[]>;
  dispose(): Promise<void>;
}

/** The messages of thread.ts. */
export type ThreadRequest =
  | { kind: 'init'; module: WebAssembly.Module; memory: WebAssembly.Memory; plan: EnginePlan }
  | { kind: 'train'; jobs: TrainJob[] }
  | { kind: 'evaluate'; models: number[] };
export type ThreadReply = { ok: true; result?: EvalSums[] } | { ok: false; error: string };

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
    for (const j of jobs) this.get(j.model).train(j.step);
  }

  evaluate(models: number[]): EvalSums[] {
    return models.map((i) => this.get(i).evaluate());
  }
}

export class LocalExecutor implements Executor {
  constructor(private readonly runners: Runners) {}
  async train(jobs: TrainJob[]): Promise<void> { this.runners.train(jobs); }
  async evaluate(models: number[]): Promise<EvalSums[]> { return this.runners.evaluate(models); }
  async dispose(): Promise<void> {}
}

class ThreadHandle {
  private pending: { resolve: (r: ThreadReply) => void; reject: (e: Error) => void } | null = null;
  constructor(readonly worker: Worker) {
    worker.on('message', (r: ThreadReply) => { const p = this.pending; this.pending = null; p?.resolve(r); });
    worker.on('error', (e) => { const p = this.pending; this.pending = null; p?.reject(e); });
  }

  async request(msg: ThreadRequest): Promise<EvalSums[]> {
    const reply = await new Promise<ThreadReply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
    if (!reply.ok) throw new Error(`engine thread: ${reply.error}`);
    return reply.result ?? [];
  }
}

export class ThreadExecutor implements Executor {
  private constructor(private readonly threads: ThreadHandle[]) {}

  static async start(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory, plan: EnginePlan): Promise<ThreadExecutor> {
    const file = distAsset('engine-thread.js');
    const threads = Array.from({ length: count }, () => new ThreadHandle(new Worker(file)));
    await Promise.all(threads.map((t) => t.request({ kind: 'init', module, memory, plan })));
    return new ThreadExecutor(threads);
  }

  /** Item k goes to thread k mod T. */
  private deal<T>(items: T[]): T[][] {
    const out: T[][] = this.threads.map(() => []);
    items.forEach((x, k) => out[k % out.length].push(x));
    return out;
  }

  async train(jobs: TrainJob[]): Promise<void> {
    const parts = this.deal(jobs);
    await Promise.all(this.threads.map((t, w) => (parts[w].length ? t.request({ kind: 'train', jobs: parts[w] }) : null)));
  }

  async evaluate(models: number[]): Promise<EvalSums[]> {
    const parts = this.deal(models);
    const results = await Promise.all(this.threads.map((t, w) => (parts[w].length ? t.request({ kind: 'evaluate', models: parts[w] }) : [])));
    // Undo the dealing: model k came back as item floor(k / T) of thread k mod T.
    return models.map((_, k) => results[k % this.threads.length][Math.floor(k / this.threads.length)]);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}

export function localRunners(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: EnginePlan): Runners {
  return new Runners(instantiateKernels(module, memory), plan);
}
