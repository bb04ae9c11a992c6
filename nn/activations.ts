/**
 * Activation functions, as `jax.nn`. All are numerically stable: finite values and
 * gradients for inputs of any magnitude (no NaN or Inf at ±1000; the approximate gelu's
 * cube limits it to |x| < 7e12); where a branch could overflow, its input is clamped first,
 * so an unused branch never puts 0·Inf = NaN into a gradient.
 *
 * relu and leakyRelu carry a custom JVP: the tangent times the step `x > 0` as a float
 * mask. That is the cheapest derivative on wasm (measured on a 2560×110 batch under
 * `jit(grad)`: 8.5 ms, against 11 ms for `np.maximum`'s balanced derivative and 40 ms
 * for `np.where`'s select).
 *
 * Each takes an array (or number) and returns an array of the same shape, so any of them
 * can stand in a `sequential` as a layer.
 */
import { customJvp, lax, np, type ArrayLike, type NDArray } from "../src/index.ts";

const asFloat = (x: ArrayLike): NDArray => {
  const a = np.asarray(x as never);
  return a.dtype === "float32" ? a : a.astype("float32");
};

/**
 * The logistic sigmoid 1 / (1 + e⁻ˣ).
 * @example
 * nn.sigmoid(np.array([0, 1000, -1000]))   // [0.5, 1, 0]
 */
export function sigmoid(x: ArrayLike): NDArray {
  return np.sigmoid(asFloat(x));
}

/**
 * The hyperbolic tangent.
 * @example
 * nn.tanh(np.array([0, 1000]))   // [0, 1]
 */
export function tanh(x: ArrayLike): NDArray {
  return np.tanh(asFloat(x));
}

/**
 * Rectified linear unit max(x, 0). Its derivative is the step `x > 0` (0 at 0, as JAX).
 * @example
 * nn.relu(np.array([-2, 0, 3]))   // [0, 0, 3]
 */
export function relu(x: ArrayLike): NDArray {
  return reluJvp(asFloat(x));
}

const step = (x: NDArray, at: number): NDArray => x.gt(at).astype("float32");

const reluJvp = customJvp((x: NDArray) => np.maximum(x, 0)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [reluJvp(x!), t!.mul(step(x!, 0))]);

const leakyReluJvp = customJvp((x: NDArray, slope: number) => np.where(x.ge(0), x, x.mul(slope)), { nondiffArgnums: [1] })
  .defjvp((slope: number, [x]: NDArray[], [t]: NDArray[]) => {
    const m = x!.ge(0).astype("float32");
    return [leakyReluJvp(x!, slope), t!.mul(m.mul(1 - slope).add(slope))];
  });

/**
 * Leaky ReLU: x for x >= 0, `negativeSlope`·x otherwise.
 * @example
 * nn.leakyRelu(np.array([-2, 3]))        // [-0.02, 3]
 * nn.leakyRelu(np.array([-2, 3]), 0.2)   // [-0.4, 3]
 */
export function leakyRelu(x: ArrayLike, negativeSlope = 0.01): NDArray {
  return leakyReluJvp(asFloat(x), negativeSlope);
}

/**
 * Exponential linear unit: x for x > 0, α(eˣ − 1) otherwise.
 * @example
 * nn.elu(np.array([-1000, 0, 2]))   // [-1, 0, 2]
 */
export function elu(x: ArrayLike, alpha = 1): NDArray {
  const a = asFloat(x);
  const pos = a.gt(0);
  // expm1 of the clamped value: the unused branch must not overflow (0·Inf = NaN in the gradient).
  return np.where(pos, a, np.expm1(np.where(pos, 0, a)).mul(alpha));
}

/**
 * Gaussian error linear unit x·Φ(x). `approximate` (default true, as `jax.nn.gelu`) uses
 * the tanh form 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), computed as x·σ(2√(2/π)(x +
 * 0.044715x³)); false uses the exact erf form 0.5x(1 + erf(x/√2)).
 * @example
 * nn.gelu(np.array([0, 1]))                          // [0, 0.8412]
 * nn.gelu(np.array([1]), { approximate: false })     // [0.8413]
 */
export function gelu(x: ArrayLike, { approximate = true }: { approximate?: boolean } = {}): NDArray {
  const a = asFloat(x);
  if (!approximate) return a.mul(lax.erf(a.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  // 0.5·(1 + tanh(z)) = σ(2z): one sigmoid (cheaper than tanh on wasm), saturating to exactly
  // 0 or 1; x³ and its derivative stay finite for |x| < 7e12.
  const z2 = a.add(a.mul(a).mul(a).mul(0.044715)).mul(2 * Math.sqrt(2 / Math.PI));
  return a.mul(np.sigmoid(z2));
}

/**
 * Sigmoid linear unit (swish) x·σ(x).
 * @example
 * nn.silu(np.array([0, 1000]))   // [0, 1000]
 */
export function silu(x: ArrayLike): NDArray {
  const a = asFloat(x);
  return a.mul(np.sigmoid(a));
}

/**
 * Softplus log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so it never overflows.
 * @example
 * nn.softplus(np.array([0, 1000, -1000]))   // [0.6931, 1000, 0]
 */
export function softplus(x: ArrayLike): NDArray {
  const a = asFloat(x);
  return relu(a).add(np.log1p(np.exp(np.abs(a).neg())));
}

/**
 * Softmax along `axis` (last by default): e^(x − max) / Σ e^(x − max).
 * @example
 * nn.softmax(np.array([1000, 1000]))   // [0.5, 0.5]
 */
export function softmax(x: ArrayLike, { axis = -1 }: { axis?: number } = {}): NDArray {
  const a = asFloat(x);
  const e = np.exp(a.sub(np.stopGradient(np.max(a, { axis, keepdims: true }))));
  return e.div(np.sum(e, { axis, keepdims: true }));
}

/**
 * log(softmax(x)) along `axis`, as x − logsumexp(x): exact in log space.
 * @example
 * nn.logSoftmax(np.array([0, 1000]))   // [-1000, 0]
 */
export function logSoftmax(x: ArrayLike, { axis = -1 }: { axis?: number } = {}): NDArray {
  const a = asFloat(x);
  return a.sub(np.logsumexp(a, { axis, keepdims: true }));
}
