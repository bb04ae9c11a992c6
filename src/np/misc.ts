/** Comparisons of whole arrays and one-hot encoding. */
import type { NDArray, ArrayLike } from "../array.ts";
import { iotaP, expandDimsP } from "../lax/structural.ts";
import { eqP } from "../lax/elementwise.ts";
import type { DType } from "../core/dtype.ts";
import { abs, isnan, lessEqual, logicalAnd, logicalOr, subtract, multiply, add } from "./math.ts";
import { all } from "./reductions.ts";
import { cast, checkDtype, promote, scoped } from "./promote.ts";

/**
 * Tolerances of `isclose`/`allclose`: |a − b| <= atol + rtol·|b|.
 * @example
 * np.isclose(np.array([1, NaN]), np.array([1.01, NaN]), { rtol: 0.1, equalNan: true } satisfies np.CloseOptions)   // [true, true]
 */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

/**
 * Elementwise |a − b| <= atol + rtol·|b| (NumPy's defaults rtol 1e-5, atol 1e-8).
 * @example np.isclose(np.array([1, 2]), np.array([1, 2.1]))   // [true, false]
 */
export const isclose = scoped((a: ArrayLike, b: ArrayLike, { rtol = 1e-5, atol = 1e-8, equalNan = false }: CloseOptions = {}): NDArray => {
  const [x, y] = promote([a, b], ["a", "b"], "float");
  const close = lessEqual(abs(subtract(x!, y!)), add(atol, multiply(rtol, abs(y!))));
  return equalNan ? logicalOr(close, logicalAnd(isnan(x!), isnan(y!))) : close;
});

/**
 * Whether every element is close (a bool scalar array; `.item()` reads it).
 * @example np.allclose(np.array([1, 2]), np.array([1, 2 + 1e-7])).item()   // true
 */
export const allclose = scoped((a: ArrayLike, b: ArrayLike, opts: CloseOptions = {}): NDArray => all(isclose(a, b, opts)));

/**
 * One-hot encoding: a new last axis of size `numClasses` with 1 at each label (float32 by
 * default). Labels outside [0, numClasses) give all zeros, as jax.nn.one_hot.
 * @example np.oneHot(np.array([0, 2], { dtype: "int32" }), 3)   // [[1, 0, 0], [0, 0, 1]]
 */
export const oneHot = scoped((labels: ArrayLike, numClasses: number, { dtype = "float32" }: { dtype?: DType } = {}): NDArray => {
  const [x] = promote([labels], ["labels"]);
  if (!Number.isInteger(numClasses) || numClasses < 0) throw new RangeError(`oneHot: numClasses must be a non-negative integer; got ${numClasses}`);
  const idx = cast(x!, x!.dtype === "float32" ? "float32" : "int32");
  const classes = iotaP.bind1([], { dtype: idx.dtype, shape: [...idx.shape, numClasses], dimension: idx.ndim });
  return cast(eqP.bind1([expandDimsP.bind1([idx], { dimensions: [idx.ndim] }), classes], {}), checkDtype(dtype));
});
