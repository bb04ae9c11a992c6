/**
 * Samplers, each JAX's algorithm on JAX's bits (jax/_src/random.py), so a key gives the
 * values JAX gives: exactly for `uniform`, `bernoulli`, `randint`, `permutation`; up to the
 * float32 rounding of erf/erfinv/log kernels for `normal`, `truncatedNormal`, `categorical`.
 */
import { NDArray, type ArrayLike } from "../array.ts";
import { asArray, fromFlat } from "../core/constant.ts";
import { broadcastShapes, normalizeAxis } from "../core/shape.ts";
import {
  addP, convertElementTypeP, erfInvP, erfP, divP, logP, ltP, maxP, minP, mulP, negP, stopGradientP, subP,
} from "../lax/elementwise.ts";
import { argmaxP } from "../lax/reduce.ts";
import { randomIntFromBitsP, randomUnitFloatP } from "../lax/threefry.ts";
import { mappedBits, randomBits, keyRow } from "./bits.ts";
import { checkBroadcastsTo, checkFloatDtype, checkKey, checkShape } from "./checks.ts";
import { split, type Key } from "./keys.ts";

const f32 = (x: number): NDArray => fromFlat([x], [], "float32");

/** float32 neighbour of `x` (rounded to float32) in the direction of `toward`, as np.nextafter. */
function nextafterF32(x: number, toward: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  const v = f[0]!;
  if (Number.isNaN(v) || Number.isNaN(toward)) return NaN;
  if (v === toward) return v;
  if (v === 0) {
    bits[0] = 1;
    return toward > 0 ? f[0]! : -f[0]!;
  }
  bits[0] += (v < toward) === (v > 0) ? 1 : -1;
  return f[0]!;
}

/** The float32 just above -1, JAX's `nextafter(-1, 0)`: the low end of the uniform draw for `normal`. */
const NORMAL_LOW = nextafterF32(-1, 0);
/** Smallest normal float32, `jnp.finfo(float32).tiny`. */
const F32_TINY = 2 ** -126;

/** A float32 parameter; integer and bool arrays convert (as JAX's convert_element_type) unless `strict`. */
function floatParam(fn: string, name: string, x: ArrayLike, strict = false): NDArray {
  const a = typeof x === "number" ? f32(x) : asArray(x, `random.${fn}: ${name}`);
  if (a.dtype === "float32") return a;
  if (a.dtype === "uint32" || strict) {
    throw new TypeError(`random.${fn}: ${name} must be a float32 array or a number; got ${a.aval.str()}${a.dtype === "uint32" ? " (uint32 holds PRNG key bits)" : ""}`);
  }
  return convertElementTypeP.bind1([a], { newDtype: "float32" });
}

/** Uniform floats in [0, 1) of `shape`: the top 23 bits of each random word as a mantissa. */
const unitFloats = (key: NDArray, shape: readonly number[]): NDArray =>
  mappedBits([key], shape, ([bits]) => randomUnitFloatP.bind1([bits!], {}));

/** JAX's `_uniform`: unit floats scaled to [minval, maxval), clamped below at minval. */
function uniformIn(fn: string, key: NDArray, shape: readonly number[], minval: ArrayLike, maxval: ArrayLike): NDArray {
  const floats = unitFloats(key, shape);
  // floats * (1 - 0) + 0, then max(0, .), is the identity: skip four kernels.
  if (minval === 0 && maxval === 1) return floats;
  const lo = floatParam(fn, "minval", minval);
  const hi = floatParam(fn, "maxval", maxval);
  checkBroadcastsTo(fn, shape, { minval: lo.shape, maxval: hi.shape });
  const scaled = addP.bind1([mulP.bind1([floats, subP.bind1([hi, lo], {})], {}), lo], {});
  return maxP.bind1([lo, scaled], {});
}

/**
 * Options of `uniform`.
 *
 * @example
 * random.uniform(key, [3], { minval: -1, maxval: 1 } satisfies random.UniformOptions);
 */
export interface UniformOptions {
  /** Inclusive lower bound, broadcast to the shape. Default 0. */
  minval?: ArrayLike;
  /** Exclusive upper bound, broadcast to the shape. Default 1. */
  maxval?: ArrayLike;
  /** Only float32. */
  dtype?: "float32";
}

/**
 * Uniform float32 values in [minval, maxval), as `jax.random.uniform`, bit-for-bit.
 *
 * @example
 * random.uniform(random.key(0)).item()                          // 0.41845703
 * random.uniform(random.key(0), [2, 3], { minval: -1 }).shape   // [2, 3]
 * @throws TypeError for a bad key, shape or dtype; Error if minval/maxval do not broadcast to `shape`.
 */
export function uniform(key: Key, shape: readonly number[] = [], { minval = 0, maxval = 1, dtype }: UniformOptions = {}): NDArray {
  checkKey("uniform", key);
  checkFloatDtype("uniform", dtype);
  return uniformIn("uniform", key, checkShape("uniform", shape), minval, maxval);
}

/**
 * Options of samplers that only take a dtype (`normal`, `truncatedNormal`).
 *
 * @example
 * random.normal(key, [3], { dtype: "float32" });
 */
export interface DtypeOptions {
  /** Only float32. */
  dtype?: "float32";
}

/**
 * Standard normal float32 values, as `jax.random.normal`: `√2 · erfinv(u)` for `u` uniform
 * in (−1, 1).
 *
 * @example
 * random.normal(random.key(0)).item()         // -0.20584226
 * random.normal(random.key(1), [1000]).shape  // [1000]
 */
export function normal(key: Key, shape: readonly number[] = [], { dtype }: DtypeOptions = {}): NDArray {
  checkKey("normal", key);
  checkFloatDtype("normal", dtype);
  const u = uniformIn("normal", key, checkShape("normal", shape), NORMAL_LOW, 1);
  return mulP.bind1([f32(Math.SQRT2), erfInvP.bind1([u], {})], {});
}

/**
 * Standard normal values truncated to (lower, upper), as `jax.random.truncated_normal`:
 * inverse-CDF sampling between `erf(lower/√2)` and `erf(upper/√2)`, clamped into the open
 * interval. When `lower`/`upper` are arrays rather than numbers the clamp is to the closed
 * interval [lower, upper] (gradus has no `nextafter` primitive yet).
 *
 * Arguments: `shape` defaults to the broadcast shape of `lower` and `upper`.
 *
 * @example
 * random.truncatedNormal(random.key(0), -2, 2, [3]).toArray()   // [1.5905912, -0.4590096, 0.3238575]
 * @throws Error if lower/upper do not broadcast to `shape`.
 */
export function truncatedNormal(key: Key, lower: ArrayLike, upper: ArrayLike, shape?: readonly number[], { dtype }: DtypeOptions = {}): NDArray {
  checkKey("truncatedNormal", key);
  checkFloatDtype("truncatedNormal", dtype);
  const lo = floatParam("truncatedNormal", "lower", lower);
  const hi = floatParam("truncatedNormal", "upper", upper);
  const sh = shape === undefined ? broadcastShapes([lo.shape, hi.shape], ["lower", "upper"]) : checkShape("truncatedNormal", shape);
  checkBroadcastsTo("truncatedNormal", sh, { lower: lo.shape, upper: hi.shape });
  const sqrt2 = f32(Math.SQRT2);
  const a = erfP.bind1([divP.bind1([lo, sqrt2], {})], {});
  const b = erfP.bind1([divP.bind1([hi, sqrt2], {})], {});
  const out = mulP.bind1([sqrt2, erfInvP.bind1([uniformIn("truncatedNormal", key, sh, a, b)], {})], {});
  const clampLo = typeof lower === "number" ? f32(nextafterF32(lower, Infinity)) : stopGradientP.bind1([lo], {});
  const clampHi = typeof upper === "number" ? f32(nextafterF32(upper, -Infinity)) : stopGradientP.bind1([hi], {});
  return minP.bind1([maxP.bind1([out, clampLo], {}), clampHi], {});
}

/**
 * Bernoulli samples (bool) with mean `p`, as `jax.random.bernoulli`: `uniform < p`.
 *
 * Arguments: `p` a number or float32 array; `shape` defaults to `p`'s shape.
 *
 * @example
 * random.bernoulli(random.key(0), 0.9, [4]).toArray()   // [false, true, true, true]
 * @throws TypeError if `p` is not floating; Error if `p` does not broadcast to `shape`.
 */
export function bernoulli(key: Key, p: ArrayLike = 0.5, shape?: readonly number[]): NDArray {
  checkKey("bernoulli", key);
  const prob = floatParam("bernoulli", "p", p, typeof p !== "number");
  const sh = shape === undefined ? [...prob.shape] : checkShape("bernoulli", shape);
  checkBroadcastsTo("bernoulli", sh, { p: prob.shape });
  return ltP.bind1([unitFloats(key, sh), prob], {});
}

/** Gumbel(0, 1) samples: `-log(-log(u))` for `u` uniform in [tiny, 1). */
function gumbel(key: NDArray, shape: readonly number[]): NDArray {
  const u = uniformIn("categorical", key, shape, F32_TINY, 1);
  return negP.bind1([logP.bind1([negP.bind1([logP.bind1([u], {})], {})], {})], {});
}

/**
 * Options of `categorical`.
 *
 * @example
 * const logits2d = np.zeros([4, 3]);   // 4 classes along axis 0, 3 distributions
 * random.categorical(key, logits2d, { axis: 0, shape: [10, 3] }).shape   // [10, 3]
 */
export interface CategoricalOptions {
  /** The axis of `logits` that holds the categories. Default -1. */
  axis?: number;
  /** Result shape; must broadcast from the batch shape of `logits` (its shape without `axis`). */
  shape?: readonly number[];
}

/**
 * Samples category indices (int32) from unnormalized log-probabilities, as
 * `jax.random.categorical`: the argmax of `logits` plus Gumbel noise.
 *
 * @example
 * const logits = np.log(np.array([0.1, 0.2, 0.7]));
 * random.categorical(random.key(0), logits, { shape: [5] }).shape   // [5]
 * @throws TypeError if `logits` is not float32; Error if `shape` does not fit the batch shape.
 */
export function categorical(key: Key, logits: ArrayLike, { axis = -1, shape }: CategoricalOptions = {}): NDArray {
  checkKey("categorical", key);
  const l = floatParam("categorical", "logits", logits, logits instanceof NDArray);
  if (l.ndim === 0) throw new Error("random.categorical: logits must have at least one dimension (the categories)");
  const ax = normalizeAxis(axis, l.ndim, "random.categorical: axis");
  const batchShape = l.shape.filter((_, i) => i !== ax);
  const sh = shape === undefined ? batchShape : checkShape("categorical", shape);
  checkBroadcastsTo("categorical", sh, { "logits' batch shape": batchShape });
  const prefix = sh.slice(0, sh.length - batchShape.length);
  const noiseShape = [...prefix, ...sh.slice(sh.length - batchShape.length)];
  noiseShape.splice(prefix.length + ax, 0, l.shape[ax]!);
  const scores = addP.bind1([gumbel(key, noiseShape), l], {});
  return argmaxP.bind1([scores], { axis: prefix.length + ax });
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** An integer bound: JS numbers truncate and clip to int32; arrays convert to int32. */
function intParam(name: string, x: ArrayLike): NDArray {
  if (typeof x === "number") {
    if (Number.isNaN(x)) throw new TypeError(`random.randint: ${name} must be a number, not NaN`);
    return fromFlat([Math.min(INT32_MAX, Math.max(INT32_MIN, Math.trunc(x)))], [], "int32");
  }
  const a = asArray(x, `random.randint: ${name}`);
  if (a.dtype === "uint32") throw new TypeError(`random.randint: ${name} must be an integer array or number; got ${a.aval.str()} (uint32 holds PRNG key bits)`);
  return a.dtype === "int32" ? a : convertElementTypeP.bind1([a], { newDtype: "int32" });
}

/**
 * Options of `randint`.
 *
 * @example
 * random.randint(key, [3], 0, 10, { dtype: "int32" });
 */
export interface RandintOptions {
  /** Only int32. */
  dtype?: "int32";
}

/**
 * Uniform int32 values in [minval, maxval), as `jax.random.randint`, bit-for-bit: two words
 * of random bits per value reduced modulo the span (biased only by ~2^-32 when the span is
 * not a power of two). Where `maxval <= minval` the result is `minval`.
 *
 * JS-number bounds outside int32 are clipped to it, like JAX's clipping of out-of-range
 * bounds: `maxval` above 2^31 − 1 makes 2^31 − 1 itself reachable.
 *
 * @example
 * random.randint(random.key(0), [5], 0, 10).toArray()   // [8, 1, 3, 8, 8]
 * @throws TypeError for a dtype other than int32 or uint32 bounds; Error if bounds do not broadcast to `shape`.
 */
export function randint(key: Key, shape: readonly number[], minval: ArrayLike, maxval: ArrayLike, { dtype }: RandintOptions = {}): NDArray {
  checkKey("randint", key);
  if (dtype !== undefined && dtype !== "int32") throw new TypeError(`random.randint: dtype must be int32; got ${JSON.stringify(dtype)}`);
  const sh = checkShape("randint", shape);
  const lo = intParam("minval", minval);
  const hi = intParam("maxval", maxval);
  checkBroadcastsTo("randint", sh, { minval: lo.shape, maxval: hi.shape });
  const params = { maxvalOutOfRange: typeof maxval === "number" && maxval > INT32_MAX };
  const keys = split(key);
  const [k1, k2] = [keyRow(keys, 0), keyRow(keys, 1)];
  if (lo.ndim === 0 && hi.ndim === 0) {
    return mappedBits([k1, k2], sh, ([higher, lower]) => randomIntFromBitsP.bind1([higher!, lower!, lo, hi], params));
  }
  return randomIntFromBitsP.bind1([randomBits(k1, sh), randomBits(k2, sh), lo, hi], params);
}
