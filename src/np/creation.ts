/** Array creation: from JS data, constants, ranges, identity matrices. */
import { NDArray, type NestedArray } from "../array.ts";
import { fromNested, scalar, type ArrayOptions } from "../core/constant.ts";
import type { DType } from "../core/dtype.ts";
import { broadcastInDimP, iotaP } from "../lax/structural.ts";
import { addP, eqP, mulP, selectP } from "../lax/elementwise.ts";
import { cast, checkDtype, scoped } from "./promote.ts";

function checkShape(shape: unknown, argName = "shape"): number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(list) || !list.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${argName} must be a list of non-negative integers; got ${JSON.stringify(shape)}`);
  }
  return list;
}

/**
 * Creates an array from JS data (nested arrays, numbers, booleans) or copies an NDArray.
 * Numbers become float32 unless `dtype` says otherwise; booleans become bool.
 *
 * @example
 * np.array([[1, 2], [3, 4]])                 // float32 [2, 2]
 * np.array([1, 2], { dtype: "int32" })       // int32 [2]
 * @throws TypeError for ragged nesting, naming where it is ragged.
 */
export function array(data: NestedArray | NDArray, opts: ArrayOptions = {}): NDArray {
  if (data instanceof NDArray) return cast(data, opts.dtype ?? data.dtype);
  if (opts.dtype !== undefined) checkDtype(opts.dtype);
  return fromNested(data, opts, "np.array");
}

/**
 * Like `array`, but returns NDArrays unchanged (no copy).
 * @example
 * const x = np.ones([2]);
 * np.asarray(x) === x   // true
 */
export function asarray(data: NestedArray | NDArray, opts: ArrayOptions = {}): NDArray {
  if (data instanceof NDArray && (opts.dtype === undefined || opts.dtype === data.dtype)) return data;
  return array(data, opts);
}

/**
 * An array of `shape` filled with `value` (a broadcast of one scalar).
 * @example np.full([2, 2], 7)   // [[7, 7], [7, 7]] float32
 */
export const full = scoped((shape: number[] | number, value: number | boolean, { dtype }: ArrayOptions = {}): NDArray => {
  const s = checkShape(shape);
  const d: DType = dtype ? checkDtype(dtype) : typeof value === "boolean" ? "bool" : "float32";
  return broadcastInDimP.bind1([scalar(value, d)], { shape: s, broadcastDimensions: [] });
});

/** An array of zeros (float32 by default). @example np.zeros([2, 3]).shape  // [2, 3] */
export const zeros = (shape: number[] | number, opts: ArrayOptions = {}): NDArray => full(shape, opts.dtype === "bool" ? false : 0, opts);
/** An array of ones (float32 by default). @example np.ones([2]).toArray()  // [1, 1] */
export const ones = (shape: number[] | number, opts: ArrayOptions = {}): NDArray => full(shape, opts.dtype === "bool" ? true : 1, opts);
/** Zeros with the shape and dtype of `x`. @example np.zerosLike(np.ones([2]))  // [0, 0] */
export const zerosLike = (x: NDArray, opts: ArrayOptions = {}): NDArray => zeros(x.shape, { dtype: opts.dtype ?? x.dtype });
/** Ones with the shape and dtype of `x`. @example np.onesLike(np.zeros([2]))  // [1, 1] */
export const onesLike = (x: NDArray, opts: ArrayOptions = {}): NDArray => ones(x.shape, { dtype: opts.dtype ?? x.dtype });
/** `value` with the shape and dtype of `x`. @example np.fullLike(np.zeros([2]), 3)  // [3, 3] */
export const fullLike = (x: NDArray, value: number | boolean, opts: ArrayOptions = {}): NDArray => full(x.shape, value, { dtype: opts.dtype ?? x.dtype });

/**
 * Evenly spaced values in [start, stop). With one argument, [0, stop). int32 when every
 * argument is an integer (as JAX), float32 otherwise.
 *
 * @example
 * np.arange(4)            // [0, 1, 2, 3] int32
 * np.arange(0, 1, 0.25)   // [0, 0.25, 0.5, 0.75] float32
 */
export const arange = scoped((start: number, stop?: number, step = 1, { dtype }: ArrayOptions = {}): NDArray => {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new RangeError("arange: step must not be zero");
  const d: DType = dtype ? checkDtype(dtype) : [start, stop, step].every(Number.isInteger) ? "int32" : "float32";
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const idx = iotaP.bind1([], { dtype: d, shape: [n], dimension: 0 });
  if (start === 0 && step === 1) return idx;
  return addP.bind1([mulP.bind1([idx, scalar(step, d)], {}), scalar(start, d)], {});
});

/**
 * `num` evenly spaced float32 values from `start` to `stop` (inclusive unless `endpoint: false`).
 * @example np.linspace(0, 1, 5)   // [0, 0.25, 0.5, 0.75, 1]
 */
export const linspace = scoped((start: number, stop: number, num = 50, { endpoint = true, dtype }: ArrayOptions & { endpoint?: boolean } = {}): NDArray => {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace: num must be a non-negative integer; got ${num}`);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const idx = iotaP.bind1([], { dtype: "float32", shape: [num], dimension: 0 });
  let out = addP.bind1([mulP.bind1([idx, scalar(step, "float32")], {}), scalar(start, "float32")], {});
  if (endpoint && num > 1) {
    // Pin the last value to `stop` exactly, as NumPy does.
    const isLast = eqP.bind1([idx, scalar(num - 1, "float32")], {});
    out = selectP.bind1([isLast, scalar(stop, "float32"), out], {});
  }
  return dtype ? cast(out, checkDtype(dtype)) : out;
});

/**
 * An `n` x `m` matrix with ones on diagonal `k` (main diagonal by default).
 * @example np.eye(2)   // [[1, 0], [0, 1]]
 */
export const eye = scoped((n: number, m?: number, { k = 0, dtype = "float32" }: ArrayOptions & { k?: number } = {}): NDArray => {
  const cols = m ?? n;
  checkShape([n, cols], "eye size");
  const rows = iotaP.bind1([], { dtype: "int32", shape: [n, cols], dimension: 0 });
  const colIdx = iotaP.bind1([], { dtype: "int32", shape: [n, cols], dimension: 1 });
  const mask = eqP.bind1([addP.bind1([rows, scalar(k, "int32")], {}), colIdx], {});
  return cast(mask, checkDtype(dtype));
});

/** The n x n identity. @example np.identity(3).shape  // [3, 3] */
export const identity = (n: number, opts: ArrayOptions = {}): NDArray => eye(n, n, opts);
