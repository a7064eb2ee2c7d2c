// `grok sweep FILE`: trains every run of an experiment file in a worker process, resuming what an
// earlier invocation left unfinished.
import { parseArgs } from 'node:util';
import { formatConfigError } from '../config/errors';
import { loadConfigFile } from '../config/load';
import { computeDiagnostic } from '../sweep/limits';
import { assertNoQueueSecrets } from '../sweep/queue/configGuard';
import { startSweep } from '../sweep/worker/client';
import type { SweepOptions } from '../sweep/options';
import type { CliCommand } from './main';
import { exitCodeOf, followSweep, parseEngineFlags } from './progress';
import { QUEUE_OPTIONS, QUEUE_USAGE, runQueuedSweep, wantsQueue } from './queueSweep';

export const sweepCommand: CliCommand = {
  summary: 'train every run of an experiment file (resumes unfinished runs)',
  usage: [
    'Usage: grok sweep FILE [--out DIR] [--threads N] [--device cpu|gpu|auto] [--no-early-stop] [--fresh] [--data-root DIR ...] [--queue URL ...]',
    '',
    'Trains the sweep of FILE (*.grok.json) in a worker process. Results go to .grok/<name>/ next',
    'to FILE (or DIR): manifest.json, summary.json, runs/<id>/{metrics.jsonl,status.json,checkpoint}.',
    'Run it again (or `grok resume DIR`) to continue unfinished runs from their last checkpoint.',
    'Ctrl-C stops after the current step and keeps everything computed so far.',
    '',
    '  --out DIR          results directory',
    '  --threads N        engine threads (default: all cores); results do not depend on it',
    '  --device D         auto (default): a GPU adapter if there is one (WebGPU), else the CPU;',
    '                     gpu: a GPU or an error; cpu: the CPU engine (docs/gpu.md)',
    '  --no-early-stop    train every run for all its steps (recorded in the manifest)',
    '  --fresh            start over although DIR holds results of a different config (they are moved aside)',
    '  --data-root DIR    a folder outside the config\'s own that text data may be read from (repeatable)',
    '  --debug            stack traces of internal errors',
    '',
    ...QUEUE_USAGE,
    '',
    'Exit code: 0 done, 130 stopped, 1 failed, 2 bad arguments (or a config with errors: they are printed).',
  ].join('\n'),
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args, allowPositionals: true, strict: true,
        options: {
          out: { type: 'string' }, threads: { type: 'string' }, device: { type: 'string' },
          'no-early-stop': { type: 'boolean' }, fresh: { type: 'boolean' }, 'data-root': { type: 'string', multiple: true }, ...QUEUE_OPTIONS,
        },
      });
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    const [file] = positionals;
    if (positionals.length !== 1 || file === undefined) return usageError('expected one FILE');
    let engine;
    try {
      engine = parseEngineFlags(values);
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { threads, device } = engine;
    const options: SweepOptions = {
      configPath: file, outDir: values.out, threads, device,
      earlyStop: !values['no-early-stop'], fresh: Boolean(values.fresh), writer: 'grok sweep', dataRoots: values['data-root'],
    };
    if (wantsQueue(values)) {
      // Before anything else, so that a secret in the file is never echoed by another message.
      try {
        assertNoQueueSecrets(file);
      } catch (e) {
        console.error(`grok sweep: ${(e as Error).message}`);
        return 2;
      }
    }
    if (!checkConfig(file, values['data-root'])) return 2;
    if (wantsQueue(values)) return runQueuedSweep('sweep', options, values);
    return exitCodeOf(await followSweep(startSweep(options), { handleSigint: true }));
  },
};

/**
 * The config, checked before a worker starts: its errors are printed as by `grok validate` (bad
 * usage: false), and a sweep that would take more than a day here gets validate's warning with its ETA.
 */
function checkConfig(configPath: string, dataRoots: string[] | undefined): boolean {
  const loaded = loadConfigFile(configPath, { dataRoots });
  if (!loaded.ok) {
    for (const e of loaded.errors) console.error(formatConfigError(e));
    console.error(`grok sweep: ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in ${loaded.file}; nothing was trained`);
    return false;
  }
  const d = computeDiagnostic(loaded.config, loaded.runs);
  if (d) console.error(`grok: warning: ${d.reason}; ${d.fix}`);
  return true;
}

function usageError(message: string): number {
  console.error(`grok sweep: ${message}\n\n${sweepCommand.usage}`);
  return 2;
}
