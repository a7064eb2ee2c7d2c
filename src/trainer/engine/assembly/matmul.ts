// Matrix products over row-major f32 matrices, addressed by byte offsets into the shared memory.
// Each uses a 4×8 register tile (8 f32x4 accumulators) and falls back to narrower tiles at the
// edges, so any shape works (97 classes, odd widths). The summation order depends only on the
// shapes, so results are bitwise reproducible.
// The A operand is broadcast with v128.load32_splat (a broadcast load, no shuffle on the FP pipes,
// which the multiplies and adds need): the same values, about 20% faster than splat(load) on Zen 3.

@inline function rowPtr(base: usize, row: usize, stride: usize): usize {
  return base + ((row * stride) << 2);
}

/** Stores (or, with acc, adds) one f32x4 at p. */
@inline function put4(p: usize, x: v128, acc: bool): void {
  v128.store(p, acc ? f32x4.add(v128.load(p), x) : x);
}

@inline function put1(p: usize, x: f32, acc: bool): void {
  store<f32>(p, acc ? load<f32>(p) + x : x);
}

/** C[m,n] (+)= A[m,k] · B[k,n]. */
export function matmul(a: usize, b: usize, c: usize, m: usize, k: usize, n: usize, acc: bool): void {
  let i: usize = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = rowPtr(a, i, k), a1 = a0 + (k << 2), a2 = a1 + (k << 2), a3 = a2 + (k << 2);
    const c0 = rowPtr(c, i, n), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
    let j: usize = 0;
    for (; j + 8 <= n; j += 8) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let bp = b + (j << 2);
      for (let p: usize = 0; p < k; p++) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        const q = p << 2;
        let x = v128.load32_splat(a0 + q);
        s00 = f32x4.add(s00, f32x4.mul(x, b0)); s01 = f32x4.add(s01, f32x4.mul(x, b1));
        x = v128.load32_splat(a1 + q);
        s10 = f32x4.add(s10, f32x4.mul(x, b0)); s11 = f32x4.add(s11, f32x4.mul(x, b1));
        x = v128.load32_splat(a2 + q);
        s20 = f32x4.add(s20, f32x4.mul(x, b0)); s21 = f32x4.add(s21, f32x4.mul(x, b1));
        x = v128.load32_splat(a3 + q);
        s30 = f32x4.add(s30, f32x4.mul(x, b0)); s31 = f32x4.add(s31, f32x4.mul(x, b1));
        bp += n << 2;
      }
      const o = j << 2;
      put4(c0 + o, s00, acc); put4(c0 + o + 16, s01, acc);
      put4(c1 + o, s10, acc); put4(c1 + o + 16, s11, acc);
      put4(c2 + o, s20, acc); put4(c2 + o + 16, s21, acc);
      put4(c3 + o, s30, acc); put4(c3 + o + 16, s31, acc);
    }
    for (; j + 4 <= n; j += 4) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let bp = b + (j << 2);
      for (let p: usize = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const q = p << 2;
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(a0 + q), b0));
        s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(a1 + q), b0));
        s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(a2 + q), b0));
        s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(a3 + q), b0));
        bp += n << 2;
      }
      const o = j << 2;
      put4(c0 + o, s0, acc); put4(c1 + o, s1, acc); put4(c2 + o, s2, acc); put4(c3 + o, s3, acc);
    }
    for (; j < n; j++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let bp = b + (j << 2);
      for (let p: usize = 0; p < k; p++) {
        const bv = load<f32>(bp);
        const q = p << 2;
        s0 += load<f32>(a0 + q) * bv; s1 += load<f32>(a1 + q) * bv;
        s2 += load<f32>(a2 + q) * bv; s3 += load<f32>(a3 + q) * bv;
        bp += n << 2;
      }
      const o = j << 2;
      put1(c0 + o, s0, acc); put1(c1 + o, s1, acc); put1(c2 + o, s2, acc); put1(c3 + o, s3, acc);
    }
  }
  for (; i < m; i++) {
    const a0 = rowPtr(a, i, k), c0 = rowPtr(c, i, n);
    let j: usize = 0;
    for (; j + 8 <= n; j += 8) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let bp = b + (j << 2);
      for (let p: usize = 0; p < k; p++) {
        const x = v128.load32_splat(a0 + (p << 2));
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
        bp += n << 2;
      }
      put4(c0 + (j << 2), s0, acc); put4(c0 + (j << 2) + 16, s1, acc);
    }
    for (; j + 4 <= n; j += 4) {
      let s0 = f32x4.splat(0);
      let bp = b + (j << 2);
      for (let p: usize = 0; p < k; p++) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(a0 + (p << 2)), v128.load(bp)));
        bp += n << 2;
      }
      put4(c0 + (j << 2), s0, acc);
    }
    for (; j < n; j++) {
      let s0: f32 = 0;
      let bp = b + (j << 2);
      for (let p: usize = 0; p < k; p++) {
        s0 += load<f32>(a0 + (p << 2)) * load<f32>(bp);
        bp += n << 2;
      }
      put1(c0 + (j << 2), s0, acc);
    }
  }
}

/** Rows of a block of Aᵀ·B: the weight-gradient product walks the batch this many rows at a time. */
const BLOCK: usize = 64;

/** C[k,n] (+)= A[m,k]ᵀ · B[m,n]  (e.g. dW = Xᵀ·dY), in blocks of 64 rows of A and B to stay in cache. */
export function matmulTN(a: usize, b: usize, c: usize, m: usize, k: usize, n: usize, acc: bool): void {
  if (!acc) memory.fill(c, 0, (k * n) << 2);
  for (let r0: usize = 0; r0 < m; r0 += BLOCK) {
    const r1 = min(m, r0 + BLOCK);
    let i: usize = 0;
    for (; i + 4 <= k; i += 4) {
      const c0 = rowPtr(c, i, n), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
      let j: usize = 0;
      for (; j + 8 <= n; j += 8) {
        const o = j << 2;
        let s00 = v128.load(c0 + o), s01 = v128.load(c0 + o + 16), s10 = v128.load(c1 + o), s11 = v128.load(c1 + o + 16);
        let s20 = v128.load(c2 + o), s21 = v128.load(c2 + o + 16), s30 = v128.load(c3 + o), s31 = v128.load(c3 + o + 16);
        let ap = rowPtr(a, r0, k) + (i << 2), bp = rowPtr(b, r0, n) + o;
        for (let r = r0; r < r1; r++) {
          const b0 = v128.load(bp), b1 = v128.load(bp, 16);
          let x = v128.load32_splat(ap);
          s00 = f32x4.add(s00, f32x4.mul(x, b0)); s01 = f32x4.add(s01, f32x4.mul(x, b1));
          x = v128.load32_splat(ap, 4);
          s10 = f32x4.add(s10, f32x4.mul(x, b0)); s11 = f32x4.add(s11, f32x4.mul(x, b1));
          x = v128.load32_splat(ap, 8);
          s20 = f32x4.add(s20, f32x4.mul(x, b0)); s21 = f32x4.add(s21, f32x4.mul(x, b1));
          x = v128.load32_splat(ap, 12);
          s30 = f32x4.add(s30, f32x4.mul(x, b0)); s31 = f32x4.add(s31, f32x4.mul(x, b1));
          ap += k << 2; bp += n << 2;
        }
        v128.store(c0 + o, s00); v128.store(c0 + o + 16, s01); v128.store(c1 + o, s10); v128.store(c1 + o + 16, s11);
        v128.store(c2 + o, s20); v128.store(c2 + o + 16, s21); v128.store(c3 + o, s30); v128.store(c3 + o + 16, s31);
      }
      for (; j + 4 <= n; j += 4) {
        const o = j << 2;
        let s0 = v128.load(c0 + o), s1 = v128.load(c1 + o), s2 = v128.load(c2 + o), s3 = v128.load(c3 + o);
        let ap = rowPtr(a, r0, k) + (i << 2), bp = rowPtr(b, r0, n) + o;
        for (let r = r0; r < r1; r++) {
          const b0 = v128.load(bp);
          s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), b0));
          s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap, 4), b0));
          s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap, 8), b0));
          s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap, 12), b0));
          ap += k << 2; bp += n << 2;
        }
        v128.store(c0 + o, s0); v128.store(c1 + o, s1); v128.store(c2 + o, s2); v128.store(c3 + o, s3);
      }
      for (; j < n; j++) {
        const o = j << 2;
        let s0 = load<f32>(c0 + o), s1 = load<f32>(c1 + o), s2 = load<f32>(c2 + o), s3 = load<f32>(c3 + o);
        let ap = rowPtr(a, r0, k) + (i << 2), bp = rowPtr(b, r0, n) + o;
        for (let r = r0; r < r1; r++) {
          const bv = load<f32>(bp);
          s0 += load<f32>(ap) * bv; s1 += load<f32>(ap, 4) * bv; s2 += load<f32>(ap, 8) * bv; s3 += load<f32>(ap, 12) * bv;
          ap += k << 2; bp += n << 2;
        }
        store<f32>(c0 + o, s0); store<f32>(c1 + o, s1); store<f32>(c2 + o, s2); store<f32>(c3 + o, s3);
      }
    }
    for (; i < k; i++) {
      const c0 = rowPtr(c, i, n);
      let j: usize = 0;
      for (; j + 4 <= n; j += 4) {
        const o = j << 2;
        let s0 = v128.load(c0 + o);
        let ap = rowPtr(a, r0, k) + (i << 2), bp = rowPtr(b, r0, n) + o;
        for (let r = r0; r < r1; r++) {
          s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
          ap += k << 2; bp += n << 2;
        }
        v128.store(c0 + o, s0);
      }
      for (; j < n; j++) {
        const o = j << 2;
        let s0 = load<f32>(c0 + o);
        let ap = rowPtr(a, r0, k) + (i << 2), bp = rowPtr(b, r0, n) + o;
        for (let r = r0; r < r1; r++) {
          s0 += load<f32>(ap) * load<f32>(bp);
          ap += k << 2; bp += n << 2;
        }
        store<f32>(c0 + o, s0);
      }
    }
  }
}

/** T[cols,rows] = S[rows,cols]ᵀ. */
export function transpose(s: usize, t: usize, rows: usize, cols: usize): void {
  for (let r: usize = 0; r < rows; r++) {
    for (let q: usize = 0; q < cols; q++) {
      store<f32>(rowPtr(t, q, rows) + (r << 2), load<f32>(rowPtr(s, r, cols) + (q << 2)));
    }
  }
}

/** C[m,k] (+)= A[m,n] · B[k,n]ᵀ  (e.g. dX = dY·Wᵀ): transposes B into scratch (k·n floats, small) and multiplies. */
export function matmulNT(a: usize, b: usize, c: usize, m: usize, n: usize, k: usize, acc: bool, scratch: usize): void {
  transpose(b, scratch, k, n);
  matmul(a, scratch, c, m, n, k, acc);
}
