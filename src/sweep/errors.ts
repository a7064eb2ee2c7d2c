// Errors as `error` messages: a user's mistake (bad config, wrong directory) without a stack
// trace, anything else with its stack as the cause.
import type { WorkerMessage } from './worker/protocol';
import { isUserCaused, userMessage } from '../util/userError';

export function errorMessage(e: unknown, runId?: string, context?: string): WorkerMessage {
  const err = e instanceof Error ? e : new Error(String(e));
  const text = userMessage(err);
  const message = context ? `${context}: ${text}` : text;
  const msg: WorkerMessage = { type: 'error', message };
  if (runId) msg.runId = runId;
  if (!isUserCaused(err) && err.stack) msg.cause = err.stack;
  return msg;
}
