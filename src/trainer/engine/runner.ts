// Trains and evaluates one model of the plan: the per-model work of a lock-step step. It runs in
// whichever thread the model was handed to; everything it touches is the model's own arena (and
// the read-only dataset), so the result does not depend on the thread.
import type { Network } from '../models/network';
import type { Backend } from './backend';
import { BatchSchedule } from './batches';
import { networkKind, tensorPtrs, type EnginePlan, type ModelPlan } from './layout';

export interface SplitSums { loss: number; correct: number; count: number }

export interface EvalSums {
  train: SplitSums; val: SplitSums;
  /** Per component index (mixtures). */
  trainComponents: SplitSums[]; valComponents: SplitSums[];
  /** Sum of squares per tensor, in plan order. */
  squares: number[];
}

/** lr at 1-based step t with linear warmup. */
export function learningRate(run: ModelPlan['run'], t: number): number {
  return run.warmupSteps > 0 ? run.lr * Math.min(1, t / run.warmupSteps) : run.lr;
}

export class ModelRunner {
  private readonly model: ModelPlan;
  private readonly net: Network;
  private readonly schedule: BatchSchedule | null;
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly u8: Uint8Array;

  constructor(private readonly backend: Backend, private readonly plan: EnginePlan, index: number) {
    const m = (this.model = plan.models[index]);
    this.net = networkKind(plan.dims).create({
      kernels: backend.kernels, dims: plan.dims, params: tensorPtrs(m, m.params), grads: tensorPtrs(m, m.grads),
      buffers: m.buffers, scratch: m.scratch,
    });
    this.schedule = m.batchSize === null ? null : new BatchSchedule(m.run.seed, m.trainCount, m.batchSize);
    const buf = backend.memory.buffer;
    this.i32 = new Int32Array(buf); this.f32 = new Float32Array(buf); this.u8 = new Uint8Array(buf);
  }

  /** Rows of 0-based step `step`: the whole train set, or this step's minibatch. */
  private batch(step: number): { idx: number; n: number } {
    const m = this.model;
    if (!this.schedule) return { idx: m.trainIdx, n: m.trainCount };
    const pos = this.schedule.positions(step);
    const train = m.trainIdx >> 2, out = m.batchIdx >> 2;
    for (let j = 0; j < pos.length; j++) this.i32[out + j] = this.i32[train + pos[j]];
    return { idx: m.batchIdx, n: pos.length };
  }

  /** Forward, backward and AdamW for 1-based step t. */
  train(t: number): void {
    const k = this.backend.kernels, m = this.model;
    const { idx, n } = this.batch(t - 1);
    this.forward(idx, n, true);
    k.zero(m.grads, m.blockFloats);
    this.net.backward(this.plan.inputs, idx, n);
    k.adamw(m.params, m.grads, m.adamM, m.adamV, m.blockFloats, learningRate(m.run, t), m.run.weightDecay,
      this.plan.betas[0], this.plan.betas[1], this.plan.eps, t);
  }

  /** Forward and loss over n examples at idx; with grad, leaves dlogits (of the mean loss) in place. */
  forward(idx: number, n: number, grad: boolean): void {
    const m = this.model;
    this.net.forward(this.plan.inputs, idx, n);
    const logits = this.net.logits;
    this.backend.kernels.softmaxCrossEntropy(logits, this.plan.labels, idx, n, this.plan.dims.C, grad ? logits : 0, 1 / n, m.loss, m.correct);
  }

  /** Gradients of the mean loss over n examples at idx (for tests), left in the grads block. */
  gradients(idx: number, n: number): void {
    this.forward(idx, n, true);
    this.backend.kernels.zero(this.model.grads, this.model.blockFloats);
    this.net.backward(this.plan.inputs, idx, n);
  }

  evaluate(): EvalSums {
    const m = this.model, k = this.backend.kernels;
    const [train, trainComponents] = this.evalSplit(m.trainIdx, m.trainCount);
    const [val, valComponents] = this.evalSplit(m.valIdx, m.valCount);
    const squares = m.tensors.map((t) => k.sumSquares(m.params + t.offset, t.size));
    return { train, val, trainComponents, valComponents, squares };
  }

  private evalSplit(idx: number, count: number): [SplitSums, SplitSums[]] {
    const m = this.model;
    const total = emptySums();
    const parts = Array.from({ length: this.plan.componentCount }, emptySums);
    for (let start = 0; start < count; start += m.cap) {
      const n = Math.min(m.cap, count - start);
      this.forward(idx + start * 4, n, false);
      for (let j = 0; j < n; j++) {
        const loss = this.f32[(m.loss >> 2) + j], correct = this.f32[(m.correct >> 2) + j];
        const part = parts[this.u8[this.plan.component + this.i32[(idx >> 2) + start + j]]];
        total.loss += loss; total.correct += correct; total.count++;
        part.loss += loss; part.correct += correct; part.count++;
      }
    }
    return [total, parts];
  }
}

function emptySums(): SplitSums {
  return { loss: 0, correct: 0, count: 0 };
}
