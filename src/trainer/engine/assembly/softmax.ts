// Softmax cross-entropy over rows of logits, with labels looked up through example indices.
import { vexp, sexp } from './vmath';

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
    let best: f32 = load<f32>(row);
    let arg: usize = 0;
    for (let j: usize = 1; j < c; j++) {
      const v = load<f32>(row + (j << 2));
      if (v > best) { best = v; arg = j; }
    }
    const mx = f32x4.splat(best);
    let acc = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 4 <= c; j += 4) acc = f32x4.add(acc, vexp(f32x4.sub(v128.load(row + (j << 2)), mx)));
    let sum: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; j < c; j++) sum += sexp(load<f32>(row + (j << 2)) - best);
    const target = load<f32>(row + (label << 2));
    store<f32>(lossOut + (i << 2), (best + Mathf.log(sum)) - target);
    store<f32>(correctOut + (i << 2), arg == label ? 1 : 0);
    if (dlogits) {
      const drow = dlogits + ((i * c) << 2);
      const k = f32x4.splat(scale / sum);
      j = 0;
      for (; j + 4 <= c; j += 4) v128.store(drow + (j << 2), f32x4.mul(vexp(f32x4.sub(v128.load(row + (j << 2)), mx)), k));
      for (; j < c; j++) store<f32>(drow + (j << 2), sexp(load<f32>(row + (j << 2)) - best) * (scale / sum));
      store<f32>(drow + (label << 2), load<f32>(drow + (label << 2)) - scale);
    }
  }
}
