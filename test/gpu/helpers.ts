// The GPU tests run on whatever adapter Dawn's OpenGL ES backend offers: Mesa llvmpipe on a
// GPU-less CI machine. Without the `webgpu` package or Mesa's EGL/GLES they skip, saying why.
import type { TestContext } from 'node:test';
import { OPENGLES_ATTEMPT, selectDevice, type AdapterAttempt } from '../../src/trainer/engine/webgpu/select';

/** The backend the GPU tests use (GROK_WEBGPU_BACKEND=vulkan on a machine with a GPU). */
export function testAttempt(): AdapterAttempt {
  const backend = process.env.GROK_WEBGPU_BACKEND;
  if (!backend) return OPENGLES_ATTEMPT;
  const compat = backend === 'opengles' || backend === 'opengl';
  return { label: `Dawn ${backend}`, flags: [`backend=${backend}`], featureLevel: compat ? 'compatibility' : 'core' };
}

/** A fresh adapter for the tests (an adapter makes one device), or the reason there is none. */
export function testAdapter(): Promise<GPUAdapter | string> {
  return selectDevice('gpu', { attempts: [testAttempt()], allowSoftware: true }).then(
    (c) => (c.kind === 'gpu' ? c.adapter : c.reason),
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
}

/** The adapter, or skips the test with the reason. */
export async function adapterOrSkip(t: TestContext): Promise<GPUAdapter | null> {
  const a = await testAdapter();
  if (typeof a === 'string') { t.skip(`no WebGPU adapter: ${a}`); return null; }
  return a;
}
