// What a caller asks of a sweep: the same options for a local run, the forked worker (sent with
// its `start` command) and the queue coordinator.
import type { DevicePreference } from '../trainer/engine/device';

export interface SweepOptions {
  /** The *.grok.json file. Needed for a new sweep; `resume` runs may give only outDir. */
  configPath?: string;
  /** Results directory (default `.grok/<name>/` next to the config file). */
  outDir?: string;
  /** Engine threads (default: available cores). Results do not depend on it. */
  threads?: number;
  device?: DevicePreference;
  /** false = --no-early-stop (recorded in the manifest's config). */
  earlyStop?: boolean;
  /** Start over even if the directory holds a sweep of a different config (the old one is moved aside). */
  fresh?: boolean;
  /** Resume (outDir only) although the config file the sweep came from changed since (the stored config is trained). */
  ignoreConfigChange?: boolean;
  /** Memory budget of one lock-step batch, in bytes (default: from the machine's memory). */
  memoryBudget?: number;
  /** Folders besides the config's own that its text data may be read from (--data-root, the extension's grok.dataRoots). */
  dataRoots?: string[];
  /** Who writes the results folder, as its lock names the holder ("grok sweep", "the extension"). */
  writer?: string;
}
