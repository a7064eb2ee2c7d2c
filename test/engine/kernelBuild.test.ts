// Which kernel build a process trains with: relaxed SIMD (FMA) where the WebAssembly engine has it,
// else the plain-SIMD fallback; GROK_KERNELS forces one. Each case runs in a fresh process, since the
// choice is made once per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
const PROBE = `
const { kernelBuild, kernelModule } = require('./src/trainer/engine/wasm');
const b = kernelBuild();
kernelModule().then(() => console.log(JSON.stringify(b)));
`;

function buildIn(env: NodeJS.ProcessEnv): { name: string; fma: string | null; reason: string } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=commonjs', '-e', PROBE], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('relaxed SIMD is detected (on Node 20 through the V8 flag) and its FMA probed', () => {
  const b = buildIn({ GROK_KERNELS: '' });
  assert.equal(b.name, 'relaxed-simd');
  assert.ok(b.fma === 'fused' || b.fma === 'unfused', `fma: ${b.fma}`);
});

test('GROK_KERNELS=simd selects the plain-SIMD fallback (no FMA), and a bad value is refused by name', () => {
  const b = buildIn({ GROK_KERNELS: 'simd' });
  assert.deepEqual({ name: b.name, fma: b.fma }, { name: 'simd', fma: null });
  assert.throws(() => buildIn({ GROK_KERNELS: 'avx512' }), /GROK_KERNELS=avx512: expected simd or relaxed-simd/);
});
