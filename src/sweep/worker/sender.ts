// Worker-side message sending: metrics are coalesced and sent at most every METRICS_INTERVAL_MS
// (a sweep of many small models evaluates far more often than a UI can use); any other message
// first flushes the pending metrics, so the host sees a run's last evals before its runFinished.
import { METRICS_INTERVAL_MS, type WorkerMessage } from './protocol';
import type { EvalRecord } from '../../store/types';

export interface BatchedSender {
  (message: WorkerMessage): void;
  flush(): void;
}

export function createBatchedSender(post: (m: WorkerMessage) => void, intervalMs = METRICS_INTERVAL_MS): BatchedSender {
  let pending = new Map<string, EvalRecord[]>();
  let timer: NodeJS.Timeout | null = null;
  let lastFlush = 0;

  const flush = (): void => {
    if (timer) { clearTimeout(timer); timer = null; }
    if (pending.size === 0) return;
    const runs = [...pending].map(([runId, records]) => ({ runId, records }));
    pending = new Map();
    lastFlush = Date.now();
    post({ type: 'metrics', runs });
  };

  const send = ((m: WorkerMessage) => {
    if (m.type !== 'metrics') {
      flush();
      post(m);
      return;
    }
    for (const { runId, records } of m.runs) {
      const list = pending.get(runId);
      if (list) list.push(...records); else pending.set(runId, [...records]);
    }
    const wait = lastFlush + intervalMs - Date.now();
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  }) as BatchedSender;
  send.flush = flush;
  return send;
}
