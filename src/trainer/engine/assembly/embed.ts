// Embedding gather and scatter-add, with rows selected through example indices:
// token t_{i,s} = inputs[idx[i] · S + s]. Output row (i, s) lives at out + s·posStride + i·rowStride
// (byte strides), which covers both the transformer's [S, n, d] and the MLP's [n, S·d] layouts.

@inline function token(inputs: usize, idx: usize, i: usize, s: usize, S: usize): usize {
  return <usize>load<i32>(inputs + (((<usize>load<i32>(idx + (i << 2))) * S + s) << 2));
}

/** out(i, s) = tok[t_{i,s}] + pos[s] (pos 0 = no positional table). */
export function embedGather(inputs: usize, idx: usize, n: usize, S: usize, tok: usize, pos: usize, out: usize, d: usize, posStride: usize, rowStride: usize): void {
  for (let s: usize = 0; s < S; s++) {
    for (let i: usize = 0; i < n; i++) {
      const src = tok + ((token(inputs, idx, i, s, S) * d) << 2);
      const dst = out + s * posStride + i * rowStride;
      const ps = pos + ((s * d) << 2);
      let j: usize = 0;
      for (; j + 4 <= d; j += 4) {
        const x = v128.load(src + (j << 2));
        v128.store(dst + (j << 2), pos ? f32x4.add(x, v128.load(ps + (j << 2))) : x);
      }
      for (; j < d; j++) store<f32>(dst + (j << 2), load<f32>(src + (j << 2)) + (pos ? load<f32>(ps + (j << 2)) : 0));
    }
  }
}

/** dtok[t_{i,s}] += dx(i, s); dpos[s] += Σ_i dx(i, s) (dpos 0 = none). In example order, so deterministic. */
export function embedScatter(inputs: usize, idx: usize, n: usize, S: usize, dx: usize, dtok: usize, dpos: usize, d: usize, posStride: usize, rowStride: usize): void {
  for (let s: usize = 0; s < S; s++) {
    const ps = dpos + ((s * d) << 2);
    for (let i: usize = 0; i < n; i++) {
      const src = dx + s * posStride + i * rowStride;
      const dst = dtok + ((token(inputs, idx, i, s, S) * d) << 2);
      let j: usize = 0;
      for (; j + 4 <= d; j += 4) {
        const g = v128.load(src + (j << 2));
        v128.store(dst + (j << 2), f32x4.add(v128.load(dst + (j << 2)), g));
        if (dpos) v128.store(ps + (j << 2), f32x4.add(v128.load(ps + (j << 2)), g));
      }
      for (; j < d; j++) {
        const g = load<f32>(src + (j << 2));
        store<f32>(dst + (j << 2), load<f32>(dst + (j << 2)) + g);
        if (dpos) store<f32>(ps + (j << 2), load<f32>(ps + (j << 2)) + g);
      }
    }
  }
}
