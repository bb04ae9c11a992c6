/** Reductions with NumPy's `axis` / `keepdims` options. */
import type { NDArray, ArrayLike, ReduceOptions } from "../array.ts";
import { scalar } from "../core/constant.ts";
import type { DType } from "../core/dtype.ts";
import { normalizeAxes, normalizeAxis } from "../core/shape.ts";
import type { Primitive } from "../core/primitive.ts";
import { argmaxP, argminP, cumsumP, reduceMaxP, reduceMinP, reduceProdP, reduceSumP, type AxesParams } from "../lax/reduce.ts";
import { expandDimsP, reshapeP } from "../lax/structural.ts";
import { divP, expP, isFiniteP, logP, mulP, selectP, stopGradientP, subP } from "../lax/elementwise.ts";
import { cast, promote, scoped, checkDtype } from "./promote.ts";

/**
 * Options of sum/prod: NumPy's `axis`, `keepdims` and an accumulation `dtype`.
 * @example
 * np.sum(np.array([[1, 2], [3, 4]]), { axis: 1, keepdims: true, dtype: "int32" } satisfies np.SumOptions)   // [[3], [7]] int32
 */
export interface SumOptions extends ReduceOptions {
  /** The dtype to accumulate in and return (default: the input's). */
  dtype?: DType;
}

function reduceWith(p: Primitive<AxesParams>, x: NDArray, axis: ReduceOptions["axis"], keepdims: boolean, name: string): NDArray {
  const axes = normalizeAxes(axis, x.ndim, `${name}: axis`);
  const out = p.bind1([x], { axes });
  return keepdims ? expandDimsP.bind1([out], { dimensions: [...axes].sort((a, b) => a - b) }) : out;
}

/** bool and int sums accumulate in int32, as NumPy's default for these types. */
function sumInput(x: ArrayLike, dtype: DType | undefined): NDArray {
  const [a] = promote([x], ["x"]);
  if (dtype) return cast(a!, checkDtype(dtype));
  return a!.dtype === "bool" ? cast(a!, "int32") : a!;
}

/**
 * Sum over `axis` (all by default).
 * @example np.sum(np.array([[1, 2], [3, 4]]), { axis: 0 })   // [4, 6]
 * @throws RangeError if an axis is out of bounds, naming it and the rank.
 */
export const sum = scoped((x: ArrayLike, { axis, keepdims = false, dtype }: SumOptions = {}): NDArray =>
  reduceWith(reduceSumP, sumInput(x, dtype), axis, keepdims, "sum"));
/** Product over `axis`. @example np.prod(np.array([2, 3]))   // 6 */
export const prod = scoped((x: ArrayLike, { axis, keepdims = false, dtype }: SumOptions = {}): NDArray =>
  reduceWith(reduceProdP, sumInput(x, dtype), axis, keepdims, "prod"));

function nonEmpty(x: NDArray, axis: ReduceOptions["axis"], name: string): void {
  const axes = normalizeAxes(axis, x.ndim, `${name}: axis`);
  if (axes.some((a) => x.shape[a] === 0)) throw new Error(`${name}: zero-size reduction over axis of size 0 in shape [${x.shape}] has no identity`);
}

/** Maximum over `axis`. @example np.max(np.array([1, 5, 3]))   // 5 */
export const max = scoped((x: ArrayLike, { axis, keepdims = false }: ReduceOptions = {}): NDArray => {
  const [a] = promote([x], ["x"]);
  nonEmpty(a!, axis, "max");
  return reduceWith(reduceMaxP, a!, axis, keepdims, "max");
});
/** Minimum over `axis`. @example np.min(np.array([1, 5, 3]))   // 1 */
export const min = scoped((x: ArrayLike, { axis, keepdims = false }: ReduceOptions = {}): NDArray => {
  const [a] = promote([x], ["x"]);
  nonEmpty(a!, axis, "min");
  return reduceWith(reduceMinP, a!, axis, keepdims, "min");
});
/** Whether any element (along `axis`) is true. @example np.any(np.array([false, true]))   // true */
export const any = scoped((x: ArrayLike, { axis, keepdims = false }: ReduceOptions = {}): NDArray =>
  reduceWith(reduceMaxP, cast(promote([x], ["x"])[0]!, "bool"), axis, keepdims, "any"));
/** Whether every element (along `axis`) is true. @example np.all(np.array([false, true]))   // false */
export const all = scoped((x: ArrayLike, { axis, keepdims = false }: ReduceOptions = {}): NDArray =>
  reduceWith(reduceMinP, cast(promote([x], ["x"])[0]!, "bool"), axis, keepdims, "all"));

function count(x: NDArray, axis: ReduceOptions["axis"]): number {
  return normalizeAxes(axis, x.ndim).reduce((n, a) => n * x.shape[a]!, 1);
}

/** Arithmetic mean over `axis` (float32). @example np.mean(np.array([1, 2, 3, 4]))   // 2.5 */
export const mean = scoped((x: ArrayLike, { axis, keepdims = false }: ReduceOptions = {}): NDArray => {
  const [a] = promote([x], ["x"], "float");
  const s = reduceWith(reduceSumP, a!, axis, keepdims, "mean");
  return divP.bind1([s, scalar(count(a!, axis), "float32", true)], {});
});

/**
 * Options of var/std: `ddof` is the delta degrees of freedom (divide by N − ddof).
 * @example
 * np.var(np.array([1, 2, 3, 4]), { ddof: 1 } satisfies np.VarOptions)   // 1.6666666
 */
export interface VarOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is N − ddof (default 0; 1 for the unbiased estimate). */
  ddof?: number;
}

/** Variance over `axis`. @example np.var(np.array([1, 2, 3, 4]))   // 1.25 */
export const variance = scoped((x: ArrayLike, { axis, keepdims = false, ddof = 0 }: VarOptions = {}): NDArray => {
  const [a] = promote([x], ["x"], "float");
  const centered = subP.bind1([a!, mean(a!, { axis, keepdims: true })], {});
  const s = reduceWith(reduceSumP, mulP.bind1([centered, centered], {}), axis, keepdims, "var");
  return divP.bind1([s, scalar(Math.max(0, count(a!, axis) - ddof), "float32", true)], {});
});
export { variance as var };
/** Standard deviation over `axis`. @example np.std(np.array([1, 2, 3, 4]))   // 1.118034 */
export const std = scoped((x: ArrayLike, opts: VarOptions = {}): NDArray => variance(x, opts).sqrt());

function argReduce(p: Primitive<{ axis: number }>, name: string) {
  return scoped((x: ArrayLike, { axis, keepdims = false }: { axis?: number; keepdims?: boolean } = {}): NDArray => {
    const [a] = promote([x], ["x"]);
    if (axis === undefined) {
      if (a!.size === 0) throw new Error(`${name}: attempt to get ${name} of an empty array`);
      const flat = p.bind1([reshapeP.bind1([a!], { newSizes: [a!.size] })], { axis: 0 });
      return keepdims ? reshapeP.bind1([flat], { newSizes: a!.shape.map(() => 1) }) : flat;
    }
    const ax = normalizeAxis(axis, a!.ndim, `${name}: axis`);
    const out = p.bind1([a!], { axis: ax });
    return keepdims ? expandDimsP.bind1([out], { dimensions: [ax] }) : out;
  });
}
/** Index of the maximum (of the flattened array unless `axis`). @example np.argmax(np.array([1, 9, 3]))   // 1 */
export const argmax = argReduce(argmaxP, "argmax");
/** Index of the minimum. @example np.argmin(np.array([4, 1, 3]))   // 1 */
export const argmin = argReduce(argminP, "argmin");

/** Cumulative sum along `axis` (of the flattened array unless `axis`). @example np.cumsum(np.array([1, 2, 3]))   // [1, 3, 6] */
export const cumsum = scoped((x: ArrayLike, { axis, dtype }: { axis?: number; dtype?: DType } = {}): NDArray => {
  let a = sumInput(x, dtype);
  if (axis === undefined) { a = reshapeP.bind1([a], { newSizes: [a.size] }); axis = 0; }
  return cumsumP.bind1([a], { axis: normalizeAxis(axis, a.ndim, "cumsum: axis"), reverse: false });
});

/**
 * log Σ eˣ over `axis`, computed stably by subtracting the maximum first.
 * @example np.logsumexp(np.array([0, 0]))   // 0.6931472
 */
export const logsumexp = scoped((x: ArrayLike, { axis, keepdims = false }: ReduceOptions = {}): NDArray => {
  const [a] = promote([x], ["x"], "float");
  const m = reduceWith(reduceMaxP, a!, axis, true, "logsumexp");
  // A non-finite max (all -inf) would give inf - inf = NaN; shifting by 0 there is exact.
  // The shift cancels mathematically, so it carries no gradient (as in JAX); without the
  // stop, reverse mode would differentiate through the max for nothing.
  const shift = stopGradientP.bind1([selectP.bind1([isFiniteP.bind1([m], {}), m, scalar(0, "float32", true)], {})], {});
  const s = reduceWith(reduceSumP, expP.bind1([subP.bind1([a!, shift], {})], {}), axis, true, "logsumexp");
  const out = logP.bind1([s], {}).add(shift);
  return keepdims ? out : reshapeP.bind1([out], { newSizes: out.shape.filter((_, i) => !normalizeAxes(axis, a!.ndim).includes(i)) });
});
