// The compute backend: a small, explicit set of tensor ops that the models are written against.
//
// Addressing: every tensor is a row-major f32 (or i32) array identified by a byte offset (`Ptr`)
// into one shared memory. Ops are invoked PER MODEL with that model's offsets: the leading model
// dimension of the engine is realised as one arena per model (see layout.ts), all models of a
// lock-step batch having identical shapes. A batched backend (e.g. WebGPU) can implement the same
// interface by recording the per-model calls of a step and dispatching one kernel per op over all
// models, since the offsets differ only by the per-model arena base.
//
// Booleans are passed as 0/1; `act` is one of ACT. Nothing here allocates.

/** Byte offset into the backend's memory. 0 means "absent" where an op says so. */
export type Ptr = number;

export const ACT = { identity: 0, relu: 1, gelu: 2, tanh: 3 } as const;
export type ActCode = (typeof ACT)[keyof typeof ACT];

export interface Kernels {
  /**
   * C[m,n] (+)= A[m,k]·B[k,n]. pack (optional, room for k·n floats) lets the kernel pack B into
   * panels first: faster, bitwise the same result. The engine's runner passes a lane's scratch.
   */
  matmul(a: Ptr, b: Ptr, c: Ptr, m: number, k: number, n: number, acc: boolean, pack?: Ptr): void;
  /** C[k,n] (+)= A[m,k]ᵀ·B[m,n] (weight gradients). */
  matmulTN(a: Ptr, b: Ptr, c: Ptr, m: number, k: number, n: number, acc: boolean): void;
  /** C[m,k] (+)= A[m,n]·B[k,n]ᵀ (input gradients); scratch holds k·n floats. */
  matmulNT(a: Ptr, b: Ptr, c: Ptr, m: number, n: number, k: number, acc: boolean, scratch: Ptr): void;
  /** z[m,n] += bias (if bias ≠ 0), y = act(z). */
  biasAct(z: Ptr, bias: Ptr, y: Ptr, m: number, n: number, act: ActCode): void;
  /** dz = dy·act'(z) (dz may alias dy); dbias += column sums of dz (if dbias ≠ 0). */
  biasActBackward(z: Ptr, dy: Ptr, dz: Ptr, dbias: Ptr, m: number, n: number, act: ActCode): void;
  add(dst: Ptr, a: Ptr, b: Ptr, n: number): void;
  copy(dst: Ptr, src: Ptr, n: number): void;
  zero(x: Ptr, n: number): void;
  /** Σ x² in f64. */
  sumSquares(x: Ptr, n: number): number;
  /** Per row: loss, first-argmax correctness, and (if dlogits ≠ 0) (softmax − onehot)·scale. Labels via labels[idx[i]]. */
  softmaxCrossEntropy(logits: Ptr, labels: Ptr, idx: Ptr, m: number, c: number, dlogits: Ptr, scale: number, lossOut: Ptr, correctOut: Ptr): void;
  layerNorm(x: Ptr, g: Ptr, b: Ptr, y: Ptr, xhat: Ptr, rstd: Ptr, m: number, d: number): void;
  layerNormBackward(dy: Ptr, xhat: Ptr, rstd: Ptr, g: Ptr, dx: Ptr, dg: Ptr, db: Ptr, m: number, d: number, acc: boolean): void;
  /** One query per example over S keys: q, o [n,d]; k, v [S,n,d]; p [n,H,S]. */
  attentionForward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, o: Ptr, n: number, S: number, H: number, dh: number, scale: number): void;
  attentionBackward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, dout: Ptr, dq: Ptr, dk: Ptr, dv: Ptr, n: number, S: number, H: number, dh: number, scale: number): void;
  /** Row (i,s) = tok[inputs[idx[i]·S+s]] + pos[s], at out + s·posStride + i·rowStride (byte strides). */
  embedGather(inputs: Ptr, idx: Ptr, n: number, S: number, tok: Ptr, pos: Ptr, out: Ptr, d: number, posStride: number, rowStride: number): void;
  embedScatter(inputs: Ptr, idx: Ptr, n: number, S: number, dx: Ptr, dtok: Ptr, dpos: Ptr, d: number, posStride: number, rowStride: number): void;
  /** PyTorch AdamW over n floats (n a multiple of 4); t is the 1-based step. */
  adamw(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lr: number, wd: number, b1: number, b2: number, eps: number, t: number): void;
}

/**
 * The encoder's extra kernels (the WASM backend has them; a backend without them cannot run the
 * `encoder` model, and says so when one is built).
 */
export interface EncoderKernels {
  /**
   * Self-attention of Sq query positions (0..Sq-1) over S keys with a key padding mask (the encoder):
   * q, o [Sq,n,d]; k, v [S,n,d]; p [n,H,Sq,S]. Key s of example i is masked where its token
   * inputs[idx[i]·S+s] = pad (pad < 0: no mask); with Sq > 1 a padded query gets o = 0, p = 0.
   */
  maskedAttentionForward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, o: Ptr, n: number, Sq: number, S: number, H: number, dh: number, scale: number, inputs: Ptr, idx: Ptr, pad: number): void;
  /** dq [Sq,n,d], dk, dv [S,n,d] overwritten (the mask is read from p, which is 0 where masked). */
  maskedAttentionBackward(q: Ptr, k: Ptr, v: Ptr, p: Ptr, dout: Ptr, dq: Ptr, dk: Ptr, dv: Ptr, n: number, Sq: number, S: number, H: number, dh: number, scale: number): void;
  /** out[i] = mean over unpadded positions s of x[s,i]; x [S,n,d], out [n,d]. */
  maskedMeanPool(x: Ptr, out: Ptr, n: number, S: number, d: number, inputs: Ptr, idx: Ptr, pad: number): void;
  /** dx[s,i] = dout[i] / count (unpadded s), 0 (padded s); overwrites dx. */
  maskedMeanPoolBackward(dout: Ptr, dx: Ptr, n: number, S: number, d: number, inputs: Ptr, idx: Ptr, pad: number): void;
}

/** Whether a backend's kernels include the encoder's. */
export function hasEncoderKernels(k: Kernels): k is Kernels & EncoderKernels {
  return typeof (k as Partial<EncoderKernels>).maskedAttentionForward === 'function';
}

/** A backend: its kernels and the memory its pointers address. */
export interface Backend {
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
}
