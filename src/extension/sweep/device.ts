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
  /** The GPU adapter (vendor / architecture / device / description), when a GPU trains. */
  adapter?: string;
}

/** Before the sweep starts: what the setting implies. */
export function deviceFromSetting(setting: DeviceSetting): DeviceInfo {
  return { device: setting, description: setting === 'auto' ? 'grok.device = auto (the worker picks)' : `grok.device = ${setting}` };
}

/** What the `started` event says. */
export function deviceFromEvent(d: TrainingDevice): DeviceInfo {
  return { device: d.kind, description: d.description, ...(d.kind === 'gpu' && d.adapter ? { adapter: d.adapter } : {}) };
}

/** Longest adapter name in the status bar; the tooltip has all of it. */
const ADAPTER_CHARS = 32;

/**
 * The device as the status bar says it: `gpu (<adapter>)` once the worker has an adapter (its
 * first named part, e.g. "llvmpipe-llvm-15-0-6-256-bits" or "nvidia"), else cpu / gpu / auto / queue.
 */
export function statusDevice(info: DeviceInfo): string {
  if (!info.adapter) return info.device;
  const name = info.adapter.split(' / ')[0]!.trim().replace(/-+$/, '');
  return `${info.device} (${name.length > ADAPTER_CHARS ? `${name.slice(0, ADAPTER_CHARS - 1)}…` : name})`;
}
