// `grok validate FILE`: checks an experiment file and prints what it would run (the expanded
// sweep, the dataset and train/validation sizes), or every positioned error and exit code 1.
import { parseArgs } from 'node:util';
import { formatConfigError } from '../config/errors';
import { loadConfigFile, type LoadResult } from '../config/load';
import type { ExperimentConfig, TaskConfig } from '../config/schema';
import { isDataSizePath, parseDottedPath } from '../config/paths';
import { sweepAxes, type RunPlan } from '../config/sweep';
import { datasetSize } from '../config/taskSizes';
import { plannedSplitSizes } from '../trainer/tasks/split';
import { CPU_FLOPS_PER_CORE, engineChecks, estimateCompute, formatEta, memoryRange, type LimitDevice } from '../sweep/limits';
import type { CliCommand } from './main';

export const validateCommand: CliCommand = {
  summary: 'check an experiment file and print its expanded sweep',
  usage: [
    'Usage: grok validate FILE [--json] [--device cpu|gpu|auto] [--data-root DIR ...]',
    '',
    'Checks FILE (*.grok.json) and prints the number of runs, each sweep axis with its values, the',
    'dataset size and the train/validation sizes of each data-size setting, the memory each run needs',
    'on each engine and the compute of the whole sweep. Errors and warnings are printed as',
    'file:line:col: field: message. A run that cannot fit the device (more than the 4 GiB of wasm32',
    'on the CPU, more than a GPU buffer can hold) is an error naming the fields; a sweep that would',
    'take more than a day on this machine gets a warning with its ETA.',
    '',
    '  --json            print the result as JSON ({ ok, runs: [{ id, params }], warnings } or { ok, errors })',
    '  --device D        the device the sweep will use (as grok sweep --device; default auto): the memory limits checked',
    '  --data-root DIR   a folder outside the config\'s own that text data may be read from',
    '',
    'Exit code: 0 valid (warnings allowed), 1 invalid, 2 bad arguments (or FILE cannot be read).',
  ].join('\n'),
  run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args, allowPositionals: true, strict: true,
        options: { json: { type: 'boolean' }, device: { type: 'string' }, 'data-root': { type: 'string', multiple: true } },
      });
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    const [file] = positionals;
    if (positionals.length !== 1 || file === undefined) return usageError('expected one FILE');
    const device = (values.device ?? 'auto') as LimitDevice;
    if (!['cpu', 'gpu', 'auto'].includes(device)) return usageError(`--device: expected cpu, gpu or auto, got "${values.device}"`);
    const result = loadConfigFile(file, { dataRoots: values['data-root'], checks: engineChecks(device) });
    if (values.json) {
      console.log(JSON.stringify(result.ok
        ? { ok: true, file: result.file, runs: result.runs.map((r) => ({ id: r.id, params: r.params })), warnings: result.warnings ?? [] }
        : result, null, 2));
    } else if (result.ok) {
      console.log(describePlan(result));
      for (const w of result.warnings ?? []) console.error(formatConfigError(w));
    } else {
      for (const e of result.errors) console.error(formatConfigError(e));
      console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${result.file}`);
    }
    // An invalid config is what validate answers (1); a file it cannot read is bad usage (2).
    return result.ok ? 0 : result.errors.some((e) => e.message.startsWith('cannot read the experiment file')) ? 2 : 1;
  },
};

function usageError(message: string): number {
  console.error(`grok validate: ${message}\n\n${validateCommand.usage}`);
  return 2;
}

/** The human-readable summary of a valid experiment file. */
export function describePlan(result: Extract<LoadResult, { ok: true }>): string {
  const { config, runs } = result;
  const axes = sweepAxes(config);
  const width = Math.max(0, ...axes.map((a) => a.key.length));
  const lines = [
    `${result.file}: OK`,
    `${config.name}: ${runs.length} run${runs.length === 1 ? '' : 's'}`,
    `task: ${describeTask(config.task)}`,
    axes.length ? 'axes:' : 'axes: none (a single run)',
    ...axes.map((a) => `  ${a.key.padEnd(width)}  ${a.values.map((v) => JSON.stringify(v)).join(', ')}  (${a.values.length})`),
    'data sizes:',
    ...dataSizeLines(config, runs),
    ...costLines(runs),
  ];
  if (config.search) {
    const s = config.search;
    lines.push(`search: ${s.axis} in [${s.range.join(', ')}], tolerance ${s.tolerance}, ${s.seeds} seed${s.seeds === 1 ? '' : 's'} per size`);
  }
  return lines.join('\n');
}

/** Memory per run on each engine and the compute of the whole sweep (src/sweep/limits.ts). */
function costLines(runs: RunPlan[]): string[] {
  const memory = memoryRange(runs);
  const size = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : b >= 2 ** 20 ? `${Math.round(b / 2 ** 20)} MiB` : `${Math.ceil(b / 1024)} KiB`);
  const range = ([lo, hi]: [number, number]): string => (size(lo) === size(hi) ? size(hi) : `${size(lo)} to ${size(hi)}`);
  const compute = estimateCompute(runs);
  const text = (n: number) => (n ? ` (${n} text run${n === 1 ? '' : 's'} not counted: known once the files are read)` : '');
  return [
    memory ? `memory per run: CPU engine ${range(memory.cpu)} (wasm32 limit 4 GiB), GPU ${range(memory.gpu)} (one buffer)${text(memory.uncounted)}` : 'memory per run: known once the text files are read',
    compute.flops ? `compute: about ${compute.flops.toPrecision(2)} FLOPs, ETA about ${formatEta(compute.seconds)} on this machine's ${compute.cores} cores at ~${CPU_FLOPS_PER_CORE / 1e9} GFLOP/s each${text(compute.uncounted)}` : 'compute: known once the text files are read',
  ];
}

function describeTask(task: TaskConfig): string {
  const size = datasetSize(task);
  switch (task.kind) {
    case 'modular': return `modular ${task.op} mod ${task.modulus}, dataset ${size} examples`;
    case 'memorization': return `memorization (random labels) over ${task.op} mod ${task.modulus}, dataset ${size} examples`;
    case 'mixture': return `mixture mod ${task.modulus} of ${task.components.map((c) => `${c.op}${c.labels === 'random' ? ' (random labels)' : ''}`).join(', ')}, dataset ${size} examples`;
    case 'text': return `text (${task.format}) from ${task.path}, dataset size known once its files are read`;
  }
}

/** One line per distinct data-size setting (the values of data-size and task axes). */
function dataSizeLines(config: ExperimentConfig, runs: RunPlan[]): string[] {
  const keys = sweepAxes(config).map((a) => a.key)
    .filter((k) => isDataSizePath(parseDottedPath(k)) || k.startsWith('task.') || k === 'training.valSize');
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const run of runs) {
    const label = keys.map((k) => `${k}=${JSON.stringify(run.params[k])}`).join(', ');
    if (seen.has(label)) continue;
    seen.add(label);
    const sizes = plannedSplitSizes(run.config);
    const prefix = `  ${label || 'all runs'}: `;
    if (!sizes) { lines.push(`${prefix}train and validation sizes known once the files are read`); continue; }
    const parts = sizes.components.length > 1
      ? ` (${sizes.components.map((c) => `${c.name}: ${c.train}/${c.val}`).join(', ')})` : '';
    lines.push(`${prefix}train ${sizes.train}, val ${sizes.val} of ${sizes.pool}${parts}`);
  }
  return lines;
}
