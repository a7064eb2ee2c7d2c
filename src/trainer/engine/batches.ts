// Seeded minibatches that depend only on (seed, step): epoch e visits the training set in the
// order of a shuffle drawn from Rng(seed, BATCH_STREAM + e), in floor(N / B) batches of B (the
// remainder of each epoch is skipped). A checkpoint therefore only needs the step to resume exactly.
import { Rng } from '../../util/rng';

export const BATCH_STREAM = 0xba7c0;

export class BatchSchedule {
  private epoch = -1;
  private order = new Int32Array(0);
  private readonly perEpoch: number;

  constructor(private readonly seed: number, private readonly count: number, private readonly size: number) {
    this.perEpoch = Math.max(1, Math.floor(count / size));
  }

  /** Positions (into the train index list) of the examples of 0-based step `step`. */
  positions(step: number): Int32Array {
    const epoch = Math.floor(step / this.perEpoch);
    if (epoch !== this.epoch) {
      this.order = new Rng(this.seed, BATCH_STREAM + epoch).shuffle(Int32Array.from({ length: this.count }, (_, i) => i));
      this.epoch = epoch;
    }
    const start = (step % this.perEpoch) * this.size;
    return this.order.subarray(start, start + this.size);
  }
}
