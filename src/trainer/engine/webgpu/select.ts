/// <reference types="@webgpu/types" />
// Device selection. Dawn comes from the optional `webgpu` npm package (a prebuilt dawn.node), loaded
// lazily so that the CPU engine works where it is not installed.
//
//   selectDevice('cpu')  → cpu, without loading Dawn.
//   selectDevice('auto') → a hardware GPU adapter if Dawn finds one, else cpu (with the reason).
//   selectDevice('gpu')  → a GPU adapter, or an error that lists every attempt and its outcome.
// Software rasterizers (Mesa llvmpipe, lavapipe, SwiftShader) count as "no GPU" unless
// allowSoftware is set (or GROK_WEBGPU_ALLOW_SOFTWARE=1): they compute correctly but slower than
// the CPU engine; the tests use them for correctness.

import { dawnModule, platformPackageName, universalPackageReason } from './dawnPath';
import { alive } from './gpu';

export type DevicePreference = 'auto' | 'gpu' | 'cpu';

/** One way of asking Dawn for an adapter. */
export interface AdapterAttempt {
  label: string;
  /** Dawn toggles for create(), e.g. ['backend=opengles']. */
  flags: string[];
  featureLevel: 'core' | 'compatibility';
}

export interface SelectOptions {
  /** Default: DEFAULT_ATTEMPTS, or GROK_WEBGPU_BACKEND=<dawn backend> for that one backend. */
  attempts?: AdapterAttempt[];
  allowSoftware?: boolean;
}

export type DeviceChoice =
  | { kind: 'gpu'; adapter: GPUAdapter; description: string; software: boolean; attempt: AdapterAttempt; tried: string[] }
  | { kind: 'cpu'; reason: string; tried: string[] };

/** The adapter of the CI tests: Dawn's OpenGL ES backend (Mesa llvmpipe on a GPU-less machine). */
export const OPENGLES_ATTEMPT: AdapterAttempt = { label: 'Dawn OpenGL ES backend, compatibility', flags: ['backend=opengles'], featureLevel: 'compatibility' };

export const DEFAULT_ATTEMPTS: AdapterAttempt[] = [
  { label: 'Dawn default backend (Vulkan/Metal/D3D12), core', flags: [], featureLevel: 'core' },
  OPENGLES_ATTEMPT,
];

interface DawnModule { create(flags: string[]): GPU; globals: object }

let dawn: Promise<DawnModule> | null = null;

/**
 * One Dawn instance per set of flags, kept for the life of the thread: a collected instance tears
 * down process-wide state (Mesa's EGL display) under the others, which then crash.
 */
const instances = new Map<string, GPU>();

function instance(mod: DawnModule, flags: string[]): GPU {
  const key = flags.join(' ');
  let gpu = instances.get(key);
  if (!gpu) { gpu = mod.create(flags); instances.set(key, gpu); }
  return gpu;
}

/**
 * Loads Dawn once (an installed platform package's own dawn/, else the `webgpu` package; see
 * dawnPath.ts); a clear error if it is not there or cannot load.
 */
export function loadDawn(): Promise<DawnModule> {
  // Mesa's EGL needs a platform when there is no display; it reads the real environment, so this
  // must be set before dawn.node loads (in the main thread it reaches the C environment).
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const universal = universalPackageReason();
  if (universal) return Promise.reject(new Error(universal));
  const from = dawnModule();
  dawn ??= import(from).then(
    (m) => (m as unknown as { default?: DawnModule }).default ?? (m as unknown as DawnModule),
    (e: unknown) => {
      dawn = null;
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(from === 'webgpu'
        ? `the GPU backend needs the optional npm package \`webgpu\` (Dawn), which could not be loaded: ${why}. Install it with \`npm install webgpu@0.6.2\`, or use --device cpu.`
        : `this package's Dawn (${from}) could not be loaded: ${why}. Is it the package for this machine (${platformPackageName()})? Or use --device cpu.`);
    },
  );
  return dawn;
}

function envAttempts(): AdapterAttempt[] | null {
  const backend = process.env.GROK_WEBGPU_BACKEND;
  if (!backend) return null;
  const compat = backend === 'opengles' || backend === 'opengl';
  return [{ label: `Dawn ${backend} backend (GROK_WEBGPU_BACKEND)`, flags: [`backend=${backend}`], featureLevel: compat ? 'compatibility' : 'core' }];
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

export function describeAdapter(a: GPUAdapter): { description: string; software: boolean } {
  const info = a.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  const description = parts.join(' / ') || 'unnamed adapter';
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { description, software: fallback || SOFTWARE.test(description) };
}

/**
 * Why Dawn's OpenGL ES backend finds nothing on Linux, usually: it dlopens the unversioned
 * `libEGL.so` (Debian's libegl-dev, not libegl1), and needs Mesa's EGL vendor and llvmpipe.
 */
function noAdapterHint(attempt: AdapterAttempt): string {
  if (process.platform !== 'linux' || !attempt.flags.includes('backend=opengles')) return '';
  return ' (this backend loads libEGL.so and Mesa: on Debian/Ubuntu apt-get install libegl-dev libegl-mesa0 libgl1-mesa-dri)';
}

/** Tries each attempt in order; see the header for the rules. */
export async function selectDevice(pref: DevicePreference, options: SelectOptions = {}): Promise<DeviceChoice> {
  if (pref === 'cpu') return { kind: 'cpu', reason: 'cpu requested', tried: [] };
  const allowSoftware = options.allowSoftware ?? process.env.GROK_WEBGPU_ALLOW_SOFTWARE === '1';
  const attempts = options.attempts ?? envAttempts() ?? DEFAULT_ATTEMPTS;
  const tried: string[] = [];
  let mod: DawnModule;
  try {
    mod = await loadDawn();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (pref === 'gpu') throw new Error(`--device gpu: ${reason}`);
    return { kind: 'cpu', reason, tried: ['load the webgpu package: failed'] };
  }
  Object.assign(globalThis, mod.globals);
  for (const attempt of attempts) {
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await alive(instance(mod, attempt.flags).requestAdapter({ featureLevel: attempt.featureLevel, powerPreference: 'high-performance' }));
    } catch (e) {
      tried.push(`${attempt.label}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!adapter) { tried.push(`${attempt.label}: no adapter${noAdapterHint(attempt)}`); continue; }
    const { description, software } = describeAdapter(adapter);
    if (/null-backend/.test(description)) { tried.push(`${attempt.label}: Dawn's null backend (computes nothing), not used`); continue; }
    if (software && !allowSoftware) { tried.push(`${attempt.label}: only a software adapter (${description}), not used`); continue; }
    tried.push(`${attempt.label}: ${description}`);
    return { kind: 'gpu', adapter, description, software, attempt, tried };
  }
  const reason = `no GPU adapter (tried: ${tried.join('; ')})`;
  if (pref === 'gpu') {
    throw new Error(`--device gpu: ${reason}. A software adapter can be allowed with GROK_WEBGPU_ALLOW_SOFTWARE=1; or use --device cpu.`);
  }
  return { kind: 'cpu', reason, tried };
}
