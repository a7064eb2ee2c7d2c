// Runs a whole sweep in this process (the worker calls it; tests call it directly with a fake
// engine): open or resume the results directory, then train the grid, or run the adaptive
// critical-data-size search when the config has `search`. Every outcome ends in a `done` message.
import { totalmem } from 'node:os';
import type { SweepStatus } from '../../store/types';
import type { SweepOptions, WorkerMessage } from '../worker/protocol';
import { SweepControl } from './control';
import type { SweepDeps } from './deps';
import { errorMessage } from './errors';
import { RunLedger } from './ledger';
import { openSweep } from './open';
import { runSearch } from './search';
import { RunTrainer } from './trainRuns';

/** Default memory budget of one batch: a quarter of the machine, at most 2 GiB. */
export function defaultMemoryBudget(): number {
  return Math.min(2 * 2 ** 30, Math.floor(totalmem() / 4));
}

export async function runSweep(options: SweepOptions, deps: SweepDeps, send: (m: WorkerMessage) => void, control = new SweepControl()): Promise<SweepStatus> {
  let opened;
  try {
    opened = await openSweep(options, deps);
  } catch (e) {
    send(errorMessage(e));
    send({ type: 'done', status: 'failed', outDir: null, error: (e as Error).message });
    return 'failed';
  }
  const { store, manifest, runs, resumed, movedAside } = opened;
  if (movedAside) send({ type: 'log', level: 'info', message: `--fresh: moved the previous results to ${movedAside}` });
  const ledger = new RunLedger(store, manifest);
  const searching = Boolean(manifest.config.search);
  const runsTotal = searching ? manifest.runs.length : runs.length;
  send({ type: 'started', outDir: store.dir, name: manifest.name, runsTotal, runsDone: ledger.countFinished(), resumed });

  const trainer = new RunTrainer({
    store, ledger, control, deps, send, configPath: manifest.configPath, configHash: manifest.configHash,
    memoryBudget: options.memoryBudget ?? defaultMemoryBudget(), threads: options.threads, runsTotal,
  });
  ledger.writeSummary('running', true);
  let failed = false;
  try {
    if (searching) await runSearch({ manifest, ledger, trainer, deps, control });
    else await trainer.train(runs);
  } catch (e) {
    failed = true;
    send(errorMessage(e));
  }
  const status: SweepStatus = control.cancelled ? 'stopped' : failed || trainer.failed ? 'failed' : 'done';
  ledger.writeSummary(status, true);
  send({ type: 'done', status, outDir: store.dir });
  return status;
}
