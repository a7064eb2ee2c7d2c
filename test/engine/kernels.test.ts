// The matrix-product kernels against naive float64 products, on shapes that cross every tile edge
// (4×8 tiles, 4-wide and scalar tails, the 64-row blocks of Aᵀ·B), with and without accumulation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSharedMemory, instantiateKernels, kernelModule, RESERVED_BYTES, type KernelBuildName } from '../../src/trainer/engine/wasm';
import { Rng } from '../../src/util/rng';

async function setup(build?: KernelBuildName): Promise<{ k: ReturnType<typeof instantiateKernels>['kernels']; f32: Float32Array }> {
  const memory = createSharedMemory(RESERVED_BYTES + (1 << 23));
  return { k: instantiateKernels(await kernelModule(build), memory).kernels, f32: new Float32Array(memory.buffer) };
}

function fill(f32: Float32Array, at: number, n: number, rng: Rng): Float64Array {
  const v = Float64Array.from({ length: n }, () => rng.normal());
  f32.set(v, at >> 2);
  return Float64Array.from(f32.subarray(at >> 2, (at >> 2) + n));
}

function close(f32: Float32Array, at: number, want: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const got = f32[(at >> 2) + i]!, wanted = want[i]!;
    assert.ok(Math.abs(got - wanted) <= 1e-4 * (1 + Math.abs(wanted)), `${what}[${i}]: ${got} vs ${wanted}`);
  }
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 8], [13, 9, 21], [150, 37, 19], [70, 12, 97], [18, 16, 8], [33, 64, 45]];
const A = RESERVED_BYTES, B = A + (1 << 20), C = B + (1 << 20), T = C + (1 << 20), C2 = T + (1 << 20);

// Both kernel builds: relaxed SIMD (FMA) and the plain-SIMD fallback.
for (const build of ['relaxed-simd', 'simd'] as const) test(`${build}: matmul, matmulTN and matmulNT match naive products; packed matmul is bitwise the unpacked one`, async () => {
  const { k, f32 } = await setup(build);
  const rng = new Rng(5);
  for (const [m, kk, n] of SHAPES) {
    for (const acc of [false, true]) {
      // C[m,n] (+)= A[m,k]·B[k,n]
      let a = fill(f32, A, m * kk, rng), b = fill(f32, B, kk * n, rng), c = fill(f32, C, m * n, rng);
      let want = Float64Array.from({ length: m * n }, (_, x) => {
        const i = Math.floor(x / n), j = x % n;
        let s = acc ? c[x]! : 0;
        for (let p = 0; p < kk; p++) s += a[i * kk + p]! * b[p * n + j]!;
        return s;
      });
      f32.copyWithin(C2 >> 2, C >> 2, (C >> 2) + m * n);
      k.matmul(A, B, C, m, kk, n, acc);
      close(f32, C, want, `matmul ${m}x${kk}x${n}`);
      // with B packed into panels (T): the same chains, so the same bits
      k.matmul(A, B, C2, m, kk, n, acc, T);
      assert.deepEqual(f32.subarray(C2 >> 2, (C2 >> 2) + m * n), f32.subarray(C >> 2, (C >> 2) + m * n), `packed matmul ${m}x${kk}x${n}`);
      // C[k,n] (+)= A[m,k]ᵀ·B[m,n]
      a = fill(f32, A, m * kk, rng); b = fill(f32, B, m * n, rng); c = fill(f32, C, kk * n, rng);
      want = Float64Array.from({ length: kk * n }, (_, x) => {
        const i = Math.floor(x / n), j = x % n;
        let s = acc ? c[x]! : 0;
        for (let r = 0; r < m; r++) s += a[r * kk + i]! * b[r * n + j]!;
        return s;
      });
      k.matmulTN(A, B, C, m, kk, n, acc);
      close(f32, C, want, `matmulTN ${m}x${kk}x${n}`);
      // C[m,k] (+)= A[m,n]·B[k,n]ᵀ
      a = fill(f32, A, m * n, rng); b = fill(f32, B, kk * n, rng); c = fill(f32, C, m * kk, rng);
      want = Float64Array.from({ length: m * kk }, (_, x) => {
        const i = Math.floor(x / kk), j = x % kk;
        let s = acc ? c[x]! : 0;
        for (let p = 0; p < n; p++) s += a[i * n + p]! * b[j * n + p]!;
        return s;
      });
      k.matmulNT(A, B, C, m, n, kk, acc, T);
      close(f32, C, want, `matmulNT ${m}x${n}x${kk}`);
    }
  }
});

test('AdamW kernel follows the PyTorch update', async () => {
  const { k, f32 } = await setup();
  const rng = new Rng(6);
  const n = 12, lr = 0.01, wd = 0.5, b1 = 0.9, b2 = 0.98, eps = 1e-8;
  const p = fill(f32, A, n, rng), g = fill(f32, B, n, rng), m0 = fill(f32, C, n, rng), v0 = fill(f32, T, n, rng).map((x) => x * x);
  f32.set(v0, T >> 2);
  const t = 3;
  k.adamw(A, B, C, T, n, lr, wd, b1, b2, eps, t);
  for (let i = 0; i < n; i++) { // every array here has n entries
    const m = b1 * m0[i]! + (1 - b1) * g[i]!, v = b2 * v0[i]! + (1 - b2) * g[i]! ** 2;
    const want = p[i]! * (1 - lr * wd) - lr * (m / (1 - b1 ** t)) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
    assert.ok(Math.abs(f32[(A >> 2) + i]! - want) < 1e-6, `p[${i}]`);
    assert.ok(Math.abs(f32[(C >> 2) + i]! - m) < 1e-6 && Math.abs(f32[(T >> 2) + i]! - v) < 1e-6, `state[${i}]`);
  }
});

test('softmax cross-entropy: gradients are the softmax minus one-hot, with probabilities below 2^-64 exactly 0 (never subnormal)', async () => {
  const { k, f32 } = await setup();
  const i32 = new Int32Array(f32.buffer);
  const c = 6, rows = 2, scale = 1 / 600;
  const logits = [[0, 1, 2, 0.5, -1, 3], [120, 0, 30, 119, -60, 5]]; // row 2: classes far below the max
  f32.set(logits.flat(), A >> 2);
  i32.set([1, 0], B >> 2); // labels, indexed through idx = [0, 1]
  i32.set([0, 1], C >> 2);
  k.softmaxCrossEntropy(A, B, C, rows, c, A, scale, T, T + 64);
  logits.forEach((row, i) => {
    const mx = Math.max(...row), z = row.reduce((s, v) => s + Math.exp(v - mx), 0);
    row.forEach((v, j) => {
      const p = Math.exp(v - mx) / z, got = f32[(A >> 2) + i * c + j]!;
      const want = (p < 2 ** -64 ? 0 : p) * scale - (j === [1, 0][i] ? scale : 0);
      assert.ok(Math.abs(got - want) <= 1e-6 * scale, `dlogits[${i},${j}]: ${got} vs ${want}`);
      assert.ok(got === 0 || Math.abs(got) >= 2 ** -126, `dlogits[${i},${j}] = ${got} is subnormal`);
    });
  });
  assert.equal(f32[(A >> 2) + c + 4], 0);
  assert.equal(f32[(A >> 2) + c + 2], 0); // p = e^-90
});
