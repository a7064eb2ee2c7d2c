// Bias + activation, forward and backward. act: 0 = identity, 1 = ReLU, 2 = GELU (tanh form), 3 = tanh.
import { vtanh } from './vmath';

const GELU_C: f32 = 0.7978845608028654; // sqrt(2/π)
const GELU_A: f32 = 0.044715;

@inline function actForward(z: v128, act: i32): v128 {
  if (act == 1) return f32x4.pmax(z, f32x4.splat(0)); // one instruction (max: about seven); NaN stays NaN
  if (act == 2) {
    const u = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(z, f32x4.mul(f32x4.splat(GELU_A), f32x4.mul(z, f32x4.mul(z, z)))));
    return f32x4.mul(f32x4.mul(f32x4.splat(0.5), z), f32x4.add(f32x4.splat(1), vtanh(u)));
  }
  if (act == 3) return vtanh(z);
  return z;
}

/** d act(z) / dz. */
@inline function actSlope(z: v128, act: i32): v128 {
  if (act == 1) return v128.and(f32x4.gt(z, f32x4.splat(0)), f32x4.splat(1));
  if (act == 2) {
    const z2 = f32x4.mul(z, z);
    const u = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(z, f32x4.mul(f32x4.splat(GELU_A), f32x4.mul(z, z2))));
    const t = vtanh(u);
    const du = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(3 * GELU_A), z2)));
    const sech2 = f32x4.sub(f32x4.splat(1), f32x4.mul(t, t));
    return f32x4.add(f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), t)),
      f32x4.mul(f32x4.mul(f32x4.splat(0.5), z), f32x4.mul(sech2, du)));
  }
  if (act == 3) { const t = vtanh(z); return f32x4.sub(f32x4.splat(1), f32x4.mul(t, t)); }
  return f32x4.splat(1);
}

/** z[m,n] += bias (z keeps the pre-activation); y = act(z). bias 0 = no bias; y may equal z only for act 0. */
export function biasAct(z: usize, bias: usize, y: usize, m: usize, n: usize, act: i32): void {
  for (let i: usize = 0; i < m; i++) {
    const zr = z + ((i * n) << 2), yr = y + ((i * n) << 2);
    let j: usize = 0;
    for (; j + 4 <= n; j += 4) {
      const o = j << 2;
      let v = v128.load(zr + o);
      if (bias) { v = f32x4.add(v, v128.load(bias + o)); v128.store(zr + o, v); }
      v128.store(yr + o, actForward(v, act));
    }
    for (; j < n; j++) {
      const o = j << 2;
      let v = load<f32>(zr + o);
      if (bias) { v += load<f32>(bias + o); store<f32>(zr + o, v); }
      store<f32>(yr + o, f32x4.extract_lane(actForward(f32x4.splat(v), act), 0));
    }
  }
}

/** dz = dy · act'(z) (dz may alias dy); dbias += Σ_rows dz unless dbias is 0. */
export function biasActBackward(z: usize, dy: usize, dz: usize, dbias: usize, m: usize, n: usize, act: i32): void {
  for (let i: usize = 0; i < m; i++) {
    const off = (i * n) << 2;
    let j: usize = 0;
    for (; j + 4 <= n; j += 4) {
      const o = off + (j << 2);
      const g = act == 0 ? v128.load(dy + o) : f32x4.mul(v128.load(dy + o), actSlope(v128.load(z + o), act));
      v128.store(dz + o, g);
      if (dbias) v128.store(dbias + (j << 2), f32x4.add(v128.load(dbias + (j << 2)), g));
    }
    for (; j < n; j++) {
      const o = off + (j << 2);
      const g = act == 0 ? load<f32>(dy + o) : load<f32>(dy + o) * f32x4.extract_lane(actSlope(f32x4.splat(load<f32>(z + o)), act), 0);
      store<f32>(dz + o, g);
      if (dbias) store<f32>(dbias + (j << 2), load<f32>(dbias + (j << 2)) + g);
    }
  }
}

/** dst[n] = a[n] + b[n] (dst may alias a or b). */
export function add(dst: usize, a: usize, b: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (i << 2), f32x4.add(v128.load(a + (i << 2)), v128.load(b + (i << 2))));
  for (; i < n; i++) store<f32>(dst + (i << 2), load<f32>(a + (i << 2)) + load<f32>(b + (i << 2)));
}

/** dst[n] = src[n]. */
export function copy(dst: usize, src: usize, n: usize): void {
  memory.copy(dst, src, n << 2);
}

/** x[n] = 0. */
export function zero(x: usize, n: usize): void {
  memory.fill(x, 0, n << 2);
}

/** Σ x² over n floats, accumulated in f64. */
export function sumSquares(x: usize, n: usize): f64 {
  let s: f64 = 0;
  for (let i: usize = 0; i < n; i++) { const v = <f64>load<f32>(x + (i << 2)); s += v * v; }
  return s;
}
