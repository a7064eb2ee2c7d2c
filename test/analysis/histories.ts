// Hand-made eval histories for the analysis tests.
import type { EvalMetrics } from '../../src/store/metrics';

/** Accuracy as a function of the step. */
export type Curve = (step: number) => number;

/** A constant, a linear ramp from a to b over [s0, s1], and a step from a to b at s. */
export const flat = (v: number): Curve => () => v;
export const ramp = (a: number, b: number, s0: number, s1: number): Curve =>
  (s) => (s <= s0 ? a : s >= s1 ? b : a + ((s - s0) / (s1 - s0)) * (b - a));
export const jump = (a: number, b: number, at: number): Curve => (s) => (s < at ? a : b);

/** One eval point; losses follow accuracy (−log of it), the norm is given or 10. */
export function point(step: number, trainAcc: number, valAcc: number, weightNorm = 10): EvalMetrics {
  const loss = (acc: number) => -Math.log(Math.max(acc, 1e-6));
  return { step, trainAcc, valAcc, trainLoss: loss(trainAcc), valLoss: loss(valAcc), weightNorm, norms: {} };
}

/** A history evaluated every `every` steps from 0 to `last`. */
export function history(last: number, train: Curve, val: Curve, opts: { every?: number; norm?: Curve } = {}): EvalMetrics[] {
  const every = opts.every ?? 100;
  const out: EvalMetrics[] = [];
  for (let s = 0; s <= last; s += every) out.push(point(s, train(s), val(s), opts.norm ? opts.norm(s) : 10));
  return out;
}
