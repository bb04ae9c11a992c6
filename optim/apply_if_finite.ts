/** Skipping steps whose updates are not finite. */
import { NDArray, np, tree } from "../src/index.ts";
import { transformation, zeroCount, type GradientTransformation } from "./transform.ts";

/**
 * State of {@link applyIfFinite}: consecutive and total non-finite steps, whether the last
 * step was finite, and the inner state.
 * @example
 * const tx = optim.applyIfFinite(optim.sgd(0.1));
 * const [, state] = tx.update({ w: np.array([NaN]) }, tx.init({ w: np.zeros([1]) }));
 * (state as optim.ApplyIfFiniteState).totalNotfinite.item()   // 1
 */
export interface ApplyIfFiniteState {
  /** Consecutive non-finite updates so far (int32 scalar). */
  notfiniteCount: NDArray;
  /** Whether the last update was finite (bool scalar). */
  lastFinite: NDArray;
  /** All non-finite updates so far (int32 scalar). */
  totalNotfinite: NDArray;
  /** The inner transformation's state (unchanged by skipped steps). */
  inner: unknown;
}

/**
 * Options of {@link applyIfFinite}.
 * @example const o: ApplyIfFiniteOptions = { maxConsecutiveErrors: 5 };
 */
export interface ApplyIfFiniteOptions {
  /** After this many consecutive non-finite steps, apply the update anyway (as Optax). Default: never. */
  maxConsecutiveErrors?: number;
}

/** Whether every element of every leaf is finite, as a bool scalar. @internal */
export const allFinite = (t: unknown): NDArray =>
  (tree.leaves(t) as NDArray[]).reduce((acc, u) => np.logicalAnd(acc, np.all(np.isfinite(u))), np.array(true));

/**
 * Runs `inner` only when all incoming updates are finite; otherwise the step yields zero
 * updates and leaves the inner state as it was, as `optax.apply_if_finite`. Guards
 * training against an occasional NaN or infinite gradient.
 *
 * @example
 * const tx = optim.applyIfFinite(optim.adam(1e-3));
 * const [u] = tx.update({ w: np.array([NaN]) }, tx.init({ w: np.zeros([1]) }));   // { w: [0] }
 */
export function applyIfFinite(inner: GradientTransformation<any>, { maxConsecutiveErrors }: ApplyIfFiniteOptions = {}): GradientTransformation<ApplyIfFiniteState> {
  if (maxConsecutiveErrors !== undefined && !(Number.isInteger(maxConsecutiveErrors) && maxConsecutiveErrors >= 0)) {
    throw new RangeError(`optim.applyIfFinite: maxConsecutiveErrors must be a non-negative integer; got ${maxConsecutiveErrors}`);
  }
  return transformation<ApplyIfFiniteState>(
    (params) => ({ notfiniteCount: zeroCount(), lastFinite: np.array(true), totalNotfinite: zeroCount(), inner: inner.init(params) }),
    (updates, state, params) => {
      const finite = allFinite(updates);
      const notfiniteCount = np.where(finite, 0, state.notfiniteCount.add(1)).astype("int32");
      const totalNotfinite = state.totalNotfinite.add(np.logicalNot(finite).astype("int32"));
      const [newUpdates, newInner] = inner.update(updates, state.inner, params);
      const reject = maxConsecutiveErrors === undefined ? np.logicalNot(finite) : np.logicalAnd(np.logicalNot(finite), notfiniteCount.le(maxConsecutiveErrors));
      const out = tree.map((u: NDArray) => np.where(reject, np.zerosLike(u), u), newUpdates);
      const innerState = tree.map((old: NDArray, nu: NDArray) => np.where(reject, old, nu), state.inner, newInner);
      return [out, { notfiniteCount, lastFinite: finite, totalNotfinite, inner: innerState }];
    },
  );
}
