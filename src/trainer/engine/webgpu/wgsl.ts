// The WGSL kernels of the WebGPU backend. Every kernel runs over a whole lock-step group of models
// at once: workgroup_id.z is the model's row in the dispatch's argument table, and every pointer,
// size and scalar comes from that row, so models of one dispatch may sit anywhere in memory and
// even differ in their row counts (the grid covers the largest; the others idle past their end).
//
// Bindings (2 storage buffers: within WebGPU compatibility mode's limit of 4 per stage):
//   mem:  the engine memory as u32 words (f32 through bitcast; i32 indices are small and positive),
//         laid out exactly like the CPU engine's WebAssembly memory (layout.ts), plus GPU-only
//         regions (statistics and split-K partial sums) after it.
//   args: ARGS u32 per model row; floats are stored as their bits.
// Workgroups are at most 128 invocations (compatibility mode's limit). Every reduction walks its
// terms in a fixed order that depends only on the model's own shapes, so results are
// deterministic and do not depend on which other models share the dispatch.

/** u32 words per model row of an argument table. */
export const ARGS = 16;
/** Threads per workgroup of the element-wise kernels (grid-stride loops). */
export const EW = 128;
/** Output tile of the matrix product (TILE × TILE per workgroup of 128 threads, 8 outputs each). */
export const TILE = 32;
/** Threads per workgroup of the row kernels (one row, or one (example, head), per thread). */
export const ROWS = 64;
/** Columns per workgroup of the column sums and the embedding scatter. */
export const COLS = 64;
/** Threads of the reduction kernels (evalAccum, sumSquares): one workgroup per call. */
export const RED = 128;

const PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> mem: array<u32>;
@group(0) @binding(1) var<storage, read> args: array<u32>;
fn A(z: u32, i: u32) -> u32 { return args[z * ${ARGS}u + i]; }
fn AF(z: u32, i: u32) -> f32 { return bitcast<f32>(args[z * ${ARGS}u + i]); }
fn ld(i: u32) -> f32 { return bitcast<f32>(mem[i]); }
fn st(i: u32, v: f32) { mem[i] = bitcast<u32>(v); }
// Whether key s of example i (row idx[i] of the [count, S] tokens) is the padding token (pad < 0: none).
fn isPad(inputs: u32, idx: u32, i: u32, s: u32, S: u32, pad: i32) -> bool {
  return pad >= 0 && bitcast<i32>(mem[inputs + mem[idx + i] * S + s]) == pad;
}
// tanh as 1 - 2/(exp(2x)+1), as the CPU kernels compute it; clamped so exp stays finite.
fn tanh_(x: f32) -> f32 { let e = exp(clamp(2.0 * x, -80.0, 80.0)); return 1.0 - 2.0 / (e + 1.0); }
const GELU_C: f32 = 0.7978845608028654;
const GELU_A: f32 = 0.044715;
fn actF(z: f32, act: u32) -> f32 {
  if (act == 1u) { return max(z, 0.0); }
  if (act == 3u) { return tanh_(z); }
  if (act == 2u) { let u = GELU_C * (z + GELU_A * (z * (z * z))); return (0.5 * z) * (1.0 + tanh_(u)); }
  return z;
}
fn actSlope(z: f32, act: u32) -> f32 {
  if (act == 1u) { return select(0.0, 1.0, z > 0.0); }
  if (act == 3u) { let t = tanh_(z); return 1.0 - t * t; }
  if (act == 2u) {
    let z2 = z * z;
    let u = GELU_C * (z + GELU_A * (z * z2));
    let t = tanh_(u);
    let du = GELU_C * (1.0 + (3.0 * GELU_A) * z2);
    return 0.5 * (1.0 + t) + (0.5 * z) * ((1.0 - t * t) * du);
  }
  return 1.0;
}
`;

/** Element-wise kernels: a grid-stride loop over e < count. */
function elementwise(argsDoc: string, count: string, body: string): string {
  return `${PRELUDE}
// ${argsDoc}
@compute @workgroup_size(${EW})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z;
  let count = ${count};
  for (var e = gid.x; e < count; e += nwg.x * ${EW}u) {
${body}
  }
}`;
}

export const KERNELS = {
  zero: elementwise('x, n', 'A(z, 1u)', `    mem[A(z, 0u) + e] = 0u;`),
  copy: elementwise('dst, src, n', 'A(z, 2u)', `    mem[A(z, 0u) + e] = mem[A(z, 1u) + e];`),
  add: elementwise('dst, a, b, n', 'A(z, 3u)', `    st(A(z, 0u) + e, ld(A(z, 1u) + e) + ld(A(z, 2u) + e));`),

  /** z[m,n] += bias; y = act(z). */
  biasAct: elementwise('z, bias, y, m, n, act', 'A(z, 3u) * A(z, 4u)', `
    let zp = A(z, 0u) + e; let bias = A(z, 1u);
    var v = ld(zp);
    if (bias != 0u) { v = v + ld(bias + e % A(z, 4u)); st(zp, v); }
    st(A(z, 2u) + e, actF(v, A(z, 5u)));`),

  /** dz = dy · act'(z) (dz may alias dy). */
  actBackward: elementwise('z, dy, dz, count, act', 'A(z, 3u)', `
    let act = A(z, 4u);
    let g = ld(A(z, 1u) + e);
    st(A(z, 2u) + e, select(g * actSlope(ld(A(z, 0u) + e), act), g, act == 0u));`),

  /**
   * PyTorch AdamW; the scalars are computed in f64 on the host and rounded to f32 exactly as the
   * CPU kernel does.
   */
  adamw: elementwise('p, g, m, v, n, decay, b1, b2, c1, c2, stepSize, bc2sqrt, eps', 'A(z, 4u)', `
    let gi = ld(A(z, 1u) + e);
    let mi = ld(A(z, 2u) + e) * AF(z, 6u) + gi * AF(z, 8u);
    let vi = ld(A(z, 3u) + e) * AF(z, 7u) + (gi * gi) * AF(z, 9u);
    st(A(z, 2u) + e, mi);
    st(A(z, 3u) + e, vi);
    let denom = sqrt(vi) / AF(z, 11u) + AF(z, 12u);
    let pi = ld(A(z, 0u) + e) * AF(z, 5u);
    st(A(z, 0u) + e, pi - AF(z, 10u) * (mi / denom));`),

  /** Row (i, s) of the output = tok[token(i, s)] + pos[s]; strides in elements. */
  embedGather: elementwise('inputs, idx, n, S, tok, pos, out, d, posStride, rowStride', 'A(z, 2u) * A(z, 3u) * A(z, 7u)', `
    let n = A(z, 2u); let S = A(z, 3u); let d = A(z, 7u); let pos = A(z, 5u);
    let j = e % d; let r = e / d; let i = r % n; let s = r / n;
    let t = mem[A(z, 0u) + mem[A(z, 1u) + i] * S + s];
    var v = ld(A(z, 4u) + t * d + j);
    if (pos != 0u) { v = v + ld(pos + s * d + j); }
    st(A(z, 6u) + s * A(z, 8u) + i * A(z, 9u) + j, v);`),

  /**
   * C(i,j) (+)= Σ_p A(i,p) B(p,j) over p in this workgroup's split, with A(i,p) = a[i·asi + p·asp]
   * and B(p,j) = b[p·bsp + j·bsj]: one kernel for A·B, Aᵀ·B and A·Bᵀ. With several splits each
   * writes its own partial [rows, cols] block (summed later by reduce, in split order).
   * args: a, b, c, rows, K, cols, acc, asi, asp, bsp, bsj, splitLen, partial.
   */
  matmul: `${PRELUDE}
var<workgroup> As: array<f32, ${TILE * 16}>;
var<workgroup> Bs: array<f32, ${16 * TILE}>;
@compute @workgroup_size(16, 8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let z = wg.z;
  let a = A(z, 0u); let b = A(z, 1u); let c = A(z, 2u);
  let rows = A(z, 3u); let K = A(z, 4u); let cols = A(z, 5u);
  let asi = A(z, 7u); let asp = A(z, 8u); let bsp = A(z, 9u); let bsj = A(z, 10u);
  let splitLen = A(z, 11u); let partial = A(z, 12u);
  let tilesJ = (cols + ${TILE - 1}u) / ${TILE}u;
  let i0 = (wg.x / tilesJ) * ${TILE}u; let j0 = (wg.x % tilesJ) * ${TILE}u;
  let p0 = wg.y * splitLen; let p1 = min(K, p0 + splitLen);
  var acc: array<f32, 8>;
  for (var k0 = p0; k0 < p1; k0 += 16u) {
    for (var q = 0u; q < 4u; q++) {
      let e = li + q * 128u;
      // Walk the contiguous dimension of each operand with consecutive threads.
      var r: u32; var kk: u32;
      if (asp == 1u) { r = e / 16u; kk = e % 16u; } else { r = e % ${TILE}u; kk = e / ${TILE}u; }
      let i = i0 + r; let p = k0 + kk;
      As[r * 16u + kk] = select(0.0, ld(a + i * asi + p * asp), i < rows && p < p1);
      var cc: u32; var kb: u32;
      if (bsj == 1u) { cc = e % ${TILE}u; kb = e / ${TILE}u; } else { cc = e / 16u; kb = e % 16u; }
      let j = j0 + cc; let pb = k0 + kb;
      Bs[kb * ${TILE}u + cc] = select(0.0, ld(b + pb * bsp + j * bsj), j < cols && pb < p1);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let b0 = Bs[kk * ${TILE}u + lid.x]; let b1 = Bs[kk * ${TILE}u + lid.x + 16u];
      for (var r = 0u; r < 4u; r++) {
        let av = As[(lid.y + 8u * r) * 16u + kk];
        acc[r * 2u] = acc[r * 2u] + av * b0;
        acc[r * 2u + 1u] = acc[r * 2u + 1u] + av * b1;
      }
    }
    workgroupBarrier();
  }
  let splits = (K + splitLen - 1u) / splitLen;
  if (wg.y >= splits) { return; }
  for (var r = 0u; r < 4u; r++) {
    let i = i0 + lid.y + 8u * r;
    for (var q = 0u; q < 2u; q++) {
      let j = j0 + lid.x + 16u * q;
      if (i < rows && j < cols) {
        let v = acc[r * 2u + q];
        if (partial != 0u) {
          st(partial + wg.y * rows * cols + i * cols + j, v);
        } else {
          let o = c + i * cols + j;
          st(o, select(v, ld(o) + v, A(z, 6u) != 0u));
        }
      }
    }
  }
}`,

  /**
   * out[j] (+)= Σ_rows x[p·stride + j] (· y[p·stride + j] if y ≠ 0), one split of rows per
   * workgroup row; with a partial buffer each split writes partial[split·cols + j].
   * args: x, y, rows, cols, stride, splitLen, out, partial.
   */
  colsum: `${PRELUDE}
@compute @workgroup_size(${COLS})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let z = wg.z;
  let x = A(z, 0u); let y = A(z, 1u); let rows = A(z, 2u); let cols = A(z, 3u); let stride = A(z, 4u);
  let splitLen = A(z, 5u); let out = A(z, 6u); let partial = A(z, 7u);
  let j = wg.x * ${COLS}u + lid.x;
  let p0 = wg.y * splitLen;
  if (j >= cols || p0 >= rows) { return; }
  let p1 = min(rows, p0 + splitLen);
  var s = 0.0;
  for (var p = p0; p < p1; p++) {
    let v = ld(x + p * stride + j);
    s = s + select(v, v * ld(y + p * stride + j), y != 0u);
  }
  if (partial != 0u) { st(partial + wg.y * cols + j, s); } else { st(out + j, ld(out + j) + s); }
}`,

  /** out[e] = (acc ? out[e] : 0) + Σ_s partial[s·count + e], in split order. args: partial, out, count, splits, acc. */
  reduce: elementwise('partial, out, count, splits, acc', 'A(z, 2u)', `
    let count = A(z, 2u); let partial = A(z, 0u); let o = A(z, 1u) + e;
    var s = select(0.0, ld(o), A(z, 4u) != 0u);
    var t = 0.0;
    for (var q = 0u; q < A(z, 3u); q++) { t = t + ld(partial + q * count + e); }
    st(o, s + t);`),

  /** Per row: loss, correctness (first argmax), dlogits = (softmax − onehot)·scale if dlogits ≠ 0. */
  softmaxCE: `${PRELUDE}
// args: logits, labels, idx, m, c, dlogits, scale, lossOut, correctOut
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z; let i = gid.x;
  let m = A(z, 3u); let c = A(z, 4u);
  if (i >= m) { return; }
  let row = A(z, 0u) + i * c;
  let label = mem[A(z, 1u) + mem[A(z, 2u) + i]];
  var best = ld(row); var arg = 0u;
  for (var j = 1u; j < c; j++) { let v = ld(row + j); if (v > best) { best = v; arg = j; } }
  var sum = 0.0;
  for (var j = 0u; j < c; j++) { sum = sum + exp(ld(row + j) - best); }
  let tgt = ld(row + label);
  st(A(z, 7u) + i, (best + log(sum)) - tgt);
  st(A(z, 8u) + i, select(0.0, 1.0, arg == label));
  let dl = A(z, 5u);
  if (dl != 0u) {
    let scale = AF(z, 6u);
    let k = scale / sum;
    let drow = dl + i * c;
    for (var j = 0u; j < c; j++) { st(drow + j, exp(ld(row + j) - best) * k); }
    st(drow + label, ld(drow + label) - scale);
  }
}`,

  /** y = g ⊙ x̂ + b; keeps x̂ and rstd. args: x, g, b, y, xhat, rstd, m, d. */
  layerNorm: `${PRELUDE}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z; let i = gid.x;
  let m = A(z, 6u); let d = A(z, 7u);
  if (i >= m) { return; }
  let x = A(z, 0u) + i * d; let g = A(z, 1u); let b = A(z, 2u); let y = A(z, 3u) + i * d; let xh = A(z, 4u) + i * d;
  let inv = 1.0 / f32(d);
  var s = 0.0;
  for (var j = 0u; j < d; j++) { s = s + ld(x + j); }
  let mean = s * inv;
  var v = 0.0;
  for (var j = 0u; j < d; j++) { let t = ld(x + j) - mean; v = v + t * t; }
  let r = 1.0 / sqrt(v * inv + 1e-5);
  st(A(z, 5u) + i, r);
  for (var j = 0u; j < d; j++) {
    let h = (ld(x + j) - mean) * r;
    st(xh + j, h);
    st(y + j, h * ld(g + j) + ld(b + j));
  }
}`,

  /** dx (+)= rstd·(ĝ − mean ĝ − x̂·mean(ĝ⊙x̂)), ĝ = dy⊙g. args: dy, xhat, rstd, g, dx, m, d, acc. */
  layerNormDx: `${PRELUDE}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z; let i = gid.x;
  let m = A(z, 5u); let d = A(z, 6u);
  if (i >= m) { return; }
  let dy = A(z, 0u) + i * d; let xh = A(z, 1u) + i * d; let g = A(z, 3u); let dx = A(z, 4u) + i * d;
  let inv = 1.0 / f32(d);
  var s1 = 0.0; var s2 = 0.0;
  for (var j = 0u; j < d; j++) { let gh = ld(dy + j) * ld(g + j); s1 = s1 + gh; s2 = s2 + gh * ld(xh + j); }
  let r = ld(A(z, 2u) + i);
  let m1 = s1 * inv; let m2 = s2 * inv;
  let acc = A(z, 7u) != 0u;
  for (var j = 0u; j < d; j++) {
    let v = r * (ld(dy + j) * ld(g + j) - m1 - ld(xh + j) * m2);
    st(dx + j, select(v, ld(dx + j) + v, acc));
  }
}`,

  /** One query over S keys per (example, head). args: q, k, v, p, o, n, S, H, dh, scale. */
  attnForward: `${PRELUDE}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z;
  let n = A(z, 5u); let S = A(z, 6u); let H = A(z, 7u); let dh = A(z, 8u); let scale = AF(z, 9u);
  if (gid.x >= n * H) { return; }
  let i = gid.x / H; let h = gid.x % H;
  let d = H * dh; let block = n * d;
  let qr = A(z, 0u) + i * d + h * dh; let kb = A(z, 1u) + i * d + h * dh; let vb = A(z, 2u) + i * d + h * dh;
  let ph = A(z, 3u) + (i * H + h) * S; let o = A(z, 4u) + i * d + h * dh;
  var mx = -3.4e38;
  for (var s = 0u; s < S; s++) {
    var sc = 0.0;
    for (var t = 0u; t < dh; t++) { sc = sc + ld(qr + t) * ld(kb + s * block + t); }
    sc = sc * scale;
    st(ph + s, sc);
    mx = max(mx, sc);
  }
  var sum = 0.0;
  for (var s = 0u; s < S; s++) { let e = exp(ld(ph + s) - mx); st(ph + s, e); sum = sum + e; }
  let inv = 1.0 / sum;
  for (var s = 0u; s < S; s++) {
    let ps = ld(ph + s) * inv;
    st(ph + s, ps);
    for (var t = 0u; t < dh; t++) {
      let v = ps * ld(vb + s * block + t);
      st(o + t, select(v, ld(o + t) + v, s > 0u));
    }
  }
}`,

  /** Gradients of attnForward (dq, dk, dv overwritten). args: q, k, v, p, dout, dq, dk, dv, n, S, H, dh, scale. */
  attnBackward: `${PRELUDE}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z;
  let n = A(z, 8u); let S = A(z, 9u); let H = A(z, 10u); let dh = A(z, 11u); let scale = AF(z, 12u);
  if (gid.x >= n * H) { return; }
  let i = gid.x / H; let h = gid.x % H;
  let d = H * dh; let block = n * d; let row = i * d + h * dh;
  let q = A(z, 0u) + row; let kb = A(z, 1u) + row; let vb = A(z, 2u) + row;
  let ph = A(z, 3u) + (i * H + h) * S; let g = A(z, 4u) + row;
  let dq = A(z, 5u) + row; let dk = A(z, 6u) + row; let dv = A(z, 7u) + row;
  var pdp = 0.0;
  for (var s = 0u; s < S; s++) {
    var dot = 0.0;
    for (var t = 0u; t < dh; t++) { dot = dot + ld(g + t) * ld(vb + s * block + t); }
    pdp = pdp + ld(ph + s) * dot;
  }
  for (var s = 0u; s < S; s++) {
    let ps = ld(ph + s);
    var dot = 0.0;
    for (var t = 0u; t < dh; t++) { dot = dot + ld(g + t) * ld(vb + s * block + t); }
    let ds = ps * (dot - pdp) * scale;
    for (var t = 0u; t < dh; t++) {
      let at = s * block + t;
      let x = ds * ld(kb + at);
      st(dq + t, select(x, ld(dq + t) + x, s > 0u));
      st(dk + at, ds * ld(q + t));
      st(dv + at, ps * ld(g + t));
    }
  }
}`,

  /**
   * The encoder's self-attention with a key padding mask, one (example, query position, head) per
   * thread: q, o [Sq,n,d]; k, v [S,n,d]; p [n,H,Sq,S]. A padded query (Sq > 1) gets o = 0, p = 0.
   * args: q, k, v, p, o, n, Sq, S, H, dh, scale, inputs, idx, pad.
   */
  maskedAttnForward: `${PRELUDE}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z;
  let n = A(z, 5u); let Sq = A(z, 6u); let S = A(z, 7u); let H = A(z, 8u); let dh = A(z, 9u); let scale = AF(z, 10u);
  let inputs = A(z, 11u); let idx = A(z, 12u); let pad = bitcast<i32>(A(z, 13u));
  if (gid.x >= n * Sq * H) { return; }
  let h = gid.x % H; let r = gid.x / H; let t = r % Sq; let i = r / Sq;
  let d = H * dh; let block = n * d; let row = i * d + h * dh;
  let qr = A(z, 0u) + t * block + row; let kb = A(z, 1u) + row; let vb = A(z, 2u) + row; let o = A(z, 4u) + t * block + row;
  let ph = A(z, 3u) + ((i * H + h) * Sq + t) * S;
  for (var j = 0u; j < dh; j++) { st(o + j, 0.0); }
  if (Sq > 1u && isPad(inputs, idx, i, t, S, pad)) {
    for (var s = 0u; s < S; s++) { st(ph + s, 0.0); }
    return;
  }
  var mx = -3.4e38;
  for (var s = 0u; s < S; s++) {
    if (isPad(inputs, idx, i, s, S, pad)) { continue; }
    var sc = 0.0;
    for (var j = 0u; j < dh; j++) { sc = sc + ld(qr + j) * ld(kb + s * block + j); }
    sc = sc * scale;
    st(ph + s, sc);
    mx = max(mx, sc);
  }
  var sum = 0.0;
  for (var s = 0u; s < S; s++) {
    var e = 0.0;
    if (!isPad(inputs, idx, i, s, S, pad)) { e = exp(ld(ph + s) - mx); }
    st(ph + s, e);
    sum = sum + e;
  }
  let inv = select(0.0, 1.0 / sum, sum > 0.0);
  for (var s = 0u; s < S; s++) {
    let ps = ld(ph + s) * inv;
    st(ph + s, ps);
    if (ps != 0.0) {
      for (var j = 0u; j < dh; j++) { st(o + j, ld(o + j) + ps * ld(vb + s * block + j)); }
    }
  }
}`,

  /**
   * Gradients of maskedAttnForward, one (example, head) per thread (it owns that slice of dk and
   * dv over every position, summed over the query positions in order); dq, dk, dv overwritten.
   * args: q, k, v, p, dout, dq, dk, dv, n, Sq, S, H, dh, scale.
   */
  maskedAttnBackward: `${PRELUDE}
@compute @workgroup_size(${ROWS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let z = wg.z;
  let n = A(z, 8u); let Sq = A(z, 9u); let S = A(z, 10u); let H = A(z, 11u); let dh = A(z, 12u); let scale = AF(z, 13u);
  if (gid.x >= n * H) { return; }
  let i = gid.x / H; let h = gid.x % H;
  let d = H * dh; let block = n * d; let row = i * d + h * dh;
  let kb = A(z, 1u) + row; let vb = A(z, 2u) + row; let dk = A(z, 6u) + row; let dv = A(z, 7u) + row;
  for (var s = 0u; s < S; s++) {
    for (var j = 0u; j < dh; j++) { st(dk + s * block + j, 0.0); st(dv + s * block + j, 0.0); }
  }
  for (var t = 0u; t < Sq; t++) {
    let qr = A(z, 0u) + t * block + row; let dq = A(z, 5u) + t * block + row; let g = A(z, 4u) + t * block + row;
    let ph = A(z, 3u) + ((i * H + h) * Sq + t) * S;
    for (var j = 0u; j < dh; j++) { st(dq + j, 0.0); }
    var pdp = 0.0;
    for (var s = 0u; s < S; s++) {
      let ps = ld(ph + s);
      if (ps == 0.0) { continue; }
      var dot = 0.0;
      for (var j = 0u; j < dh; j++) { dot = dot + ld(g + j) * ld(vb + s * block + j); }
      pdp = pdp + ps * dot;
    }
    for (var s = 0u; s < S; s++) {
      let ps = ld(ph + s);
      if (ps == 0.0) { continue; }
      var dot = 0.0;
      for (var j = 0u; j < dh; j++) { dot = dot + ld(g + j) * ld(vb + s * block + j); }
      let ds = ps * (dot - pdp) * scale;
      for (var j = 0u; j < dh; j++) {
        let at = s * block + j;
        st(dq + j, ld(dq + j) + ds * ld(kb + at));
        st(dk + at, ld(dk + at) + ds * ld(qr + j));
        st(dv + at, ld(dv + at) + ps * ld(g + j));
      }
    }
  }
}`,

  /** out[i,j] = mean over unpadded s of x[s,i,j]; x [S,n,d]. args: x, out, n, S, d, inputs, idx, pad. */
  maskedMeanPool: elementwise('x, out, n, S, d, inputs, idx, pad', 'A(z, 2u) * A(z, 4u)', `
    let n = A(z, 2u); let S = A(z, 3u); let d = A(z, 4u); let pad = bitcast<i32>(A(z, 7u));
    let i = e / d;
    var sum = 0.0; var c = 0.0;
    for (var s = 0u; s < S; s++) {
      if (isPad(A(z, 5u), A(z, 6u), i, s, S, pad)) { continue; }
      sum = sum + ld(A(z, 0u) + s * n * d + e);
      c = c + 1.0;
    }
    st(A(z, 1u) + e, sum * select(0.0, 1.0 / c, c > 0.0));`),

  /** dx[s,i,j] = dout[i,j] / count (unpadded s), 0 (padded s). args: dout, dx, n, S, d, inputs, idx, pad. */
  maskedMeanPoolBackward: elementwise('dout, dx, n, S, d, inputs, idx, pad', 'A(z, 3u) * A(z, 2u) * A(z, 4u)', `
    let n = A(z, 2u); let S = A(z, 3u); let d = A(z, 4u); let pad = bitcast<i32>(A(z, 7u));
    let r = e % (n * d); let s = e / (n * d); let i = r / d;
    var c = 0.0;
    for (var q = 0u; q < S; q++) { if (!isPad(A(z, 5u), A(z, 6u), i, q, S, pad)) { c = c + 1.0; } }
    let w = select(select(0.0, 1.0 / c, c > 0.0), 0.0, isPad(A(z, 5u), A(z, 6u), i, s, S, pad));
    st(A(z, 1u) + e, w * ld(A(z, 0u) + r));`),

  /**
   * dtok[v] += Σ_{(s,i): token(i,s) = v} dx(i,s), in (s, i) order like the CPU: one workgroup per
   * vocabulary row and 64 columns, scanning the tokens in tiles through workgroup memory. No atomics.
   * args: inputs, idx, n, S, dx, dtok, d, posStride, rowStride, V.
   */
  embedScatter: `${PRELUDE}
var<workgroup> toks: array<u32, ${COLS}>;
@compute @workgroup_size(${COLS})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let z = wg.z;
  let inputs = A(z, 0u); let idx = A(z, 1u); let n = A(z, 2u); let S = A(z, 3u);
  let dx = A(z, 4u); let d = A(z, 6u); let posStride = A(z, 7u); let rowStride = A(z, 8u);
  let V = A(z, 9u);
  let v = wg.x / ((d + ${COLS - 1}u) / ${COLS}u);
  let j = (wg.x % ((d + ${COLS - 1}u) / ${COLS}u)) * ${COLS}u + lid.x;
  let live = v < V && j < d;
  var acc = 0.0;
  for (var s = 0u; s < S; s++) {
    for (var i0 = 0u; i0 < n; i0 += ${COLS}u) {
      let i = i0 + lid.x;
      toks[lid.x] = select(0xffffffffu, mem[inputs + mem[idx + min(i, n - 1u)] * S + s], i < n);
      workgroupBarrier();
      let cnt = min(${COLS}u, n - i0);
      if (live) {
        for (var q = 0u; q < cnt; q++) {
          if (toks[q] == v) { acc = acc + ld(dx + s * posStride + (i0 + q) * rowStride + j); }
        }
      }
      workgroupBarrier();
    }
  }
  if (live) { let o = A(z, 5u) + v * d + j; st(o, ld(o) + acc); }
}`,

  /**
   * Adds one evaluation chunk's per-example loss and correctness into out[2·c], out[2·c + 1] for
   * component c = wg.x (one workgroup per component). args: loss, correct, idx, n, component (bytes), out.
   */
  evalAccum: `${PRELUDE}
var<workgroup> sl: array<f32, ${RED}>;
var<workgroup> sc: array<f32, ${RED}>;
@compute @workgroup_size(${RED})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let z = wg.z; let c = wg.x;
  let loss = A(z, 0u); let correct = A(z, 1u); let idx = A(z, 2u); let n = A(z, 3u); let comp = A(z, 4u);
  var a = 0.0; var b = 0.0;
  for (var i = li; i < n; i += ${RED}u) {
    let e = comp + mem[idx + i];
    if (((mem[e / 4u] >> ((e % 4u) * 8u)) & 255u) == c) { a = a + ld(loss + i); b = b + ld(correct + i); }
  }
  sl[li] = a; sc[li] = b;
  workgroupBarrier();
  for (var w = ${RED / 2}u; w > 0u; w = w / 2u) {
    if (li < w) { sl[li] = sl[li] + sl[li + w]; sc[li] = sc[li] + sc[li + w]; }
    workgroupBarrier();
  }
  if (li == 0u) { let o = A(z, 5u) + 2u * c; st(o, ld(o) + sl[0]); st(o + 1u, ld(o + 1u) + sc[0]); }
}`,

  /** out = Σ x² over n floats (one workgroup per call). args: x, n, out. */
  sumSquares: `${PRELUDE}
var<workgroup> part: array<f32, ${RED}>;
@compute @workgroup_size(${RED})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let z = wg.z; let x = A(z, 0u); let n = A(z, 1u);
  var a = 0.0;
  for (var i = li; i < n; i += ${RED}u) { let v = ld(x + i); a = a + v * v; }
  part[li] = a;
  workgroupBarrier();
  for (var w = ${RED / 2}u; w > 0u; w = w / 2u) {
    if (li < w) { part[li] = part[li] + part[li + w]; }
    workgroupBarrier();
  }
  if (li == 0u) { st(A(z, 2u), part[0]); }
}`,
} as const;

export type KernelName = keyof typeof KERNELS;
