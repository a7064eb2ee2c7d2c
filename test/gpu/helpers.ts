// The GPU tests run on whatever adapter Dawn's OpenGL ES backend offers: Mesa llvmpipe on a
// GPU-less CI machine. Without the `webgpu` package or Mesa's EGL/GLES they skip, saying why.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelConfig } from '../../src/config/schema';
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

/**
 * Where Dawn finds no adapter the GPU tests skip, saying why and what a Debian/Ubuntu machine needs;
 * with GROK_REQUIRE_GPU_TESTS=1 (CI) they fail instead, so that a broken setup cannot pass silently.
 */
export function skipWithoutAdapter(t: Pick<TestContext, 'skip'>, reason: string): void {
  if (process.env.GROK_REQUIRE_GPU_TESTS === '1') assert.fail(`GROK_REQUIRE_GPU_TESTS=1 but no WebGPU adapter (what CI needs: docs/gpu.md): ${reason}`);
  t.skip(`GPU tests skipped, no WebGPU adapter (what CI needs: docs/gpu.md): ${reason}`);
}

/** The adapter, or skips the test with the reason. */
export async function adapterOrSkip(t: TestContext): Promise<GPUAdapter | null> {
  const a = await testAdapter();
  if (typeof a === 'string') { skipWithoutAdapter(t, a); return null; }
  return a;
}

export const TOL = 1e-4;

/**
 * max |got − want| ≤ TOL · max(max |want|, floor): relative to the tensor's scale, or to `floor` for
 * a tensor that is zero in exact arithmetic and holds only rounding noise (the key bias's gradient:
 * softmax ignores a shift shared by all scores), whose own scale means nothing.
 */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, floor = 0): number {
  assert.equal(got.length, want.length, `${what}: length`);
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!; // i < both lengths, checked equal above
    assert.ok(Number.isFinite(g), `${what}[${i}] = ${g}`);
    err = Math.max(err, Math.abs(g - w));
    scale = Math.max(scale, Math.abs(w));
  }
  scale = Math.max(scale, floor);
  assert.ok(err <= TOL * scale, `${what}: max error ${err.toExponential(2)} > ${TOL} × ${scale.toExponential(2)}`);
  return scale === 0 ? 0 : err / scale;
}

export const KINDS: [string, Partial<ModelConfig>][] = [
  ...(['none', 'pre', 'post'] as const).flatMap((layerNorm) => (['relu', 'gelu'] as const).map((activation): [string, Partial<ModelConfig>] =>
    [`transformer ln=${layerNorm} ${activation}`, { kind: 'transformer', layerNorm, activation, dModel: 12, heads: 3, dMlp: 20 }])),
  ...(['relu', 'gelu'] as const).map((activation): [string, Partial<ModelConfig>] => [`mlp ${activation}`, { kind: 'mlp', activation, dModel: 6, dMlp: 40 }]),
];

/** Deeper models (2 and 4 decoder blocks or hidden layers), as in the parity suite's depth cases. */
export const DEPTH_KINDS: [string, Partial<ModelConfig>][] = [
  ...([[2, 'none', 'relu'], [2, 'pre', 'gelu'], [2, 'post', 'gelu'], [4, 'pre', 'gelu'], [4, 'post', 'relu'], [4, 'none', 'gelu']] as const).map(
    ([layers, layerNorm, activation]): [string, Partial<ModelConfig>] =>
      [`transformer ${layers} layers ln=${layerNorm} ${activation}`, { kind: 'transformer', layers, layerNorm, activation, dModel: 12, heads: 3, dMlp: 20 }]),
  ['mlp 2 layers relu', { kind: 'mlp', layers: 2, activation: 'relu', dModel: 6, dMlp: 40 }],
  ['mlp 4 layers gelu', { kind: 'mlp', layers: 4, activation: 'gelu', dModel: 6, dMlp: 40 }],
];

/** The models of the parity suite's depth cases (scripts/parity-run.ts), at their sizes. */
export const PARITY_DEPTH_KINDS: [string, Partial<ModelConfig>][] = [
  ['parity depth2-d32', { kind: 'transformer', dModel: 32, heads: 4, layers: 2, initStd: 1 / Math.sqrt(32) }],
  ['parity depth2-pre-gelu', { kind: 'transformer', dModel: 32, heads: 4, layers: 2, layerNorm: 'pre', activation: 'gelu', initStd: 0.02 }],
  ['parity depth4-post-gelu', { kind: 'transformer', dModel: 32, heads: 2, layers: 4, layerNorm: 'post', activation: 'gelu', dMlp: 96 }],
  ['parity depth4-pre-relu', { kind: 'transformer', dModel: 32, heads: 4, layers: 4, layerNorm: 'pre', initStd: 1 / Math.sqrt(32) }],
  ['parity mlp-depth2-relu', { kind: 'mlp', dModel: 32, dMlp: 64, layers: 2 }],
  ['parity mlp-depth4-gelu', { kind: 'mlp', dModel: 16, dMlp: 64, layers: 4, activation: 'gelu' }],
];

/** The text encoder (padded sequences, key padding mask): LayerNorm × activation × pooling, a covering subset. */
export const ENCODER_KINDS: [string, Partial<ModelConfig>][] = ([
  ['post', 'gelu', 'cls'], ['post', 'relu', 'mean'], ['pre', 'gelu', 'mean'], ['pre', 'relu', 'cls'], ['none', 'gelu', 'cls'], ['none', 'relu', 'mean'],
] as const).map(([layerNorm, activation, pooling]): [string, Partial<ModelConfig>] =>
  [`encoder ln=${layerNorm} ${activation} ${pooling}`, { kind: 'encoder', layerNorm, activation, pooling, dModel: 12, heads: 3, dMlp: 20 }]);

/** assertClose's floor for the tensors of one gradient block: 1e-3 × its largest value. */
export function noiseFloor(tensors: Iterable<ArrayLike<number>>): number {
  let m = 0;
  for (const t of tensors) for (let i = 0; i < t.length; i++) m = Math.max(m, Math.abs(t[i]!));
  return 1e-3 * m;
}
