// The GPU backend (WebGPU through Dawn) of the lock-step engine.
//
//   createDeviceTrainer(spec, device = 'cpu', options?)  → LockstepTrainer on the chosen device:
//       'cpu': the CPU engine's createTrainer; 'gpu': the GPU backend, or an error that says which
//       adapters were tried; 'auto': the GPU when a hardware adapter is present, else the CPU.
//   createGpuTrainer(spec, select)     → the GPU trainer, or null ('auto' without a GPU).
//   selectDevice(pref, options)        → which device a preference resolves to (see select.ts).
//
// Design (details in the files):
//   wgsl.ts      kernels with a leading model dimension: workgroup_id.z picks the model's row of an
//                argument table, so one dispatch per op covers every model of a lock-step batch.
//   recorder.ts  the engine's Kernels (and EncoderKernels) interface, recording calls; the models
//                (transformer.ts, mlp.ts, encoder.ts) run unchanged against it, once per model per step.
//   program.ts   merges the k-th call of every model into one dispatch (split-K reductions for
//                weight gradients and column sums, deterministic, no atomics).
//   layout.ts    the device memory plan (full batch in one pass, stats and partial-sum regions).
//   host.ts      the device-side engine: train step = one submission; evaluate = one submission
//                plus a read-back of a few floats per model; checkpoints read one model's blocks.
//   gpu.ts       device, buffers, pipelines; device loss and out-of-memory reported with cause.
//   thread.ts    the device runs in a worker thread, so saveCheckpoint can stay synchronous.
//   trainer.ts   the LockstepTrainer (main side).
import { createTrainer } from '../index';
import type { LockstepSpec, LockstepTrainer } from '../types';
import { createGpuTrainer, GpuTrainer } from './trainer';
import type { DevicePreference, SelectOptions } from './select';

export { selectDevice, loadDawn, DEFAULT_ATTEMPTS, OPENGLES_ATTEMPT, type DevicePreference, type DeviceChoice, type SelectOptions, type AdapterAttempt } from './select';
export { createGpuTrainer, GpuTrainer } from './trainer';

/** A trainer on the preferred device (isGpuTrainer tells which; a GpuTrainer names its adapter in `description`). */
export async function createDeviceTrainer(spec: LockstepSpec, device: DevicePreference = 'cpu', options: SelectOptions = {}): Promise<LockstepTrainer> {
  if (device !== 'cpu') {
    const gpu = await createGpuTrainer(spec, { pref: device, ...options });
    if (gpu) return gpu;
  }
  return createTrainer(spec);
}

export function isGpuTrainer(t: LockstepTrainer): t is GpuTrainer {
  return t instanceof GpuTrainer;
}
