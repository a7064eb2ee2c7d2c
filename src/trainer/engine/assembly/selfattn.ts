// The encoder's kernels: multi-head self-attention with a key padding mask, and masked mean pooling.
// Layouts (one contiguous block per position, as the decoder's): queries q, o, dq [Sq, n, d];
// keys and values k, v, dk, dv [S, n, d]; probabilities p [n, H, Sq, S]. Query position t is
// sequence position t, so Sq = 1 is "position 0 only" (CLS pooling) and Sq = S is every position.
// Key s of example i is masked when its token inputs[idx[i]·S + s] equals `pad` (pad < 0: none).
// A query at a padded position (Sq > 1) gets o = 0 and p = 0: nothing downstream reads it (mean
// pooling skips padded rows), so loss and gradients are those of the unmasked computation.
import { dot, sexp } from './vmath';
import { TINY_P } from './softmax';

@inline function isPad(inputs: usize, idx: usize, i: usize, s: usize, S: usize, pad: i32): bool {
  return pad >= 0 && load<i32>(inputs + (((<usize>load<i32>(idx + (i << 2))) * S + s) << 2)) == pad;
}

/** 1 + the last unpadded position of example i (padding is usually a suffix: keys past it are skipped). */
@inline function keyEnd(inputs: usize, idx: usize, i: usize, S: usize, pad: i32): usize {
  let end = S;
  while (end > 0 && isPad(inputs, idx, i, end - 1, S, pad)) end--;
  return end;
}

/** y += alpha · x over len floats. */
@inline function axpy(alpha: f32, x: usize, y: usize, len: usize): void {
  const a4 = f32x4.splat(alpha);
  let t: usize = 0;
  for (; t + 4 <= len; t += 4) v128.store(y + (t << 2), f32x4.add(v128.load(y + (t << 2)), f32x4.mul(a4, v128.load(x + (t << 2)))));
  for (; t < len; t++) store<f32>(y + (t << 2), load<f32>(y + (t << 2)) + alpha * load<f32>(x + (t << 2)));
}

/** Per example, query position and head: p = softmax over unmasked keys of (q·k)·scale; o = Σ p v. */
export function maskedAttentionForward(q: usize, k: usize, v: usize, p: usize, o: usize, n: usize, Sq: usize, S: usize,
  H: usize, dh: usize, scale: f32, inputs: usize, idx: usize, pad: i32): void {
  const d = H * dh;
  const block = (n * d) << 2; // bytes between positions
  for (let i: usize = 0; i < n; i++) {
    const row = (i * d) << 2;
    const end = keyEnd(inputs, idx, i, S, pad);
    for (let t: usize = 0; t < Sq; t++) {
      const qr = q + t * block + row, orow = o + t * block + row;
      memory.fill(orow, 0, d << 2);
      const padQuery = Sq > 1 && isPad(inputs, idx, i, t, S, pad);
      for (let h: usize = 0; h < H; h++) {
        const hd = (h * dh) << 2;
        const ph = p + ((((i * H + h) * Sq + t) * S) << 2);
        memory.fill(ph + (end << 2), 0, (S - end) << 2);
        if (padQuery) { memory.fill(ph, 0, end << 2); continue; }
        let mx: f32 = -Infinity;
        for (let s: usize = 0; s < end; s++) {
          if (isPad(inputs, idx, i, s, S, pad)) { store<f32>(ph + (s << 2), -Infinity); continue; }
          const sc = dot(qr + hd, k + s * block + row + hd, dh) * scale;
          store<f32>(ph + (s << 2), sc);
          mx = max(mx, sc);
        }
        let sum: f32 = 0;
        for (let s: usize = 0; s < end; s++) {
          const x = load<f32>(ph + (s << 2));
          const e: f32 = x == -Infinity ? 0 : sexp(x - mx);
          store<f32>(ph + (s << 2), e);
          sum += e;
        }
        const inv: f32 = sum > 0 ? 1 / sum : 0;
        for (let s: usize = 0; s < end; s++) {
          // Probabilities below 2^-64 become exactly 0 (no subnormals downstream: see softmax.ts).
          let ps = load<f32>(ph + (s << 2)) * inv;
          if (ps < TINY_P) ps = 0;
          store<f32>(ph + (s << 2), ps);
          if (ps != 0) axpy(ps, v + s * block + row + hd, orow + hd, dh);
        }
      }
    }
  }
}

/** Gradients of maskedAttentionForward: dq [Sq,n,d], dk, dv [S,n,d] are overwritten. */
export function maskedAttentionBackward(q: usize, k: usize, v: usize, p: usize, dout: usize, dq: usize, dk: usize, dv: usize,
  n: usize, Sq: usize, S: usize, H: usize, dh: usize, scale: f32): void {
  const d = H * dh;
  const block = (n * d) << 2;
  for (let i: usize = 0; i < n; i++) {
    const row = (i * d) << 2;
    for (let s: usize = 0; s < S; s++) { memory.fill(dk + s * block + row, 0, d << 2); memory.fill(dv + s * block + row, 0, d << 2); }
    for (let t: usize = 0; t < Sq; t++) {
      const qr = q + t * block + row, dqr = dq + t * block + row, g0 = dout + t * block + row;
      memory.fill(dqr, 0, d << 2);
      for (let h: usize = 0; h < H; h++) {
        const hd = (h * dh) << 2;
        const ph = p + ((((i * H + h) * Sq + t) * S) << 2);
        const g = g0 + hd;
        // Masked keys and padded queries have p = 0 exactly: they contribute nothing, so skip them.
        let pdp: f32 = 0;
        for (let s: usize = 0; s < S; s++) {
          const ps = load<f32>(ph + (s << 2));
          if (ps != 0) pdp += ps * dot(g, v + s * block + row + hd, dh);
        }
        for (let s: usize = 0; s < S; s++) {
          const ps = load<f32>(ph + (s << 2));
          if (ps == 0) continue;
          const at = s * block + row + hd;
          const ds = ps * (dot(g, v + at, dh) - pdp) * scale;
          axpy(ds, k + at, dqr + hd, dh);
          axpy(ds, qr + hd, dk + at, dh);
          axpy(ps, g, dv + at, dh);
        }
      }
    }
  }
}

@inline function validCount(inputs: usize, idx: usize, i: usize, S: usize, pad: i32): f32 {
  let c: f32 = 0;
  for (let s: usize = 0; s < S; s++) if (!isPad(inputs, idx, i, s, S, pad)) c += 1;
  return c;
}

/** out[i] = (Σ over unpadded s of x[s, i]) / (their count); x [S, n, d], out [n, d]. */
export function maskedMeanPool(x: usize, out: usize, n: usize, S: usize, d: usize, inputs: usize, idx: usize, pad: i32): void {
  const block = (n * d) << 2;
  for (let i: usize = 0; i < n; i++) {
    const dst = out + ((i * d) << 2);
    memory.fill(dst, 0, d << 2);
    for (let s: usize = 0; s < S; s++) if (!isPad(inputs, idx, i, s, S, pad)) axpy(1, x + s * block + ((i * d) << 2), dst, d);
    const c = validCount(inputs, idx, i, S, pad);
    const inv: f32 = c > 0 ? 1 / c : 0;
    for (let j: usize = 0; j < d; j++) store<f32>(dst + (j << 2), load<f32>(dst + (j << 2)) * inv);
  }
}

/** dx[s, i] = dout[i] / count for unpadded s, 0 for padded ones (overwrites dx). */
export function maskedMeanPoolBackward(dout: usize, dx: usize, n: usize, S: usize, d: usize, inputs: usize, idx: usize, pad: i32): void {
  const block = (n * d) << 2;
  for (let i: usize = 0; i < n; i++) {
    const src = dout + ((i * d) << 2);
    const c = validCount(inputs, idx, i, S, pad);
    const inv: f32 = c > 0 ? 1 / c : 0;
    for (let s: usize = 0; s < S; s++) {
      const dst = dx + s * block + ((i * d) << 2);
      const w: f32 = isPad(inputs, idx, i, s, S, pad) ? 0 : inv;
      for (let j: usize = 0; j < d; j++) store<f32>(dst + (j << 2), w * load<f32>(src + (j << 2)));
    }
  }
}
