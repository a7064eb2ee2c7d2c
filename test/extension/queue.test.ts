// The grok.queue setting (src/extension/sweep/queue.ts): local, a Redis URL, or a clear refusal;
// never a password in the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueueSetting } from '../../src/extension/sweep/queue';

test('local by default; Redis URLs go to the queue', () => {
  assert.deepEqual(parseQueueSetting(undefined), { kind: 'local' });
  assert.deepEqual(parseQueueSetting(' local '), { kind: 'local' });
  assert.deepEqual(parseQueueSetting('redis://10.0.0.5:6379/2'), { kind: 'redis', url: 'redis://10.0.0.5:6379/2' });
  assert.deepEqual(parseQueueSetting('rediss://queue.lab.example'), { kind: 'redis', url: 'rediss://queue.lab.example' });
});

test('a password in the setting, another scheme or no URL is refused with the fix', () => {
  const pw = parseQueueSetting('redis://:hunter2@10.0.0.5:6379');
  assert.equal(pw.kind, 'invalid');
  assert.match((pw as { message: string }).message, /Set Queue Password/);
  assert.doesNotMatch((pw as { message: string }).message, /hunter2/, 'the password is not repeated');
  assert.match((parseQueueSetting('http://x:1') as { message: string }).message, /not a Redis URL/);
  assert.match((parseQueueSetting('my-redis') as { message: string }).message, /neither "local" nor a URL/);
});
