// `grok validate FILE`: checks an experiment file and prints what it would run (the expanded
// sweep, the dataset and train/validation sizes), or every positioned error and exit code 1.
import { formatConfigError } from '../config/errors';
import { loadConfigFile, type LoadResult } from '../config/load';
import type { ExperimentConfig, TaskConfig } from '../config/schema';
import { isDataSizePath, parseDottedPath } from '../config/paths';
import { sweepAxes, type RunPlan } from '../config/sweep';
import { datasetSize } from '../config/taskSizes';
import { plannedSplitSizes } from '../trainer/tasks/split';
import type { CliCommand } from './main';

export const validateCommand: CliCommand = {
  summary: 'check an experiment file and print its expanded sweep',
  usage: [
    'Usage: grok validate FILE [--json] [--data-root DIR ...]',
    '',
    'Checks FILE (*.grok.json) and prints the number of runs, each sweep axis with its values, the',
    'dataset size and the train/validation sizes of each data-size setting. On errors, prints each',
    'as file:line:col: field: message and exits with 1.',
    '',
    '  --json            print the result as JSON ({ ok, runs: [{ id, params }] } or { ok, errors })',
    '  --data-root DIR   a folder outside the config\'s own that text data may be read from',
  ].join('\n'),
  run(args) {
    const dataRoots: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--data-root' && i + 1 < args.length) dataRoots.push(args[++i]);
      else if (args[i].startsWith('--data-root=')) dataRoots.push(args[i].slice('--data-root='.length));
      else rest.push(args[i]);
    }
    const files = rest.filter((a) => !a.startsWith('--'));
    const unknown = rest.filter((a) => a.startsWith('--') && a !== '--json');
    if (files.length !== 1 || unknown.length) {
      console.error(`grok validate: ${unknown.length ? `unknown option ${unknown[0]}` : 'expected one FILE'}\n\n${validateCommand.usage}`);
      return 2;
    }
    const result = loadConfigFile(files[0], { dataRoots });
    if (args.includes('--json')) {
      console.log(JSON.stringify(result.ok
        ? { ok: true, file: result.file, runs: result.runs.map((r) => ({ id: r.id, params: r.params })) }
        : result, null, 2));
    } else if (result.ok) {
      console.log(describePlan(result));
    } else {
      for (const e of result.errors) console.error(formatConfigError(e));
      console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${result.file}`);
    }
    return result.ok ? 0 : 1;
  },
};

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
  ];
  if (config.search) {
    const s = config.search;
    lines.push(`search: ${s.axis} in [${s.range.join(', ')}], tolerance ${s.tolerance}, ${s.seeds} seed${s.seeds === 1 ? '' : 's'} per size`);
  }
  return lines.join('\n');
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
