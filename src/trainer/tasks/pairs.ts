// Datasets over (a, b) pairs: the modular and memorization tasks share the sequence `a b =`,
// with tokens 0..P-1 for numbers and P for `=`.
import type { Dataset } from './types';

export function pairDataset(
  P: number, pairs: ReadonlyArray<readonly [number, number]>, labels: Int32Array, name: string,
): Dataset {
  const count = pairs.length;
  const inputs = new Int32Array(count * 3);
  pairs.forEach(([a, b], i) => { inputs[3 * i] = a; inputs[3 * i + 1] = b; inputs[3 * i + 2] = P; });
  return {
    inputs, labels, count, seqLen: 3, vocabSize: P + 1, numClasses: P,
    component: new Uint8Array(count), componentNames: [name],
  };
}
