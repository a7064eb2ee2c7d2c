// Memorization capacity D_mem (Huang et al. 2024): below it the model can memorize the training
// set before it generalizes (ungrokking / semi-grokking / grokking); above it memorizing is too
// costly and train and validation rise together (progression).
import type { Regime } from '../store/types';
import { MEMORIZATION_FIRST } from './regime';
import { firstCrossing, meanPerX, type CrossingKind } from './stats';

export interface RegimeAtSize { dataSize: number; regime: Regime | null }

export interface MemorizationCapacity {
  /** The data size where half the runs progress, linearly interpolated between grid sizes. */
  value: number | null;
  /** 'below-grid': the smallest size already progresses (value is an upper bound);
   *  'not-reached': every size memorizes first (D_mem is above the grid). */
  kind: CrossingKind;
}

/**
 * D_mem of one group (same params but data size and seed): the smallest data size where at least
 * half of the runs are `progression`, among runs that are progression or memorize first.
 * no-learning, unsettled and unclassified runs do not vote.
 */
export function memorizationCapacity(group: readonly RegimeAtSize[]): MemorizationCapacity {
  const votes = group
    .filter((r) => r.regime === 'progression' || (r.regime !== null && MEMORIZATION_FIRST.has(r.regime)))
    .map((r) => ({ x: r.dataSize, y: r.regime === 'progression' ? 1 : 0 }));
  return firstCrossing(meanPerX(votes), 0.5);
}
