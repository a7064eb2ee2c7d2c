// The WASM-SIMD backend: dist/kernels.wasm (compiled from ./assembly) over a shared memory.
// The module is compiled once per process; each thread instantiates it on the same memory.
import { readFileSync } from 'node:fs';
import { distAsset } from '../../util/assets';
import type { Backend, Kernels } from './backend';

const PAGE = 65536;
/** The kernels' own static data (math tables) lives below this; arenas start here. */
export const RESERVED_BYTES = PAGE;

let compiled: Promise<WebAssembly.Module> | null = null;

export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(readFileSync(distAsset('kernels.wasm')));
  return compiled;
}

/** A shared memory of at least `bytes` bytes (it never grows: views stay valid). */
export function createSharedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / PAGE);
  if (pages > 65536) throw new Error(`engine needs ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB of wasm32`);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Backend {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { kernels: instance.exports as unknown as Kernels, memory };
}
