// The parameter tensors of each model, in docs/models.md order: names, shapes and init rule.
import type { ModelDims } from './dims';

/** embed: N(0,1) · linear: U(±1/√fanIn) (bias too) · ones/zeros: LayerNorm gain/bias. */
export type InitRule = { kind: 'embed' } | { kind: 'weight'; fanIn: number } | { kind: 'bias'; fanIn: number } | { kind: 'ones' } | { kind: 'zeros' };

export interface ParamSpec { name: string; shape: number[]; init: InitRule }

const embed = (name: string, shape: number[]): ParamSpec => ({ name, shape, init: { kind: 'embed' } });
const weight = (name: string, fanIn: number, fanOut: number): ParamSpec => ({ name, shape: [fanIn, fanOut], init: { kind: 'weight', fanIn } });
const bias = (name: string, fanIn: number, size: number): ParamSpec => ({ name, shape: [size], init: { kind: 'bias', fanIn } });
const layerNorm = (prefix: string, d: number): ParamSpec[] => [
  { name: `${prefix}.g`, shape: [d], init: { kind: 'ones' } },
  { name: `${prefix}.b`, shape: [d], init: { kind: 'zeros' } },
];

/** The name of a block's tensor: `blocks.<l>.<name>` (e.g. `blocks.0.attn.wq`). */
export function blockParam(l: number, name: string): string {
  return `blocks.${l}.${name}`;
}

/**
 * The name a tensor had before models had depth (1-layer checkpoints): `blocks.0.attn.wq` was
 * `attn.wq`; names outside the blocks are unchanged. Null where there is no older name.
 */
export function legacyParamName(name: string): string | null {
  return name.startsWith('blocks.0.') ? name.slice('blocks.0.'.length) : null;
}

export function paramSpecs(m: ModelDims): ParamSpec[] {
  const blocks = Array.from({ length: m.L }, (_, l) => l);
  if (m.kind === 'mlp') {
    // Hidden layer l maps the concatenated embeddings (l = 0) or the previous hidden layer to F.
    return [
      embed('embed.tok', [m.V, m.d]),
      ...blocks.flatMap((l) => {
        const fanIn = l === 0 ? m.S * m.d : m.F;
        return [weight(blockParam(l, 'mlp.w1'), fanIn, m.F), bias(blockParam(l, 'mlp.b1'), fanIn, m.F)];
      }),
      weight('unembed.w', m.F, m.C), bias('unembed.b', m.F, m.C),
    ];
  }
  if (m.kind === 'encoder') return encoderSpecs(m);
  // Init draws in this order: for one layer, the same draws as before blocks had names.
  const specs = [
    embed('embed.tok', [m.V, m.d]), embed('embed.pos', [m.S, m.d]),
    ...blocks.flatMap((l) => [
      weight(blockParam(l, 'attn.wq'), m.d, m.d), weight(blockParam(l, 'attn.wk'), m.d, m.d),
      weight(blockParam(l, 'attn.wv'), m.d, m.d), weight(blockParam(l, 'attn.wo'), m.d, m.d),
      weight(blockParam(l, 'mlp.w1'), m.d, m.F), bias(blockParam(l, 'mlp.b1'), m.d, m.F),
      weight(blockParam(l, 'mlp.w2'), m.F, m.d), bias(blockParam(l, 'mlp.b2'), m.F, m.d),
    ]),
    weight('unembed.w', m.d, m.C),
  ];
  if (m.layerNorm !== 'none') for (const l of blocks) specs.push(...layerNorm(blockParam(l, 'ln1'), m.d), ...layerNorm(blockParam(l, 'ln2'), m.d));
  if (m.layerNorm === 'pre') specs.push(...layerNorm('lnf', m.d));
  return specs;
}

/** The 1-layer BERT-style encoder (docs/models.md): attention and every dense layer have biases. */
function encoderSpecs(m: ModelDims): ParamSpec[] {
  const { d, F, C } = m;
  const specs = [embed('embed.tok', [m.V, d]), embed('embed.pos', [m.S, d])];
  if (m.layerNorm === 'post') specs.push(...layerNorm('ln0', d));
  for (const x of ['q', 'k', 'v', 'o']) specs.push(weight(`attn.w${x}`, d, d), bias(`attn.b${x}`, d, d));
  specs.push(weight('mlp.w1', d, F), bias('mlp.b1', d, F), weight('mlp.w2', F, d), bias('mlp.b2', F, d));
  if (m.layerNorm !== 'none') specs.push(...layerNorm('ln1', d), ...layerNorm('ln2', d));
  if (m.layerNorm === 'pre') specs.push(...layerNorm('lnf', d));
  specs.push(weight('pool.w', d, d), bias('pool.b', d, d), weight('cls.w', d, C), bias('cls.b', d, C));
  return specs;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
