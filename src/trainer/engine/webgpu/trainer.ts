// The LockstepTrainer of the GPU backend. The devices live in one worker thread per process
// (thread.ts), which keeps parameters and AdamW state on the GPU; this side keeps the step counts,
// turns the device's sums into EvalMetrics, and encodes/decodes checkpoints. saveCheckpoint stays
// synchronous (the sweep calls it between steps): it blocks on Atomics.wait until the GPU thread
// has read the model's blocks back into shared memory.
import { Worker } from 'node:worker_threads';
import { distAsset } from '../../../util/assets';
import { modelDims, type ModelDims } from '../../models/dims';
import { configHash, decodeCheckpoint, encodeCheckpoint } from '../checkpoint';
import { tensorSlots, type TensorSlot } from '../layout';
import type { EvalMetrics, LockstepSpec, LockstepTrainer } from '../types';
import type { GpuStats } from './host';
import { READ_DONE, READ_HEADER, READ_PENDING, type GpuInit, type GpuProbe, type GpuReply, type GpuRequest, type GpuSelect } from './protocol';

/** How long saveCheckpoint waits for the GPU thread before giving up. */
const READ_TIMEOUT_MS = 10 * 60_000;

type Pending = { resolve: (r: GpuReply) => void; reject: (e: Error) => void };
type Request = GpuRequest extends infer R ? (R extends GpuRequest ? Omit<R, 'id'> : never) : never;

/**
 * The process's GPU thread. It is never terminated (Dawn aborts when torn down with work
 * pending, and does not load twice); it is unref'd while no trainer is open, so it does not keep
 * the process alive.
 */
class GpuThread {
  private nextId = 1;
  private nextHost = 1;
  private open = 0;
  private readonly pending = new Map<number, Pending>();
  /** Requests nobody awaits: host of each write (its failure surfaces on that host's next request); reads answer through shared memory. */
  private readonly unawaited = new Map<number, { host: number; kind: string }>();
  private readonly hostFailures = new Map<number, string>();
  /** Why the thread can no longer answer, once it cannot. */
  failure: string | null = null;

  constructor(readonly worker: Worker) {
    worker.unref();
    worker.on('message', (r: GpuReply) => {
      if (!r.ok && r.gpu) reportGpuFailure(r.error);
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (!p) {
        const u = this.unawaited.get(r.id);
        this.unawaited.delete(r.id);
        if (!r.ok && u?.kind === 'write' && !this.hostFailures.has(u.host)) this.hostFailures.set(u.host, `loading a checkpoint failed: ${r.error}`);
        return;
      }
      p.resolve(r);
    });
    const fail = (why: string): void => {
      this.failure ??= why;
      reportGpuFailure(why);
      for (const p of this.pending.values()) p.reject(new Error(why));
      this.pending.clear();
    };
    worker.on('error', (e) => fail(`GPU thread failed: ${e.message}`));
    worker.on('exit', (code) => fail(`GPU thread exited (code ${code})`));
  }

  post(msg: Request): number {
    if (this.failure) throw new Error(this.failure);
    const failed = this.hostFailures.get(msg.host);
    if (failed && msg.kind !== 'dispose') throw new Error(failed);
    const id = this.nextId++;
    this.worker.postMessage({ ...msg, id } as GpuRequest);
    return id;
  }

  /** Posts a request whose answer nobody awaits (write, read). */
  postUnawaited(msg: Request): void {
    this.unawaited.set(this.post(msg), { host: msg.host, kind: msg.kind });
  }

  async request(msg: Request): Promise<GpuReply & { ok: true }> {
    const id = this.post(msg);
    const reply = await new Promise<GpuReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (!reply.ok) throw new Error(reply.error);
    return reply;
  }

  /** A new trainer handle; the thread keeps the process alive while any is open. */
  openHost(): number {
    if (this.open++ === 0) this.worker.ref();
    return this.nextHost++;
  }

  closeHost(): void {
    if (--this.open === 0) this.worker.unref();
  }
}

/** Who hears of the failures of the process's GPU thread (each sweep device keeps its own state). */
const failureWatchers = new Set<(why: string) => void>();

/**
 * Calls `watcher` with every failure of a GPU device from now on (lost device, out of memory,
 * validation, the GPU thread dying); returns the function that stops it. The sweep's device
 * (engine/device.ts) watches them to fall back to the CPU.
 */
export function watchGpuFailures(watcher: (why: string) => void): () => void {
  failureWatchers.add(watcher);
  return () => failureWatchers.delete(watcher);
}

function reportGpuFailure(why: string): void {
  for (const w of [...failureWatchers]) w(why);
}

let shared: GpuThread | null = null;

function gpuThread(): GpuThread {
  if (!shared || shared.failure) {
    process.env.EGL_PLATFORM ??= 'surfaceless'; // for Mesa's EGL, read from the C environment by the GPU thread
    shared = new GpuThread(new Worker(distAsset('gpu-thread.js')));
  }
  return shared;
}

export class GpuTrainer implements LockstepTrainer {
  private readonly steps: number[];
  private readonly active: boolean[];
  private readonly hash: string;
  private readonly dims: ModelDims;
  private readonly tensors: TensorSlot[];
  private readonly blockFloats: number;
  /** Examples per component, per model and split (the device returns sums). */
  private readonly counts: { train: number[]; val: number[] }[];

  private closed = false;

  constructor(private readonly spec: LockstepSpec, private readonly thread: GpuThread, private readonly host: number, readonly description: string) {
    this.steps = spec.runs.map(() => 0);
    this.active = spec.runs.map(() => true);
    this.hash = spec.configHash ?? configHash(spec.model);
    this.dims = modelDims(spec.model, spec.dataset);
    ({ tensors: this.tensors, blockFloats: this.blockFloats } = tensorSlots(this.dims));
    const comps = Math.max(1, spec.dataset.componentNames.length);
    const count = (idx: Int32Array): number[] => {
      const c = new Array<number>(comps).fill(0);
      for (const e of idx) c[spec.dataset.component[e]!]!++; // the engine checked e; components < comps
      return c;
    };
    this.counts = spec.runs.map((r) => ({ train: count(r.trainIdx), val: count(r.valIdx) }));
  }

  get modelCount(): number { return this.spec.runs.length; }
  get step(): number { return Math.max(...this.steps); }

  async trainStep(): Promise<void> {
    const jobs = [];
    for (const [i, step] of this.steps.entries()) if (this.active[i]) jobs.push({ model: i, step: step + 1 });
    if (jobs.length) await this.thread.request({ kind: 'train', host: this.host, jobs });
    for (const j of jobs) this.steps[j.model] = j.step;
  }

  /** Resolves once every step so far has run on the device (trainStep returns once a step is queued). */
  async flush(): Promise<void> {
    await this.thread.request({ kind: 'flush', host: this.host });
  }

  async evaluate(): Promise<EvalMetrics[]> {
    const reply = await this.thread.request({ kind: 'evaluate', host: this.host, models: this.spec.runs.map((_, i) => i) });
    return reply.stats!.map((s, i) => this.metrics(i, s));
  }

  private metrics(i: number, s: GpuStats): EvalMetrics {
    const names = this.spec.dataset.componentNames;
    const c = this.counts[i];
    if (c === undefined) throw new Error(`GPU trainer: no model ${i} (of ${this.counts.length})`);
    const mean = (sums: [number, number], count: number): { loss: number; acc: number } =>
      (count === 0 ? { loss: NaN, acc: NaN } : { loss: sums[0] / count, acc: sums[1] / count });
    const total = (parts: [number, number][]): [number, number] => parts.reduce<[number, number]>((a, p) => [a[0] + p[0], a[1] + p[1]], [0, 0]);
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const train = mean(total(s.train), sum(c.train)), val = mean(total(s.val), sum(c.val));
    const norms: Record<string, number> = {};
    this.tensors.forEach((t, k) => {
      const q = s.squares[k];
      if (q === undefined) throw new Error(`GPU trainer: model ${i}: no sum of squares for tensor ${t.name}`);
      norms[t.name] = Math.sqrt(q);
    });
    const out: EvalMetrics = {
      // counts and steps: one per run, so c above proves i.
      step: this.steps[i]!, trainLoss: train.loss, trainAcc: train.acc, valLoss: val.loss, valAcc: val.acc,
      weightNorm: Math.sqrt(sum(s.squares)), norms,
    };
    if (names.length > 1) {
      const part = (sums: [number, number][], counts: number[], k: number): { loss: number; acc: number } => {
        const pair = sums[k], count = counts[k];
        if (pair === undefined || count === undefined) throw new Error(`GPU trainer: model ${i}: no sums for component ${k} "${names[k]}"`);
        return mean(pair, count);
      };
      out.components = Object.fromEntries(names.map((name, k) => [name, { train: part(s.train, c.train, k), val: part(s.val, c.val, k) }]));
    }
    return out;
  }

  deactivate(i: number): void {
    this.checkIndex(i);
    this.active[i] = false;
  }

  saveCheckpoint(i: number): Uint8Array {
    this.checkIndex(i);
    const n = this.blockFloats;
    const sab = new SharedArrayBuffer(READ_HEADER + Math.max(3 * n * 4, 4096));
    const head = new Int32Array(sab, 0, 2);
    this.thread.postUnawaited({ kind: 'read', host: this.host, model: i, sab });
    const start = Date.now();
    while (Atomics.load(head, 0) === READ_PENDING) {
      Atomics.wait(head, 0, READ_PENDING, 1000);
      if (Date.now() - start > READ_TIMEOUT_MS) throw new Error(`GPU thread did not return model ${i}'s checkpoint within ${READ_TIMEOUT_MS / 1000} s`);
    }
    if (Atomics.load(head, 0) !== READ_DONE) {
      throw new Error(`saveCheckpoint(${i}): ${new TextDecoder().decode(new Uint8Array(sab, READ_HEADER, Atomics.load(head, 1)).slice())}`);
    }
    const all = new Float32Array(sab, READ_HEADER, 3 * n);
    const block = (k: number): Map<string, Float32Array> =>
      new Map(this.tensors.map((t) => [t.name, all.slice(k * n + t.offset / 4, k * n + t.offset / 4 + t.size)]));
    return encodeCheckpoint(this.dims, this.tensors, { step: this.steps[i]! /* checkIndex(i) above */, params: block(0), adamM: block(1), adamV: block(2) }, this.hash);
  }

  loadCheckpoint(i: number, bytes: Uint8Array): void {
    this.checkIndex(i);
    const state = decodeCheckpoint(this.dims, this.tensors, bytes);
    const n = this.blockFloats;
    const blocks = new Float32Array(3 * n);
    [state.params, state.adamM, state.adamV].forEach((map, k) => {
      if (map) for (const t of this.tensors) blocks.set(map.get(t.name)!, k * n + t.offset / 4);
    });
    // Queued in order before any later request; a failure surfaces on the next one.
    this.thread.postUnawaited({ kind: 'write', host: this.host, model: i, blocks });
    this.steps[i] = state.step;
  }

  /** Destroys this trainer's device, as a driver reset would: later requests fail with "GPU device lost" (tests). */
  async loseDevice(): Promise<void> {
    await this.thread.request({ kind: 'lose', host: this.host });
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.thread.failure) await this.thread.request({ kind: 'dispose', host: this.host });
    } finally {
      this.thread.closeHost();
    }
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.steps.length) throw new Error(`no model ${i} (of ${this.steps.length})`);
  }
}

/** Set when an 'auto' probe found no GPU: later 'auto' trainers of this process skip the probe. */
let noGpu: string | null = null;

/**
 * A GPU trainer for the spec, or null when `select.pref` is 'auto' and there is no GPU adapter
 * (the caller then uses the CPU engine). With 'gpu' a missing adapter is an error saying what was tried.
 */
export async function createGpuTrainer(spec: LockstepSpec, select: GpuSelect): Promise<GpuTrainer | null> {
  const unsupported = gpuUnsupported(spec);
  if (unsupported) {
    if (select.pref === 'auto') return null;
    throw new Error(`--device gpu: ${unsupported}; use --device cpu (or auto, which trains it on the CPU)`);
  }
  if (select.pref === 'auto' && noGpu !== null) return null;
  const thread = gpuThread();
  const host = thread.openHost();
  let init: GpuInit;
  try {
    init = (await thread.request({ kind: 'init', host, spec, select })).init!;
  } catch (e) {
    thread.closeHost();
    throw e;
  }
  if (init.kind === 'cpu') {
    noGpu = init.reason;
    thread.closeHost();
    return null;
  }
  return new GpuTrainer(spec, thread, host, init.description);
}

/** Model kinds with WGSL kernels (a kind without them trains on the CPU under 'auto'). */
export const GPU_MODEL_KINDS: readonly string[] = ['transformer', 'mlp', 'encoder'];

/** Why the GPU backend cannot train this spec, or null when it can. */
export function gpuUnsupported(spec: LockstepSpec): string | null {
  if (!GPU_MODEL_KINDS.includes(spec.model.kind)) return `the GPU backend has no '${spec.model.kind}' model yet (it has ${GPU_MODEL_KINDS.join(', ')})`;
  return null;
}

/** Which adapter the selection finds (in the GPU thread, without creating a device), and its largest buffer. */
export async function probeGpu(select: GpuSelect): Promise<GpuProbe> {
  const thread = gpuThread();
  const host = thread.openHost();
  try {
    return (await thread.request({ kind: 'probe', host, select })).probe!;
  } finally {
    thread.closeHost();
  }
}
