// --device, resolved once for a sweep (or for a queue worker): the engine's SweepDevice
// (trainer/engine/device.ts) creates every trainer from then on, in place of deps.createTrainer.
import type { DevicePreference, SweepDevice } from '../trainer/engine/device';
import type { SweepDeps } from './deps';
import type { TrainingDevice } from './events';

export interface OpenedDevice {
  /** The deps with the device's createTrainer. */
  deps: SweepDeps;
  /** Null where deps has no openDevice (tests' fake engines): deps.createTrainer trains. */
  device: SweepDevice | null;
  /** What the `started` event says. */
  info: TrainingDevice;
}

export async function withDevice(deps: SweepDeps, pref: DevicePreference): Promise<OpenedDevice> {
  if (!deps.openDevice) return { deps, device: null, info: { kind: 'cpu', description: 'the engine given to the sweep' } };
  const device = await deps.openDevice(pref);
  return { deps: { ...deps, createTrainer: (spec) => device.createTrainer(spec) }, device, info: trainingDevice(device) };
}

/** What the events say of a device, as of now (under --device auto it may change once: see SweepDevice.onChoice). */
export function trainingDevice(device: SweepDevice): TrainingDevice {
  const info: TrainingDevice = { kind: device.kind, description: device.description };
  if (device.adapter) info.adapter = device.adapter;
  return info;
}
