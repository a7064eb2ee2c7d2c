// `grok resume DIR`: continues a sweep from its results directory alone (the config is in its
// manifest): unfinished runs go on from their last checkpoint, finished ones are skipped.
import { parseArgs } from 'node:util';
import { startSweep } from '../sweep/worker/client';
import type { CliCommand } from './main';
import { exitCodeOf, followSweep, parseEngineFlags } from './progress';
import { QUEUE_OPTIONS, runQueuedSweep, wantsQueue } from './queueSweep';

export const resumeCommand: CliCommand = {
  summary: 'continue an interrupted sweep from its results directory',
  usage: [
    'Usage: grok resume DIR [--threads N] [--device cpu|gpu|auto] [--ignore-config-change]',
    '',
    'Continues the sweep in DIR (a directory with manifest.json): every unfinished run from its last',
    'checkpoint (evals after the checkpoint are dropped, then recomputed), finished runs are skipped.',
    '',
    '  --threads N   engine threads (default: all cores)',
    '  --device D    auto (default), gpu or cpu, as for grok sweep: checkpoints resume on either device',
    '  --ignore-config-change',
    '                resume although the config file the sweep came from changed since (without it, a',
    '                changed file is refused with the changed fields listed); the stored config is trained',
    '',
    'A sweep submitted with --queue (DIR has queue.json) is followed from its queue instead: the',
    'results the workers streamed since are collected (--queue URL if Redis moved; see grok sweep --help).',
    '',
    'Exit code: 0 done, 130 stopped, 1 failed, 2 bad arguments.',
  ].join('\n'),
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { threads: { type: 'string' }, device: { type: 'string' }, 'ignore-config-change': { type: 'boolean' }, ...QUEUE_OPTIONS } });
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) return usageError('expected one DIR');
    let engine;
    try {
      engine = parseEngineFlags(values);
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { threads, device } = engine;
    if (wantsQueue(values, positionals[0])) return runQueuedSweep('resume', { outDir: positionals[0], threads, device, writer: 'grok resume' }, values);
    const ignoreConfigChange = values['ignore-config-change'] === true;
    return exitCodeOf(await followSweep(startSweep({ outDir: positionals[0], threads, device, ignoreConfigChange, writer: 'grok resume' }), { handleSigint: true }));
  },
};

function usageError(message: string): number {
  console.error(`grok resume: ${message}\n\n${resumeCommand.usage}`);
  return 2;
}
