// The device of one sweep (`grok sweep --device auto|gpu|cpu`): resolved once when the sweep
// starts, it creates every lock-step trainer of the sweep, sizes the batches, and remembers a GPU
// failure so that the runner can resume the unfinished runs from their checkpoints.
//
//   cpu   the CPU engine; Dawn is not loaded.
//   auto  (the default) where Dawn finds a hardware GPU adapter, the faster of the CPU and the GPU
//         as measured on the first lock-step batch (measure.ts: a few steps on each; small models
//         are often faster on the CPU); without an adapter the CPU, saying why. The choice and both
//         timings go to manifest.json (`device`). Software adapters (llvmpipe, SwiftShader) do not
//         count unless allowed (GROK_WEBGPU_ALLOW_SOFTWARE=1). Model kinds without GPU kernels
//         train on the CPU. After a lost device or an out-of-memory error, later batches train on
//         the CPU. Until the choice is made, batches are planned so that either device can take them.
//   gpu   a GPU adapter or a clear error listing what was tried; a model kind without GPU kernels
//         is an error too. A GPU failure fails the batch's runs with its cause; they resume from
//         their checkpoints with `grok resume DIR` (on the GPU, or with --device cpu).
//
// The memory budget: the whole engine memory of a GPU batch is one storage buffer, so a batch is
// never planned larger than the adapter's largest buffer (maxStorageBufferBindingSize and
// maxBufferSize; WebGPU does not tell the size of the GPU's memory), nor than a requested budget;
// each model counts for its GPU memory plan (gpuModelBytes), not the CPU engine's estimate.
import { createTrainer as createCpuTrainer } from './index';
import type { ModelConfig } from '../../config/schema';
import { modelDims } from '../models/dims';
import type { Dataset } from '../tasks/types';
import { measureDevices, type DeviceMeasurement, type MeasureOptions } from './measure';
import type { LockstepSpec, LockstepTrainer, ModelRunSpec } from './types';
import { planWithPartials } from './webgpu/host';
import type { DevicePreference, SelectOptions } from './webgpu/select';
import { createGpuTrainer, gpuUnsupported, probeGpu, watchGpuFailures } from './webgpu/trainer';

export type { DevicePreference };

export interface SweepDevice {
  readonly kind: 'gpu' | 'cpu';
  readonly pref: DevicePreference;
  /** For the user: which device trains, and why (e.g. "GPU: NVIDIA / ..." or "CPU (no GPU adapter: ...)"). */
  readonly description: string;
  /** The GPU adapter (vendor / architecture / device / description), where Dawn found one. */
  readonly adapter?: string;
  /** Stops watching the GPU (the sweep is over). */
  close(): void;
  /** The memory budget of one lock-step batch: the requested one (or the CPU default), capped on a GPU by its largest buffer. */
  batchBudget(requested: number | undefined, cpuDefault: number): number;
  createTrainer(spec: LockstepSpec): Promise<LockstepTrainer>;
  /** Upper bound of one model's share of a GPU batch buffer (see gpuModelBytes). */
  modelBytes(model: ModelConfig, data: Dataset, batchSize: number | null, split?: { train: number; val: number }): number;
  /** The cause of the first GPU failure since the sweep started (lost device, out of memory), or null. */
  readonly failure: string | null;
  /** True when a failure moved this sweep to the CPU ('auto'): the runner resumes the failed runs there. */
  readonly fellBack: boolean;
  /** Under 'auto' with a GPU adapter, until the first batch has been measured on both devices. */
  readonly measuring: boolean;
  /** Under 'auto' with a GPU adapter: what the first batch measured on each device (null until then, and otherwise). */
  readonly measurement: DeviceMeasurement | null;
  /** Calls `listener` once the measured choice is made (the runner records it and says it). */
  onChoice(listener: (m: DeviceMeasurement) => void): void;
}

export interface SweepDeviceOptions extends SelectOptions {
  /** The CPU engine (tests wrap it). */
  cpu?: (spec: LockstepSpec) => Promise<LockstepTrainer>;
  /**
   * How 'auto' measures (steps per device; tests pass clocks), or false: no measuring, 'auto' takes
   * the adapter as soon as there is one (the tests of auto's GPU failure paths use it).
   */
  measure?: MeasureOptions | false;
}

class Device implements SweepDevice {
  /** The first GPU failure since this device was opened (or since its measuring ended): its own state, not the process's. */
  failure: string | null = null;
  private readonly unwatch: () => void;
  /** 'auto' with a GPU adapter, until the first batch has been measured on both devices. */
  private undecided: boolean;
  measurement: DeviceMeasurement | null = null;
  private readonly listeners: Array<(m: DeviceMeasurement) => void> = [];

  constructor(
    private chosen: 'gpu' | 'cpu',
    readonly pref: DevicePreference,
    private said: string,
    private readonly maxBufferBytes: number,
    private readonly options: SweepDeviceOptions,
    readonly adapter?: string,
  ) {
    this.undecided = chosen === 'gpu' && pref === 'auto' && options.measure !== false;
    this.unwatch = chosen === 'gpu' ? watchGpuFailures((why) => { this.failure ??= why; }) : () => undefined;
  }

  close(): void {
    this.unwatch();
  }

  get measuring(): boolean {
    return this.undecided;
  }

  /** While undecided: 'cpu' for planning (the CPU engine's estimate errs high, so the GPU can take its batches too). */
  get kind(): 'gpu' | 'cpu' {
    return this.undecided ? 'cpu' : this.chosen;
  }

  get description(): string {
    return this.undecided ? `the faster of the CPU and ${this.said}, measured on the first batch before it trains` : this.said;
  }

  onChoice(listener: (m: DeviceMeasurement) => void): void {
    this.listeners.push(listener);
  }


  get fellBack(): boolean {
    return this.kind === 'gpu' && this.pref === 'auto' && this.failure !== null;
  }

  batchBudget(requested: number | undefined, cpuDefault: number): number {
    if (this.undecided) return Math.min(requested ?? cpuDefault, this.maxBufferBytes);
    if (this.kind === 'cpu' || this.fellBack) return requested ?? cpuDefault;
    return Math.min(requested ?? this.maxBufferBytes, this.maxBufferBytes);
  }

  modelBytes(model: ModelConfig, data: Dataset, batchSize: number | null, split?: { train: number; val: number }): number {
    return gpuModelBytes(model, data, batchSize, split);
  }

  async createTrainer(spec: LockstepSpec): Promise<LockstepTrainer> {
    const cpu = this.options.cpu ?? createCpuTrainer;
    if (this.pref === 'auto' && gpuUnsupported(spec)) return cpu(spec);
    if (this.undecided) await this.measure(spec);
    if (this.kind === 'cpu' || this.fellBack) return cpu(spec);
    return this.gpuTrainer(spec);
  }

  /** The adapter was found when the sweep started: from here on a missing one is an error. */
  private async gpuTrainer(spec: LockstepSpec): Promise<LockstepTrainer> {
    const gpu = await createGpuTrainer(spec, { pref: 'gpu', attempts: this.options.attempts, allowSoftware: this.options.allowSoftware });
    return gpu!;
  }

  /**
   * The first batch, a few steps on each device (fresh trainers, thrown away: the batch then
   * trains from its start on the chosen one); the faster trains the sweep. A GPU that fails while
   * measured loses, and its failure does not count as the sweep's.
   */
  private async measure(spec: LockstepSpec): Promise<void> {
    const cpu = this.options.cpu ?? createCpuTrainer;
    const m = await measureDevices([
      { device: 'cpu', description: `CPU (${spec.threads ? `${spec.threads} threads` : 'all cores'})`, create: () => cpu(spec) },
      { device: 'gpu', description: this.said, create: () => this.gpuTrainer(spec) },
    ], this.options.measure || {});
    this.failure = null;
    this.undecided = false;
    this.chosen = m.chosen;
    this.measurement = m;
    this.said = m.chosen === 'gpu' ? `${this.said} (the faster on the first batch: ${m.reason})` : `CPU (the faster on the first batch: ${m.reason})`;
    for (const l of this.listeners) l(m);
  }
}

/**
 * An upper bound of the bytes one model adds to a GPU batch (the dataset counted too, so that a
 * batch within the budget always fits): host.ts's memory plan, partial-sum regions included, for
 * the run's split sizes (default: every example in the training set). Much tighter
 * than memory.ts's estimate, which is for the CPU engine and errs high several times over.
 * Memoized per dataset, model and batch size (a sweep asks once per run).
 */
export function gpuModelBytes(model: ModelConfig, data: Dataset, batchSize: number | null, split?: { train: number; val: number }): number {
  let memo = planned.get(data);
  if (!memo) { memo = new Map(); planned.set(data, memo); }
  const train = split?.train ?? data.count, val = split?.val ?? 0;
  const key = JSON.stringify([model, batchSize, train, val]);
  let bytes = memo.get(key);
  if (bytes === undefined) {
    const run: ModelRunSpec = {
      seed: 0, trainIdx: Int32Array.from({ length: train }, (_, i) => i % data.count), valIdx: new Int32Array(val),
      initScale: 1, lr: 0, weightDecay: 0, warmupSteps: 0,
    };
    bytes = planWithPartials(modelDims(model, data), data, [run], batchSize, { betas: [0.9, 0.999], eps: 1e-8 }).bytes;
    memo.set(key, bytes);
  }
  return bytes;
}

const planned = new WeakMap<Dataset, Map<string, number>>();

/** Resolves the preference once for a sweep; with 'gpu' and no adapter, an error that lists what was tried. */
export async function openSweepDevice(pref: DevicePreference, options: SweepDeviceOptions = {}): Promise<SweepDevice> {
  if (pref === 'cpu') return new Device('cpu', pref, 'CPU (--device cpu)', 0, options);
  let probe;
  try {
    probe = await probeGpu({ pref, attempts: options.attempts, allowSoftware: options.allowSoftware });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (pref === 'gpu') throw new Error(why.startsWith('--device gpu') ? why : `--device gpu: ${why}`);
    return new Device('cpu', pref, `CPU (the GPU backend could not start: ${why})`, 0, options);
  }
  if (probe.kind === 'cpu') return new Device('cpu', pref, `CPU (${probe.reason})`, 0, options);
  const soft = probe.software ? ', a software adapter' : '';
  return new Device('gpu', pref, `GPU: ${probe.description} (WebGPU/Dawn${soft}; largest batch buffer ${Math.round(probe.maxBufferBytes / 2 ** 20)} MiB)`,
    probe.maxBufferBytes, options, probe.description);
}
