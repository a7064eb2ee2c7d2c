// The engines' limits, checked before training: the memory one run needs against what a device
// can address, and the compute a whole sweep needs against a sane bound. `grok validate` and
// `grok sweep` hand these checks to the config loader (its ExtraChecks: the config layer may not
// import the engine), so they come out as positioned diagnostics like every config error; the
// extension's diagnostics can pass the same checks. The sweep itself refuses a run that cannot fit
// its device by name, before training (runLimitProblem), instead of dying in the engine.
import { availableParallelism } from 'node:os';
import type { ConfigProblem, PathSegment } from '../config/errors';
import type { RunPlan } from '../config/sweep';
import type { ExperimentConfig } from '../config/schema';
import type { SemanticProblem } from '../config/semantic';
import type { ExtraChecks } from '../config/load';
import { gpuModelBytes } from '../trainer/engine/device';
import { planEngine } from '../trainer/engine/layout';
import { modelDims } from '../trainer/models/dims';
import { buildMemorizationDataset } from '../trainer/tasks/memorization';
import { buildMixtureDataset } from '../trainer/tasks/mixture';
import { buildModularDataset } from '../trainer/tasks/modular';
import { plannedSplitSizes } from '../trainer/tasks/split';
import type { Dataset } from '../trainer/tasks/types';
import { parameterCount } from './memory';

/** wasm32 addresses 4 GiB: the CPU engine's whole memory for a batch (one run at least) must fit in it. */
export const WASM32_BYTES = 2 ** 32;
/**
 * WebGPU's default maxStorageBufferBindingSize (the spec's guaranteed minimum; maxBufferSize's is
 * 256 MiB). The GPU engine binds its whole memory as one storage buffer and requests the adapter's
 * own limits, which on discrete GPUs are far larger; a run above this needs such an adapter.
 */
export const WEBGPU_DEFAULT_BINDING_BYTES = 128 * 2 ** 20;
/**
 * The largest storage buffer we know adapters to bind: Vulkan's maxStorageBufferRange is a
 * 32-bit value, so Dawn on Vulkan (Linux, most of Windows) binds under 4 GiB (Metal may bind more).
 */
export const GPU_MAX_BINDING_BYTES = 2 ** 32;
/**
 * The CPU engine's rate for the compute estimate: bench/ measured 26.5 to 36.1 GFLOP/s per core
 * (relaxed-SIMD kernels, d32 and d128 transformers, 2026-12-03, docs/benchmarks.md).
 */
export const CPU_FLOPS_PER_CORE = 30e9;
/** A sweep that needs longer than this on this machine's cores gets a warning with its ETA. */
export const SANE_SWEEP_SECONDS = 24 * 3600;

export type LimitDevice = 'cpu' | 'gpu' | 'auto';

/**
 * A limit a run (or the sweep) breaks, for people and for editors: the field to change (with the
 * other fields that set the same limit), why, and how to fix it.
 */
export interface LimitDiagnostic {
  severity: 'error' | 'warning';
  /** What kind of limit (diagnostics of one kind at one field collapse into the one of highest `rank`). */
  kind: 'cpu-memory' | 'gpu-memory' | 'gpu-default-limit' | 'compute';
  /** How far over (bytes, seconds): the largest of a kind is shown. */
  rank: number;
  /** The field to point at, e.g. ['model', 'dModel']. */
  path: PathSegment[];
  /** Other fields that set the same limit (when one of them is swept, the diagnostic points at its value). */
  related: PathSegment[][];
  reason: string;
  fix: string;
}

/** As a config problem (loadConfig locates it; a warning stays a warning). */
export function limitProblem(d: LimitDiagnostic): SemanticProblem {
  const p: SemanticProblem = { path: d.path, related: d.related, message: `${d.reason}; ${d.fix}`, collapse: { kind: d.kind, rank: d.rank } };
  if (d.severity === 'warning') p.severity = 'warning';
  return p;
}

/** What one run needs on each engine. */
export interface RunMemory {
  /** The CPU engine's memory for this run alone (wasm32), with `threads` worker lanes. */
  cpu: number;
  /** The GPU engine's memory plan for this run alone (one storage buffer). */
  gpu: number;
  /** One copy of the parameters (weights, gradients and each AdamW moment take one each). */
  paramBytes: number;
  /** Copies of the gradient the CPU engine keeps: one per chunk of rows of a step. */
  gradientCopies: number;
}

/** The memory one run needs, from the engines' own memory plans. */
export function runMemory(config: ExperimentConfig, data: Dataset, split: { train: number; val: number }, threads = 1): RunMemory {
  const { model, training, optimizer } = config;
  const run = {
    seed: 0, trainIdx: new Int32Array(split.train), valIdx: new Int32Array(split.val),
    initScale: 1, lr: 0, weightDecay: 0, warmupSteps: 0,
  };
  const plan = planEngine(modelDims(model, data), data, [run], training.batchSize, { betas: optimizer.betas, eps: optimizer.eps }, threads);
  const [m] = plan.models;
  if (!m) throw new Error('the engine planned no model for a one-run sweep');
  return {
    cpu: plan.bytes,
    gpu: gpuModelBytes(model, data, training.batchSize, split),
    paramBytes: m.blockFloats * 4,
    gradientCopies: m.chunkGrads.length,
  };
}

const MEMORY_FIELDS: PathSegment[][] = [['model', 'dMlp'], ['model', 'layers'], ['training', 'trainSize'], ['training', 'trainFraction'], ['training', 'batchSize'], ['task']];

const gib = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`);

/**
 * Why a run cannot train on `device` (or what it needs there), or null. An error only where it is
 * certain: over wasm32's 4 GiB under --device cpu. Everything else warns: under 'auto' a run the
 * CPU cannot hold trains only on a GPU, and a GPU's limit depends on its adapter.
 */
export function memoryDiagnostic(config: ExperimentConfig, need: RunMemory, device: LimitDevice): LimitDiagnostic | null {
  const m = config.model;
  const fields = `model.dModel ${m.dModel}, model.dMlp ${m.dMlp ?? 4 * m.dModel}, model.layers ${m.layers ?? 1}`;
  const cpuWhy = `needs about ${gib(need.cpu)} on the CPU engine, more than the 4 GiB wasm32 addresses `
    + `(${fields}: ${gib(need.paramBytes)} per copy of the parameters, ${3 + need.gradientCopies} copies: weights, AdamW moments and `
    + `${need.gradientCopies} gradient${need.gradientCopies === 1 ? '' : 's'}, one per 512 rows of a step)`;
  const cpuFix = 'make model.dModel, model.dMlp or model.layers smaller, or set training.batchSize (fewer rows per step, fewer gradient copies)';
  const gpuWhy = `needs about ${gib(need.gpu)} as one GPU buffer (${fields}), more than Vulkan adapters bind (under 4 GiB)`;
  const diag = (severity: LimitDiagnostic['severity'], kind: LimitDiagnostic['kind'], reason: string, fix: string): LimitDiagnostic =>
    ({ severity, kind, rank: kind === 'cpu-memory' ? need.cpu : need.gpu, path: ['model', 'dModel'], related: MEMORY_FIELDS, reason, fix });
  // Over 4 GiB on the CPU is certain (wasm32); over 4 GiB on a GPU is an upper bound of the plan
  // against the adapters we know, so it warns rather than refuses.
  const cpuFits = need.cpu <= WASM32_BYTES, gpuFits = need.gpu < GPU_MAX_BINDING_BYTES;
  switch (device) {
    case 'cpu':
      return cpuFits ? null : diag('error', 'cpu-memory', `this run ${cpuWhy}`, `${cpuFix}; or train it on a GPU (--device gpu, ${gib(need.gpu)} there)`);
    case 'gpu':
      if (!gpuFits) return diag('warning', 'gpu-memory', `this run ${gpuWhy}`, cpuFix);
      if (need.gpu > WEBGPU_DEFAULT_BINDING_BYTES) {
        return diag('warning', 'gpu-default-limit', `this run needs a ${gib(need.gpu)} GPU buffer, over WebGPU's default limit of 128 MiB`,
          'it trains on adapters that grant more (most discrete GPUs; grok sweep prints the "largest batch buffer" it got), else make the model smaller');
      }
      return null;
    case 'auto':
      if (cpuFits) return null;
      if (!gpuFits) return diag('warning', 'gpu-memory', `this run ${cpuWhy}, and ${gpuWhy.replace(/^needs/, 'it needs')}: it will fail on either device`, cpuFix);
      return diag('warning', 'cpu-memory', `this run ${cpuWhy}; only a GPU can train it (${gib(need.gpu)} there)`, `train it with --device gpu, or ${cpuFix}`);
  }
}

/**
 * The dataset of a generated task (modular, memorization, mixture), memoized by task; null for
 * text, whose size is known once its files are read (the sweep checks those runs before training).
 */
function generatedDataset(config: ExperimentConfig, cache: Map<string, Dataset>): Dataset | null {
  const task = config.task;
  if (task.kind === 'text') return null;
  const key = JSON.stringify(task);
  let data = cache.get(key);
  if (!data) {
    // The shape does not depend on the label seed.
    data = task.kind === 'modular' ? buildModularDataset(task) : task.kind === 'memorization' ? buildMemorizationDataset(task, 0) : buildMixtureDataset(task, 0);
    cache.set(key, data);
  }
  return data;
}

/** Per-run memory of a generated task's run (null for text, or a model the engine has no dims for). */
function plannedMemory(config: ExperimentConfig, cache: Map<string, Dataset>, threads = 1): RunMemory | null {
  const data = generatedDataset(config, cache);
  const sizes = data && plannedSplitSizes(config);
  if (!data || !sizes) return null;
  try {
    return runMemory(config, data, sizes, threads);
  } catch {
    return null; // a model the engine cannot build: the config checks name that
  }
}

/** Seconds of the whole machine's cores that a sweep needs, about (see CPU_FLOPS_PER_CORE). */
export interface ComputeEstimate {
  flops: number;
  seconds: number;
  cores: number;
  /** Runs whose task is text (not counted: their size is known once the files are read). */
  uncounted: number;
}

/**
 * The sweep's training compute, about: 6 FLOPs per parameter per example a step (forward and
 * backward), plus 2 per parameter per example of each evaluation over train and validation.
 * Within about 30% of the matrix products the engine counts (bench/engine.ts).
 */
export function estimateCompute(runs: RunPlan[], cores = availableParallelism()): ComputeEstimate {
  const datasets = new Map<string, Dataset>();
  const perRun = new Map<string, number | null>();
  let flops = 0, uncounted = 0;
  for (const run of runs) {
    const c = run.config;
    const key = JSON.stringify([c.task, c.model, c.training]);
    let f = perRun.get(key);
    if (f === undefined) {
      f = runFlops(c, datasets);
      perRun.set(key, f);
    }
    if (f === null) uncounted++;
    else flops += f;
  }
  return { flops, seconds: flops / (CPU_FLOPS_PER_CORE * cores), cores, uncounted };
}

function runFlops(config: ExperimentConfig, datasets: Map<string, Dataset>): number | null {
  const data = generatedDataset(config, datasets);
  const sizes = data && plannedSplitSizes(config);
  if (!data || !sizes) return null;
  let params: number;
  try { params = parameterCount(config.model, data); } catch { return null; }
  const { steps, evalEvery, batchSize } = config.training;
  const rows = batchSize === null ? sizes.train : Math.min(batchSize, sizes.train);
  return steps * 6 * params * rows + Math.ceil(steps / evalEvery) * 2 * params * (sizes.train + sizes.val);
}

/** "66,375 h" / "3.2 days" / "12 min": an ETA for people. */
export function formatEta(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds < 365 * 86400) return `${(seconds / 86400).toFixed(1)} days`;
  return `${Math.round(seconds / 3600).toLocaleString('en-US')} h (${(seconds / (365 * 86400)).toPrecision(3)} years)`;
}

/** A warning when the sweep needs more than SANE_SWEEP_SECONDS of this machine's cores. */
export function computeDiagnostic(config: ExperimentConfig, runs: RunPlan[], estimate = estimateCompute(runs)): LimitDiagnostic | null {
  if (estimate.seconds <= SANE_SWEEP_SECONDS) return null;
  const steps = runs.map((r) => r.config.training.steps);
  const swept = Object.hasOwn(config.sweep, 'training.steps');
  return {
    severity: 'warning',
    kind: 'compute',
    rank: estimate.seconds,
    path: swept ? ['sweep', 'training.steps'] : ['training', 'steps'],
    related: [['sweep']],
    reason: `this sweep needs about ${estimate.flops.toPrecision(2)} FLOPs (${runs.length} run${runs.length === 1 ? '' : 's'}, training.steps up to ${Math.max(...steps)}): `
      + `an ETA of about ${formatEta(estimate.seconds)} on this machine's ${estimate.cores} core${estimate.cores === 1 ? '' : 's'} at ~${CPU_FLOPS_PER_CORE / 1e9} GFLOP/s each`,
    fix: 'lower training.steps (early stopping ends most runs sooner), sweep fewer values, or train on a GPU (--device gpu) or many machines (--queue)',
  };
}

/**
 * The checks `grok validate` and `grok sweep` hand to the config loader, for a device and the CPU
 * engine's thread count (each thread of a lone run gets its own activation buffers; the sweep's
 * default is every core).
 */
export function engineChecks(device: LimitDevice, threads = availableParallelism()): ExtraChecks {
  const datasets = new Map<string, Dataset>();
  return {
    run: (config) => {
      const need = plannedMemory(config, datasets, threads);
      const d = need && memoryDiagnostic(config, need, device);
      return d ? [limitProblem(d)] : [];
    },
    sweep: (config, runs): ConfigProblem[] => {
      const d = computeDiagnostic(config, runs);
      return d ? [limitProblem(d)] : [];
    },
  };
}

/** The memory range of a sweep's runs (generated tasks), for `grok validate`'s summary. */
export function memoryRange(runs: RunPlan[], threads = availableParallelism()): { cpu: [number, number]; gpu: [number, number]; uncounted: number } | null {
  const datasets = new Map<string, Dataset>();
  const seen = new Map<string, RunMemory | null>();
  let cpu: [number, number] = [Infinity, 0], gpu: [number, number] = [Infinity, 0], uncounted = 0;
  for (const run of runs) {
    const key = JSON.stringify([run.config.task, run.config.model, run.config.training]);
    if (!seen.has(key)) seen.set(key, plannedMemory(run.config, datasets, threads));
    const m = seen.get(key);
    if (!m) { uncounted++; continue; }
    cpu = [Math.min(cpu[0], m.cpu), Math.max(cpu[1], m.cpu)];
    gpu = [Math.min(gpu[0], m.gpu), Math.max(gpu[1], m.gpu)];
  }
  return uncounted === runs.length ? null : { cpu, gpu, uncounted };
}

/** For the sweep, before a run trains: why it cannot fit the device it is about to train on, or null. */
export function runLimitProblem(config: ExperimentConfig, data: Dataset, split: { train: number; val: number },
  device: { kind: 'cpu'; threads: number } | { kind: 'gpu'; maxBufferBytes: number }): string | null {
  let need: RunMemory;
  try { need = runMemory(config, data, split, device.kind === 'cpu' ? device.threads : 1); } catch { return null; }
  if (device.kind === 'cpu') {
    const d = memoryDiagnostic(config, need, 'cpu');
    return d && `${d.reason}; ${d.fix}`;
  }
  if (need.gpu <= device.maxBufferBytes) return null;
  return `this run needs about ${gib(need.gpu)} as one GPU buffer, more than this adapter's largest (${gib(device.maxBufferBytes)}); `
    + 'make model.dModel, model.dMlp or model.layers smaller, or train it with --device cpu';
}
