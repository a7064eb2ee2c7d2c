// Runs a whole sweep in this process (the worker calls it; tests call it directly with a fake
// engine): open or resume the results directory, then train the grid, or run the adaptive
// critical-data-size search when the config has `search`. Every outcome ends in a `done` message.
import { totalmem } from 'node:os';
import type { SweepStatus } from '../store/types';
import type { SweepOptions, WorkerMessage } from './worker/protocol';
import { SweepControl } from './control';
import type { SweepDevice } from '../trainer/engine/device';
import { describeKernelBuild } from '../trainer/engine/wasm';
import type { SweepDeps } from './deps';
import { errorMessage } from './errors';
import { RunLedger } from './ledger';
import { openSweep, type OpenedSweep } from './open';
import { runSearch } from './search';
import { RunTrainer } from './trainRuns';
import { recordDevice } from './deviceRecord';

/** Default memory budget of one batch: a quarter of the machine, at most 2 GiB. */
export function defaultMemoryBudget(): number {
  return Math.min(2 * 2 ** 30, Math.floor(totalmem() / 4));
}

export async function runSweep(options: SweepOptions, deps: SweepDeps, send: (m: WorkerMessage) => void, control = new SweepControl()): Promise<SweepStatus> {
  let sweepDeps = deps;
  // --device: resolved once; its trainers replace deps.createTrainer (see engine/device.ts).
  let device: SweepDevice | null = null;
  if (deps.openDevice) {
    try {
      device = await deps.openDevice(options.device ?? 'auto');
    } catch (e) {
      send({ type: 'error', message: (e as Error).message });
      send({ type: 'done', status: 'failed', outDir: null, error: (e as Error).message });
      return 'failed';
    }
    send({ type: 'log', level: 'info', message: `training on ${device.description}${device.kind === 'cpu' ? `, ${describeKernelBuild()}` : ''}` });
    sweepDeps = { ...deps, createTrainer: (spec) => device!.createTrainer(spec) };
  }
  let opened;
  try {
    opened = await openSweep(options, deps, (message) => send({ type: 'log', level: 'warn', message }));
  } catch (e) {
    send(errorMessage(e));
    send({ type: 'done', status: 'failed', outDir: null, error: (e as Error).message });
    return 'failed';
  }
  let status: SweepStatus;
  try {
    status = await trainOpened(opened, options, sweepDeps, device, send, control);
  } finally {
    opened.store.close();
  }
  // Sent after the lock is given up: whoever hears `done` may open the folder at once.
  send({ type: 'done', status, outDir: opened.store.dir });
  return status;
}

async function trainOpened(opened: OpenedSweep, options: SweepOptions, sweepDeps: SweepDeps, device: SweepDevice | null, send: (m: WorkerMessage) => void, control: SweepControl): Promise<SweepStatus> {
  const { store, manifest, runs, resumed, movedAside } = opened;
  if (movedAside) send({ type: 'log', level: 'info', message: `--fresh: moved the previous results to ${movedAside}` });
  if (device) recordDevice(store, manifest, device, options.device ?? 'auto', (m) => send({ type: 'log', level: 'info', message: m }));
  const budget = (): number => device?.batchBudget(options.memoryBudget, defaultMemoryBudget()) ?? options.memoryBudget ?? defaultMemoryBudget();
  const ledger = new RunLedger(store, manifest);
  const searching = Boolean(manifest.config.search);
  const runsTotal = searching ? manifest.runs.length : runs.length;
  send({ type: 'started', outDir: store.dir, name: manifest.name, runsTotal, runsDone: ledger.countFinished(), resumed });

  const trainerFor = (): RunTrainer => new RunTrainer({
    store, ledger, control, deps: sweepDeps, send, configPath: manifest.configPath, configHash: manifest.configHash,
    memoryBudget: budget(), threads: options.threads, runsTotal,
    estimateModelBytes: device?.kind === 'gpu' && !device.fellBack
      ? (r, data) => {
        const split = sweepDeps.split(data, r.config);
        return device!.modelBytes(r.config.model, data, r.config.training.batchSize, { train: split.train.length, val: split.val.length });
      }
      : undefined,
  });
  let trainer = trainerFor();
  ledger.writeSummary('running', true);
  let failed = false;
  try {
    if (searching) await runSearch({ manifest, ledger, trainer, deps: sweepDeps, control });
    else await trainer.train(runs);
    if (device?.failure && !control.cancelled && !searching) {
      if (device.fellBack) {
        // The runs of the failed batch resume from their checkpoints on the CPU, like `grok resume`.
        send({ type: 'log', level: 'warn', message: `the GPU failed (${device.failure}); resuming the unfinished runs from their checkpoints on the CPU` });
        trainer = trainerFor();
        await trainer.train(runs);
      } else {
        send({ type: 'log', level: 'error', message: `the GPU failed (${device.failure}); the failed runs resume from their checkpoints with \`grok resume ${store.dir}\` (add --device cpu to train them on the CPU)` });
      }
    }
  } catch (e) {
    failed = true;
    send(errorMessage(e));
  }
  const status: SweepStatus = control.cancelled ? 'stopped' : failed || trainer.failed ? 'failed' : 'done';
  ledger.writeSummary(status, true);
  return status;
}
