// The MLP over concatenated embeddings (docs/models.md): x = concat_s tok[t_s], logits = act(x W1 + b1) Wu + bu.
import { ACT, type Ptr } from '../engine/backend';
import type { ModelDims } from './dims';
import type { Network, NetworkKind, NetworkParts, Tensors } from './network';

export const mlp: NetworkKind = {
  bufferSizes: ({ S, d, F, C }: ModelDims, cap: number) => ({
    X: cap * S * d, Z1: cap * F, Y1: cap * F, logits: cap * C, dY1: cap * F, dX: cap * S * d,
  }),
  scratchSize: ({ S, d, F, C }: ModelDims) => Math.max(S * d * F, F * C),
  create: (parts) => new Mlp(parts),
};

class Mlp implements Network {
  readonly logits: Ptr;
  private readonly act;

  constructor(private readonly p: NetworkParts) {
    this.logits = p.buffers.logits;
    this.act = p.dims.activation === 'gelu' ? ACT.gelu : ACT.relu;
  }

  forward(inputs: Ptr, idx: Ptr, n: number): void {
    const { kernels: k, dims: { S, d, F, C }, params: w, buffers: b } = this.p;
    k.embedGather(inputs, idx, n, S, w['embed.tok'], 0, b.X, d, d * 4, S * d * 4);
    k.matmul(b.X, w['mlp.w1'], b.Z1, n, S * d, F, false);
    k.biasAct(b.Z1, w['mlp.b1'], b.Y1, n, F, this.act);
    k.matmul(b.Y1, w['unembed.w'], b.logits, n, F, C, false);
    k.biasAct(b.logits, w['unembed.b'], b.logits, n, C, ACT.identity);
  }

  backward(inputs: Ptr, idx: Ptr, n: number, g: Tensors): void {
    const { kernels: k, dims: { S, d, F, C }, params: w, buffers: b, scratch } = this.p;
    k.biasActBackward(b.logits, b.logits, b.logits, g['unembed.b'], n, C, ACT.identity);
    k.matmulTN(b.Y1, b.logits, g['unembed.w'], n, F, C, true);
    k.matmulNT(b.logits, w['unembed.w'], b.dY1, n, C, F, false, scratch);
    k.biasActBackward(b.Z1, b.dY1, b.dY1, g['mlp.b1'], n, F, this.act);
    k.matmulTN(b.X, b.dY1, g['mlp.w1'], n, S * d, F, true);
    k.matmulNT(b.dY1, w['mlp.w1'], b.dX, n, F, S * d, false, scratch);
    k.embedScatter(inputs, idx, n, S, b.dX, g['embed.tok'], 0, d, d * 4, S * d * 4);
  }
}
