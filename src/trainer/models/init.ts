// Initial weights per docs/models.md, seeded: tensors are drawn in paramSpecs order, row-major,
// from Rng(seed, INIT_STREAM), then every parameter is multiplied by α (init.scale).
import { Rng } from '../../util/rng';
import type { ModelDims } from './dims';
import { paramSpecs, sizeOf, type ParamSpec } from './params';

/** Rng stream of weight init (other streams of the same seed draw splits and minibatches). */
export const INIT_STREAM = 0x1417;

/** An init by name (config `model.initStd`) or a std. */
export type InitStd = 'scaled' | 'pytorch' | 'gpt' | number;

/** GPT's (and BERT's) initializer range. */
export const GPT_INIT_STD = 0.02;

/**
 * The init in force for a model of width dModel: 'pytorch' stays a rule of its own (uniform by
 * fan-in), every other name becomes a std: 'gpt' 0.02, 'scaled' 1/√dModel (Nanda et al. 2023's
 * N(0, 1/√d), the init the grokking runs use; it follows a swept dModel).
 */
export function resolveInitStd(initStd: InitStd, dModel: number): 'pytorch' | number {
  if (initStd === 'scaled') return 1 / Math.sqrt(dModel);
  if (initStd === 'gpt') return GPT_INIT_STD;
  return initStd;
}

export function initParams(dims: ModelDims, initStd: InitStd, scale: number, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed, INIT_STREAM);
  const out = new Map<string, Float32Array>();
  const std = resolveInitStd(initStd, dims.d);
  for (const spec of paramSpecs(dims)) {
    const t = new Float32Array(sizeOf(spec.shape));
    const draw = sampler(spec, std, rng);
    for (let i = 0; i < t.length; i++) t[i] = draw() * scale;
    out.set(spec.name, t);
  }
  return out;
}

function sampler(spec: ParamSpec, initStd: 'pytorch' | number, rng: Rng): () => number {
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
