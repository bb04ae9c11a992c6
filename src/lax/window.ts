/**
 * Windowed reductions: reduce_window_max and reduce_window_sum over any rank, the
 * primitives behind max and average pooling.
 *
 * Lowering: pad explicitly with the reduction's identity (-inf, or int32's minimum, for
 * max; 0 for sum), take every stride-th element along dimensions whose window is 1, then
 * pool the dimensions whose window is larger two at a time with tfjs MaxPool / AvgPool
 * ("valid"): the pair is moved to the middle of an [outer, a, b, inner] NHWC view
 * (no transpose when they are already adjacent, as in NHWC pooling). Max and sum are
 * separable over dimensions, so chaining pairs handles any number of window dimensions.
 * Sums are AvgPool times the window size: every window is full because padding is explicit,
 * so the count is exact and the result equals the sum up to float32 rounding.
 *
 * int32 operands run through float32 (tfjs-wasm pools only float32), exact below 2^24.
 *
 * Transform rules: reduce_window_sum is linear, its transpose is a pad and a stride-1 sum
 * (JAX's); reduce_window_max's JVP takes each window's tangent at its (first) maximum, so
 * its reverse mode is select-and-scatter-add. Both batch with a size-1 window over the batch axis.
 */
import { tf } from "../backend/index.ts";
import type { Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { shapeSize } from "../core/shape.ts";
import type { NDArray } from "../array.ts";
import { scalar } from "../core/constant.ts";
import { padP, padTensor } from "./indexing.ts";
import { sliceP } from "./structural.ts";
import { eqP, selectP } from "./elementwise.ts";
import { avalOf, moveBatchAxis, zerosLikeAval } from "./rules.ts";
import { padtypeToPads, type Padding } from "./conv.ts";

/**
 * Parameters of `reduce_window_max` / `reduce_window_sum`, one entry per operand dimension.
 * @example
 * const p: ReduceWindowParams = { windowDimensions: [1, 2, 2, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [0, 0], [0, 0], [0, 0]] };
 */
export interface ReduceWindowParams {
  /** Window size per dimension (>= 1). */
  windowDimensions: readonly number[];
  /** Window stride per dimension (>= 1). */
  windowStrides: readonly number[];
  /** `[lo, hi]` per dimension, filled with the reduction's identity; negative crops. */
  padding: readonly (readonly [number, number])[];
}

type Kind = "max" | "sum";

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const range = (a: number, b: number) => Array.from({ length: Math.max(b - a, 0) }, (_, i) => a + i);

function windowAval(name: string, x: ShapedArray, p: ReduceWindowParams): ShapedArray {
  if (x.dtype !== "float32" && x.dtype !== "int32") throw new TypeError(`${name}: operand must be float32 or int32; got ${x.str()}`);
  const n = x.ndim;
  const checkList = (what: string, xs: readonly unknown[]) => {
    if (!Array.isArray(xs) || xs.length !== n || !xs.every((v) => isInt(v) && v >= 1)) {
      throw new RangeError(`${name}: ${what} must be ${n} integer(s) >= 1, one per dimension of operand ${x.str()}; got ${JSON.stringify(xs)}`);
    }
  };
  checkList("windowDimensions", p.windowDimensions);
  checkList("windowStrides", p.windowStrides);
  if (!Array.isArray(p.padding) || p.padding.length !== n || !p.padding.every((lh) => Array.isArray(lh) && lh.length === 2 && lh.every(isInt))) {
    throw new RangeError(`${name}: padding must be ${n} [lo, hi] integer pair(s), one per dimension of operand ${x.str()}; got ${JSON.stringify(p.padding)}`);
  }
  const shape = x.shape.map((size, d) => {
    const [lo, hi] = p.padding[d]!;
    const padded = size + lo + hi;
    if (padded < 0) throw new RangeError(`${name}: padding [${lo}, ${hi}] crops more than dimension ${d} of operand ${x.str()} holds`);
    const w = p.windowDimensions[d]!;
    return padded < w ? 0 : Math.floor((padded - w) / p.windowStrides[d]!) + 1;
  });
  return x.withShape(shape);
}

/** Reduces windows over one or two dimensions with a tfjs pool on an [outer, a, b, inner] view. */
function poolDims(y: Tensor, dims: readonly number[], p: ReduceWindowParams, kind: Kind): Tensor {
  const [a, b] = dims as [number, number | undefined];
  const rank = y.rank;
  const front = b === undefined ? range(0, a) : range(0, b).filter((d) => d !== a);
  const back = range((b ?? a) + 1, rank);
  const perm = b === undefined ? [...front, a, ...back] : [...front, a, b, ...back];
  const identity = perm.every((d, i) => d === i);
  const moved = identity ? y : tf.transpose(y, perm);
  const size = (ds: number[]) => shapeSize(ds.map((d) => y.shape[d]!));
  const na = y.shape[a]!, nb = b === undefined ? 1 : y.shape[b]!;
  const wa = p.windowDimensions[a]!, wb = b === undefined ? 1 : p.windowDimensions[b]!;
  const sa = p.windowStrides[a]!, sb = b === undefined ? 1 : p.windowStrides[b]!;
  const view = tf.reshape(moved, [size(front), na, nb, size(back)]) as Tensor4D;
  const pooled = kind === "max"
    ? tf.maxPool(view, [wa, wb], [sa, sb], "valid")
    : tf.mul(tf.avgPool(view, [wa, wb], [sa, sb], "valid"), wa * wb);
  const out = (d: number) => Math.floor((y.shape[d]! - p.windowDimensions[d]!) / p.windowStrides[d]!) + 1;
  const movedShape = perm.map((d) => (d === a || d === b ? out(d) : y.shape[d]!));
  const result = tf.reshape(pooled, movedShape);
  return identity ? result : tf.transpose(result, range(0, rank).map((d) => perm.indexOf(d)));
}

function reduceWindowImpl(x: Tensor, p: ReduceWindowParams, kind: Kind, outShape: readonly number[]): Tensor {
  const init = kind === "sum" ? 0 : x.dtype === "int32" ? -2147483648 : -Infinity;
  if (outShape.includes(0) || x.size === 0) return tf.fill([...outShape], init, x.dtype);
  let y = x.dtype === "float32" ? x : tf.cast(x, "float32");
  if (p.padding.some(([lo, hi]) => lo !== 0 || hi !== 0)) y = padTensor(y, p.padding.map(([lo, hi]) => [lo, hi, 0] as const), init);
  const subsample = p.windowDimensions.map((w, d) => (w === 1 ? p.windowStrides[d]! : 1));
  if (subsample.some((s) => s > 1)) y = tf.stridedSlice(y, y.shape.map(() => 0), y.shape, subsample);
  const windowed = range(0, x.rank).filter((d) => p.windowDimensions[d]! > 1);
  for (let i = 0; i < windowed.length; i += 2) y = poolDims(y, windowed.slice(i, i + 2), p, kind);
  if (x.dtype === "int32") y = tf.cast(kind === "sum" ? tf.round(y) : y, "int32");
  return y;
}

function reduceWindowPrimitive(name: string, kind: Kind) {
  return definePrimitive<ReduceWindowParams>(name, {
    impl: ([x], params, [aval]) => [reduceWindowImpl(x!, params, kind, windowAval(name, aval!, params).shape)],
    abstractEval: ([x], params) => {
      if (!x) throw new Error(`${name}: takes one operand`);
      return [windowAval(name, x, params)];
    },
  });
}

/**
 * Maximum over each window (padding counts as -inf, or int32's minimum).
 * @example
 * reduceWindowMaxP.bind1([np.array([1, 3, 2])], { windowDimensions: [2], windowStrides: [1], padding: [[0, 0]] })   // [3, 3]
 */
export const reduceWindowMaxP = reduceWindowPrimitive("reduce_window_max", "max");
/**
 * Sum over each window (padding counts as 0).
 * @example
 * reduceWindowSumP.bind1([np.array([1, 3, 2])], { windowDimensions: [2], windowStrides: [1], padding: [[0, 0]] })   // [4, 5]
 */
export const reduceWindowSumP = reduceWindowPrimitive("reduce_window_sum", "sum");

const dilateDim = (n: number, d: number) => (n === 0 ? 0 : (n - 1) * d + 1);
/** Every multi-index of `shape` in row-major order. */
const rowMajor = (shape: readonly number[]): number[][] =>
  shape.reduce<number[][]>((acc, n) => acc.flatMap((prefix) => range(0, n).map((i) => [...prefix, i])), [[]]);

/** vmap of a windowed reduction: batch axis first, with a window of 1 over it. */
function windowBatch(prim: () => Primitive<ReduceWindowParams>) {
  return ([x]: NDArray[], [d]: (number | null)[], p: ReduceWindowParams): [NDArray[], (number | null)[]] => {
    const xb = moveBatchAxis(x!, d!, 0, x!.shape[d!]!);
    return [[prim().bind1([xb], {
      windowDimensions: [1, ...p.windowDimensions], windowStrides: [1, ...p.windowStrides], padding: [[0, 0], ...p.padding],
    })], [0]];
  };
}

Object.assign(reduceWindowSumP.rules, {
  jvp: ([x], [t], p) => [[reduceWindowSumP.bind1([x!], p)], [t ? reduceWindowSumP.bind1([t], p) : null]],
  // JAX's _reduce_window_sum_transpose_rule: every input element receives the sum of the
  // cotangents of the windows that contain it. Spread the cotangent out by the strides
  // (interior padding stride - 1), pad it by the window size minus the forward low padding
  // (the lhs padding of a conv transpose), and sum windows of ones with stride 1. The
  // all-ones window is symmetric, so no flip is needed.
  transpose: ([ct], [x], p) => {
    if (ct === null) return [null];
    const shape = avalOf(x!).shape;
    const config = shape.map((n, d) => {
      const w = p.windowDimensions[d]!, s = p.windowStrides[d]!;
      const before = w - p.padding[d]![0] - 1;
      const after = n + w - 1 - dilateDim(ct.shape[d]!, s) - before;
      return [before, after, s - 1] as const;
    });
    const spread = padP.bind1([ct, scalar(0, ct.dtype)], { config });
    return [reduceWindowSumP.bind1([spread], { windowDimensions: p.windowDimensions, windowStrides: shape.map(() => 1), padding: shape.map(() => [0, 0] as const) })];
  },
  batch: windowBatch(() => reduceWindowSumP),
} satisfies Partial<typeof reduceWindowSumP.rules>);

/**
 * JVP of max pooling: each window's tangent is the operand's tangent at the window's
 * maximum, the first one in row-major window order when several tie (JAX's
 * select_and_gather_add picks one position per window too; reduce_max's JVP averages ties
 * instead). Its transpose sends each window's cotangent to that one position, i.e.
 * select-and-scatter-add.
 *
 * Derivation with primitives only: pad operand (with -inf) and tangent (with 0) like the
 * forward pass; for each window offset k, the strided slice starting at k holds, for every
 * output position, the element at offset k of its window. Walking the offsets from last to
 * first, `acc = select(x_k == max, t_k, acc)` leaves the tangent at the first offset that
 * attains the max (the last offset's tangent seeds acc: some offset always attains it, and
 * padding positions carry tangent 0). The tangent path is pad, slice and select with
 * a fixed predicate, all linear with transposes.
 */
function reduceWindowMaxJvp([x]: NDArray[], [t]: (NDArray | null)[], p: ReduceWindowParams): [NDArray[], (NDArray | null)[]] {
  const out = reduceWindowMaxP.bind1([x!], p);
  if (t === null || t === undefined) return [[out], [null]];
  if (out.size === 0) return [[out], [zerosLikeAval(out.aval)]];
  const config = p.padding.map(([lo, hi]) => [lo, hi, 0] as const);
  const lowest = scalar(x!.dtype === "int32" ? -2147483648 : -Infinity, x!.dtype);
  const xp = padP.bind1([x!, lowest], { config });
  const tp = padP.bind1([t, scalar(0, t.dtype)], { config });
  const at = (a: NDArray, k: readonly number[]) => sliceP.bind1([a], {
    startIndices: k, limitIndices: k.map((kd, d) => kd + (out.shape[d]! - 1) * p.windowStrides[d]! + 1), strides: p.windowStrides,
  });
  const offsets = rowMajor(p.windowDimensions);
  let acc = at(tp, offsets[offsets.length - 1]!);
  for (let i = offsets.length - 2; i >= 0; i--) {
    const k = offsets[i]!;
    acc = selectP.bind1([eqP.bind1([at(xp, k), out], {}), at(tp, k), acc], {});
  }
  return [[out], [acc]];
}

Object.assign(reduceWindowMaxP.rules, {
  jvp: reduceWindowMaxJvp,
  batch: windowBatch(() => reduceWindowMaxP),
} satisfies Partial<typeof reduceWindowMaxP.rules>);

function windowParams(operand: NDArray, windowDimensions: readonly number[], windowStrides: readonly number[], padding: Padding, name: string): ReduceWindowParams {
  return {
    windowDimensions: [...windowDimensions],
    windowStrides: [...windowStrides],
    padding: padtypeToPads(operand.shape, windowDimensions, windowStrides, padding, `${name}: padding`),
  };
}

/**
 * Maximum over sliding windows, as JAX's `lax.reduce_window` with `lax.max` (max pooling):
 * one window size and stride per dimension of `operand`. Padding is `"VALID"` (default),
 * `"SAME"` or `[lo, hi]` per dimension and counts as -Infinity.
 *
 * @example
 * const x = np.array([[1, 2, 3, 4], [5, 6, 7, 8]]);
 * lax.reduceWindowMax(x, [2, 2], [1, 2])                     // [[6, 8]]
 * lax.reduceWindowMax(np.ones([1, 28, 28, 3]), [1, 2, 2, 1], [1, 2, 2, 1]).shape   // [1, 14, 14, 3]
 */
export function reduceWindowMax(operand: NDArray, windowDimensions: readonly number[], windowStrides: readonly number[], padding: Padding = "VALID"): NDArray {
  return reduceWindowMaxP.bind1([operand], windowParams(operand, windowDimensions, windowStrides, padding, "reduceWindowMax"));
}

/**
 * Sum over sliding windows, as JAX's `lax.reduce_window` with `lax.add` (average pooling
 * is this divided by the window size). Padding counts as 0.
 *
 * @example
 * lax.reduceWindowSum(np.array([1, 2, 3, 4]), [2], [1])                 // [3, 5, 7]
 * lax.reduceWindowSum(np.array([1, 2, 3, 4]), [3], [1], [[1, 1]])       // [3, 6, 9, 7]
 */
export function reduceWindowSum(operand: NDArray, windowDimensions: readonly number[], windowStrides: readonly number[], padding: Padding = "VALID"): NDArray {
  return reduceWindowSumP.bind1([operand], windowParams(operand, windowDimensions, windowStrides, padding, "reduceWindowSum"));
}
