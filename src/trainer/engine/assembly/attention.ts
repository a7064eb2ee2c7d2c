// Multi-head attention of one query (the last position) over S keys, per example and head.
// Layouts: q, o, dO [n, d]; k, v [S, n, d] (one contiguous block per position); p [n, H, S].
import { dot, sexp, vexp } from './vmath';

/** y (+)= alpha · x over len floats. */
@inline function axpy(alpha: f32, x: usize, y: usize, len: usize, acc: bool): void {
  const a4 = f32x4.splat(alpha);
  let t: usize = 0;
  for (; t + 4 <= len; t += 4) {
    const v = f32x4.mul(a4, v128.load(x + (t << 2)));
    v128.store(y + (t << 2), acc ? f32x4.add(v128.load(y + (t << 2)), v) : v);
  }
  for (; t < len; t++) {
    const v = alpha * load<f32>(x + (t << 2));
    store<f32>(y + (t << 2), acc ? load<f32>(y + (t << 2)) + v : v);
  }
}

/** x = exp(x) over len floats in place: vexp on groups of 4, then on each of the rest (the same values). */
@inline function expInPlace(x: usize, len: usize): void {
  let t: usize = 0;
  for (; t + 4 <= len; t += 4) v128.store(x + (t << 2), vexp(v128.load(x + (t << 2))));
  for (; t < len; t++) store<f32>(x + (t << 2), sexp(load<f32>(x + (t << 2))));
}

/**
 * p = softmax_s(q_h · k_{s,h} · scale); o_h = Σ_s p_s v_{s,h}. The exponentials of an example's
 * H·S shifted scores are taken together, four per vexp (one call per score cost four).
 */
export function attentionForward(q: usize, k: usize, v: usize, p: usize, o: usize, n: usize, S: usize, H: usize, dh: usize, scale: f32): void {
  const d = H * dh;
  const block = (n * d) << 2; // bytes between positions in k and v
  for (let i: usize = 0; i < n; i++) {
    const row = (i * d) << 2;
    const pi = p + ((i * H * S) << 2);
    // p_{h,s} = score − max_s score, per head
    for (let h: usize = 0; h < H; h++) {
      const hd = (h * dh) << 2;
      const ph = pi + ((h * S) << 2);
      let mx: f32 = -Infinity;
      for (let s: usize = 0; s < S; s++) {
        const sc = dot(q + row + hd, k + s * block + row + hd, dh) * scale;
        store<f32>(ph + (s << 2), sc);
        mx = max(mx, sc);
      }
      for (let s: usize = 0; s < S; s++) store<f32>(ph + (s << 2), load<f32>(ph + (s << 2)) - mx);
    }
    expInPlace(pi, H * S);
    for (let h: usize = 0; h < H; h++) {
      const hd = (h * dh) << 2;
      const ph = pi + ((h * S) << 2);
      let sum: f32 = 0;
      for (let s: usize = 0; s < S; s++) sum += load<f32>(ph + (s << 2));
      const inv: f32 = 1 / sum;
      for (let s: usize = 0; s < S; s++) {
        const ps = load<f32>(ph + (s << 2)) * inv;
        store<f32>(ph + (s << 2), ps);
        axpy(ps, v + s * block + row + hd, o + row + hd, dh, s > 0);
      }
    }
  }
}

/** Gradients of attentionForward: dq [n,d], dk, dv [S,n,d] are overwritten. */
export function attentionBackward(q: usize, k: usize, v: usize, p: usize, dout: usize, dq: usize, dk: usize, dv: usize, n: usize, S: usize, H: usize, dh: usize, scale: f32): void {
  const d = H * dh;
  const block = (n * d) << 2;
  for (let i: usize = 0; i < n; i++) {
    const row = (i * d) << 2;
    for (let h: usize = 0; h < H; h++) {
      const hd = (h * dh) << 2;
      const ph = p + (((i * H + h) * S) << 2);
      const g = dout + row + hd;
      let pdp: f32 = 0;
      for (let s: usize = 0; s < S; s++) pdp += load<f32>(ph + (s << 2)) * dot(g, v + s * block + row + hd, dh);
      for (let s: usize = 0; s < S; s++) {
        const ps = load<f32>(ph + (s << 2));
        const at = s * block + row + hd;
        const ds = ps * (dot(g, v + at, dh) - pdp) * scale;
        axpy(ds, k + at, dq + row + hd, dh, s > 0);
        axpy(ds, q + row + hd, dk + at, dh, false);
        axpy(ps, g, dv + at, dh, false);
      }
    }
  }
}
