// LayerNorm over the last dimension (eps 1e-5, biased variance, as torch.nn.LayerNorm).

const EPS: f32 = 1e-5;

/** y = g ⊙ x̂ + b with x̂ = (x − mean) · rstd; keeps x̂[m,d] and rstd[m] for the backward pass. y may alias x. */
export function layerNorm(x: usize, g: usize, b: usize, y: usize, xhat: usize, rstd: usize, m: usize, d: usize): void {
  const inv: f32 = 1 / <f32>d;
  for (let i: usize = 0; i < m; i++) {
    const off = (i * d) << 2;
    let s: f32 = 0;
    for (let j: usize = 0; j < d; j++) s += load<f32>(x + off + (j << 2));
    const mean = s * inv;
    let v: f32 = 0;
    for (let j: usize = 0; j < d; j++) { const t = load<f32>(x + off + (j << 2)) - mean; v += t * t; }
    const r: f32 = 1 / Mathf.sqrt(v * inv + EPS);
    store<f32>(rstd + (i << 2), r);
    for (let j: usize = 0; j < d; j++) {
      const o = j << 2;
      const h = (load<f32>(x + off + o) - mean) * r;
      store<f32>(xhat + off + o, h);
      store<f32>(y + off + o, h * load<f32>(g + o) + load<f32>(b + o));
    }
  }
}

/**
 * dx (+)= rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = dy ⊙ g; dg += Σ dy ⊙ x̂; db += Σ dy.
 * dx may alias dy only when acc is false.
 */
export function layerNormBackward(dy: usize, xhat: usize, rstd: usize, g: usize, dx: usize, dg: usize, db: usize, m: usize, d: usize, acc: bool): void {
  const inv: f32 = 1 / <f32>d;
  for (let i: usize = 0; i < m; i++) {
    const off = (i * d) << 2;
    let s1: f32 = 0, s2: f32 = 0;
    for (let j: usize = 0; j < d; j++) {
      const o = j << 2;
      const gy = load<f32>(dy + off + o);
      const h = load<f32>(xhat + off + o);
      const gh = gy * load<f32>(g + o);
      s1 += gh; s2 += gh * h;
      store<f32>(dg + o, load<f32>(dg + o) + gy * h);
      store<f32>(db + o, load<f32>(db + o) + gy);
    }
    const r = load<f32>(rstd + (i << 2));
    const m1 = s1 * inv, m2 = s2 * inv;
    for (let j: usize = 0; j < d; j++) {
      const o = j << 2;
      const gh = load<f32>(dy + off + o) * load<f32>(g + o);
      const v = r * (gh - m1 - load<f32>(xhat + off + o) * m2);
      store<f32>(dx + off + o, acc ? load<f32>(dx + off + o) + v : v);
    }
  }
}
