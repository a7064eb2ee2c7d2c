// Multi-task mixtures (circuit competition): each component has its own operator token, so the
// sequence is `a op_k b =`. Tokens: 0..P-1 numbers, P is `=`, P+1+k is component k's operator.
import type { z } from 'zod';
import type { MixtureTaskSchema } from '../../config/schema';
import { componentNames } from '../../config/taskSizes';
import { randomLabels } from './memorization';
import { opLabeler, opPairs } from './ops';
import { STREAM } from './streams';
import type { Dataset } from './types';

export type MixtureTask = z.output<typeof MixtureTaskSchema>;


export function opToken(P: number, component: number): number {
  return P + 1 + component;
}

export function buildMixtureDataset(task: MixtureTask, seed: number): Dataset {
  const P = task.modulus;
  if (task.components.length > 255) throw new Error('a mixture has at most 255 components');
  const parts = task.components.map((c, k) => {
    const pairs = opPairs(c.op, P);
    const labels = c.labels === 'random'
      ? randomLabels(pairs, P, { seed, stream: STREAM.labels + k, symmetric: false })
      : Int32Array.from(pairs, ((label) => ([a, b]) => label(a, b))(opLabeler(c.op, P)));
    return { pairs, labels };
  });
  const count = parts.reduce((s, p) => s + p.pairs.length, 0);
  const inputs = new Int32Array(count * 4);
  const labels = new Int32Array(count);
  const component = new Uint8Array(count);
  let i = 0;
  parts.forEach(({ pairs, labels: partLabels }, k) => {
    pairs.forEach(([a, b], j) => {
      inputs.set([a, opToken(P, k), b, P], 4 * i);
      labels[i] = partLabels[j]!; // one label per pair, built together above
      component[i] = k;
      i++;
    });
  });
  return {
    inputs, labels, count, seqLen: 4, vocabSize: P + 1 + task.components.length, numClasses: P,
    component, componentNames: componentNames(task),
  };
}
