// Modular arithmetic: `a b =` labelled op(a, b) mod P, over every pair the op uses.
import type { z } from 'zod';
import type { ModularTaskSchema } from '../../config/schema';
import { opLabeler, opPairs } from './ops';
import { pairDataset } from './pairs';
import type { Dataset } from './types';

export type ModularTask = z.output<typeof ModularTaskSchema>;

export function buildModularDataset(task: ModularTask): Dataset {
  const P = task.modulus;
  const label = opLabeler(task.op, P);
  const pairs = opPairs(task.op, P);
  return pairDataset(P, pairs, Int32Array.from(pairs, ([a, b]) => label(a, b)), task.op);
}
