// How many training examples a run uses: from trainSize, trainFraction, or the default.
// Mixtures resolve per component: the component's own size, else the training-level one
// (training.trainSize is shared out in proportion to the components' pools).
import type { PathSegment } from './errors';
import type { ExperimentConfig } from './schema';
import { componentPoolSizes } from './taskSizes';

/** Used when neither trainSize nor trainFraction is given (and no fixed validation set exists). */
export const DEFAULT_TRAIN_FRACTION = 0.5;

export interface PlannedTrainSize {
  size: number;
  /** The field that decided the size (for error messages); null for the default. */
  source: PathSegment[] | null;
}

interface SizeFields { trainSize?: number; trainFraction?: number }
type SizedConfig = Pick<ExperimentConfig, 'task' | 'training'>;

/**
 * Train size per pool: one pool, or one per mixture component. With `fixedValidation` (a text
 * test file) validation does not come out of the pool, so the default is the whole pool.
 */
export function planTrainSizes(config: SizedConfig, pools: readonly number[], fixedValidation = false): PlannedTrainSize[] {
  const { task, training } = config;
  const fallback = (pool: number): PlannedTrainSize =>
    ({ size: fixedValidation ? pool : fractionOf(DEFAULT_TRAIN_FRACTION, pool), source: null });
  if (task.kind !== 'mixture') {
    return [fromFields(training, pool0(pools), ['training']) ?? fallback(pool0(pools))];
  }
  if (pools.length !== task.components.length) throw new Error(`${task.components.length} components but ${pools.length} pool sizes`);
  // From here on k < pools.length: every index below is in range.
  const own = task.components.map((c, k) => fromFields(c, pools[k]!, ['task', 'components', k]));
  const shared = training.trainSize !== undefined
    ? shareOut(training.trainSize, pools.map((p, k) => (own[k] ? 0 : p))) : null;
  return own.map((o, k) => o
    ?? (shared ? { size: shared[k]!, source: ['training', 'trainSize'] } : null)
    ?? fromFields({ trainFraction: training.trainFraction }, pools[k]!, ['training'])
    ?? fallback(pools[k]!));
}

/** Total train size of a config whose dataset has `datasetSize` examples (mixtures: summed over components). */
export function resolvedTrainSize(config: SizedConfig, datasetSize: number): number {
  const pools = config.task.kind === 'mixture' ? componentPoolSizes(config.task)! : [datasetSize];
  return planTrainSizes(config, pools).reduce((s, p) => s + p.size, 0);
}

function fromFields(f: SizeFields, pool: number, at: PathSegment[]): PlannedTrainSize | null {
  if (f.trainSize !== undefined) return { size: f.trainSize, source: [...at, 'trainSize'] };
  if (f.trainFraction !== undefined) return { size: fractionOf(f.trainFraction, pool), source: [...at, 'trainFraction'] };
  return null;
}

function fractionOf(fraction: number, pool: number): number {
  return Math.max(1, Math.round(fraction * pool));
}

function pool0(pools: readonly number[]): number {
  if (pools.length !== 1) throw new Error(`expected one pool, got ${pools.length}`);
  return pools[0]!;
}

/** Splits `total` in proportion to `weights` (largest remainder, ties to the first). */
function shareOut(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  const order = exact.map((x, k) => ({ k, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (let i = 0, left = total - shares.reduce((s, x) => s + x, 0); i < left; i++) shares[order[i]!.k]!++; // left < weights.length: each remainder is below 1
  return shares;
}
