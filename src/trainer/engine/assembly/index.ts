// The WASM kernels: every export works on f32 (or i32) arrays given as byte offsets into the one
// imported, shared WebAssembly.Memory. They allocate nothing and keep no state, so any number of
// instances (one per worker thread) can run them at once on disjoint buffers.
export { matmul, matmulTN, matmulNT, transpose } from './matmul';
export { biasAct, biasActBackward, add, copy, zero, sumSquares } from './activation';
export { softmaxCrossEntropy } from './softmax';
export { layerNorm, layerNormBackward } from './layernorm';
export { attentionForward, attentionBackward } from './attention';
export { maskedAttentionForward, maskedAttentionBackward, maskedMeanPool, maskedMeanPoolBackward } from './selfattn';
export { embedGather, embedScatter } from './embed';
export { adamw } from './adamw';
export { fmaProbe } from './vmath';
