// Results store layout (one directory per sweep, default `.grok/<name>/` next to the config):
//   manifest.json              { name, configHash, config (resolved), runs: [{id, params}], createdAt }
//   runs/<id>/metrics.jsonl    one EvalRecord a line, append-only, flushed at every eval
//   runs/<id>/status.json      { status, stopReason?, error? }
//   runs/<id>/ckpt-<step>.safetensors
//   summary.json               Summary, written atomically (tmp + rename)
import type { EvalMetrics } from '../trainer/engine/types';
import type { SweepValue } from '../config/schema';

export type RunParams = Record<string, SweepValue>;
export type RunStatus = 'pending' | 'running' | 'done' | 'stopped' | 'failed';

/** One line of metrics.jsonl. */
export type EvalRecord = EvalMetrics & { wallMs?: number };

export type Regime = 'progression' | 'ungrokking' | 'semi-grokking' | 'grokking' | 'no-learning' | 'unsettled';

export interface RunSummary {
  id: string;
  params: RunParams;
  status: RunStatus;
  stopReason?: string;
  error?: string;
  regime: Regime | null;
  final: { trainAcc: number; valAcc: number; trainLoss: number; valLoss: number } | null;
  steps: { trainFit: number | null; valFit: number | null; last: number };
  components?: Record<string, { trainAcc: number; valAcc: number }>;
}

export interface CriticalDataSize {
  group: RunParams;
  epsilon: number;
  /** null when no size reaches epsilon. */
  value: number | null;
  low: number | null;
  high: number | null;
  seeds: number;
  /** 'interpolated' | 'below-grid' (smallest size already reaches epsilon: value is an upper bound) | 'not-reached'. */
  kind: 'interpolated' | 'below-grid' | 'not-reached';
}

export interface Summary {
  name: string;
  configHash: string;
  updatedAt: string;
  runs: RunSummary[];
  criticalDataSize: CriticalDataSize[];
  memorizationCapacity: Array<{ group: RunParams; value: number | null; kind: string }>;
}
