// A device choice that measures (`--device auto`, grok.device = auto). For small models a GPU can
// be slower than the CPU engine (dispatch and read-back overhead per step), so under `auto` the
// first lock-step batch trains a few steps on each available device and the faster one trains the
// sweep. The measuring trainers are thrown away: the sweep then starts that batch from step 0 on
// the chosen device, so its results are exactly those of a sweep forced onto that device.
// `chooseDevice` is the rule (pure); `measureDevices` times the candidates; the sweep's device
// (webgpu/sweepDevice.ts) calls it once and the choice, with both timings, goes into manifest.json.
import type { DeviceTiming } from '../../store/types';
import type { LockstepTrainer } from './types';

export type { DeviceTiming };
export type DeviceKind = 'cpu' | 'gpu';

/** A device that could train the batch. */
export interface DeviceCandidate {
  device: DeviceKind;
  /** For the user, e.g. "CPU (2 threads)" or "GPU: nvidia / ... (WebGPU/Dawn)". */
  description: string;
  /** A fresh trainer for the measured batch (disposed after measuring). */
  create(): Promise<LockstepTrainer>;
}

/** The choice and its evidence, as manifest.json's `device`. */
export interface DeviceMeasurement {
  pref: 'auto';
  chosen: DeviceKind;
  description: string;
  reason: string;
  timings: DeviceTiming[];
  measuredAt: string;
}

export interface MeasureOptions {
  /** Timed steps per device (default 3), after `warmup` untimed ones (default 1). */
  steps?: number;
  warmup?: number;
  /** Clocks (tests inject fake ones): wall ms and this process's CPU ms. */
  now?: () => number;
  cpuNow?: () => number;
}

const wallClock = (): number => performance.now();
const cpuClock = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/**
 * The rule: the device with the fewer ms per step among those that measured; on a tie, or when
 * none measured, the CPU (no adapter to depend on). Pure.
 */
export function chooseDevice(timings: readonly DeviceTiming[]): { chosen: DeviceKind; reason: string } {
  const ok = timings.filter((t) => t.msPerStep !== null && !t.error);
  const fmt = (t: DeviceTiming): string => `${t.device} ${t.error ? `failed (${t.error})` : `${t.msPerStep!.toPrecision(3)} ms/step`}`;
  const all = timings.map(fmt).join(', ');
  if (ok.length === 0) return { chosen: 'cpu', reason: `no device measured (${all})` };
  const best = ok.reduce((a, b) => (b.msPerStep! < a.msPerStep! || (b.msPerStep === a.msPerStep && b.device === 'cpu') ? b : a));
  const others = ok.filter((t) => t !== best);
  const ratio = others.length ? ` (${(Math.min(...others.map((t) => t.msPerStep!)) / best.msPerStep!).toFixed(1)}x faster)` : '';
  return { chosen: best.device, reason: `measured ${all}: ${best.device}${ratio}` };
}

/** Flushes a trainer whose trainStep only queues work (the GPU's); a no-op for the CPU engine. */
async function settle(t: LockstepTrainer): Promise<void> {
  const flush = (t as LockstepTrainer & { flush?: () => Promise<void> }).flush;
  if (flush) await flush.call(t);
}

/**
 * Times each candidate on the batch, in order: create, `warmup` steps, then up to `steps` timed
 * steps, stopping early once it has spent more than twice the best finished candidate's whole
 * measurement (it cannot win). A candidate that throws is recorded with its error. Every trainer
 * is disposed.
 */
export async function measureDevices(candidates: readonly DeviceCandidate[], options: MeasureOptions = {}): Promise<DeviceMeasurement> {
  const steps = Math.max(1, options.steps ?? 3), warmup = Math.max(0, options.warmup ?? 1);
  const now = options.now ?? wallClock, cpuNow = options.cpuNow ?? cpuClock;
  const timings: DeviceTiming[] = [];
  let bestTotal = Infinity;
  for (const c of candidates) {
    const t: DeviceTiming = { device: c.device, description: c.description, models: 0, steps: 0, msPerStep: null, cpuMsPerStep: null, setupMs: null };
    timings.push(t);
    let trainer: LockstepTrainer | null = null;
    try {
      const s0 = now();
      trainer = await c.create();
      t.models = trainer.modelCount;
      for (let i = 0; i < warmup; i++) await trainer.trainStep();
      await settle(trainer);
      t.setupMs = round(now() - s0);
      const w0 = now(), c0 = cpuNow();
      let n = 0;
      while (n < steps) {
        await trainer.trainStep();
        await settle(trainer);
        n++;
        if (now() - w0 > 2 * bestTotal) break;
      }
      const wall = now() - w0;
      t.steps = n;
      t.msPerStep = round(wall / n);
      t.cpuMsPerStep = round((cpuNow() - c0) / n);
      bestTotal = Math.min(bestTotal, (wall / n) * steps);
    } catch (e) {
      t.error = e instanceof Error ? e.message : String(e);
    } finally {
      await trainer?.dispose().catch(() => undefined);
    }
  }
  const { chosen, reason } = chooseDevice(timings);
  const description = timings.find((x) => x.device === chosen)?.description ?? chosen;
  return { pref: 'auto', chosen, description, reason, timings, measuredAt: new Date().toISOString() };
}

const round = (ms: number): number => Number(ms.toPrecision(4));
