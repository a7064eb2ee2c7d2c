// The queue client (bullmq + ioredis, about 1 MB) is its own bundle, dist/queue-client.js, loaded
// only when grok.queue names a Redis queue: activation and local sweeps never parse it.
import { join } from 'node:path';

export type QueueClient = typeof import('./queueClientEntry');

let loaded: QueueClient | undefined;

/** Loads dist/queue-client.js (next to dist/extension.js) on first use. */
export function loadQueueClient(): QueueClient {
  // A computed path, so that esbuild leaves the require alone instead of inlining the module.
  const path = join(__dirname, 'queue-client.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a runtime load of a sibling bundle, on purpose
  loaded ??= require(path) as QueueClient;
  return loaded;
}
