/** Moment estimates shared by the adaptive transformations. @internal */
import { NDArray, np, tree } from "../src/index.ts";
import type { Scalar } from "./transform.ts";

/** `1 − b` for a number or a scalar array. */
export const oneMinus = (b: Scalar): Scalar => (typeof b === "number" ? 1 - b : np.subtract(1, b));

/** Exponential moving average of `g^order`: `(1 − decay)·g^order + decay·m`. */
export const updateMoment = <U>(updates: U, moments: U, decay: Scalar, order: 1 | 2): U =>
  tree.map((g: NDArray, m: NDArray) => (order === 1 ? g : g.square()).mul(oneMinus(decay)).add(m.mul(decay)), updates, moments);

/** `m / (1 − decay^count)`: Adam's bias correction after `count` updates. */
export const biasCorrection = <U>(moments: U, decay: Scalar, count: NDArray): U => {
  const correction = np.subtract(1, np.power(decay, count.astype("float32")));
  return tree.map((m: NDArray) => m.div(correction), moments);
};
