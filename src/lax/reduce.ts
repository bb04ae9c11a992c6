/** Reductions over axes, arg-reductions and cumulative sums. */
import { tf, getBackend } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import type { DType } from "../core/dtype.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import type { NDArray } from "../array.ts";
import { scalar } from "../core/constant.ts";
import { broadcastInDimP, iotaP, reshapeP, transposeP } from "./structural.ts";
import { convertElementTypeP, divP, eqP, mulP, selectP } from "./elementwise.ts";
import { moveBatchAxis } from "./rules.ts";
import { fmtShape } from "../core/shape.ts";

export interface AxesParams { axes: readonly number[] }

function checkAxes(name: string, x: ShapedArray, axes: readonly number[]): void {
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= x.ndim) {
      throw new RangeError(`${name}: axes [${axes.join(", ")}] out of range for ${x.str()} (expected 0 <= axis < ${x.ndim})`);
    }
  }
  if (new Set(axes).size !== axes.length) throw new Error(`${name}: repeated axis in [${axes.join(", ")}]`);
}

/** Batching for reductions over `axes` (and the like): the batch axis goes first, every axis shifts by one. */
function batchAtFront<P extends object>(prim: Primitive<P>, shift: (p: P) => P) {
  return (args: NDArray[], dims: (number | null)[], params: P): [NDArray[], (number | null)[]] => {
    const x = moveBatchAxis(args[0]!, dims[0]!, 0, args[0]!.shape[dims[0]!]!);
    return [prim.bind([x, ...args.slice(1)], shift(params)), [0]];
  };
}
const shiftAxes = ({ axes }: AxesParams): AxesParams => ({ axes: axes.map((a) => a + 1) });

/** Broadcasts a reduction's result back over the reduced axes (the transpose of reduce_sum). */
function unreduce(y: NDArray, shape: readonly number[], axes: readonly number[]): NDArray {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return broadcastInDimP.bind1([y], { shape, broadcastDimensions: kept });
}

/**
 * JVP of max/min reductions: the tangent at the positions that attain the extremum,
 * averaged over ties (JAX's choice, which keeps the derivative symmetric).
 */
function chooserJvp(prim: Primitive<AxesParams>) {
  return ([x]: NDArray[], [t]: (NDArray | null)[], params: AxesParams): [NDArray[], (NDArray | null)[]] => {
    const out = prim.bind1([x!], params);
    if (t === null) return [[out], [null]];
    // Over an empty axis the result (±∞) does not depend on x: a zero tangent, not 0 / 0.
    if (params.axes.some((a) => x!.shape[a] === 0)) return [[out], [broadcastInDimP.bind1([scalar(0, "float32")], { shape: out.shape, broadcastDimensions: [] })]];
    const hit = convertElementTypeP.bind1([eqP.bind1([x!, unreduce(out, x!.shape, params.axes)], {})], { newDtype: "float32" });
    const count = reduceSumP.bind1([hit], params);
    return [[out], [divP.bind1([reduceSumP.bind1([mulP.bind1([t, hit], {})], params), count], {})]];
  };
}

/**
 * A reduction with its identity, the result over an empty axis. tfjs-wasm's reductions of
 * empty operands return uninitialized memory (a sum over [2, 0] gave [3.6e-41, -0.897]) or
 * trap (min over axis 1 of [0, 2, 2]: "divide by zero" in its Transpose), so an empty
 * operand's reduction is filled with the identity on every backend.
 */
function reduction(name: string, dtypes: readonly DType[], impl: (x: Tensor, axes: number[]) => Tensor, identity: (dtype: string) => number) {
  return definePrimitive<AxesParams>(name, {
    impl: ([x], { axes }) => {
      if (axes.length === 0) return [x!];
      if (x!.size === 0) return [tf.fill(x!.shape.filter((_, i) => !axes.includes(i)), identity(x!.dtype), x!.dtype)];
      return [impl(x!, [...axes])];
    },
    abstractEval: ([x], { axes }) => {
      if (!dtypes.includes(x!.dtype)) throw new TypeError(`${name}: operand must have dtype ${dtypes.join(" or ")}; got ${x!.str()}`);
      checkAxes(name, x!, axes);
      return [x!.withShape(x!.shape.filter((_, i) => !axes.includes(i)))];
    },
  });
}

export const reduceSumP = reduction("reduce_sum", ["float32", "int32"], (x, axes) => tf.sum(x, axes), () => 0);
Object.assign(reduceSumP.rules, {
  jvp: ([x], [t], params) => [[reduceSumP.bind1([x!], params)], [t && reduceSumP.bind1([t], params)]],
  transpose: ([ct], [x], { axes }) => [unreduce(ct!, x!.aval.shape, axes)],
  batch: batchAtFront(reduceSumP, shiftAxes),
} satisfies Partial<typeof reduceSumP.rules>);

export const reduceProdP = reduction("reduce_prod", ["float32", "int32"], (x, axes) => tf.prod(x, axes), () => 1);
Object.assign(reduceProdP.rules, {
  // ∂/∂xᵢ ∏x = ∏_{j≠i} xⱼ, computed without dividing (exact at zeros): the reduced axes are
  // flattened to n and each row is multiplied out with its own entry replaced by 1.
  jvp: ([x], [t], params) => {
    const out = reduceProdP.bind1([x!], params);
    if (t === null) return [[out], [null]];
    const { axes } = params;
    const kept = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...kept, ...axes];
    const n = axes.reduce((m, a) => m * x!.shape[a]!, 1);
    const flat = (v: NDArray) => reshapeP.bind1([transposeP.bind1([v], { permutation: perm })], { newSizes: [...kept.map((k) => x!.shape[k]!), n] });
    const xf = flat(x!), tf_ = flat(t);
    const r = xf.ndim;
    const rows = broadcastInDimP.bind1([xf], { shape: [...xf.shape.slice(0, -1), n, n], broadcastDimensions: [...xf.shape.slice(0, -1).map((_, i) => i), r] });
    const diag = eqP.bind1([iotaP.bind1([], { dtype: "int32", shape: [n, n], dimension: 0 }), iotaP.bind1([], { dtype: "int32", shape: [n, n], dimension: 1 })], {});
    const others = reduceProdP.bind1([selectP.bind1([diag, scalar(1, x!.dtype, true), rows], {})], { axes: [r] });
    return [[out], [reduceSumP.bind1([mulP.bind1([tf_, others], {})], { axes: [r - 1] })]];
  },
  batch: batchAtFront(reduceProdP, shiftAxes),
} satisfies Partial<typeof reduceProdP.rules>);

/** On bool operands max is `any` and min is `all`. */
export const reduceMaxP = reduction("reduce_max", ["float32", "int32", "bool"], (x, axes) => (x.dtype === "bool" ? tf.any(x, axes) : tf.max(x, axes)),
  (dtype) => (dtype === "bool" ? 0 : dtype === "int32" ? -2147483648 : -Infinity));
Object.assign(reduceMaxP.rules, { jvp: chooserJvp(reduceMaxP), batch: batchAtFront(reduceMaxP, shiftAxes) });
export const reduceMinP = reduction("reduce_min", ["float32", "int32", "bool"], (x, axes) => (x.dtype === "bool" ? tf.all(x, axes) : tf.min(x, axes)),
  (dtype) => (dtype === "bool" ? 1 : dtype === "int32" ? 2147483647 : Infinity));
Object.assign(reduceMinP.rules, { jvp: chooserJvp(reduceMinP), batch: batchAtFront(reduceMinP, shiftAxes) });

export interface ArgParams { axis: number }

function argReduction(name: string, impl: (x: Tensor, axis: number) => Tensor) {
  const prim: Primitive<ArgParams> = definePrimitive<ArgParams>(name, {
    jvp: ([x], _, params) => [[prim.bind1([x!], params)], [null]],
    batch: (args, dims, params) => batchAtFront(prim, ({ axis }: ArgParams) => ({ axis: axis + 1 }))(args, dims, params),
    // An empty operand (with a non-empty axis) has an empty result: no kernel (tfjs-wasm's ArgMax traps on [0, 2, 0]).
    impl: ([x], { axis }) => [x!.size === 0 ? tf.zeros(x!.shape.filter((_, i) => i !== axis), "int32") : impl(x!.dtype === "bool" ? tf.cast(x!, "int32") : x!, axis)],
    abstractEval: ([x], { axis }) => {
      if (x!.dtype === "uint32") throw new TypeError(`${name}: operand must be float32, int32 or bool; got ${x!.str()}`);
      checkAxes(name, x!, [axis]);
      if (x!.shape[axis] === 0) throw new Error(`${name}: cannot reduce over an empty axis ${axis} of ${x!.str()}`);
      return [new ShapedArray(x!.shape.filter((_, i) => i !== axis), "int32")];
    },
  });
  return prim;
}

/** Index of the first maximum along `axis`. */
export const argmaxP = argReduction("argmax", (x, axis) => tf.argMax(x, axis));
/** Index of the first minimum along `axis`. */
export const argminP = argReduction("argmin", (x, axis) => tf.argMin(x, axis));

export interface CumulativeParams { axis: number; reverse: boolean }

/**
 * tfjs-webgpu's reverse Cumsum is wrong ([[1, 2, 3]] along axis 1 gives [[3, 2, 3]]), so on
 * webgpu a reverse cumulative sum is a forward one of the reversed input, reversed back.
 */
function cumsumImpl(x: Tensor, axis: number, reverse: boolean): Tensor {
  // Empty: no kernel (tfjs-wasm's Cumsum traps "divide by zero" transposing [0, 0, 4]).
  if (x.size === 0) return tf.zeros(x.shape, x.dtype);
  if (!reverse || getBackend() !== "webgpu") return tf.cumsum(x, axis, false, reverse);
  return tf.reverse(tf.cumsum(tf.reverse(x, [axis]), axis), [axis]);
}

/** Inclusive cumulative sum along `axis` (from the end when `reverse`). */
export const cumsumP: Primitive<CumulativeParams> = definePrimitive<CumulativeParams>("cumsum", {
  jvp: ([x], [t], params) => [[cumsumP.bind1([x!], params)], [t && cumsumP.bind1([t], params)]],
  transpose: ([ct], _, { axis, reverse }) => [cumsumP.bind1([ct!], { axis, reverse: !reverse })],
  batch: (args, dims, params) => batchAtFront(cumsumP, (p: CumulativeParams) => ({ ...p, axis: p.axis + 1 }))(args, dims, params),
  impl: ([x], { axis, reverse }) => [cumsumImpl(x!, axis, reverse)],
  abstractEval: ([x], { axis }) => {
    if (x!.dtype !== "float32" && x!.dtype !== "int32") throw new TypeError(`cumsum: operand must be float32 or int32; got ${x!.str()}`);
    if (x!.ndim === 0) throw new Error(`cumsum: operand must have rank >= 1; got shape ${fmtShape(x!.shape)}`);
    checkAxes("cumsum", x!, [axis]);
    return [x!];
  },
});
