// `grok resume DIR`: continues a sweep from its results directory alone (the config is in its
// manifest): unfinished runs go on from their last checkpoint, finished ones are skipped.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isSweepDir } from '../store/reader';
import { startSweep } from '../sweep/worker/client';
import type { CliCommand } from './main';
import { exitCodeOf, followSweep, parseEngineFlags } from './progress';
import { QUEUE_OPTIONS, runQueuedSweep, wantsQueue } from './queueSweep';

export const resumeCommand: CliCommand = {
  summary: 'continue an interrupted sweep from its results directory',
  usage: [
    'Usage: grok resume DIR [--threads N] [--device cpu|gpu|auto] [--ignore-config-change] [--data-root DIR ...]',
    '',
    'Continues the sweep in DIR (a directory with manifest.json): every unfinished run from its last',
    'checkpoint (evals after the checkpoint are dropped, then recomputed), finished runs are skipped.',
    '',
    '  --threads N   engine threads (default: all cores)',
    '  --device D    auto (default), gpu or cpu, as for grok sweep: checkpoints resume on either device',
    '  --ignore-config-change',
    '                resume although the config file the sweep came from changed since (without it, a',
    '                changed file is refused with the changed fields listed); the stored config is trained',
    '  --data-root DIR   a folder outside the config\'s own that text data may be read from (give it again',
    '                on every resume: the folder\'s manifest does not grant it)',
    '',
    'A sweep submitted with --queue (DIR has queue.json) is followed from its queue instead: the',
    'results the workers streamed since are collected (--queue URL if Redis moved; see grok sweep --help).',
    '',
    'Exit code: 0 done, 130 stopped, 1 failed, 2 bad arguments (or DIR is not a results folder).',
  ].join('\n'),
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { threads: { type: 'string' }, device: { type: 'string' }, 'ignore-config-change': { type: 'boolean' }, 'data-root': { type: 'string', multiple: true }, ...QUEUE_OPTIONS } });
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    const [dir] = positionals;
    if (positionals.length !== 1 || dir === undefined) return usageError('expected one DIR');
    let engine;
    try {
      engine = parseEngineFlags(values);
    } catch (e) {
      return usageError((e as Error).message);
    }
    const { threads, device } = engine;
    if (!isSweepDir(dir)) {
      console.error(`grok resume: ${dir}: not a results folder (${existsSync(dir) ? 'no manifest.json' : 'no such folder'}); give the folder a sweep wrote, e.g. .grok/<name>/`);
      return 2;
    }
    const dataRoots = values['data-root'];
    if (wantsQueue(values, dir)) return runQueuedSweep('resume', { outDir: dir, threads, device, writer: 'grok resume' }, values);
    const ignoreConfigChange = values['ignore-config-change'] === true;
    return exitCodeOf(await followSweep(startSweep({ outDir: dir, threads, device, ignoreConfigChange, writer: 'grok resume', dataRoots }), { handleSigint: true }));
  },
};

function usageError(message: string): number {
  console.error(`grok resume: ${message}\n\n${resumeCommand.usage}`);
  return 2;
}
