// AdamW with PyTorch's (non-foreach) arithmetic: decoupled decay, then the bias-corrected Adam step.
//   p *= 1 − lr·wd;  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//   p −= (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps),  bc1 = 1 − β1^t, bc2 = 1 − β2^t
export function adamw(p: usize, g: usize, m: usize, v: usize, n: usize, lr: f64, wd: f64, b1: f64, b2: f64, eps: f64, t: f64): void {
  const decay = f32x4.splat(<f32>(1 - lr * wd));
  const vb1 = f32x4.splat(<f32>b1), vb2 = f32x4.splat(<f32>b2);
  const c1 = f32x4.splat(<f32>(1 - b1)), c2 = f32x4.splat(<f32>(1 - b2));
  const stepSize = f32x4.splat(<f32>(lr / (1 - Math.pow(b1, t))));
  const bc2sqrt = f32x4.splat(<f32>Math.sqrt(1 - Math.pow(b2, t)));
  const veps = f32x4.splat(<f32>eps);
  // n is a multiple of 4: the layout pads every parameter block to 16 bytes.
  for (let i: usize = 0; i < n; i += 4) {
    const o = i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), bc2sqrt), veps);
    const pi = f32x4.mul(v128.load(p + o), decay);
    v128.store(p + o, f32x4.sub(pi, f32x4.mul(stepSize, f32x4.div(mi, denom))));
  }
}
