// Vector transcendental functions. Scalar tails call the same vector code on a splat, so a value
// gets the same result wherever it sits in a row.

/** 1.5·2²³: adding it rounds an f32 of magnitude < 2²² to the nearest integer (ties to even). */
const ROUND_MAGIC: f32 = 12582912;

/**
 * exp(x) per lane: Cephes expf (Cody–Waite reduction, degree-5 polynomial), about 1 ulp.
 * Written for V8's x64 code: pmin/pmax are one instruction each (min/max are about seven, for
 * NaN and ±0 rules that cannot matter here: a NaN stays NaN either way), and n = round(x·log2 e) is
 * taken with the 1.5·2²³ trick, whose sum's low mantissa bits are n itself, so 2ⁿ is one integer
 * add and shift (f32x4.nearest plus i32x4.trunc_sat cost about ten). Bitwise the same values.
 */
@inline export function vexp(x: v128): v128 {
  x = f32x4.pmin(x, f32x4.splat(88.3762626647949));
  x = f32x4.pmax(x, f32x4.splat(-87.3365447504));
  const shifted = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(ROUND_MAGIC));
  const fx = f32x4.sub(shifted, f32x4.splat(ROUND_MAGIC));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.mul(f32x4.mul(y, x), x), f32x4.add(x, f32x4.splat(1)));
  // bits(shifted) = bits(1.5·2²³) + n; shifting left by 23 drops the constant's bits.
  const pow2n = i32x4.shl(i32x4.add(shifted, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline export function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexp(f32x4.splat(x)), 0);
}

/** tanh(x) = 1 − 2 / (exp(2x) + 1), saturating cleanly at ±1. */
@inline export function vtanh(x: v128): v128 {
  const e = vexp(f32x4.add(x, x));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

/** Horizontal sum of 4 lanes, in a fixed order. */
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Σ a[t]·b[t] over len floats (4 lanes, then the tail). */
@inline export function dot(a: usize, b: usize, len: usize): f32 {
  let acc = f32x4.splat(0);
  let t: usize = 0;
  for (; t + 4 <= len; t += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (t << 2)), v128.load(b + (t << 2))));
  let s = hsum(acc);
  for (; t < len; t++) s += load<f32>(a + (t << 2)) * load<f32>(b + (t << 2));
  return s;
}

/**
 * a·b + c per lane: one relaxed_madd in the relaxed-SIMD build (fused where the CPU has FMA),
 * mul then add in the plain build. The choice is made at compile time (scripts/build.mjs builds both).
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  else return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * 1 where madd rounds once (fused), else 0: (1+2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴, whose 2⁻²⁴ a separate
 * multiply rounds away. The arguments come from memory so the compiler cannot fold it.
 */
export function fmaProbe(): i32 {
  store<f32>(0, <f32>1.000244140625); // 1 + 2^-12
  store<f32>(4, <f32>-1.00048828125); // -(1 + 2^-11)
  const x = v128.load32_splat(0);
  return f32x4.extract_lane(madd(x, x, v128.load32_splat(4)), 0) != 0 ? 1 : 0;
}
