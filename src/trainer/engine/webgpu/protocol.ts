// Messages between GpuTrainers (main side) and the process's GPU thread (thread.ts), which owns
// Dawn and the devices. Requests are handled strictly in order. `read` is answered through shared memory so
// that saveCheckpoint can stay synchronous: the main side blocks on Atomics.wait while the GPU
// thread reads the blocks back.
import type { LockstepSpec } from '../types';
import type { GpuJob, GpuStats } from './host';
import type { AdapterAttempt, DevicePreference } from './select';

export interface GpuSelect { pref: Exclude<DevicePreference, 'cpu'>; attempts?: AdapterAttempt[]; allowSoftware?: boolean }

/** `host` names the trainer's engine in the GPU thread (one thread serves every trainer of the process). */
export type GpuRequest =
  | { id: number; host: number; kind: 'init'; spec: LockstepSpec; select: GpuSelect }
  | { id: number; host: number; kind: 'train'; jobs: GpuJob[] }
  | { id: number; host: number; kind: 'evaluate'; models: number[] }
  | { id: number; host: number; kind: 'write'; model: number; blocks: Float32Array }
  | { id: number; host: number; kind: 'read'; model: number; sab: SharedArrayBuffer }
  | { id: number; host: number; kind: 'flush' }
  /** Destroys the trainer's device, as a driver reset would (tests of device loss). */
  | { id: number; host: number; kind: 'lose' }
  /** Which adapter a selection finds, and its buffer limits; no device is created. */
  | { id: number; host: number; kind: 'probe'; select: GpuSelect }
  | { id: number; host: number; kind: 'dispose' };

export type GpuInit = { kind: 'gpu'; description: string } | { kind: 'cpu'; reason: string };

/** What a probe found: the adapter and the largest engine buffer (bytes) one batch may use on it. */
export type GpuProbe = { kind: 'gpu'; description: string; software: boolean; maxBufferBytes: number } | { kind: 'cpu'; reason: string };

/** `gpu`: the error is the device's (lost, out of memory, validation), not the request's. */
export type GpuReply =
  | { id: number; ok: true; init?: GpuInit; stats?: GpuStats[]; probe?: GpuProbe }
  | { id: number; ok: false; error: string; gpu?: boolean };

/** Shared-memory answer of `read`: [state, byteLength] as i32, then the data (or a UTF-8 error). */
export const READ_HEADER = 8;
export const READ_PENDING = 0, READ_DONE = 1, READ_FAILED = 2;
