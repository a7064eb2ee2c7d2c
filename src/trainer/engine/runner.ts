// Trains and evaluates one model of the plan: the per-model work of a lock-step step. It runs in
// whichever thread the work was handed to; everything it touches is the model's own arena (and
// the read-only dataset), and the chunking is fixed by the plan, so results do not depend on the
// thread. A step is gradChunks (any split of the chunks over lanes) followed by update.
import { createNetwork, type Network, type Tensors } from '../models/network';
import type { Backend, Kernels, Ptr } from './backend';
import { BatchSchedule } from './batches';
import { CHUNK_ROWS, networkKind, tensorPtrs, type EnginePlan, type ModelPlan } from './layout';

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
  private readonly nets: Network[];
  private readonly chunkGrads: Tensors[];
  private readonly schedule: BatchSchedule | null;
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly u8: Uint8Array;

  constructor(private readonly backend: Backend, private readonly plan: EnginePlan, index: number) {
    const m = plan.models[index];
    if (m === undefined) throw new Error(`engine: no model ${index} in the plan (${plan.models.length} models)`);
    this.model = m;
    const params = tensorPtrs(m, m.params);
    const kind = networkKind(plan.dims);
    this.nets = m.lanes.map((lane) => createNetwork(kind, {
      kernels: packingKernels(backend.kernels, lane.scratch, kind.scratchSize(plan.dims)), dims: plan.dims, params, buffers: lane.buffers, scratch: lane.scratch,
    }));
    this.chunkGrads = m.chunkGrads.map((block) => tensorPtrs(m, block));
    this.schedule = m.batchSize === null ? null : new BatchSchedule(m.run.seed, m.trainCount, m.batchSize);
    const buf = backend.memory.buffer;
    this.i32 = new Int32Array(buf); this.f32 = new Float32Array(buf); this.u8 = new Uint8Array(buf);
  }

  get chunks(): number { return this.model.chunkGrads.length; }

  /** Rows of a training step. */
  private batchRows(): number {
    return this.model.batchSize ?? this.model.trainCount;
  }

  /** Index list of chunk c of 0-based step `step` (a minibatch chunk is written here first). */
  private chunkIdx(step: number, c: number, n: number): number {
    const m = this.model;
    if (!this.schedule) return m.trainIdx + c * CHUNK_ROWS * 4;
    const pos = this.schedule.positions(step).subarray(c * CHUNK_ROWS, c * CHUNK_ROWS + n);
    const train = m.trainIdx >>> 2, out = (m.batchIdx >>> 2) + c * CHUNK_ROWS;
    for (let j = 0; j < n; j++) this.i32[out + j] = this.i32[train + pos[j]!]!; // j < n <= pos.length
    return m.batchIdx + c * CHUNK_ROWS * 4;
  }

  /** Gradients of the given chunks of 1-based step t, each into its own block, using lane `lane`. */
  gradChunks(t: number, chunks: number[], lane: number): void {
    const rows = this.batchRows();
    for (const c of chunks) {
      const n = Math.min(CHUNK_ROWS, rows - c * CHUNK_ROWS);
      this.chunkGradient(this.chunkIdx(t - 1, c, n), n, 1 / rows, c, lane);
    }
  }

  /** Sums the chunk gradients in chunk order and takes the AdamW step t. */
  update(t: number): void {
    const k = this.backend.kernels, m = this.model;
    for (let c = 1; c < m.chunkGrads.length; c++) k.add(m.grads, m.grads, m.chunkGrads[c]!, m.blockFloats);
    k.adamw(m.params, m.grads, m.adamM, m.adamV, m.blockFloats, learningRate(m.run, t), m.run.weightDecay,
      this.plan.betas[0], this.plan.betas[1], this.plan.eps, t);
  }

  /** Step t, all on this thread. */
  train(t: number): void {
    this.gradChunks(t, Array.from({ length: this.chunks }, (_, c) => c), 0);
    this.update(t);
  }

  /**
   * This lane's share of step t, which `lanes` lanes run at once on different threads: its chunks,
   * then, in the lane that finishes last, the update. The atomic count orders the other lanes'
   * chunk gradients before the sum (the counter is reset before the next step's jobs are sent).
   */
  trainShare(t: number, chunks: number[], lane: number, lanes: number): void {
    this.gradChunks(t, chunks, lane);
    const done = this.model.lanesDone >>> 2;
    if (Atomics.add(this.i32, done, 1) !== lanes - 1) return;
    Atomics.store(this.i32, done, 0);
    this.update(t);
  }

  /** Gradient of scale · (loss sum over n examples at idx) into chunk block c. */
  private chunkGradient(idx: number, n: number, scale: number, c: number, lane: number): void {
    const block = this.model.chunkGrads[c], grads = this.chunkGrads[c];
    if (block === undefined || grads === undefined) throw new Error(`engine: no chunk ${c} (of ${this.chunks})`);
    this.forward(idx, n, true, lane, scale);
    this.backend.kernels.zero(block, this.model.blockFloats);
    this.nets[lane]!.backward(this.plan.inputs, idx, n, grads); // forward checked the lane
  }

  /** Forward and loss over n ≤ cap examples at idx; with grad, leaves dlogits of (loss sum · scale) in place. */
  forward(idx: number, n: number, grad: boolean, lane = 0, scale = 1 / n): void {
    const net = this.nets[lane], out = this.model.lanes[lane];
    if (net === undefined || out === undefined) throw new Error(`engine: no lane ${lane} (of ${this.nets.length})`);
    net.forward(this.plan.inputs, idx, n);
    this.backend.kernels.softmaxCrossEntropy(net.logits, this.plan.labels, idx, n, this.plan.dims.C,
      grad ? net.logits : 0, scale, out.loss, out.correct);
  }

  /** Gradient of the mean loss over n ≤ cap examples at idx, left in the grads block (for tests). */
  gradients(idx: number, n: number): void {
    this.chunkGradient(idx, n, 1 / n, 0, 0);
  }

  evaluate(): EvalSums {
    const m = this.model, k = this.backend.kernels;
    const [train, trainComponents] = this.evalSplit(m.trainIdx, m.trainCount);
    const [val, valComponents] = this.evalSplit(m.valIdx, m.valCount);
    const squares = m.tensors.map((t) => k.sumSquares(m.params + t.offset, t.size));
    return { train, val, trainComponents, valComponents, squares };
  }

  /** Logits [count, C] of every example of the dataset (a forward pass in lane 0). */
  logits(): Float32Array {
    const m = this.model, C = this.plan.dims.C, net = this.lane0();
    const out = new Float32Array(this.plan.count * C);
    for (let start = 0; start < this.plan.count; start += m.cap) {
      const n = Math.min(m.cap, this.plan.count - start);
      net.forward(this.plan.inputs, this.plan.allIdx + start * 4, n);
      out.set(this.f32.subarray(net.logits >>> 2, (net.logits >>> 2) + n * C), start * C);
    }
    return out;
  }

  private lane0(): Network {
    return this.nets[0]!; // layout.ts gives every model lane 0 (one network per lane)
  }

  private evalSplit(idx: number, count: number): [SplitSums, SplitSums[]] {
    const m = this.model, out = m.lanes[0]!; // layout.ts gives every model lane 0
    const total = emptySums();
    const parts = Array.from({ length: this.plan.componentCount }, emptySums);
    for (let start = 0; start < count; start += m.cap) {
      const n = Math.min(m.cap, count - start);
      this.forward(idx + start * 4, n, false);
      for (let j = 0; j < n; j++) {
        // Type-only: the indices stay inside the plan's regions (j < n <= cap, components < componentCount).
        const loss = this.f32[(out.loss >>> 2) + j]!, correct = this.f32[(out.correct >>> 2) + j]!;
        const part = parts[this.u8[this.plan.component + this.i32[(idx >>> 2) + start + j]!]!]!;
        total.loss += loss; total.correct += correct; total.count++;
        part.loss += loss; part.correct += correct; part.count++;
      }
    }
    return [total, parts];
  }
}

/**
 * The kernels with matmul packing its B operand into the lane's scratch (floats: its size) where
 * B fits. The models use the scratch only inside single kernel calls (matmulNT), so one product's
 * packing never overlaps another's use of it; results are bitwise those of the unpacked product.
 */
function packingKernels(kernels: Kernels, scratch: Ptr, floats: number): Kernels {
  const plain = kernels.matmul;
  return { ...kernels, matmul: (a, b, c, m, k, n, acc) => plain(a, b, c, m, k, n, acc, k * n <= floats ? scratch : 0) };
}

function emptySums(): SplitSums {
  return { loss: 0, correct: 0, count: 0 };
}
