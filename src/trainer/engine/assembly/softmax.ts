// Softmax cross-entropy over rows of logits, with labels looked up through example indices.
import { vexp, sexp } from './vmath';

/** 2^-64: softmax probabilities below this are taken as 0 in gradients (see softmaxCrossEntropy). */
export const TINY_P: f32 = 5.421010862427522e-20;

/** Largest value of a row and the first index holding it (torch.argmax picks the first too). */
@inline function rowMax(row: usize, c: usize): f32 {
  let j: usize = 0;
  let best: f32 = -Infinity;
  if (c >= 4) {
    let m4 = v128.load(row);
    for (j = 4; j + 4 <= c; j += 4) m4 = f32x4.pmax(m4, v128.load(row + (j << 2))); // one instruction; a NaN logit makes the loss NaN anyway
    best = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  }
  for (; j < c; j++) best = max(best, load<f32>(row + (j << 2)));
  return best;
}

@inline function firstIndexOf(row: usize, c: usize, value: f32): usize {
  let j: usize = 0;
  while (j < c - 1 && load<f32>(row + (j << 2)) != value) j++;
  return j;
}

/**
 * For each row i of logits[m,c], with label = labels[idx[i]]:
 * lossOut[i] = logsumexp(row) − row[label]; correctOut[i] = 1 if the first argmax is the label, else 0.
 * If dlogits ≠ 0: dlogits[i] = (softmax(row) − onehot(label)) · scale (dlogits may alias logits).
 */
export function softmaxCrossEntropy(
  logits: usize, labels: usize, idx: usize, m: usize, c: usize,
  dlogits: usize, scale: f32, lossOut: usize, correctOut: usize,
): void {
  for (let i: usize = 0; i < m; i++) {
    const row = logits + ((i * c) << 2);
    const label = <usize>load<i32>(labels + (<usize>load<i32>(idx + (i << 2)) << 2));
    const best = rowMax(row, c);
    const target = load<f32>(row + (label << 2));
    store<f32>(correctOut + (i << 2), target == best && firstIndexOf(row, c, best) == label ? 1 : 0);
    // exp(row − max): kept in dlogits when a gradient is wanted, so it is computed once.
    const out = dlogits ? dlogits + ((i * c) << 2) : 0;
    const mx = f32x4.splat(best);
    let acc = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 4 <= c; j += 4) {
      const e = vexp(f32x4.sub(v128.load(row + (j << 2)), mx));
      acc = f32x4.add(acc, e);
      if (out) v128.store(out + (j << 2), e);
    }
    let sum: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; j < c; j++) {
      const e = sexp(load<f32>(row + (j << 2)) - best);
      sum += e;
      if (out) store<f32>(out + (j << 2), e);
    }
    store<f32>(lossOut + (i << 2), (best + Mathf.log(sum)) - target);
    if (out) {
      // Probabilities below 2^-64 become exactly 0: (e / sum) · scale would otherwise be subnormal,
      // and subnormal operands make every later SIMD op (matmuls included) many times slower on x86.
      const k: f32 = scale / sum;
      const k4 = f32x4.splat(k);
      const tiny: f32 = sum * TINY_P;
      const tiny4 = f32x4.splat(tiny);
      j = 0;
      for (; j + 4 <= c; j += 4) {
        const e = v128.load(out + (j << 2));
        v128.store(out + (j << 2), v128.and(f32x4.mul(e, k4), f32x4.gt(e, tiny4)));
      }
      for (; j < c; j++) { const e = load<f32>(out + (j << 2)); store<f32>(out + (j << 2), e > tiny ? e * k : 0); }
      store<f32>(out + (label << 2), load<f32>(out + (label << 2)) - scale);
    }
  }
}
