// What a mixture sweep's size axis measures. `task.components.K.trainSize` sizes component K: when
// K learns an op, that is the training-set size of a task that can generalize, and its critical data
// size is read from K's own validation accuracy (the mixture's overall accuracy also counts the
// other components). When K has random labels (Huang et al.'s emergence: a+b next to n random-label
// examples), n counts samples to memorize, not a training set of anything that generalizes: no CDS
// is measured along it. What such a sweep shows instead is each op component's converged
// validation accuracy against n, per group (randomCountAccuracy).
import type { ExperimentConfig } from '../config/schema';
import { componentNames } from '../config/taskSizes';
import type { RunParams, RunSummary, Summary } from '../store/types';
import { groupRuns } from './groups';
import { componentValAcc, isFinished, numericParam, outcomeOf, SEED_AXIS } from './runs';

export interface AxisComponent {
  index: number;
  /** Its metric name (componentNames: the given name, the op, or random(op)). */
  name: string;
  random: boolean;
}

/** The mixture component a `task.components.K.*` axis sizes; null for any other axis or task. */
export function componentOfAxis(config: Pick<ExperimentConfig, 'task'>, axis: string): AxisComponent | null {
  const m = /^task\.components\.(\d+)\./.exec(axis);
  if (!m || config.task.kind !== 'mixture') return null;
  const index = Number(m[1]);
  const c = config.task.components[index];
  if (!c) return null;
  return { index, name: componentNames(config.task)[index]!, random: c.labels === 'random' }; // one name per component
}

/** The names of the mixture's components that learn an op (what can generalize). */
export function opComponents(config: Pick<ExperimentConfig, 'task'>): string[] {
  if (config.task.kind !== 'mixture') return [];
  const names = componentNames(config.task);
  return config.task.components.flatMap((c, i) => (c.labels === 'random' ? [] : [names[i]!]));
}

export type RandomCountAccuracy = NonNullable<Summary['randomCount']>;

/**
 * For a sweep whose size axis counts a random-label component's samples: per group (every axis but
 * that count and the seed) and op component, the mean converged val accuracy over the finished runs
 * at each count, how many seeds that is, and whether any of them was still moving.
 */
export function randomCountAccuracy(runs: readonly RunSummary[], config: Pick<ExperimentConfig, 'task'>, axis: string): RandomCountAccuracy | null {
  const random = componentOfAxis(config, axis);
  if (!random?.random) return null;
  const finished = runs.filter((r) => isFinished(r) && numericParam(r, axis) !== null);
  const accuracy = groupRuns(finished, axis, SEED_AXIS).flatMap((g) => opComponents(config).map((component) => {
    const sizes = [...new Set(g.runs.map((r) => numericParam(r, axis)!))].sort((a, b) => a - b);
    const points = sizes.flatMap((size) => {
      const at = g.runs.filter((r) => numericParam(r, axis) === size);
      const accs = at.map((r) => componentValAcc(r, component)).filter((v) => v !== null);
      if (accs.length === 0) return [];
      return [{ size, valAcc: accs.reduce((s, v) => s + v, 0) / accs.length, seeds: accs.length, moving: at.some((r) => outcomeOf(r)?.moving === true) }];
    });
    return { group: g.params as RunParams, component, points };
  })).filter((a) => a.points.length > 0);
  return { axis, component: random.name, accuracy };
}
