// Records the per-model kernel calls of the models (runner.ts, transformer.ts, mlp.ts run
// unchanged against this Kernels implementation) so that the calls of a lock-step group can be
// merged into one dispatch per op over all its models (see program.ts).
import type { ActCode, EncoderKernels, Kernels, Ptr } from '../backend';

/** One recorded call: the op and its arguments as the models passed them (byte pointers, byte strides). */
export interface Call { op: string; args: number[] }

const b = (x: boolean): number => (x ? 1 : 0);

export class Recorder implements Kernels, EncoderKernels {
  /** Where calls go: set to a model's list before running that model's code. */
  calls: Call[] = [];

  private push(op: string, ...args: number[]): void {
    this.calls.push({ op, args });
  }

  matmul(a: Ptr, bb: Ptr, c: Ptr, m: number, k: number, n: number, acc: boolean): void { this.push('matmul', a, bb, c, m, k, n, b(acc)); }
  matmulTN(a: Ptr, bb: Ptr, c: Ptr, m: number, k: number, n: number, acc: boolean): void { this.push('matmulTN', a, bb, c, m, k, n, b(acc)); }
  matmulNT(a: Ptr, bb: Ptr, c: Ptr, m: number, n: number, k: number, acc: boolean): void { this.push('matmulNT', a, bb, c, m, n, k, b(acc)); }
  biasAct(z: Ptr, bias: Ptr, y: Ptr, m: number, n: number, act: ActCode): void { this.push('biasAct', z, bias, y, m, n, act); }
  biasActBackward(z: Ptr, dy: Ptr, dz: Ptr, dbias: Ptr, m: number, n: number, act: ActCode): void { this.push('biasActBackward', z, dy, dz, dbias, m, n, act); }
  add(dst: Ptr, a: Ptr, bb: Ptr, n: number): void { this.push('add', dst, a, bb, n); }
  copy(dst: Ptr, src: Ptr, n: number): void { this.push('copy', dst, src, n); }
  zero(x: Ptr, n: number): void { this.push('zero', x, n); }
  sumSquares(): number {
    throw new Error('webgpu backend: sumSquares returns a value and cannot be recorded (use Recorder.squares)');
  }
  softmaxCrossEntropy(logits: Ptr, labels: Ptr, idx: Ptr, m: number, c: number, dlogits: Ptr, scale: number, lossOut: Ptr, correctOut: Ptr): void {
    this.push('softmaxCE', logits, labels, idx, m, c, dlogits, scale, lossOut, correctOut);
  }
  layerNorm(x: Ptr, g: Ptr, bb: Ptr, y: Ptr, xhat: Ptr, rstd: Ptr, m: number, d: number): void { this.push('layerNorm', x, g, bb, y, xhat, rstd, m, d); }
  layerNormBackward(dy: Ptr, xhat: Ptr, rstd: Ptr, g: Ptr, dx: Ptr, dg: Ptr, db: Ptr, m: number, d: number, acc: boolean): void {
    this.push('layerNormBackward', dy, xhat, rstd, g, dx, dg, db, m, d, b(acc));
  }
  attentionForward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, o: Ptr, n: number, S: number, H: number, dh: number, scale: number): void {
    this.push('attnForward', q, k, v, p, o, n, S, H, dh, scale);
  }
  attentionBackward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, dout: Ptr, dq: Ptr, dk: Ptr, dv: Ptr, n: number, S: number, H: number, dh: number, scale: number): void {
    this.push('attnBackward', q, k, v, p, dout, dq, dk, dv, n, S, H, dh, scale);
  }
  embedGather(inputs: Ptr, idx: Ptr, n: number, S: number, tok: Ptr, pos: Ptr, out: Ptr, d: number, posStride: number, rowStride: number): void {
    this.push('embedGather', inputs, idx, n, S, tok, pos, out, d, posStride, rowStride);
  }
  embedScatter(inputs: Ptr, idx: Ptr, n: number, S: number, dx: Ptr, dtok: Ptr, dpos: Ptr, d: number, posStride: number, rowStride: number): void {
    this.push('embedScatter', inputs, idx, n, S, dx, dtok, dpos, d, posStride, rowStride);
  }
  adamw(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lr: number, wd: number, b1: number, b2: number, eps: number, t: number): void {
    this.push('adamw', p, g, m, v, n, lr, wd, b1, b2, eps, t);
  }

  maskedAttentionForward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, o: Ptr, n: number, Sq: number, S: number, H: number, dh: number, scale: number, inputs: Ptr, idx: Ptr, pad: number): void {
    this.push('maskedAttnForward', q, k, v, p, o, n, Sq, S, H, dh, scale, inputs, idx, pad);
  }
  maskedAttentionBackward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, dout: Ptr, dq: Ptr, dk: Ptr, dv: Ptr, n: number, Sq: number, S: number, H: number, dh: number, scale: number): void {
    this.push('maskedAttnBackward', q, k, v, p, dout, dq, dk, dv, n, Sq, S, H, dh, scale);
  }
  maskedMeanPool(x: Ptr, out: Ptr, n: number, S: number, d: number, inputs: Ptr, idx: Ptr, pad: number): void {
    this.push('maskedMeanPool', x, out, n, S, d, inputs, idx, pad);
  }
  maskedMeanPoolBackward(dout: Ptr, dx: Ptr, n: number, S: number, d: number, inputs: Ptr, idx: Ptr, pad: number): void {
    this.push('maskedMeanPoolBackward', dout, dx, n, S, d, inputs, idx, pad);
  }

  // Ops of the GPU path only (evaluation without reading per-example values back).

  /** out[2c], out[2c+1] += Σ loss, Σ correct over the n examples at idx whose component is c. */
  evalAccum(loss: Ptr, correct: Ptr, idx: Ptr, n: number, component: Ptr, out: Ptr, components: number): void {
    this.push('evalAccum', loss, correct, idx, n, component, out, components);
  }

  /** out = Σ x² over n floats. */
  squares(x: Ptr, n: number, out: Ptr): void { this.push('squares', x, n, out); }
}
