// The `grok.queue` setting: `local` (a worker process here) or a Redis queue URL that `grok worker`s
// train from (src/sweep/queue). The password is never part of the setting: it lives in VS Code's
// SecretStorage (Grok: Set Queue Password). No vscode import (unit-tested).

export const QUEUE_PASSWORD_SECRET = 'grok.queue.password';

export type QueueSetting =
  | { kind: 'local' }
  | { kind: 'redis'; url: string }
  | { kind: 'invalid'; message: string };

export function parseQueueSetting(raw: string | undefined): QueueSetting {
  const v = (raw ?? '').trim();
  if (v === '' || v === 'local') return { kind: 'local' };
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return { kind: 'invalid', message: `grok.queue: "${v}" is neither "local" nor a URL (redis://HOST:PORT, rediss:// for TLS)` };
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return { kind: 'invalid', message: `grok.queue: "${url.protocol}" is not a Redis URL; expected redis://HOST:PORT or rediss://HOST:PORT (TLS)` };
  }
  if (url.password || url.username) {
    return { kind: 'invalid', message: 'grok.queue: take the user name and password out of the URL (settings are plain text); run "Grok: Set Queue Password" to keep the password in secret storage' };
  }
  if (!url.hostname) return { kind: 'invalid', message: `grok.queue: "${v}" has no host` };
  return { kind: 'redis', url: v };
}
