// Which device trains a sweep, for the status bar and the log. No vscode import (unit-tested).
// The sweep says it in its `started` event (src/sweep/events.ts: TrainingDevice, with the GPU
// adapter); until then the grok.device setting is all there is.
import type { TrainingDevice } from '../../sweep/events';

export type DeviceSetting = 'auto' | 'cpu' | 'gpu';

export interface DeviceInfo {
  /** 'cpu' or 'gpu'; 'auto' until the sweep has said which; 'queue' when remote workers train. */
  device: TrainingDevice['kind'] | 'auto';
  /** The sweep's words (adapter name, why the CPU), or the setting. */
  description: string;
}

/** Before the sweep starts: what the setting implies. */
export function deviceFromSetting(setting: DeviceSetting): DeviceInfo {
  return { device: setting, description: setting === 'auto' ? 'grok.device = auto (the worker picks)' : `grok.device = ${setting}` };
}

/** What the `started` event says. */
export function deviceFromEvent(d: TrainingDevice): DeviceInfo {
  return { device: d.kind, description: d.description };
}
