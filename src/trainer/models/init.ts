// Initial weights per docs/models.md, seeded: tensors are drawn in paramSpecs order, row-major,
// from Rng(seed, INIT_STREAM), then every parameter is multiplied by α (init.scale).
import { Rng } from '../../util/rng';
import type { ModelDims } from './dims';
import { paramSpecs, sizeOf, type ParamSpec } from './params';

/** Rng stream of weight init (other streams of the same seed draw splits and minibatches). */
export const INIT_STREAM = 0x1417;

export type InitStd = 'pytorch' | number;

export function initParams(dims: ModelDims, initStd: InitStd, scale: number, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed, INIT_STREAM);
  const out = new Map<string, Float32Array>();
  for (const spec of paramSpecs(dims)) {
    const t = new Float32Array(sizeOf(spec.shape));
    const draw = sampler(spec, initStd, rng);
    for (let i = 0; i < t.length; i++) t[i] = draw() * scale;
    out.set(spec.name, t);
  }
  return out;
}

function sampler(spec: ParamSpec, initStd: InitStd, rng: Rng): () => number {
  const init = spec.init;
  switch (init.kind) {
    case 'ones': return () => 1;
    case 'zeros': return () => 0;
    case 'embed': {
      const std = initStd === 'pytorch' ? 1 : initStd;
      return () => rng.normal() * std;
    }
    case 'weight': {
      if (initStd !== 'pytorch') return () => rng.normal() * initStd;
      const bound = 1 / Math.sqrt(init.fanIn);
      return () => (2 * rng.uniform() - 1) * bound;
    }
    case 'bias': {
      if (initStd !== 'pytorch') return () => 0;
      const bound = 1 / Math.sqrt(init.fanIn);
      return () => (2 * rng.uniform() - 1) * bound;
    }
  }
}
