// Messages between a GpuTrainer (main side) and its GPU thread (thread.ts), which owns the Dawn
// device. Requests are handled strictly in order. `read` is answered through shared memory so
// that saveCheckpoint can stay synchronous: the main side blocks on Atomics.wait while the GPU
// thread reads the blocks back.
import type { LockstepSpec } from '../types';
import type { GpuJob, GpuStats } from './host';
import type { AdapterAttempt, DevicePreference } from './select';

export interface GpuSelect { pref: Exclude<DevicePreference, 'cpu'>; attempts?: AdapterAttempt[]; allowSoftware?: boolean }

export type GpuRequest =
  | { id: number; kind: 'init'; spec: LockstepSpec; select: GpuSelect }
  | { id: number; kind: 'train'; jobs: GpuJob[] }
  | { id: number; kind: 'evaluate'; models: number[] }
  | { id: number; kind: 'write'; model: number; blocks: Float32Array }
  | { id: number; kind: 'read'; model: number; sab: SharedArrayBuffer }
  | { id: number; kind: 'dispose' };

export type GpuInit = { kind: 'gpu'; description: string } | { kind: 'cpu'; reason: string };

export type GpuReply =
  | { id: number; ok: true; init?: GpuInit; stats?: GpuStats[] }
  | { id: number; ok: false; error: string };

/** Shared-memory answer of `read`: [state, byteLength] as i32, then the data (or a UTF-8 error). */
export const READ_HEADER = 8;
export const READ_PENDING = 0, READ_DONE = 1, READ_FAILED = 2;
