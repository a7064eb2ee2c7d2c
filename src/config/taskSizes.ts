// What a task config implies by itself, before any dataset is built: how many (a, b) pairs an op
// uses, the size of each component's pool, the components' metric names, and whether a modulus is
// prime. The config checks and `grok validate` use them, and so do the tasks that build datasets
// (src/trainer/tasks), which import them from here (config does not import the trainer).
import type { z } from 'zod';
import type { MixtureTaskSchema, ModularOp, TaskConfig } from './schema';

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Number of (a, b) pairs an op uses at modulus p: P², or P(P-1) for a/b (b = 0 has no inverse). */
export function opPairCount(op: ModularOp, p: number): number {
  return op === 'a/b' ? p * (p - 1) : p * p;
}

/** Examples per component (one entry unless a mixture); null for text, whose size is in its files. */
export function componentPoolSizes(task: TaskConfig): number[] | null {
  switch (task.kind) {
    case 'modular':
    case 'memorization':
      return [opPairCount(task.op, task.modulus)];
    case 'mixture':
      return task.components.map((c) => opPairCount(c.op, task.modulus));
    case 'text':
      return null;
  }
}

/** Number of examples in the task's dataset (null for text). */
export function datasetSize(task: TaskConfig): number | null {
  const pools = componentPoolSizes(task);
  return pools ? pools.reduce((s, n) => s + n, 0) : null;
}

/** A mixture's metric names: the given name, else the op (`random(op)` for random labels). */
export function componentNames(task: z.output<typeof MixtureTaskSchema>): string[] {
  return task.components.map((c) => c.name ?? (c.labels === 'random' ? `random(${c.op})` : c.op));
}
