/** Reductions over axes, arg-reductions and cumulative sums. */
import { tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import type { DType } from "../core/dtype.ts";
import { definePrimitive } from "../core/primitive.ts";
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

function reduction(name: string, dtypes: readonly DType[], impl: (x: Tensor, axes: number[]) => Tensor) {
  return definePrimitive<AxesParams>(name, {
    impl: ([x], { axes }) => [axes.length === 0 ? x! : impl(x!, [...axes])],
    abstractEval: ([x], { axes }) => {
      if (!dtypes.includes(x!.dtype)) throw new TypeError(`${name}: operand must have dtype ${dtypes.join(" or ")}; got ${x!.str()}`);
      checkAxes(name, x!, axes);
      return [x!.withShape(x!.shape.filter((_, i) => !axes.includes(i)))];
    },
  });
}

export const reduceSumP = reduction("reduce_sum", ["float32", "int32"], (x, axes) => tf.sum(x, axes));
export const reduceProdP = reduction("reduce_prod", ["float32", "int32"], (x, axes) => tf.prod(x, axes));
/** On bool operands max is `any` and min is `all`. */
export const reduceMaxP = reduction("reduce_max", ["float32", "int32", "bool"], (x, axes) => (x.dtype === "bool" ? tf.any(x, axes) : tf.max(x, axes)));
export const reduceMinP = reduction("reduce_min", ["float32", "int32", "bool"], (x, axes) => (x.dtype === "bool" ? tf.all(x, axes) : tf.min(x, axes)));

export interface ArgParams { axis: number }

function argReduction(name: string, impl: (x: Tensor, axis: number) => Tensor) {
  return definePrimitive<ArgParams>(name, {
    impl: ([x], { axis }) => [impl(x!.dtype === "bool" ? tf.cast(x!, "int32") : x!, axis)],
    abstractEval: ([x], { axis }) => {
      if (x!.dtype === "uint32") throw new TypeError(`${name}: operand must be float32, int32 or bool; got ${x!.str()}`);
      checkAxes(name, x!, [axis]);
      if (x!.shape[axis] === 0) throw new Error(`${name}: cannot reduce over an empty axis ${axis} of ${x!.str()}`);
      return [new ShapedArray(x!.shape.filter((_, i) => i !== axis), "int32")];
    },
  });
}

/** Index of the first maximum along `axis`. */
export const argmaxP = argReduction("argmax", (x, axis) => tf.argMax(x, axis));
/** Index of the first minimum along `axis`. */
export const argminP = argReduction("argmin", (x, axis) => tf.argMin(x, axis));

export interface CumulativeParams { axis: number; reverse: boolean }

/** Inclusive cumulative sum along `axis` (from the end when `reverse`). */
export const cumsumP = definePrimitive<CumulativeParams>("cumsum", {
  impl: ([x], { axis, reverse }) => [tf.cumsum(x!, axis, false, reverse)],
  abstractEval: ([x], { axis }) => {
    if (x!.dtype !== "float32" && x!.dtype !== "int32") throw new TypeError(`cumsum: operand must be float32 or int32; got ${x!.str()}`);
    if (x!.ndim === 0) throw new Error(`cumsum: operand must have rank >= 1; got shape ${fmtShape(x!.shape)}`);
    checkAxes("cumsum", x!, [axis]);
    return [x!];
  },
});
