// The progress measures at an eval step, from a trainer's model: the token embedding (read from
// the model's checkpoint bytes, so any backend works) and the logits over every example (the
// trainer's `logits`, one extra forward pass; a backend without it gets the weight-only measures).
import type { ExperimentConfig } from '../../config/schema';
import { readSafetensors } from '../engine/safetensors';
import type { LockstepTrainer } from '../engine/types';
import type { Dataset } from '../tasks/types';
import { progressMeasures, type ProgressMeasures } from './measures';

/** Ops whose generalizing circuit lives in the answer's Fourier modes (the restricted/excluded losses need that). */
const ADDITIVE_OPS = new Set(['a+b', 'a-b']);

export type ProgressProbe = (trainer: LockstepTrainer, model: number, trainIdx: Int32Array) => Promise<ProgressMeasures | undefined>;

/** The probe for a batch of this config's runs, or null where the measures are off or undefined (not a modular task). */
export function progressProbe(config: ExperimentConfig, dataset: Dataset): ProgressProbe | null {
  const opts = config.training.progress ?? { enabled: true, keyFrequencies: 5 };
  if (!opts.enabled || config.task.kind !== 'modular') return null;
  const P = config.task.modulus, additive = ADDITIVE_OPS.has(config.task.op);
  return async (trainer, model, trainIdx) => {
    const start = performance.now();
    const embed = readSafetensors(trainer.saveCheckpoint(model)).tensors.find((t) => t.name === 'embed.tok');
    if (!embed) return undefined; // every model of ours has one; a test double may not
    const logits = additive && trainer.logits ? await trainer.logits(model) : undefined;
    const d = embed.shape[1];
    if (embed.shape.length !== 2 || d === undefined) throw new Error(`progress measures: embed.tok has shape [${embed.shape.join(', ')}], expected [vocab, d]`);
    const measures = progressMeasures({
      P, embedding: embed.data, d, keyCount: opts.keyFrequencies, trainIdx,
      logits: logits && { logits, answers: dataset.labels, labels: dataset.labels, count: dataset.count },
    });
    measures.ms = Math.round((performance.now() - start) * 10) / 10;
    return measures;
  };
}
