// Which device trains a sweep, for the status bar and the log. No vscode import (unit-tested).
// The worker says it once, before the sweep starts, as a log line from src/sweep/runner.ts:
// "training on GPU: <adapter> (...)" or "training on CPU (<why>)".

export type DeviceSetting = 'auto' | 'cpu' | 'gpu';

export interface DeviceInfo {
  /** 'cpu' or 'gpu'; 'auto' until the worker has said which; 'queue' when remote workers train. */
  device: 'cpu' | 'gpu' | 'auto' | 'queue';
  /** The worker's words (adapter name, why the CPU), or the setting. */
  description: string;
}

/** Before the worker reports: what the setting implies. */
export function deviceFromSetting(setting: DeviceSetting): DeviceInfo {
  return { device: setting, description: setting === 'auto' ? 'grok.device = auto (the worker picks)' : `grok.device = ${setting}` };
}

/** The device named by a worker log line, or null when the line is about something else. */
export function deviceFromLog(message: string): DeviceInfo | null {
  const m = /^training on (GPU|CPU)\b[:\s]*(.*)$/s.exec(message.trim());
  if (!m) return null;
  const device = m[1] === 'GPU' ? 'gpu' : 'cpu';
  return { device, description: `${m[1]}${m[2] ? (m[1] === 'GPU' ? `: ${m[2]}` : ` ${m[2]}`) : ''}` };
}
