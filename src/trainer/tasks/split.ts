// Uniform data pruning: each pool (the whole dataset, or each mixture component) is permuted by
// seed; train is the first n of the permutation and validation the rest. Two useful consequences:
// for one seed, a smaller train set is a subset of a larger one, and with `valSize` the validation
// set (the permutation's last valSize) is the same for every train size that leaves room for it.
import type { ExperimentConfig } from '../../config/schema';
import { planTrainSizes } from '../../config/trainSize';
import { Rng } from '../../util/rng';
import { componentNames, componentPoolSizes } from '../../config/taskSizes';
import { STREAM } from './streams';
import type { Dataset, Split } from './types';

export interface SplitOptions {
  seed: number;
  /** Train size per pool: one entry, or one per mixture component. */
  trainSizes: readonly number[];
  /** Cap on validation examples (per pool; for a fixed validation set, on that set). */
  valSize?: number;
}

/** Indices of each pool: examples of component k that are not reserved for validation. */
export function splitPools(dataset: Dataset): Int32Array[] {
  const reserved = new Uint8Array(dataset.count);
  for (const i of dataset.fixedValidation ?? []) reserved[i] = 1;
  const pools: number[][] = dataset.componentNames.map(() => []);
  for (let i = 0; i < dataset.count; i++) {
    if (reserved[i]) continue;
    const pool = pools[dataset.component[i] ?? -1];
    if (!pool) throw new Error(`split: example ${i} has component ${dataset.component[i]}, but the dataset names ${pools.length}`);
    pool.push(i);
  }
  return pools.map((p) => Int32Array.from(p));
}

export function splitDataset(dataset: Dataset, opts: SplitOptions): Split {
  const pools = splitPools(dataset);
  if (opts.trainSizes.length !== pools.length) {
    throw new Error(`split: ${opts.trainSizes.length} train sizes for ${pools.length} pools`);
  }
  const fixed = dataset.fixedValidation;
  const train: Int32Array[] = [];
  const val: Int32Array[] = [];
  pools.forEach((pool, k) => {
    const n = opts.trainSizes[k];
    const needVal = fixed ? 0 : 1;
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > pool.length - needVal) {
      throw new Error(`split: train size ${n} does not fit a pool of ${pool.length} examples`
        + (needVal ? ' with at least 1 left for validation' : ''));
    }
    const perm = new Rng(opts.seed, STREAM.split + k).shuffle(pool.slice());
    train.push(perm.subarray(0, n));
    if (!fixed) {
      const valStart = opts.valSize === undefined ? n : Math.max(n, perm.length - opts.valSize);
      val.push(perm.subarray(valStart));
    }
  });
  if (fixed) val.push(capSample(fixed, opts.valSize, new Rng(opts.seed, STREAM.fixedValidation)));
  return {
    train: sorted(concat(train)),
    val: sorted(concat(val)),
    poolSize: pools.reduce((s, p) => s + p.length, 0),
  };
}

/** The split a run's config asks for. */
export function splitForRun(dataset: Dataset, config: Pick<ExperimentConfig, 'task' | 'training' | 'seed'>): Split {
  const pools = splitPools(dataset).map((p) => p.length);
  const trainSizes = planTrainSizes(config, pools, dataset.fixedValidation !== undefined).map((p) => p.size);
  return splitDataset(dataset, { seed: config.seed, trainSizes, valSize: config.training.valSize });
}

export interface SplitSizes {
  train: number;
  val: number;
  pool: number;
  components: Array<{ name: string; train: number; val: number }>;
}

/** Sizes of a split, in total and per component, for reports. */
export function splitSizes(dataset: Dataset, split: Split): SplitSizes {
  const count = (idx: Int32Array, k: number) => idx.reduce((s, i) => s + (dataset.component[i] === k ? 1 : 0), 0);
  return {
    train: split.train.length, val: split.val.length, pool: split.poolSize,
    components: dataset.componentNames.map((name, k) => ({ name, train: count(split.train, k), val: count(split.val, k) })),
  };
}

function capSample(indices: Int32Array, cap: number | undefined, rng: Rng): Int32Array {
  if (cap === undefined || cap >= indices.length) return indices.slice();
  return rng.shuffle(indices.slice()).subarray(0, cap);
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function sorted(a: Int32Array): Int32Array {
  return a.sort();
}

/**
 * The sizes splitForRun will give, computed from the config alone (no dataset is built);
 * null for text tasks, whose size is only known from their files.
 */
export function plannedSplitSizes(config: Pick<ExperimentConfig, 'task' | 'training'>): SplitSizes | null {
  const pools = componentPoolSizes(config.task);
  if (!pools || config.task.kind === 'text') return null;
  const names = config.task.kind === 'mixture' ? componentNames(config.task) : [config.task.op];
  const { valSize } = config.training;
  const components = planTrainSizes(config, pools).map(({ size }, k) => {
    const pool = pools[k];
    const name = names[k];
    if (pool === undefined || name === undefined) {
      throw new Error(`split: component ${k} has no pool or no name (${pools.length} pools, ${names.length} names)`);
    }
    const rest = pool - size;
    return { name, train: size, val: valSize === undefined ? rest : Math.min(valSize, rest) };
  });
  return {
    train: components.reduce((s, c) => s + c.train, 0),
    val: components.reduce((s, c) => s + c.val, 0),
    pool: pools.reduce((s, p) => s + p, 0),
    components,
  };
}
