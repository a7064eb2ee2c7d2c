// Dataset sizes computed from the task alone, without building the dataset (for validation,
// `grok validate` and planning splits).
import type { TaskConfig } from '../../config/schema';
import { opPairCount } from './ops';

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
