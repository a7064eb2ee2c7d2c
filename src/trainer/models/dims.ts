// The shape facts of a model, from its config and the dataset it trains on.
import type { ModelConfig } from '../../config/schema';
import type { Dataset } from '../tasks/types';

export type ModelKind = 'transformer' | 'mlp' | 'encoder';
export type LayerNormMode = 'none' | 'pre' | 'post';

export interface ModelDims {
  kind: ModelKind;
  /** Vocabulary, classes, sequence length. */
  V: number; C: number; S: number;
  /** dModel, heads, MLP width. */
  d: number; H: number; F: number;
  /** Decoder blocks (transformer) or hidden layers (mlp); the encoder has 1. */
  L: number;
  activation: 'relu' | 'gelu';
  layerNorm: LayerNormMode;
  /** encoder: pooling of the token states, and the padding token id (-1: no padding). */
  pooling: 'cls' | 'mean';
  pad: number;
}

export function modelDims(model: ModelConfig, data: Pick<Dataset, 'vocabSize' | 'numClasses' | 'seqLen'> & { padToken?: number }): ModelDims {
  if (model.kind !== 'transformer' && model.kind !== 'mlp' && model.kind !== 'encoder') throw new Error(`the CPU engine has no '${model.kind}' model`);
  // The MLP has no attention: its width need not be a multiple of the (default) head count.
  if (model.kind !== 'mlp' && model.dModel % model.heads !== 0) throw new Error(`heads (${model.heads}) must divide dModel (${model.dModel})`);
  const layers = model.layers ?? 1;
  if (model.kind === 'encoder' && layers !== 1) throw new Error(`the encoder has 1 layer (layers is ${layers})`);
  return {
    kind: model.kind, V: data.vocabSize, C: data.numClasses, S: data.seqLen,
    d: model.dModel, H: model.heads, F: model.dMlp ?? 4 * model.dModel, L: layers,
    activation: model.activation, layerNorm: model.kind === 'mlp' ? 'none' : model.layerNorm,
    pooling: model.pooling ?? 'mean', pad: model.kind === 'encoder' ? data.padToken ?? -1 : -1,
  };
}
