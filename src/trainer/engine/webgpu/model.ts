// One model of the GPU plan driven through the shared model code (transformer.ts, mlp.ts, encoder.ts) on a
// Recorder: the same ops as the CPU engine's runner, over the whole batch at once.
import { networkKind } from '../layout';
import { BatchSchedule } from '../batches';
import { createNetwork, type Network, type Tensors } from '../../models/network';
import type { GpuModelPlan, GpuPlan } from './layout';
import type { Recorder } from './recorder';

/** lr at 1-based step t with linear warmup (docs/models.md). */
export function learningRate(run: GpuModelPlan['run'], t: number): number {
  return run.warmupSteps > 0 ? run.lr * Math.min(1, t / run.warmupSteps) : run.lr;
}

export class GpuModel {
  private readonly net: Network;
  private readonly grads: Tensors;
  private readonly schedule: BatchSchedule | null;

  constructor(private readonly k: Recorder, private readonly plan: GpuPlan, readonly m: GpuModelPlan, private readonly trainIdx: Int32Array) {
    const ptrs = (block: number): Tensors => Object.fromEntries(plan.tensors.map((t) => [t.name, block + t.offset]));
    this.net = createNetwork(networkKind(plan.dims), { kernels: k, dims: plan.dims, params: ptrs(m.params), buffers: m.buffers, scratch: m.scratch });
    this.grads = ptrs(m.grads);
    this.schedule = m.batchSize === null ? null : new BatchSchedule(m.run.seed, m.trainCount, m.batchSize);
  }

  /**
   * Records forward, backward and AdamW of 1-based step t. Returns this step's minibatch indices,
   * which the caller uploads to m.batchIdx before the step runs (null for full batch).
   */
  train(t: number): Int32Array | null {
    const m = this.m;
    let idx = m.trainIdx, n = m.trainCount, batch: Int32Array | null = null;
    if (this.schedule) {
      const pos = this.schedule.positions(t - 1);
      batch = new Int32Array(pos.length);
      for (let j = 0; j < pos.length; j++) batch[j] = this.trainIdx[pos[j]!]!; // positions index the training set
      idx = m.batchIdx; n = pos.length;
    }
    this.gradients(idx, n);
    this.k.adamw(m.params, m.grads, m.adamM, m.adamV, this.plan.blockFloats, learningRate(m.run, t), m.run.weightDecay,
      this.plan.betas[0], this.plan.betas[1], this.plan.eps, t);
    return batch;
  }

  /** Gradients of the mean loss over n examples at idx, into the grads block. */
  gradients(idx: number, n: number): void {
    this.forward(idx, n, true);
    this.k.zero(this.m.grads, this.plan.blockFloats);
    this.net.backward(this.plan.inputs, idx, n, this.grads);
  }

  /** Forward and per-example loss over n ≤ cap examples at idx; with grad, dlogits of the mean loss. */
  forward(idx: number, n: number, grad: boolean): void {
    this.net.forward(this.plan.inputs, idx, n);
    const logits = this.net.logits;
    this.k.softmaxCrossEntropy(logits, this.plan.labels, idx, n, this.plan.dims.C, grad ? logits : 0, 1 / n, this.m.loss, this.m.correct);
  }
}
