/** Clipping updates: elementwise and by their global norm. */
import { NDArray, np, tree } from "../src/index.ts";
import { transformation, type EmptyState, type GradientTransformation, type Scalar } from "./transform.ts";

/**
 * The L2 norm of all leaves of a pytree together, `√Σ x²` (a float32 scalar array), as
 * `optax.global_norm`.
 *
 * @example
 * optim.globalNorm({ a: np.array([3]), b: np.array([4]) }).item()   // 5
 */
export function globalNorm(updates: unknown): NDArray {
  const squares = (tree.leaves(updates) as NDArray[]).map((u) => np.sum(np.asarray(u).astype("float32").square()));
  return np.sqrt(squares.reduce((a, b) => a.add(b), np.array(0)));
}

/**
 * Clips each update elementwise to `[−maxDelta, maxDelta]`, as `optax.clip`.
 *
 * @example
 * const [u] = optim.clip(1).update({ w: np.array([-3, 0.5, 2]) }, {});   // { w: [-1, 0.5, 1] }
 */
export function clip(maxDelta: Scalar): GradientTransformation<EmptyState> {
  if (typeof maxDelta === "number" && !(maxDelta >= 0)) throw new RangeError(`optim.clip: maxDelta must be non-negative; got ${maxDelta}`);
  return transformation<EmptyState>(() => ({}), (updates, state) =>
    [tree.map((u: NDArray) => np.clip(u, np.negative(maxDelta), maxDelta), updates), state]);
}

/**
 * Rescales all updates together so that their global L2 norm is at most `maxNorm`
 * (Pascanu et al., 2013), as `optax.clip_by_global_norm`.
 *
 * @example
 * const [u] = optim.clipByGlobalNorm(1).update({ a: np.array(3), b: np.array(4) }, {});
 * // { a: 0.6, b: 0.8 }
 */
export function clipByGlobalNorm(maxNorm: Scalar): GradientTransformation<EmptyState> {
  if (typeof maxNorm === "number" && !(maxNorm > 0)) throw new RangeError(`optim.clipByGlobalNorm: maxNorm must be positive; got ${maxNorm}`);
  return transformation<EmptyState>(() => ({}), (updates, state) => {
    const norm = globalNorm(updates);
    const factor = np.where(norm.lt(maxNorm), 1, np.divide(maxNorm, norm));
    return [tree.map((u: NDArray) => u.mul(factor.astype(u.dtype)), updates), state];
  });
}
