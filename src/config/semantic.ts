// Checks the schema cannot express: relations between fields (heads must divide dModel, a train
// size must leave validation examples, a/b needs a prime modulus) and files a text task names.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isInsideFolder, realPathOrNull } from '../util/paths';
import type { ConfigProblem, PathSegment } from './errors';
import { formatPath } from './errors';
import type { ExperimentConfig, TaskConfig } from './schema';
import { planTrainSizes } from './trainSize';
import { componentNames, componentPoolSizes, isPrime } from './taskSizes';

/** A problem that may be caused by other fields too: when one of those is swept, the error points there. */
export interface SemanticProblem extends ConfigProblem {
  related?: PathSegment[][];
  /**
   * Problems of one kind at one place collapse into one: the same `kind` at the same located path
   * keeps the highest `rank` (e.g. the largest memory need) instead of one line per run.
   */
  collapse?: { kind: string; rank: number };
}

export interface CheckContext {
  /** Directory of the config file: text task paths are relative to it (unchecked when absent). */
  configDir?: string;
  /** Folders besides the config's own that data files may come from (--data-root). */
  dataRoots?: readonly string[];
}

/** Checks one run's resolved config (the base config, or a config with sweep values applied). */
export function checkRunConfig(config: ExperimentConfig, ctx: CheckContext = {}): SemanticProblem[] {
  return [
    ...checkModelFitsTask(config),
    ...checkHeads(config),
    ...checkEncoderDepth(config),
    ...checkPrimeModulus(config.task),
    ...checkTrainSizes(config),
    ...checkComponentNames(config.task),
    ...checkTextFiles(config.task, ctx),
  ];
}

/** Text needs the encoder (padded sequences, pooling); the modular tasks need a model that reads `a op b =`. */
function checkModelFitsTask({ model, task }: ExperimentConfig): SemanticProblem[] {
  const text = task.kind === 'text';
  if (text === (model.kind === 'encoder')) return [];
  return [{
    path: ['model', 'kind'], related: [['task', 'kind']],
    message: text
      ? `a text task needs model.kind "encoder" (padding mask, pooling, classifier head); "${model.kind}" reads fixed-length "a op b =" sequences`
      : `model.kind "encoder" is for text tasks; a ${task.kind} task needs "transformer" or "mlp"`,
  }];
}

function checkHeads({ model }: ExperimentConfig): SemanticProblem[] {
  if (model.kind === 'mlp' || model.dModel % model.heads === 0) return [];
  const divisors = [];
  for (let h = 1; h <= Math.min(model.dModel, 64); h++) if (model.dModel % h === 0) divisors.push(h);
  return [{
    path: ['model', 'heads'], related: [['model', 'dModel']],
    message: `model.heads (${model.heads}) must divide model.dModel (${model.dModel}); allowed heads for this dModel: ${divisors.join(', ')}`,
  }];
}

/** Depth is for the decoder and the MLP; the text encoder is Zhu et al.'s 1-layer BERT. */
function checkEncoderDepth({ model }: ExperimentConfig): SemanticProblem[] {
  if (model.kind !== 'encoder' || model.layers === 1) return [];
  return [{
    path: ['model', 'layers'], related: [['model', 'kind']],
    message: `model.layers is ${model.layers}, but the encoder has 1 layer; depth is for "transformer" and "mlp"`,
  }];
}

function checkPrimeModulus(task: TaskConfig): SemanticProblem[] {
  if (task.kind !== 'modular' && task.kind !== 'mixture') return [];
  if (isPrime(task.modulus)) return [];
  const message = `op "a/b" needs a prime modulus (b⁻¹ mod P must exist for every b ≠ 0); task.modulus is ${task.modulus}, nearest primes: ${nearestPrimes(task.modulus).join(', ')}`;
  const related: PathSegment[][] = [['task', 'modulus']];
  if (task.kind === 'modular') return task.op === 'a/b' ? [{ path: ['task', 'op'], related, message }] : [];
  // Random-label components only use the (a, b) pairs, so any modulus will do for them.
  return task.components.flatMap((c, k) => (c.labels === 'op' && c.op === 'a/b'
    ? [{ path: ['task', 'components', k, 'op'], related, message }] : []));
}

function nearestPrimes(n: number): number[] {
  let below = n - 1; while (below >= 2 && !isPrime(below)) below--;
  let above = n + 1; while (!isPrime(above)) above++;
  return below >= 2 ? [below, above] : [above];
}

function checkTrainSizes(config: ExperimentConfig): SemanticProblem[] {
  const { task } = config;
  const pools = componentPoolSizes(task);
  if (!pools || task.kind === 'text') return [];
  const related: PathSegment[][] = [['task', 'modulus'], ['task', 'op']];
  return planTrainSizes(config, pools).flatMap(({ size, source }, k) => {
    const pool = pools[k]!; // one plan per pool, one pool per component
    if (size < pool || !source) return [];
    const op = task.kind === 'mixture' ? task.components[k]!.op : task.op;
    const what = `${pool} examples (P = ${task.modulus}: ${op === 'a/b' ? 'P(P-1)' : 'P²'} pairs for ${op})`;
    const of = task.kind === 'mixture' ? `component ${k} (${op}) has ${what}` : `the dataset has ${what}`;
    const field = formatPath(source);
    const allowed = source[source.length - 1] === 'trainFraction'
      ? `a fraction that leaves at least 1 example, at most ${((pool - 1) / pool).toFixed(6).replace(/0+$/, '')}`
      : `at most ${pool - 1}`;
    return [{
      path: source, related: task.kind === 'mixture' ? [['task', 'modulus'], ['task', 'components', k, 'op']] : related,
      message: `${field} asks for ${size} training examples but ${of}, and validation needs at least 1; allowed: ${allowed}`,
    }];
  });
}

function checkComponentNames(task: TaskConfig): SemanticProblem[] {
  if (task.kind !== 'mixture') return [];
  const names = componentNames(task);
  return names.flatMap((name, k) => {
    const first = names.indexOf(name);
    if (first === k) return [];
    const at: PathSegment[] = task.components[k]?.name !== undefined ? ['task', 'components', k, 'name'] : ['task', 'components', k];
    return [{ path: at, message: `component name ${JSON.stringify(name)} is already used by component ${first}; give each component a distinct "name"` }];
  });
}

/** The files a text task names exist and lie inside the config's folder or a data root (symlinks resolved). */
export function checkTextFiles(task: TaskConfig, ctx: CheckContext): SemanticProblem[] {
  if (task.kind !== 'text') return [];
  const problems: SemanticProblem[] = [];
  if (task.tokenizer.kind === 'wordpiece' && !task.tokenizer.vocabFile) {
    problems.push({ path: ['task', 'tokenizer', 'kind'], message: 'a wordpiece tokenizer needs task.tokenizer.vocabFile (a BERT-style vocab.txt)' });
  }
  if (ctx.configDir === undefined) return problems;
  const files: Array<[PathSegment[], string | undefined]> = [
    [['task', 'path'], task.path], [['task', 'testPath'], task.testPath], [['task', 'tokenizer', 'vocabFile'], task.tokenizer.vocabFile],
  ];
  for (const [path, file] of files) {
    if (file === undefined) continue;
    if (!existsSync(resolve(ctx.configDir, file))) {
      problems.push({ path, message: `${JSON.stringify(file)} does not exist (looked for ${resolve(ctx.configDir, file)}); paths are relative to the config file` });
      continue;
    }
    const outside = outsideDataRoots(resolve(ctx.configDir, file), [ctx.configDir, ...(ctx.dataRoots ?? [])]);
    if (outside) problems.push({ path, message: `${JSON.stringify(file)} is outside the config's folder${ctx.dataRoots?.length ? ' and the data roots' : ''} (it is ${outside}); a shared config may only read data inside them; allowed: a path inside ${ctx.configDir}, or add its folder with --data-root DIR (in VS Code: the grok.dataRoots setting)` });
  }
  return problems;
}

/** The real path of `file` when it lies outside every root (symlinks resolved on both sides), else null. */
function outsideDataRoots(file: string, roots: readonly string[]): string | null {
  const real = realPathOrNull(file);
  if (real === null) return null;
  const inside = roots.some((root) => {
    const r = realPathOrNull(root);
    return r !== null && isInsideFolder(real, r);
  });
  return inside ? null : real;
}

/** Checks of the base config that are not per run: exclusive size fields and the search block. */
export function checkBaseConfig(config: ExperimentConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const exclusive = (f: { trainSize?: number; trainFraction?: number }, at: PathSegment[]) => {
    if (f.trainSize !== undefined && f.trainFraction !== undefined) {
      problems.push({
        path: [...at, 'trainFraction'],
        message: `both ${formatPath([...at, 'trainSize'])} and ${formatPath([...at, 'trainFraction'])} are given; allowed: one of them`,
      });
    }
  };
  exclusive(config.training, ['training']);
  if (config.task.kind === 'mixture') config.task.components.forEach((c, k) => exclusive(c, ['task', 'components', k]));
  return problems;
}
