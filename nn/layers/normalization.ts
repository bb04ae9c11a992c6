/**
 * Normalization layers: `batchNorm` (statistics over the batch, running averages in
 * state) and `layerNorm` (statistics over each example's trailing dimensions).
 */
import { np, type NDArray } from "../../src/index.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { defineModule, stateless, type EmptyState, type Module } from "../module.ts";

/**
 * Learned affine parameters of a normalization layer: y = x̂·scale + bias (null when `affine` is false).
 * @example
 * const p: NormParams = { scale: np.ones([16]), bias: np.zeros([16]) };
 */
export interface NormParams {
  /** Per-feature scale (γ), starting at 1; null without affine parameters. */
  scale: NDArray | null;
  /** Per-feature shift (β), starting at 0; null without affine parameters. */
  bias: NDArray | null;
}

/**
 * Running statistics of `batchNorm`, one entry per feature.
 * @example
 * const s: BatchNormState = { mean: np.zeros([16]), var: np.ones([16]) };
 */
export interface BatchNormState {
  /** Running mean per feature, starting at 0. */
  mean: NDArray;
  /** Running (biased) variance per feature, starting at 1. */
  var: NDArray;
}

/**
 * Options of `batchNorm`.
 * @example
 * nn.batchNorm(64, { momentum: 0.9, eps: 1e-5 } satisfies BatchNormOptions);
 */
export interface BatchNormOptions {
  /**
   * Decay of the running averages: `running = momentum·running + (1 − momentum)·batch`.
   * Default 0.99 (Flax, Haiku, Equinox). PyTorch's `momentum` is 1 minus this (its 0.1 is 0.9 here).
   */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn a per-feature scale and bias. Default true. */
  affine?: boolean;
}

const affineOut = (xhat: NDArray, { scale, bias }: NormParams): NDArray => {
  let y = xhat;
  if (scale) y = y.mul(scale);
  if (bias) y = y.add(bias);
  return y;
};

/**
 * Batch normalization over the last (feature) axis of `[..., features]` (NHWC images
 * normalize per channel). In training (`{ train: true }`) each feature is normalized
 * with the mean and (biased) variance of the batch, over every leading axis, and the
 * running averages in the state move towards them; in inference the running averages
 * are used and the state is returned unchanged.
 *
 * Arguments: `features`; options `momentum` (0.99), `eps` (1e-5), `affine` (true).
 * Returns a module with params `{ scale: [features], bias: [features] }` (2·features
 * parameters) and state `{ mean: [features], var: [features] }` (starting at 0 and 1).
 *
 * @example
 * const bn = nn.batchNorm(3);
 * let { params, state } = bn.init(random.key(0));
 * const x = random.normal(random.key(1), [8, 3]);
 * let y;
 * [y, state] = bn.apply(params, state, x, { train: true });   // batch statistics; state updated
 * [y] = bn.apply(params, state, x);                           // running statistics
 * @throws LayerInputError when the last axis is not `features`; Error when the state holds no running statistics.
 */
export function batchNorm(features: number, { momentum = 0.99, eps = 1e-5, affine = true }: BatchNormOptions = {}): Module<NormParams, BatchNormState> {
  checkPositiveInt("batchNorm", "features", features);
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`batchNorm: momentum must be in [0, 1]; got ${momentum}`);
  if (!(eps >= 0)) throw new RangeError(`batchNorm: eps must be >= 0; got ${eps}`);
  const name = `batchNorm(${features})`;
  return defineModule<NormParams, BatchNormState>({
    name,
    init: () => ({
      params: { scale: affine ? np.ones([features]) : null, bias: affine ? np.zeros([features]) : null },
      state: { mean: np.zeros([features]), var: np.ones([features]) },
    }),
    apply: (params, state, x, { train = false }) => {
      checkInput(name, x, [features], { dtype: "float32" });
      if (!state || !(state.mean instanceof Object) || !(state.var instanceof Object)) {
        throw new Error(`${name}: the state has no running statistics (mean, var); pass the state from init: model.apply(params, state, x) or nn.call(model, params, x, { state })`);
      }
      if (!train) return [affineOut(x.sub(state.mean).div(np.sqrt(state.var.add(eps))), params), state];
      const axes = Array.from({ length: x.ndim - 1 }, (_, i) => i);
      const mean = np.mean(x, { axis: axes });
      const centered = x.sub(mean);
      const variance = np.mean(np.square(centered), { axis: axes });
      const y = affineOut(centered.div(np.sqrt(variance.add(eps))), params);
      const m = momentum;
      const newState = {
        mean: state.mean.mul(m).add(np.stopGradient(mean).mul(1 - m)),
        var: state.var.mul(m).add(np.stopGradient(variance).mul(1 - m)),
      };
      return [y, newState];
    },
  });
}

/**
 * Layer normalization (Ba et al.): each example is normalized over its trailing
 * dimensions `shape` with its own mean and variance, then scaled and shifted per element.
 * The same in training and inference.
 *
 * Arguments: `shape` (the trailing dimensions: a number or a list); options `eps` (1e-5),
 * `affine` (true).
 * Returns a module with params `{ scale: shape, bias: shape }`: 2·prod(shape) parameters.
 *
 * @example
 * const ln = nn.layerNorm(64);
 * nn.call(ln, ln.init(random.key(0)).params, np.ones([2, 10, 64])).shape   // [2, 10, 64]
 * @throws LayerInputError when the trailing dimensions are not `shape`.
 */
export function layerNorm(shape: number | readonly number[], { eps = 1e-5, affine = true }: { eps?: number; affine?: boolean } = {}): Module<NormParams, EmptyState> {
  const dims = typeof shape === "number" ? [shape] : [...shape];
  dims.forEach((d, i) => checkPositiveInt("layerNorm", `shape[${i}]`, d));
  if (dims.length === 0) throw new RangeError("layerNorm: shape must have at least one dimension");
  const name = `layerNorm([${dims.join(", ")}])`;
  return stateless({
    name,
    init: () => ({ scale: affine ? np.ones(dims) : null, bias: affine ? np.zeros(dims) : null }),
    apply: (params, x) => {
      checkInput(name, x, dims, { dtype: "float32" });
      const axes = dims.map((_, i) => x.ndim - dims.length + i);
      const mean = np.mean(x, { axis: axes, keepdims: true });
      const centered = x.sub(mean);
      const variance = np.mean(np.square(centered), { axis: axes, keepdims: true });
      return affineOut(centered.div(np.sqrt(variance.add(eps))), params);
    },
  });
}
