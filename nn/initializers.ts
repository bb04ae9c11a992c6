/**
 * Parameter initializers, as `jax.nn.initializers`: each is `(key, shape) => NDArray`.
 *
 * Fans follow JAX's convention for kernels laid out `[..., in, out]` (dense `[in, out]`,
 * convolution HWIO `[KH, KW, in, out]`): fanIn = shape[-2]·receptive field, fanOut =
 * shape[-1]·receptive field, the receptive field being the product of the leading
 * dimensions. A 1-D shape has fanIn = fanOut = its length.
 */
import { NDArray, np, random } from "../src/index.ts";
import type { Key } from "./module.ts";

/**
 * A parameter initializer: deterministic in `key`, returns a float32 array of `shape`.
 * @example
 * const init: Initializer = nn.glorotUniform;
 * init(random.key(0), [3, 4]).shape   // [3, 4]
 */
export type Initializer = (key: Key, shape: readonly number[]) => NDArray;

function checkShape(fn: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${fn}: shape must be a list of non-negative integers; got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

/**
 * `[fanIn, fanOut]` of a kernel shape (see the module comment).
 * @example
 * computeFans([5, 5, 1, 6])   // [25, 150]
 */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

/** Standard deviation of a standard normal truncated to [-2, 2] (JAX's correction factor). */
const TRUNCATED_STD = 0.87962566103423978;

/**
 * Variance scaling, as `jax.nn.initializers.variance_scaling`: variance `scale / n` with n
 * the fan in, fan out or their average, from a uniform, a truncated normal (corrected to
 * that variance) or a plain normal distribution. The named initializers are instances.
 *
 * @example
 * const init = nn.varianceScaling(2, "fanIn", "truncatedNormal");   // = nn.heNormal
 * init(random.key(0), [64, 32]);
 * @throws RangeError for a non-positive scale or an unknown mode or distribution.
 */
export function varianceScaling(scale: number, mode: "fanIn" | "fanOut" | "fanAvg", distribution: "uniform" | "truncatedNormal" | "normal"): Initializer {
  if (!(scale > 0)) throw new RangeError(`varianceScaling: scale must be positive; got ${scale}`);
  if (!["fanIn", "fanOut", "fanAvg"].includes(mode)) throw new RangeError(`varianceScaling: mode must be "fanIn", "fanOut" or "fanAvg"; got ${JSON.stringify(mode)}`);
  if (!["uniform", "truncatedNormal", "normal"].includes(distribution)) {
    throw new RangeError(`varianceScaling: distribution must be "uniform", "truncatedNormal" or "normal"; got ${JSON.stringify(distribution)}`);
  }
  return (key, shape) => {
    const s = checkShape("varianceScaling", shape);
    const [fanIn, fanOut] = computeFans(s);
    const n = Math.max(1, mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2);
    const variance = scale / n;
    switch (distribution) {
      case "uniform": {
        const limit = Math.sqrt(3 * variance);
        return random.uniform(key, s, { minval: -limit, maxval: limit });
      }
      case "truncatedNormal":
        return random.truncatedNormal(key, -2, 2, s).mul(Math.sqrt(variance) / TRUNCATED_STD);
      case "normal":
        return random.normal(key, s).mul(Math.sqrt(variance));
    }
  };
}

/**
 * Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)).
 * @example
 * nn.glorotUniform(random.key(0), [784, 256]);
 */
export const glorotUniform: Initializer = varianceScaling(1, "fanAvg", "uniform");
/**
 * Glorot (Xavier) normal: truncated normal with variance 2 / (fanIn + fanOut).
 * @example
 * nn.glorotNormal(random.key(0), [784, 256]);
 */
export const glorotNormal: Initializer = varianceScaling(1, "fanAvg", "truncatedNormal");
/**
 * He (Kaiming) uniform, for ReLU networks: variance 2 / fanIn.
 * @example
 * nn.heUniform(random.key(0), [3, 3, 16, 32]);
 */
export const heUniform: Initializer = varianceScaling(2, "fanIn", "uniform");
/**
 * He (Kaiming) normal: truncated normal with variance 2 / fanIn.
 * @example
 * nn.heNormal(random.key(0), [3, 3, 16, 32]);
 */
export const heNormal: Initializer = varianceScaling(2, "fanIn", "truncatedNormal");
/**
 * LeCun uniform, for SELU/tanh networks: variance 1 / fanIn.
 * @example
 * nn.lecunUniform(random.key(0), [64, 64]);
 */
export const lecunUniform: Initializer = varianceScaling(1, "fanIn", "uniform");
/**
 * LeCun normal: truncated normal with variance 1 / fanIn.
 * @example
 * nn.lecunNormal(random.key(0), [64, 64]);
 */
export const lecunNormal: Initializer = varianceScaling(1, "fanIn", "truncatedNormal");

/**
 * All zeros (the key is ignored).
 * @example
 * nn.zeros(random.key(0), [3])   // [0, 0, 0]
 */
export const zeros: Initializer = (_key, shape) => np.zeros(checkShape("zeros", shape));
/**
 * All ones (the key is ignored).
 * @example
 * nn.ones(random.key(0), [2])   // [1, 1]
 */
export const ones: Initializer = (_key, shape) => np.ones(checkShape("ones", shape));

/**
 * An initializer filling `value`.
 * @example
 * nn.constant(0.1)(random.key(0), [2])   // [0.1, 0.1]
 */
export function constant(value: number): Initializer {
  return (_key, shape) => np.full(checkShape("constant", shape), value);
}

/**
 * An initializer drawing N(0, stddev²).
 * @example
 * nn.normal(0.02)(random.key(0), [10, 4]);
 */
export function normal(stddev = 1): Initializer {
  return (key, shape) => random.normal(key, checkShape("normal", shape)).mul(stddev);
}

/**
 * An initializer drawing U(−limit, limit).
 * @example
 * nn.uniform(1 / Math.sqrt(64))(random.key(0), [64, 10]);
 */
export function uniform(limit: number): Initializer {
  return (key, shape) => random.uniform(key, checkShape("uniform", shape), { minval: -limit, maxval: limit });
}

/**
 * Orthogonal matrices, as `jax.nn.initializers.orthogonal(scale)`: the kernel viewed as a
 * `[prod(shape[:-1]), shape[-1]]` matrix has orthonormal columns (or rows, when it is wide),
 * scaled by `scale`; the Q of a QR decomposition of a Gaussian matrix with R's diagonal
 * made positive (Haar measure). The QR runs on the host in float64 (Gram–Schmidt, twice),
 * so call it eagerly, not under `jit`.
 *
 * @example
 * const q = nn.orthogonal()(random.key(0), [4, 4]);
 * np.matmul(q.T, q)   // ≈ identity
 * @throws TypeError for shapes of rank < 2.
 */
export function orthogonal(scale = 1): Initializer {
  return (key, shape) => {
    const s = checkShape("orthogonal", shape);
    if (s.length < 2) throw new TypeError(`orthogonal: shape must have rank >= 2; got ${JSON.stringify(s)}`);
    const cols = s[s.length - 1]!;
    const rows = s.slice(0, -1).reduce((a, b) => a * b, 1);
    const tall = rows >= cols;
    const [m, n] = tall ? [rows, cols] : [cols, rows];
    const a = Float64Array.from(random.normal(key, [m, n]).dataSync());
    const q = gramSchmidt(a, m, n);
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = scale * (tall ? q[i * n + j]! : q[j * n + i]!);
    return np.array(Array.from(out)).reshape(s);
  };
}

/** Orthonormal columns of an m×n (m ≥ n) row-major matrix: modified Gram–Schmidt with one re-orthogonalization. */
function gramSchmidt(a: Float64Array, m: number, n: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * n + k]! * q[i * n + j]!;
        for (let i = 0; i < m; i++) q[i * n + j]! -= dot * q[i * n + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * n + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < m; i++) q[i * n + j]! /= norm;
  }
  return q;
}
