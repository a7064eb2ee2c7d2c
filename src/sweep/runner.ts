// The core of a sweep run in this process: resolve the device, open or resume the results folder,
// then train the grid, or run the adaptive critical-data-size search when the config has `search`.
// Everything it has to say goes out as SweepEvents through `emit`, ending with `done`. The local
// front-end (local.ts) and the forked worker (worker/serve.ts) run it; tests call it directly.
import { availableParallelism, totalmem } from 'node:os';
import type { SweepStatus } from '../store/types';
import type { SweepDevice } from '../trainer/engine/device';
import { describeKernelBuild } from '../trainer/engine/wasm';
import { SweepControl } from './control';
import type { SweepDeps } from './deps';
import { errorEvent, type Emit, type SweepEventOf } from './events';
import { RunLedger } from './ledger';
import { openSweep, type OpenedSweep } from './open';
import type { SweepOptions } from './options';
import { runSearch } from './search';
import { recordDevice } from './deviceRecord';
import { RunTrainer } from './trainRuns';
import { runLimitProblem } from './limits';
import { trainingDevice, withDevice, type OpenedDevice } from './withDevice';

/** Default memory budget of one batch: a quarter of the machine, at most 2 GiB. */
export function defaultMemoryBudget(): number {
  return Math.min(2 * 2 ** 30, Math.floor(totalmem() / 4));
}

export async function runSweep(options: SweepOptions, deps: SweepDeps, emit: Emit, control = new SweepControl()): Promise<SweepStatus> {
  const failed = (error: SweepEventOf<'error'>): SweepStatus => {
    emit(error);
    emit({ type: 'done', status: 'failed', outDir: null, error: error.message });
    return 'failed';
  };
  let engine: OpenedDevice;
  try {
    engine = await withDevice(deps, options.device ?? 'auto');
  } catch (e) {
    return failed({ type: 'error', message: (e as Error).message }); // says what was tried: no stack needed
  }
  // On the CPU, which kernel build runs (relaxed or plain SIMD).
  if (engine.device?.kind === 'cpu') engine.info.description += `, ${describeKernelBuild()}`;
  let opened: OpenedSweep;
  try {
    opened = await openSweep(options, deps, (message) => emit({ type: 'log', level: 'warn', message }));
  } catch (e) {
    engine.device?.close();
    return failed(errorEvent(e));
  }
  let status: SweepStatus;
  try {
    status = await trainOpened(opened, engine, options, emit, control);
  } finally {
    opened.store.close();
    engine.device?.close();
  }
  // Sent after the folder's lock is given up: whoever hears `done` may open the folder at once.
  emit({ type: 'done', status, outDir: opened.store.dir });
  return status;
}

async function trainOpened(opened: OpenedSweep, engine: OpenedDevice, options: SweepOptions, emit: Emit, control: SweepControl): Promise<SweepStatus> {
  const { store, manifest, runs, resumed, movedAside } = opened;
  const { deps, device } = engine;
  if (movedAside) emit({ type: 'log', level: 'info', message: `--fresh: moved the previous results to ${movedAside}` });
  if (device) {
    recordDevice(store, manifest, device, options.device ?? 'auto', (message) => emit({ type: 'log', level: 'info', message }));
    device.onChoice(() => emit({ type: 'device', device: trainingDevice(device) }));
  }
  const ledger = RunLedger.ofFolder(store, manifest);
  const searching = Boolean(manifest.config.search);
  const runsTotal = searching ? manifest.runs.length : runs.length;
  emit({ type: 'started', outDir: store.dir, name: manifest.name, runsTotal, runsDone: ledger.countFinished(), resumed, device: engine.info });

  const trainerFor = (): RunTrainer => new RunTrainer({
    sink: store, ledger, control, deps, emit, configPath: manifest.configPath, configHash: manifest.configHash,
    memoryBudget: batchBudget(device, options.memoryBudget), threads: options.threads, runsTotal,
    estimateModelBytes: gpuEstimate(device, deps),
    runLimit: runLimitOn(device, deps, options.threads),
  });
  let trainer = trainerFor();
  ledger.writeSummary('running', true);
  let failed = false;
  try {
    if (searching) await runSearch({ manifest, ledger, trainer, deps, control });
    else await trainer.train(runs);
    if (device?.failure && !control.cancelled && !searching) {
      if (device.fellBack) {
        // The runs of the failed batch resume from their checkpoints on the CPU, like `grok resume`.
        emit({ type: 'log', level: 'warn', message: `the GPU failed (${device.failure}); resuming the unfinished runs from their checkpoints on the CPU` });
        trainer = trainerFor();
        await trainer.train(runs);
      } else {
        emit({ type: 'log', level: 'error', message: `the GPU failed (${device.failure}); the failed runs resume from their checkpoints with \`grok resume ${store.dir}\` (add --device cpu to train them on the CPU)` });
      }
    }
  } catch (e) {
    failed = true;
    emit(errorEvent(e));
  }
  const status: SweepStatus = control.cancelled ? 'stopped' : failed || trainer.failed ? 'failed' : 'done';
  ledger.writeSummary(status, true);
  return status;
}

function batchBudget(device: SweepDevice | null, requested: number | undefined): number {
  return device?.batchBudget(requested, defaultMemoryBudget()) ?? requested ?? defaultMemoryBudget();
}

/**
 * The memory limit of the device a run is about to train on (limits.ts): the CPU engine's 4 GiB
 * of wasm32 for its thread count, or the GPU adapter's largest buffer. None while --device auto
 * has not chosen yet (either device may take the batch).
 */
function runLimitOn(device: SweepDevice | null, deps: SweepDeps, threads: number | undefined): ConstructorParameters<typeof RunTrainer>[0]['runLimit'] {
  if (device?.measuring) return undefined;
  const onGpu = device?.kind === 'gpu' && !device.fellBack;
  // batchBudget caps any request at the adapter's largest buffer.
  const limit = onGpu ? { kind: 'gpu' as const, maxBufferBytes: device.batchBudget(Number.POSITIVE_INFINITY, 0) } : { kind: 'cpu' as const, threads: threads ?? availableParallelism() };
  return (r, data) => {
    const split = deps.split(data, r.config);
    return runLimitProblem(r.config, data, { train: split.train.length, val: split.val.length }, limit);
  };
}

/** On a GPU, a batch is planned with the GPU's memory plan of each model (the CPU estimate errs high several times over). */
function gpuEstimate(device: SweepDevice | null, deps: SweepDeps): ConstructorParameters<typeof RunTrainer>[0]['estimateModelBytes'] {
  if (device?.kind !== 'gpu' || device.fellBack) return undefined;
  return (r, data) => {
    const split = deps.split(data, r.config);
    return device.modelBytes(r.config.model, data, r.config.training.batchSize, { train: split.train.length, val: split.val.length });
  };
}
