// A small deterministic stand-in for the engine (LockstepTrainer): synthetic learning curves driven
// by a Float32 state per model, so a checkpoint (real safetensors bytes) must be restored exactly
// for the curves to continue identically. Large train sets "generalize", small ones "memorize".
import type { EvalMetrics, LockstepSpec, LockstepTrainer } from '../../../src/trainer/engine/types';

export interface FakeEngineOptions {
  /** Sleep per trainStep (to make a sweep slow enough to kill or cancel mid-way). */
  stepDelayMs?: number;
  /** At this step, inside trainStep: 'oom' fills the heap, 'exit' exits with code 7, 'throw' throws. */
  failAtStep?: number;
  failure?: 'oom' | 'exit' | 'throw';
  /** Called at every evaluate with the step (in-process tests watch the training with it). */
  onEvaluate?: (step: number) => void;
}

const STATE = 4;

export function fakeCreateTrainer(options: FakeEngineOptions = {}) {
  return async (spec: LockstepSpec): Promise<LockstepTrainer> => new FakeTrainer(spec, options);
}

class FakeTrainer implements LockstepTrainer {
  step = 0;
  private readonly state: Float32Array[];
  private readonly active: boolean[];

  constructor(private readonly spec: LockstepSpec, private readonly options: FakeEngineOptions) {
    this.state = spec.runs.map((r) => Float32Array.of(0, 0, (r.seed % 7) / 7, 0));
    this.active = spec.runs.map(() => true);
  }

  get modelCount(): number { return this.spec.runs.length; }

  /** Model i's state: STATE floats, so s[0..3] below are always there. */
  private stateOf(i: number): Float32Array {
    const s = this.state[i];
    if (!s) throw new Error(`fake engine: no model ${i} of ${this.state.length}`);
    return s;
  }

  async trainStep(): Promise<void> {
    if (this.options.stepDelayMs) await new Promise((r) => setTimeout(r, this.options.stepDelayMs));
    this.step++;
    if (this.step === this.options.failAtStep) this.fail();
    this.spec.runs.forEach((r, i) => {
      if (!this.active[i]) return;
      const s = this.stateOf(i);
      const frac = r.trainIdx.length / (r.trainIdx.length + r.valIdx.length);
      const wobble = Math.fround(Math.sin(this.step * 0.37 + s[2]! * 10) * 0.002);
      s[0] = Math.fround(s[0]! + 0.05 * r.lr * 1000 + wobble);
      s[1] = Math.fround(s[1]! + (frac >= 0.5 ? 0.05 * frac : 0) + wobble);
      s[3] = Math.fround(s[3]! * 0.9 + wobble);
    });
  }

  async evaluate(): Promise<EvalMetrics[]> {
    this.options.onEvaluate?.(this.step);
    return this.state.map((s) => {
      const trainAcc = sigmoid(s[0]! - 4);
      const valAcc = Math.min(1, 0.05 + 0.05 * s[3]! + sigmoid(s[1]! - 6));
      return {
        step: this.step, trainAcc, valAcc, trainLoss: 1 - trainAcc, valLoss: 1 - valAcc,
        weightNorm: Math.hypot(s[0]!, s[1]!), norms: { w: Math.abs(s[0]!) },
      };
    });
  }

  deactivate(i: number): void { this.active[i] = false; }

  saveCheckpoint(i: number): Uint8Array {
    const data = new Uint8Array(this.stateOf(i).slice().buffer);
    const header = JSON.stringify({
      __metadata__: { step: String(this.step), format: 'grok-1' },
      state: { dtype: 'F32', shape: [STATE], data_offsets: [0, data.length] },
    }).padEnd(96, ' ');
    const head = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + head.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
    out.set(head, 8);
    out.set(data, 8 + head.length);
    return out;
  }

  loadCheckpoint(i: number, bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { __metadata__: { step: string } };
    this.state[i] = new Float32Array(bytes.slice(8 + n, 8 + n + STATE * 4).buffer);
    this.step = Number(header.__metadata__.step);
  }

  async dispose(): Promise<void> {}

  private fail(): void {
    switch (this.options.failure) {
      case 'oom': {
        const hog: number[][] = [];
        for (;;) hog.push(new Array(1 << 20).fill(Math.random()));
      }
      case 'exit': process.exit(7); break;
      default: throw new Error(`fake engine failure at step ${this.step}`);
    }
  }
}

function sigmoid(x: number): number { return 1 / (1 + Math.exp(-x)); }
