/**
 * `gradus/nn`: neural networks as stateless modules whose parameters and state are plain
 * pytrees of NDArrays (Equinox/Haiku style). A module is a description; `init(key)` makes
 * `{ params, state }`, `apply(params, state, x, { key, train })` returns `[y, state]`.
 * Layers accept leading batch dimensions; images are NHWC.
 *
 * @example
 * import { grad, np, random } from "gradus";
 * import * as nn from "gradus/nn";
 *
 * const model = nn.sequential([nn.linear(64, 32), nn.relu, nn.linear(32, 10)]);
 * const { params, state } = model.init(random.key(0));              // state is {} here
 * const x = random.normal(random.key(1), [8, 64]);
 * const y = random.randint(random.key(2), [8], 0, 10);
 * const [logits, newState] = model.apply(params, state, x, { key: random.key(3), train: true });
 * logits.shape   // [8, 10]
 * const logits2 = nn.call(model, params, x);                        // inference
 * const loss = (p: typeof params) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y);
 * const grads = grad(loss)(params);                                  // same tree as params
 * grads[0].w.shape   // [64, 32]
 *
 * @module gradus/nn
 */
export {
  defineModule, stateless, asModule, isModule, call, splitKey, countParams,
  type Module, type Layer, type ApplyOptions, type Initialized, type EmptyState, type Key,
} from "./module.ts";
export { LayerInputError } from "./errors.ts";

export { sigmoid, tanh, relu, leakyRelu, elu, gelu, silu, softplus, softmax, logSoftmax } from "./activations.ts";
export {
  glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal, orthogonal,
  zeros, ones, constant, normal, uniform, varianceScaling, computeFans, type Initializer,
} from "./initializers.ts";
export * as losses from "./losses.ts";
export type { LossOptions } from "./losses.ts";
export { l1, l2, type LeafFilter } from "./regularizers.ts";
export { save, saveAsync, load } from "./serialization.ts";

export { linear, type LinearParams, type LinearOptions } from "./layers/linear.ts";
export { conv1d, conv2d, convTranspose2d, type ConvParams, type ConvLayerOptions, type ConvTransposeOptions } from "./layers/conv.ts";
export type { LayerPadding } from "./layers/padding.ts";
export { maxPool2d, avgPool2d, globalAvgPool, flatten, type PoolOptions } from "./layers/pooling.ts";
export { batchNorm, layerNorm, type NormParams, type BatchNormState, type BatchNormOptions } from "./layers/normalization.ts";
export { dropout, applyDropout } from "./layers/dropout.ts";
export { embedding, type EmbeddingParams } from "./layers/embedding.ts";
export { rnnCell, lstmCell, gruCell, type Cell, type CellOptions, type RNNCellParams, type LSTMParams, type LSTMCarry, type GRUParams } from "./layers/cells.ts";
export { rnn, type RNNOptions } from "./layers/rnn.ts";
export {
  multiHeadAttention, scaledDotProductAttention, causalMask,
  type MultiHeadAttentionParams, type MultiHeadAttentionOptions,
} from "./layers/attention.ts";
export { positionalEncoding, sinusoidalEncoding } from "./layers/positional.ts";
export {
  transformerEncoderLayer, transformerDecoderLayer,
  type TransformerOptions, type EncoderLayerParams, type DecoderLayerParams,
} from "./layers/transformer.ts";
export { sequential, residual, mlp, type ResidualParams, type ResidualState, type MLPOptions } from "./combinators.ts";

export { lenet5, vggBlock, resnetBlock, type LeNet5Options, type ResNetBlockParams, type ResNetBlockState, type ResNetProjection, type ResNetProjectionState } from "./zoo/cnn.ts";
export { gpt, type GPTOptions, type GPTParams } from "./zoo/gpt.ts";
