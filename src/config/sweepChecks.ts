// Checks of the sweep axes and the adaptive search: every axis names a field of the config, each
// value is valid for its field, and the search axis is a data size.
import { closestMatch } from './describe';
import { formatPath, type ConfigProblem, type PathSegment } from './errors';
import { problemsFromIssues } from './issues';
import { fieldSchemaAt, isDataSizePath, leafFields, namesDiscriminator, parseDottedPath, PROTOTYPE_KEYS } from './paths';
import { ConfigSchema, type ExperimentConfig } from './schema';
import { withFieldValue } from './sweep';
import { planTrainSizes } from './trainSize';
import { componentPoolSizes } from './taskSizes';

/** Guard against typos that would make an enormous grid. */
export const MAX_RUNS = 100_000;

/** Top-level fields that are not run settings. */
const UNSWEEPABLE = new Set(['$schema', 'name', 'description', 'sweep', 'search']);

/** Axis names and the grid size, checked on the raw JSON (works even when other fields are invalid). */
export function checkSweepAxes(raw: unknown): ConfigProblem[] {
  const sweep = (raw as { sweep?: unknown } | null)?.sweep;
  if (sweep === null || typeof sweep !== 'object' || Array.isArray(sweep)) return [];
  const problems: ConfigProblem[] = [];
  const keys = Object.keys(sweep);
  for (const key of keys) {
    const path = parseDottedPath(key);
    const prototypeKey = path.find((seg) => PROTOTYPE_KEYS.has(String(seg)));
    if (prototypeKey !== undefined) {
      problems.push({ path: ['sweep', key], atKey: true, message: `axis ${JSON.stringify(key)}: ${JSON.stringify(prototypeKey)} names an object's prototype, not a setting; axes are dotted field paths such as "model.dModel"` });
    } else if (UNSWEEPABLE.has(String(path[0]))) {
      problems.push({ path: ['sweep', key], atKey: true, message: `"${path[0]}" cannot be swept; axes name run settings such as "model.dModel", "training.trainSize", "seed"` });
    } else if (!fieldSchemaAt(ConfigSchema, path, raw)) {
      const hint = closestMatch(key, sweepableFields(raw).map((f) => f.path.join('.')));
      problems.push({
        path: ['sweep', key], atKey: true,
        message: `axis ${JSON.stringify(key)} names no field of this config${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; `
          + 'axes are dotted field paths such as "model.dModel", "training.trainSize", "seed", "task.components.0.trainSize"',
      });
    } else if (isDataSizePath(path)) {
      const other = [...path.slice(0, -1), path[path.length - 1] === 'trainSize' ? 'trainFraction' : 'trainSize'].join('.');
      if (keys.indexOf(other) >= 0 && keys.indexOf(other) < keys.indexOf(key)) {
        problems.push({ path: ['sweep', key], atKey: true, message: `both ${other} and ${key} are swept; allowed: one of them` });
      }
    }
  }
  const runs = Object.values(sweep).reduce((n: number, v) => n * (Array.isArray(v) ? Math.max(1, v.length) : 1), 1);
  if (runs > MAX_RUNS) {
    problems.push({ path: ['sweep'], message: `the grid has ${runs} runs; allowed: at most ${MAX_RUNS} (use fewer values, or "search" for data sizes)` });
  }
  return problems;
}

/**
 * Each value of each axis applied to the base config and re-validated; problems point at the value.
 * A value is checked against its field's schema alone (the schema has no cross-field rules), so the
 * cost is linear in the number of values; an axis that switches a kind (task.kind) re-parses the
 * whole run config, since the kind decides which fields apply.
 */
export function checkSweepValues(base: ExperimentConfig): ConfigProblem[] {
  return Object.entries(base.sweep).flatMap(([key, values]) => {
    const path = parseDottedPath(key);
    const field = namesDiscriminator(ConfigSchema, path, base) ? null : fieldSchemaAt(ConfigSchema, path, base);
    return values.flatMap((value, i) => {
      if (field?.safeParse(value).success) return [];
      const candidate = withFieldValue(base, path, value);
      const result = ConfigSchema.safeParse(candidate);
      if (result.success) return [];
      return problemsFromIssues(result.error.issues, ConfigSchema, candidate).map((p) => ({
        path: ['sweep', key, i],
        message: `${key} = ${JSON.stringify(value)}: ${formatPath(p.path)}: ${p.message}`,
      }));
    });
  });
}

/** The search block: a data-size axis that is not also swept, and a range inside the dataset. */
export function checkSearch(config: ExperimentConfig): ConfigProblem[] {
  const { search } = config;
  if (!search) return [];
  const path = parseDottedPath(search.axis);
  if (!isDataSizePath(path) || !fieldSchemaAt(ConfigSchema, path, config)) {
    return [{
      path: ['search', 'axis'],
      message: `search.axis must name a data-size field; got ${JSON.stringify(search.axis)}; allowed: "training.trainSize", "training.trainFraction", or "task.components.N.trainSize" / "task.components.N.trainFraction" of an existing component`,
    }];
  }
  const problems: ConfigProblem[] = [];
  if (search.axis in config.sweep) {
    problems.push({ path: ['search', 'axis'], message: `${search.axis} is also a sweep axis; the search picks its values itself, so remove it from "sweep"` });
  }
  const [lo, hi] = search.range;
  const isFraction = path[path.length - 1] === 'trainFraction';
  const max = isFraction ? 1 : searchPoolLimit(config, path);
  if (!(lo < hi)) problems.push({ path: ['search', 'range'], message: `range [${lo}, ${hi}] is empty; allowed: [lo, hi] with lo < hi` });
  if (isFraction ? hi >= 1 || lo <= 0 : max !== null && hi > max) {
    problems.push({
      path: ['search', 'range', 1],
      message: isFraction
        ? `a trainFraction range must lie inside (0, 1) so that validation keeps examples; got [${lo}, ${hi}]`
        : `hi (${hi}) leaves no validation examples; allowed: at most ${max}`,
    });
  }
  return problems;
}

/** Largest train size the search may probe on `path` (pool minus one validation example). */
function searchPoolLimit(config: ExperimentConfig, path: PathSegment[]): number | null {
  const pools = componentPoolSizes(config.task);
  if (!pools) return null;
  if (config.task.kind === 'mixture' && path[0] === 'training') {
    // training.trainSize is shared out over the components without their own size.
    const own = planTrainSizes(config, pools).map((p) => p.source?.[0] === 'task');
    return pools.reduce((s, p, k) => s + (own[k] ? 0 : p - 1), 0);
  }
  const pool = pools[path[0] === 'task' ? Number(path[2]) : 0];
  return pool === undefined ? null : pool - 1;
}

/** The fields a sweep axis may name (for suggestions and the JSON Schema's axis completions). */
export function sweepableFields(raw?: unknown): ReturnType<typeof leafFields> {
  return leafFields(ConfigSchema, raw).filter((f) => !UNSWEEPABLE.has(String(f.path[0])));
}
