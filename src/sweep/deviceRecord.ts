// manifest.json's `device`: which device trains the sweep, written when it starts (or resumes);
// under --device auto with a GPU adapter, when the first batch has been measured on both devices,
// with the verdict and both timings, and then said once in the log.
import type { DeviceRecord, Manifest } from '../store/types';
import type { SweepStore } from '../store/writer';
import type { SweepDevice } from '../trainer/engine/device';

export function recordDevice(store: SweepStore, manifest: Manifest, device: SweepDevice, pref: DeviceRecord['pref'], say: (message: string) => void): void {
  const write = (record: DeviceRecord) => {
    manifest.device = record;
    store.writeManifest(manifest);
  };
  if (device.measuring) {
    device.onChoice((m) => {
      write({ pref, chosen: m.chosen, description: device.description, measured: { reason: m.reason, timings: m.timings }, at: m.measuredAt });
      say(`training on ${device.description}`);
    });
    return;
  }
  write({ pref, chosen: device.kind, description: device.description, at: new Date().toISOString() });
}
