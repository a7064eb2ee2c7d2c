// Which sweep axis is the model size and which the data size (no vscode import).
import type { RunParams } from '../../store/types';

export type AxisValue = number | string | boolean;
export type Axes = Record<string, AxisValue[]>;

const MODEL_AXES = ['model.dModel', 'model.dMlp'];

/** The model-size axis: model.dModel, else model.dMlp, else the first numeric `model.*` axis. */
export function modelSizeAxis(axes: Axes): string | null {
  for (const a of MODEL_AXES) if (axes[a]) return a;
  return Object.keys(axes).find((a) => a.startsWith('model.') && axes[a]!.every((v) => typeof v === 'number')) ?? null;
}

/** The data-size axis: the search axis, else training.trainSize / trainFraction, else any *trainSize / *trainFraction axis. */
export function dataSizeAxis(axes: Axes, searchAxis?: string): string | null {
  if (searchAxis && axes[searchAxis]) return searchAxis;
  for (const a of ['training.trainSize', 'training.trainFraction']) if (axes[a]) return a;
  return Object.keys(axes).find((a) => /(trainSize|trainFraction)$/.test(a)) ?? null;
}

/** Axes that are seeds (replicates rather than conditions). */
export function isSeedAxis(axis: string): boolean {
  return axis === 'seed' || axis.endsWith('.seed');
}

/** Axes of a set of runs, in first-seen order, values in first-seen order. */
export function axesOfRuns(runs: Array<{ params: RunParams }>): Axes {
  const axes: Axes = {};
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.params)) {
      const list = (axes[k] ??= []);
      if (!list.includes(v)) list.push(v);
    }
  }
  for (const k of Object.keys(axes)) {
    const vs = axes[k]!;
    if (vs.every((v) => typeof v === 'number')) (vs as number[]).sort((a, b) => a - b);
  }
  return axes;
}

/** The group key of a run: every param but the seed, in a stable order. */
export function groupKey(params: RunParams, exclude: (axis: string) => boolean = isSeedAxis): string {
  return Object.keys(params).filter((k) => !exclude(k)).sort().map((k) => `${k}=${String(params[k])}`).join(',');
}

export function sameValue(a: AxisValue | undefined, b: AxisValue | undefined): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-12);
}

/** A short label for an axis path: `model.dModel` → `dModel`. */
export function shortAxis(axis: string): string {
  const i = axis.lastIndexOf('.');
  return i < 0 ? axis : axis.slice(i + 1);
}
