/** Label handling shared by the classification metrics. @internal */
import { ConcretizationError, NDArray, type ArrayLike } from "../array.ts";
import * as np from "../np/index.ts";

/** Labels as a 1-D int32 array; an extra trailing axis of scores becomes its argmax. */
export function asLabels(fn: string, name: string, y: ArrayLike, reference?: NDArray): NDArray {
  let a = np.asarray(y as NDArray);
  if (reference !== undefined && a.ndim === reference.ndim + 1) a = np.argmax(a, { axis: -1 });
  if (a.ndim !== 1) throw new TypeError(`metrics.${fn}: ${name} must be a 1-D array of labels${reference ? " (or a [n, classes] array of scores)" : ""}; got ${a.aval.str()}`);
  return a.dtype === "int32" ? a : a.astype("int32");
}

/** Checks that two label arrays have the same length. */
export function sameLength(fn: string, a: NDArray, b: NDArray, names = ["yTrue", "yPred"]): void {
  if (a.shape[0] !== b.shape[0]) throw new RangeError(`metrics.${fn}: ${names[0]} and ${names[1]} must have the same number of samples; got ${a.shape[0]} and ${b.shape[0]}`);
}

/** The number of classes: given, or the largest label + 1 (which reads the values). */
export function classCount(fn: string, numClasses: number | undefined, ...labels: NDArray[]): number {
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`metrics.${fn}: numClasses must be a positive integer; got ${numClasses}`);
    return numClasses;
  }
  try {
    return Math.max(...labels.map((l) => (l.size === 0 ? -1 : Number(np.max(l).item())))) + 1;
  } catch (e) {
    if (e instanceof ConcretizationError) throw new ConcretizationError(`metrics.${fn}: cannot infer the number of classes from traced labels; pass { numClasses }`);
    throw e;
  }
}

/** `num / den`, and 0 where `den` is 0 (scikit-learn's zero_division=0). */
export const safeDivide = (num: NDArray, den: NDArray): NDArray => np.where(den.gt(0), num.div(np.maximum(den, 1e-30)), 0);
