// The WASM-SIMD backend: the kernels (compiled from ./assembly) over a shared memory.
// Two builds of the same source: dist/kernels-relaxed.wasm uses relaxed SIMD (f32x4.relaxed_madd,
// a fused multiply-add where the CPU has one), dist/kernels.wasm plain SIMD (mul, then add). The
// relaxed build runs where the WebAssembly engine has relaxed SIMD (Node >= 22, VS Code's Electron;
// Node 20 behind a V8 flag, which kernelBuild() turns on), else the plain one. One process uses one
// build for every thread, so results are bitwise identical across thread counts for that build
// (and CPU: relaxed_madd may round once or twice, which kernelBuild() records as `fma`).
// The module is compiled once per process; each thread instantiates it on the same memory.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { distAsset } from '../../util/assets';
import type { Backend, Kernels } from './backend';

const PAGE = 65536;
/** The kernels' own static data (math tables) lives below this; arenas start here. */
export const RESERVED_BYTES = PAGE;

export type KernelBuildName = 'relaxed-simd' | 'simd';

export interface KernelBuild {
  name: KernelBuildName;
  /** Whether relaxed_madd rounds once (fused) on this CPU; null for the plain build (no FMA). */
  fma: 'fused' | 'unfused' | null;
  /** Why this build: chosen by detection, or forced by GROK_KERNELS. */
  reason: string;
}

const FILES: Record<KernelBuildName, string> = { 'relaxed-simd': 'kernels-relaxed.wasm', simd: 'kernels.wasm' };
const bytesOf = new Map<KernelBuildName, Buffer>();
function kernelBytes(name: KernelBuildName): Buffer {
  let b = bytesOf.get(name);
  if (!b) { b = readFileSync(distAsset(FILES[name])); bytesOf.set(name, b); }
  return b;
}

/**
 * Whether this process can run the relaxed build. Node 20's V8 (11.3) has relaxed SIMD behind
 * --experimental-wasm-relaxed-simd; V8 reads it when a module is validated or compiled, so setting it
 * here (before any kernel is compiled) is enough, for the worker threads too (V8 flags are per process).
 */
export function relaxedSimdAvailable(): boolean {
  const bytes = kernelBytes('relaxed-simd');
  if (WebAssembly.validate(bytes)) return true;
  try { setFlagsFromString('--experimental-wasm-relaxed-simd'); } catch { return false; }
  return WebAssembly.validate(bytes);
}

/** Instantiates the relaxed build on a scratch memory and asks whether relaxed_madd is fused. */
function probeFma(): 'fused' | 'unfused' {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const { fmaProbe } = new WebAssembly.Instance(new WebAssembly.Module(kernelBytes('relaxed-simd')), { env: { memory } }).exports as { fmaProbe: () => number };
  return fmaProbe() === 1 ? 'fused' : 'unfused';
}

function describe(name: KernelBuildName, reason: string): KernelBuild {
  return { name, fma: name === 'relaxed-simd' ? probeFma() : null, reason };
}

let chosen: KernelBuild | null = null;

/**
 * The kernel build this process trains with: relaxed SIMD where available, else plain SIMD.
 * GROK_KERNELS=simd forces the plain build (GROK_KERNELS=relaxed-simd insists on the relaxed one).
 */
export function kernelBuild(): KernelBuild {
  if (chosen) return chosen;
  const forced = process.env.GROK_KERNELS;
  if (forced !== undefined && forced !== '' && forced !== 'simd' && forced !== 'relaxed-simd') {
    throw new Error(`GROK_KERNELS=${forced}: expected simd or relaxed-simd`);
  }
  if (forced === 'simd') chosen = describe('simd', 'GROK_KERNELS=simd');
  else if (relaxedSimdAvailable()) chosen = describe('relaxed-simd', forced ? 'GROK_KERNELS=relaxed-simd' : 'relaxed SIMD available');
  else if (forced === 'relaxed-simd') throw new Error(`GROK_KERNELS=relaxed-simd: this WebAssembly engine (V8 ${process.versions.v8}) has no relaxed SIMD`);
  else chosen = describe('simd', `no relaxed SIMD in V8 ${process.versions.v8}`);
  return chosen;
}

/** A short description, for logs: e.g. "relaxed-SIMD kernels (relaxed_madd fused)". Never throws. */
export function describeKernelBuild(): string {
  let b: KernelBuild;
  try { b = kernelBuild(); } catch (e) { return `no kernels (${e instanceof Error ? e.message : String(e)})`; }
  return b.name === 'relaxed-simd' ? `relaxed-SIMD kernels (relaxed_madd ${b.fma})` : `plain-SIMD kernels (${b.reason})`;
}

const compiled = new Map<KernelBuildName, Promise<WebAssembly.Module>>();

/** The compiled kernels of a build (default: this process's kernelBuild()). */
export function kernelModule(name: KernelBuildName = kernelBuild().name): Promise<WebAssembly.Module> {
  if (name === 'relaxed-simd' && !relaxedSimdAvailable()) throw new Error(`relaxed-SIMD kernels: this WebAssembly engine (V8 ${process.versions.v8}) has no relaxed SIMD`);
  let m = compiled.get(name);
  if (!m) { m = WebAssembly.compile(kernelBytes(name)); compiled.set(name, m); }
  return m;
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
