// Matrix products over row-major f32 matrices, addressed by byte offsets into the shared memory.
// The micro-kernel keeps a 4×8 tile of C in 8 f32x4 registers (4 rows of A broadcast against 8
// columns of B) and runs the whole reduction in registers; narrower tiles cover the edges, so any
// shape works (97 classes, odd widths). Every element of C is one chain
//   s = madd(A[i,0], B[0,j], 0); s = madd(A[i,1], B[1,j], s); ...   (p in order, then C (+)= s)
// so the result depends only on the shapes and the kernel build: bitwise reproducible, whichever
// thread runs it. madd is a fused multiply-add in the relaxed-SIMD build (vmath.ts).
// Packing: the reused operand B is copied into panels of 8 columns (k×8, contiguous), so the
// micro-kernel streams it sequentially instead of touching k cache lines per tile. matmul packs
// when given room for it; matmulNT always does (its transpose writes the panels directly). One
// micro-kernel (`product`) serves B in place and B packed: only B's two strides differ.
// The A operand is broadcast with v128.load32_splat (a broadcast load, no shuffle on the FP pipes).
// Tiles of 6×8 (12 accumulators) spill registers in V8 (one of the 16 xmm is its scratch): 40% slower;
// 5×8 (10 accumulators) and a 4×8 tile with its reduction unrolled twice were 1.7–2× slower too.
import { madd } from './vmath';

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

@inline function madd1(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}

/**
 * Columns j0 ≤ j < j1 of C[m,ldc] (+)= A[m,k] · B[k, j0..j1). B is addressed by two strides: its
 * column j (relative to j0) starts at b + j·colBytes, and each next row p is rowBytes further on.
 * B in place (row stride ldb): colBytes 4, rowBytes 4·ldb. B packed into panels of 8 columns
 * (panel t = k×8 floats, contiguous): colBytes 4k, rowBytes 32 (then j1 − j0 is a multiple of 8).
 */
function product(a: usize, b: usize, colBytes: usize, rowBytes: usize, c: usize, ldc: usize, m: usize, k: usize, j0: usize, j1: usize, acc: bool): void {
  const width = j1 - j0;
  let i: usize = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = rowPtr(a, i, k), a1 = a0 + (k << 2), a2 = a1 + (k << 2), a3 = a2 + (k << 2);
    const c0 = rowPtr(c, i, ldc) + (j0 << 2), c1 = c0 + (ldc << 2), c2 = c1 + (ldc << 2), c3 = c2 + (ldc << 2);
    let j: usize = 0;
    for (; j + 8 <= width; j += 8) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let bp = b + j * colBytes;
      for (let q: usize = 0; q < (k << 2); q += 4) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load32_splat(a0 + q);
        s00 = madd(x, b0, s00); s01 = madd(x, b1, s01);
        x = v128.load32_splat(a1 + q);
        s10 = madd(x, b0, s10); s11 = madd(x, b1, s11);
        x = v128.load32_splat(a2 + q);
        s20 = madd(x, b0, s20); s21 = madd(x, b1, s21);
        x = v128.load32_splat(a3 + q);
        s30 = madd(x, b0, s30); s31 = madd(x, b1, s31);
        bp += rowBytes;
      }
      const o = j << 2;
      put4(c0 + o, s00, acc); put4(c0 + o + 16, s01, acc);
      put4(c1 + o, s10, acc); put4(c1 + o + 16, s11, acc);
      put4(c2 + o, s20, acc); put4(c2 + o + 16, s21, acc);
      put4(c3 + o, s30, acc); put4(c3 + o + 16, s31, acc);
    }
    for (; j + 4 <= width; j += 4) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let bp = b + j * colBytes;
      for (let q: usize = 0; q < (k << 2); q += 4) {
        const b0 = v128.load(bp);
        s0 = madd(v128.load32_splat(a0 + q), b0, s0);
        s1 = madd(v128.load32_splat(a1 + q), b0, s1);
        s2 = madd(v128.load32_splat(a2 + q), b0, s2);
        s3 = madd(v128.load32_splat(a3 + q), b0, s3);
        bp += rowBytes;
      }
      const o = j << 2;
      put4(c0 + o, s0, acc); put4(c1 + o, s1, acc); put4(c2 + o, s2, acc); put4(c3 + o, s3, acc);
    }
    for (; j < width; j++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let bp = b + j * colBytes;
      for (let q: usize = 0; q < (k << 2); q += 4) {
        const bv = load<f32>(bp);
        s0 = madd1(load<f32>(a0 + q), bv, s0); s1 = madd1(load<f32>(a1 + q), bv, s1);
        s2 = madd1(load<f32>(a2 + q), bv, s2); s3 = madd1(load<f32>(a3 + q), bv, s3);
        bp += rowBytes;
      }
      const o = j << 2;
      put1(c0 + o, s0, acc); put1(c1 + o, s1, acc); put1(c2 + o, s2, acc); put1(c3 + o, s3, acc);
    }
  }
  for (; i < m; i++) {
    const a0 = rowPtr(a, i, k), c0 = rowPtr(c, i, ldc) + (j0 << 2);
    let j: usize = 0;
    for (; j + 8 <= width; j += 8) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let bp = b + j * colBytes;
      for (let q: usize = 0; q < (k << 2); q += 4) {
        const x = v128.load32_splat(a0 + q);
        s0 = madd(x, v128.load(bp), s0);
        s1 = madd(x, v128.load(bp, 16), s1);
        bp += rowBytes;
      }
      put4(c0 + (j << 2), s0, acc); put4(c0 + (j << 2) + 16, s1, acc);
    }
    for (; j + 4 <= width; j += 4) {
      let s0 = f32x4.splat(0);
      let bp = b + j * colBytes;
      for (let q: usize = 0; q < (k << 2); q += 4) {
        s0 = madd(v128.load32_splat(a0 + q), v128.load(bp), s0);
        bp += rowBytes;
      }
      put4(c0 + (j << 2), s0, acc);
    }
    for (; j < width; j++) {
      let s0: f32 = 0;
      let bp = b + j * colBytes;
      for (let q: usize = 0; q < (k << 2); q += 4) {
        s0 = madd1(load<f32>(a0 + q), load<f32>(bp), s0);
        bp += rowBytes;
      }
      put1(c0 + (j << 2), s0, acc);
    }
  }
}

/** Packing pays for its copy (k·n floats) only when the panels are reused over enough rows. */
const PACK_MIN_ROWS: usize = 16;

/**
 * C[m,n] (+)= A[m,k] · B[k,n]. With pack ≠ 0 (room for k·n floats, e.g. a lane's scratch) and
 * m ≥ 16, B's full 8-column panels are packed there first; the result is the same bit for bit.
 */
export function matmul(a: usize, b: usize, c: usize, m: usize, k: usize, n: usize, acc: bool, pack: usize): void {
  const n8 = pack != 0 && m >= PACK_MIN_ROWS ? n & ~(<usize>7) : 0;
  if (n8 > 0) {
    for (let t: usize = 0; t < (n8 >> 3); t++) {
      let src = b + (t << 5), dst = pack + ((t * k) << 5);
      for (let p: usize = 0; p < k; p++) {
        v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
        src += n << 2; dst += 32;
      }
    }
    product(a, pack, k << 2, 32, c, n, m, k, 0, n8, acc);
  }
  if (n8 < n) product(a, b + (n8 << 2), 4, n << 2, c, n, m, k, n8, n, acc);
}

/**
 * C[m,k] (+)= A[m,n] · B[k,n]ᵀ  (e.g. dX = dY·Wᵀ). Bᵀ (n×k) is written into scratch (k·n floats) as
 * packed panels of 8 of its columns, and its last k mod 8 columns after them as a row-major n×(k mod 8)
 * block; then the same chains as matmul.
 */
export function matmulNT(a: usize, b: usize, c: usize, m: usize, n: usize, k: usize, acc: bool, scratch: usize): void {
  const k8 = k & ~(<usize>7), rest = k - k8;
  for (let t: usize = 0; t < (k8 >> 3); t++) {
    let dst = scratch + ((t * n) << 5);
    const src = rowPtr(b, t << 3, n);
    for (let p: usize = 0; p < n; p++) {
      // panel t, row p: Bᵀ[p, 8t..8t+7] = B[8t..8t+7, p]
      for (let u: usize = 0; u < 8; u++) store<f32>(dst + (u << 2), load<f32>(src + ((u * n + p) << 2)));
      dst += 32;
    }
  }
  const tail = scratch + ((k8 * n) << 2);
  for (let p: usize = 0; p < n; p++) {
    for (let u: usize = 0; u < rest; u++) store<f32>(tail + ((p * rest + u) << 2), load<f32>(rowPtr(b, k8 + u, n) + (p << 2)));
  }
  if (k8 > 0) product(a, scratch, n << 2, 32, c, k, m, n, 0, k8, acc);
  if (rest > 0) product(a, tail, 4, rest << 2, c, k, m, n, k8, k, acc);
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
          s00 = madd(x, b0, s00); s01 = madd(x, b1, s01);
          x = v128.load32_splat(ap, 4);
          s10 = madd(x, b0, s10); s11 = madd(x, b1, s11);
          x = v128.load32_splat(ap, 8);
          s20 = madd(x, b0, s20); s21 = madd(x, b1, s21);
          x = v128.load32_splat(ap, 12);
          s30 = madd(x, b0, s30); s31 = madd(x, b1, s31);
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
          s0 = madd(v128.load32_splat(ap), b0, s0);
          s1 = madd(v128.load32_splat(ap, 4), b0, s1);
          s2 = madd(v128.load32_splat(ap, 8), b0, s2);
          s3 = madd(v128.load32_splat(ap, 12), b0, s3);
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
          s0 = madd1(load<f32>(ap), bv, s0); s1 = madd1(load<f32>(ap, 4), bv, s1);
          s2 = madd1(load<f32>(ap, 8), bv, s2); s3 = madd1(load<f32>(ap, 12), bv, s3);
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
          s0 = madd(v128.load32_splat(ap), v128.load(bp), s0);
          ap += k << 2; bp += n << 2;
        }
        v128.store(c0 + o, s0);
      }
      for (; j < n; j++) {
        const o = j << 2;
        let s0 = load<f32>(c0 + o);
        let ap = rowPtr(a, r0, k) + (i << 2), bp = rowPtr(b, r0, n) + o;
        for (let r = r0; r < r1; r++) {
          s0 = madd1(load<f32>(ap), load<f32>(bp), s0);
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
