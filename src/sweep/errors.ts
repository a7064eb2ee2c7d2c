// Errors as `error` messages: a user's mistake (bad config, wrong directory) without a stack
// trace, anything else with its stack as the cause.
import type { WorkerMessage } from './worker/protocol';
import { UserError } from './deps';

export function errorMessage(e: unknown, runId?: string, context?: string): WorkerMessage {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = context ? `${context}: ${err.message}` : err.message;
  const msg: WorkerMessage = { type: 'error', message };
  if (runId) msg.runId = runId;
  const userCaused = err instanceof UserError || err.name === 'ConfigLoadError';
  if (!userCaused && err.stack) msg.cause = err.stack;
  return msg;
}
