// Random-label memorization: the inputs of a modular op, each labelled uniformly at random by seed,
// so there is nothing to generalize.
import type { z } from 'zod';
import type { MemorizationTaskSchema } from '../../config/schema';
import { Rng } from '../../util/rng';
import { opPairs } from './ops';
import { pairDataset } from './pairs';
import { STREAM } from './streams';
import type { Dataset } from './types';

export type MemorizationTask = z.output<typeof MemorizationTaskSchema>;

export function buildMemorizationDataset(task: MemorizationTask, seed: number): Dataset {
  const pairs = opPairs(task.op, task.modulus);
  const labels = randomLabels(pairs, task.modulus, { seed, stream: STREAM.labels, symmetric: task.symmetric });
  return pairDataset(task.modulus, pairs, labels, `random(${task.op})`);
}

/**
 * A uniform label in 0..P-1 per pair, drawn in pair order. With `symmetric`, (a, b) and (b, a)
 * share the label drawn for whichever comes first.
 */
export function randomLabels(
  pairs: ReadonlyArray<readonly [number, number]>, P: number,
  opts: { seed: number; stream: number; symmetric: boolean },
): Int32Array {
  const rng = new Rng(opts.seed, opts.stream);
  const labels = new Int32Array(pairs.length);
  const shared = new Map<number, number>();
  pairs.forEach(([a, b], i) => {
    if (!opts.symmetric) { labels[i] = rng.int(P); return; }
    const key = Math.min(a, b) * P + Math.max(a, b);
    let label = shared.get(key);
    if (label === undefined) { label = rng.int(P); shared.set(key, label); }
    labels[i] = label;
  });
  return labels;
}
