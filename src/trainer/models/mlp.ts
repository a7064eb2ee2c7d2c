// The MLP over concatenated embeddings (docs/models.md): x = concat_s tok[t_s], L hidden layers
// y_l = act(y_{l-1} W_l + b_l) (y_0 = x), logits = y_L Wu + bu.
// Tensors and buffers are read by name with `!`: createNetwork (network.ts) checked every name present.
import { ACT, type Ptr } from '../engine/backend';
import type { ModelDims } from './dims';
import type { Network, NetworkKind, NetworkParts, Tensors } from './network';
import { blockParam } from './params';

const bufferName = (l: number, name: string): string => `blocks.${l}.${name}`;

export const mlp: NetworkKind = {
  bufferSizes: ({ S, d, F, C, L }: ModelDims, cap: number) => {
    const out: Record<string, number> = { X: cap * S * d, logits: cap * C, dX: cap * S * d };
    for (let l = 0; l < L; l++) Object.assign(out, { [bufferName(l, 'Z1')]: cap * F, [bufferName(l, 'Y1')]: cap * F, [bufferName(l, 'dY1')]: cap * F });
    return out;
  },
  scratchSize: ({ S, d, F, C, L }: ModelDims) => Math.max(S * d * F, L > 1 ? F * F : 0, F * C),
  create: (parts) => new Mlp(parts),
};

class Mlp implements Network {
  readonly logits: Ptr;
  private readonly act;

  constructor(private readonly p: NetworkParts) {
    this.logits = p.buffers.logits!;
    this.act = p.dims.activation === 'gelu' ? ACT.gelu : ACT.relu;
  }

  /** Layer l's input, its width, and its buffers and parameters. */
  private layer(l: number) {
    const { dims: { S, d, F }, buffers: b, params: w } = this.p;
    return {
      x: l === 0 ? b.X! : b[bufferName(l - 1, 'Y1')]!, width: l === 0 ? S * d : F,
      z: b[bufferName(l, 'Z1')]!, y: b[bufferName(l, 'Y1')]!, dy: b[bufferName(l, 'dY1')]!,
      w: w[blockParam(l, 'mlp.w1')]!, bias: w[blockParam(l, 'mlp.b1')]!,
      gw: blockParam(l, 'mlp.w1'), gb: blockParam(l, 'mlp.b1'),
    };
  }

  forward(inputs: Ptr, idx: Ptr, n: number): void {
    const { kernels: k, dims: { S, d, F, C, L }, params: w, buffers: b } = this.p;
    k.embedGather(inputs, idx, n, S, w['embed.tok']!, 0, b.X!, d, d * 4, S * d * 4);
    for (let l = 0; l < L; l++) {
      const { x, width, z, y, w: wl, bias } = this.layer(l);
      k.matmul(x, wl, z, n, width, F, false);
      k.biasAct(z, bias, y, n, F, this.act);
    }
    k.matmul(this.layer(L - 1).y, w['unembed.w']!, b.logits!, n, F, C, false);
    k.biasAct(b.logits!, w['unembed.b']!, b.logits!, n, C, ACT.identity);
  }

  backward(inputs: Ptr, idx: Ptr, n: number, g: Tensors): void {
    const { kernels: k, dims: { S, d, F, C, L }, params: w, buffers: b, scratch } = this.p;
    k.biasActBackward(b.logits!, b.logits!, b.logits!, g['unembed.b']!, n, C, ACT.identity);
    k.matmulTN(this.layer(L - 1).y, b.logits!, g['unembed.w']!, n, F, C, true);
    k.matmulNT(b.logits!, w['unembed.w']!, this.layer(L - 1).dy, n, C, F, false, scratch);
    for (let l = L - 1; l >= 0; l--) {
      const { x, width, z, dy, w: wl, gw, gb } = this.layer(l);
      k.biasActBackward(z, dy, dy, g[gb]!, n, F, this.act);
      k.matmulTN(x, dy, g[gw]!, n, width, F, true);
      k.matmulNT(dy, wl, l === 0 ? b.dX! : this.layer(l - 1).dy, n, F, width, false, scratch);
    }
    k.embedScatter(inputs, idx, n, S, b.dX!, g['embed.tok']!, 0, d, d * 4, S * d * 4);
  }
}
