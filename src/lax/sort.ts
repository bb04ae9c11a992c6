/**
 * Sorting: `sort` (several operands permuted by the first one's order, so argsort is
 * `sort(x, iota)`) and `top_k`.
 *
 * Both are built on tfjs's TopK kernel (cpu, wasm and webgpu all have it), whose contract
 * is "if two elements are equal, the lower-index element appears first". An ascending
 * stable sort is TopK on the reversed row, reversed back: ties come out with the lower
 * original index first, with no arithmetic on the keys (so int32 keys never overflow).
 *
 * NaN policy. `sort`: NaNs go last, after +Infinity, in their original order (NumPy and
 * JAX); -0 and +0 compare equal and keep their order. `top_k`: NaN ranks as +Infinity, so
 * NaNs come first, tied with any +Infinity entries and ordered among them by index.
 *
 * Precision. On webgpu TopK compares in float32, so int32 keys beyond ±2^24 may tie.
 *
 * Transform rules (JAX's): tangents are permuted like the values, by a gather at the sort's
 * permutation (an iota sorted along) or at top_k's indices; gather carries reverse mode.
 */
import { getBackend, tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive } from "../core/primitive.ts";
import { fmtShape, normalizeAxis, shapeEqual } from "../core/shape.ts";
import type { NDArray } from "../array.ts";
import { gatherAlongAxis, gatherTensor } from "./indexing.ts";
import { iotaP } from "./structural.ts";
import { batchSize, moveBatchAxis } from "./rules.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Moves `axis` last and flattens the rest: a [rows, n] view; `back` undoes it. */
function rowsView(x: Tensor, axis: number): { view: Tensor; back: (t: Tensor) => Tensor } {
  const rank = x.rank;
  const perm = [...range(rank).filter((d) => d !== axis), axis];
  const identity = axis === rank - 1;
  const moved = identity ? x : tf.transpose(x, perm);
  const n = x.shape[axis]!;
  const movedShape = moved.shape;
  const inverse = range(rank).map((d) => perm.indexOf(d));
  return {
    view: tf.reshape(moved, [x.size / n, n]),
    back: (t) => {
      const m = tf.reshape(t, movedShape);
      return identity ? m : tf.transpose(m, inverse);
    },
  };
}

/** The permutation that sorts each row of a [rows, n] float32/int32 tensor ascending, stably. */
function stableArgsortRows(keys: Tensor): Tensor {
  const n = keys.shape[1]!;
  const { indices } = tf.topk(tf.reverse(keys, 1), n, true);
  return tf.reverse(tf.sub(tf.scalar(n - 1, "int32"), indices), 1);
}

/** Gathers each row of `x` ([rows, n]) at `perm` ([rows, n]). */
const permuteRows = (x: Tensor, perm: Tensor): Tensor => gatherTensor(x, perm, 1, 1);

function sortImpl(operands: readonly Tensor[], dimension: number): Tensor[] {
  const key = operands[0]!;
  const n = key.shape[dimension]!;
  if (n <= 1 || key.size === 0) return [...operands];
  const { view } = rowsView(key, dimension);
  let perm: Tensor;
  if (view.dtype === "float32") {
    const nan = tf.isNaN(view);
    perm = stableArgsortRows(tf.where(nan, tf.fill(view.shape, Infinity), view));
    // Stable partition: numbers first, NaNs last (TopK of the 0/1 "is a number" key).
    const isNumber = tf.sub(1, tf.cast(nan, "float32"));
    const { indices } = tf.topk(permuteRows(isNumber, perm), n, true);
    perm = permuteRows(perm, indices);
  } else {
    perm = stableArgsortRows(view.dtype === "bool" ? tf.cast(view, "int32") : view);
  }
  return operands.map((x) => {
    const { view: v, back } = rowsView(x, dimension);
    return back(permuteRows(v, perm));
  });
}

/**
 * Parameters of `sort`.
 * @example
 * const p: SortParams = { dimension: 0, numKeys: 1 };
 */
export interface SortParams {
  /** The axis to sort along (non-negative). */
  dimension: number;
  /** How many leading operands form the sort key; only 1 is supported. */
  numKeys: number;
}

/**
 * Sorts the first operand ascending along `dimension` (stable, NaNs last) and applies the
 * same permutation to every other operand. One result per operand.
 * @example
 * sortP.bind([np.array([3, 1, 2]), np.array([0, 1, 2], { dtype: "int32" })], { dimension: 0, numKeys: 1 })   // [[1, 2, 3], [1, 2, 0]]
 */
export const sortP = definePrimitive<SortParams>("sort", {
  impl: (operands, { dimension }) => sortImpl(operands, dimension),
  abstractEval: (operands, { dimension, numKeys }) => {
    if (operands.length === 0) throw new Error("sort: needs at least one operand");
    const key = operands[0]!;
    if (numKeys !== 1) throw new Error(`sort: only numKeys = 1 is supported (sort by the first operand); got ${numKeys}. For lexicographic keys, sort stably by each key from the last to the first`);
    if (key.ndim === 0) throw new Error(`sort: operands must have rank >= 1; got ${key.str()}`);
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= key.ndim) {
      throw new RangeError(`sort: dimension must be an integer in [0, ${key.ndim}) for operands of shape ${fmtShape(key.shape)}; got ${dimension}`);
    }
    if (key.dtype === "uint32") throw new TypeError(`sort: the key operand must be float32, int32 or bool; got ${key.str()} (uint32 holds PRNG key bits; convert with .astype() first)`);
    operands.forEach((x, i) => {
      if (!shapeEqual(x.shape, key.shape)) {
        throw new Error(`sort: every operand must have the key's shape; operand 0 is ${key.str()}, operand ${i} is ${x.str()}`);
      }
    });
    return [...operands];
  },
});

Object.assign(sortP.rules, {
  // JAX's _sort_jvp: sort an iota along with the operands to get the permutation, and
  // gather every tangent with it (gather is linear, and transposes to scatter_add).
  jvp: (primals, tangents, params) => {
    const iota = iotaP.bind1([], { dtype: "int32", shape: primals[0]!.shape, dimension: params.dimension });
    const outs = sortP.bind([...primals, iota], params);
    const perm = outs.pop()!;
    return [outs, tangents.map((t) => (t ? gatherAlongAxis(t, perm, params.dimension) : null))];
  },
  batch: (operands, dims, { dimension, numKeys }) => {
    const size = batchSize(operands, dims);
    const moved = operands.map((x, i) => moveBatchAxis(x, dims[i] ?? null, 0, size));
    const outs = sortP.bind(moved, { dimension: dimension + 1, numKeys });
    return [outs, outs.map(() => 0)];
  },
} satisfies Partial<typeof sortP.rules>);

/**
 * Parameters of `top_k`: how many entries to keep along the last axis.
 * @example
 * const p: TopKParams = { k: 3 };
 */
export interface TopKParams { k: number }

function topKImpl(x: Tensor, k: number): Tensor[] {
  if (k === 0) {
    const shape = [...x.shape.slice(0, -1), 0];
    return [tf.zeros(shape, x.dtype), tf.zeros(shape, "int32")];
  }
  if (x.dtype !== "float32") {
    const { values, indices } = tf.topk(x, k, true);
    return [values, indices];
  }
  // NaN ranks as +Infinity; the values come from the operand, so NaNs are returned as NaN.
  const nan = tf.isNaN(x);
  const key = tf.where(nan, tf.fill(x.shape, Infinity), x);
  const rows = x.size / x.shape[x.rank - 1]!;
  const n = x.shape[x.rank - 1]!;
  let indices: Tensor;
  if (getBackend() === "cpu" && k < n) {
    // tfjs-cpu's partial TopK (quickselect) compares by subtraction, and ∞ - ∞ = NaN breaks
    // its tie order; its full sort treats that NaN as a tie and stays stable. Sort, then cut.
    const all = tf.topk(key, n, true).indices;
    indices = tf.slice(all, all.shape.map(() => 0), [...all.shape.slice(0, -1), k]);
  } else {
    indices = tf.topk(key, k, true).indices;
  }
  const values = gatherTensor(tf.reshape(x, [rows, n]), tf.reshape(indices, [rows, k]), 1, 1);
  return [tf.reshape(values, indices.shape), indices];
}

/**
 * The `k` largest entries along the last axis, descending, and their int32 indices (ties:
 * lower index first; NaN ranks as +Infinity). Two results: `[values, indices]`.
 * @example
 * topKP.bind([np.array([1, 3, 2])], { k: 2 })   // [[3, 2], [1, 2]]
 */
export const topKP = definePrimitive<TopKParams>("top_k", {
  impl: ([x], { k }) => topKImpl(x!, k),
  abstractEval: ([x], { k }) => {
    if (!x) throw new Error("top_k: takes one operand");
    if (x.dtype !== "float32" && x.dtype !== "int32") throw new TypeError(`top_k: operand must be float32 or int32; got ${x.str()}`);
    if (x.ndim === 0) throw new Error(`top_k: operand must have rank >= 1; got ${x.str()}`);
    const n = x.shape[x.ndim - 1]!;
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`top_k: k must be an integer in [0, ${n}] (the last dimension of operand ${x.str()}); got ${k}`);
    }
    const shape = [...x.shape.slice(0, -1), k];
    return [x.withShape(shape), new ShapedArray(shape, "int32")];
  },
});

Object.assign(topKP.rules, {
  // The values' tangent is the operand's tangent gathered at the indices (JAX's _top_k_jvp);
  // the indices are integers, with no tangent.
  jvp: ([x], [t], params) => {
    const [values, indices] = topKP.bind([x!], params);
    return [[values!, indices!], [t ? gatherAlongAxis(t, indices!, t.ndim - 1) : null, null]];
  },
  // top_k works on the last axis: a batch axis elsewhere stays put; on the last axis it moves first.
  batch: ([x], [d], params) => {
    const bd = d!;
    const xb = bd === x!.ndim - 1 ? moveBatchAxis(x!, bd, 0, x!.shape[bd]!) : x!;
    const outDim = bd === x!.ndim - 1 ? 0 : bd;
    return [topKP.bind([xb], params), [outDim, outDim]];
  },
} satisfies Partial<typeof topKP.rules>);

/**
 * Options of `sort`.
 * @example
 * lax.sort(np.array([[3, 1], [2, 4]]), { dimension: 0 } satisfies lax.SortOptions)   // [[2, 1], [3, 4]]
 */
export interface SortOptions {
  /** The axis to sort along; negative counts from the end. Default -1. */
  dimension?: number;
  /** Accepted for JAX compatibility: the sort is always stable. */
  isStable?: boolean;
  /** Number of leading operands that form the key; only 1 is supported. Default 1. */
  numKeys?: number;
}

/**
 * Sorts along `dimension` (last by default), ascending and stable, as `jax.lax.sort`. With
 * several operands, the first is the key and the others are permuted the same way; the
 * result is then an array of the same length. NaNs sort last; -0 and +0 are equal.
 *
 * @example
 * lax.sort(np.array([3, 1, 2]))                              // [1, 2, 3]
 * const [k, v] = lax.sort([np.array([2, 1, 2]), np.array([10, 20, 30])]);
 * // k: [1, 2, 2], v: [20, 10, 30]   (ties keep their order)
 * @throws Error if operands differ in shape or numKeys is not 1.
 */
export function sort(operand: NDArray, options?: SortOptions): NDArray;
export function sort(operands: readonly NDArray[], options?: SortOptions): NDArray[];
export function sort(operand: NDArray | readonly NDArray[], { dimension = -1, numKeys = 1 }: SortOptions = {}): NDArray | NDArray[] {
  const list = Array.isArray(operand) ? operand as readonly NDArray[] : [operand as NDArray];
  if (list.length === 0) throw new Error("sort: needs at least one operand");
  const key = list[0]!;
  if (key.ndim === 0) throw new Error(`sort: operands must have rank >= 1; got ${key.aval.str()}`);
  const outs = sortP.bind(list, { dimension: normalizeAxis(dimension, key.ndim, "sort: dimension"), numKeys });
  return Array.isArray(operand) ? outs : outs[0]!;
}

/**
 * Sorts `keys` along `dimension` and permutes `values` the same way, as
 * `jax.lax.sort_key_val`. Stable.
 *
 * @example
 * const [k, v] = lax.sortKeyVal(np.array([3, 1, 2]), np.array([0, 1, 2], { dtype: "int32" }));
 * // k: [1, 2, 3], v: [1, 2, 0]
 */
export function sortKeyVal(keys: NDArray, values: NDArray, { dimension = -1 }: { dimension?: number } = {}): [NDArray, NDArray] {
  const [k, v] = sort([keys, values], { dimension });
  return [k!, v!];
}

/**
 * The `k` largest entries along the last axis in descending order and their int32
 * indices, as `jax.lax.top_k`. Ties: the lower index first. NaN ranks as +Infinity.
 *
 * @example
 * const [values, indices] = lax.topK(np.array([1, 4, 2, 4]), 3);
 * // values: [4, 4, 2], indices: [1, 3, 2]
 * @throws RangeError if k is not in [0, n].
 */
export function topK(operand: NDArray, k: number): [NDArray, NDArray] {
  const [values, indices] = topKP.bind([operand], { k });
  return [values!, indices!];
}
