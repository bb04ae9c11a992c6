/** Applying a transformation to part of the parameters. */
import { NDArray, tree } from "../src/index.ts";
import { transformation, type GradientTransformation } from "./transform.ts";

/**
 * Which leaves a transformation applies to: a pytree of booleans with the structure of the
 * parameters or a prefix of it (`{ encoder: false, head: true }`), or a function of the
 * parameters (or updates) returning one.
 *
 * @example
 * const noBiases: Mask = (params) => tree.map((p: NDArray) => p.ndim > 1, params);
 */
export type Mask = unknown;

/** The mask expanded to one boolean per leaf of `target`. @internal */
export function expandMask(fn: string, mask: Mask, target: unknown): unknown {
  const m = typeof mask === "function" ? (mask as (t: unknown) => unknown)(target) : mask;
  try {
    return tree.map((flag: unknown, sub: unknown) => {
      if (typeof flag !== "boolean") throw new TypeError(`optim.${fn}: mask leaves must be booleans; got ${flag instanceof NDArray ? `an array ${flag.aval.str()}` : typeof flag}`);
      return tree.map(() => flag, sub);
    }, m, target);
  } catch (e) {
    if (e instanceof TypeError && e.message.startsWith(`optim.${fn}`)) throw e;
    throw new TypeError(`optim.${fn}: the mask must have the structure of the parameters (or a prefix of it).\n${(e as Error).message}`);
  }
}

/** Keeps the leaves whose flag is true; the others become `null` (empty subtrees). @internal */
export const selectMasked = <T>(flags: unknown, t: T): T => tree.map((flag: boolean, x: unknown) => (flag ? x : null), flags, t) as T;

/**
 * State of {@link masked}: the inner transformation's state (over the selected leaves).
 * @example const { inner } = optim.masked(optim.scale(2), { w: true, b: false }).init({ w: np.zeros([2]), b: np.zeros([1]) }) as optim.MaskedState;
 */
export interface MaskedState {
  /** The inner transformation's state, over the selected leaves (the others are `null`). */
  inner: unknown;
}

/**
 * Applies `inner` only to the leaves where `mask` is true; the other updates pass through
 * unchanged, as `optax.masked`. The inner transformation sees the selected leaves only
 * (the others are `null`), so a global norm inside it covers just those.
 *
 * @example
 * // weight decay on matrices only, not on biases
 * const decay = optim.masked(optim.addDecayedWeights(1e-4), (p) => tree.map((x: NDArray) => x.ndim > 1, p));
 */
export function masked(inner: GradientTransformation<any>, mask: Mask): GradientTransformation<MaskedState> {
  return transformation<MaskedState>(
    (params) => ({ inner: inner.init(selectMasked(expandMask("masked", mask, params), params)) }),
    (updates, state, params) => {
      const flags = expandMask("masked", mask, updates);
      const [innerUpdates, innerState] = inner.update(selectMasked(flags, updates), state.inner, params === undefined ? undefined : selectMasked(flags, params));
      const out = tree.map((flag: boolean, u: unknown, nu: unknown) => (flag ? nu : u), flags, updates, innerUpdates);
      return [out, { inner: innerState }];
    },
  );
}
