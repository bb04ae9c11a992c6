/**
 * The one abstraction of `gradus/optim`, as in Optax: a gradient transformation is a pair
 * of pure functions `init(params) → state` and `update(updates, state, params) → [updates,
 * state]`. States are pytrees of NDArrays (step counts are int32 arrays), so a whole
 * training step, optimizer included, can be jitted and traced once.
 */
import type { Monoid } from "fp-ts/lib/Monoid.js";
import { NDArray, np, scope, tree } from "../src/index.ts";

/**
 * A gradient transformation: `init` builds the state from the parameters, `update` maps
 * incoming updates (usually gradients) and the state to outgoing updates and a new state.
 * Both are pure; every state is a pytree of NDArrays.
 *
 * @example
 * const params = { w: np.array([1, 2]) };
 * const grads = { w: np.array([0.5, -1]) };
 * const tx: GradientTransformation = optim.chain(optim.clipByGlobalNorm(1), optim.adam(1e-3));
 * const state = tx.init(params);
 * const [updates, next] = tx.update(grads, state, params);
 * optim.applyUpdates(params, updates).w   // [0.999, 2.001]
 */
export interface GradientTransformation<S = unknown> {
  /** The initial state for `params` (a pytree of NDArrays). */
  init<P>(params: P): S;
  /** Transforms `updates` (a pytree shaped like the parameters); `params` is needed by some transformations (weight decay, LAMB). */
  update<U>(updates: U, state: S, params?: U): [U, S];
}

/**
 * A hyperparameter: a JS number, or an NDArray scalar (as `injectHyperparams` passes, so
 * hyperparameters can change between steps without retracing).
 *
 * @example
 * const b1: Scalar = 0.9;
 */
export type Scalar = number | NDArray;

/** The state of a transformation that keeps none. @example const s: EmptyState = {}; */
export type EmptyState = Record<string, never>;

/** Marks a chain built by `chain`, so nested chains flatten. */
const PARTS = Symbol("gradus.optim.chain");
/** Marks the identity transformation, the monoid's unit. */
const IDENTITY = Symbol("gradus.optim.identity");

type Tagged = GradientTransformation<any> & { [PARTS]?: GradientTransformation<any>[]; [IDENTITY]?: true };

/**
 * Wraps `init` and `update` so that the intermediates they create eagerly are released
 * when they return (their results survive). Every transformation here is built with it.
 * @internal
 */
export function transformation<S>(init: (params: any) => S, update: (updates: any, state: S, params?: any) => [any, S]): GradientTransformation<S> {
  return {
    init: (params) => scope(() => init(params)),
    update: (updates, state, params) => scope(() => update(updates, state, params)),
  } as GradientTransformation<S>;
}

/**
 * The transformation that leaves updates unchanged and keeps no state: the unit of `chain`.
 *
 * @example
 * const grads = { w: np.array([1, 2]) };
 * const [u] = optim.identity().update(grads, {});
 * u === grads   // true
 */
export function identity(): GradientTransformation<EmptyState> {
  const tx: GradientTransformation<EmptyState> = { init: () => ({}), update: (updates, state) => [updates, state] };
  return Object.assign(tx, { [IDENTITY]: true as const });
}

/**
 * Applies transformations in sequence: the updates of one are the input of the next; the
 * state is the array of their states. Nested chains are flattened and identities dropped,
 * so `chain` is associative with `identity()` as its unit (see {@link monoid}); a chain of
 * one transformation is that transformation.
 *
 * @example
 * const tx = optim.chain(optim.clipByGlobalNorm(1), optim.scaleByAdam(), optim.scaleByLearningRate(1e-3));
 * const state = tx.init({ w: np.zeros([2]) }) as unknown[];   // [clipState, adamState, lrState]
 * state.length   // 3
 */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<any> {
  transforms.forEach((t, i) => {
    if (t === null || typeof t !== "object" || typeof t.init !== "function" || typeof t.update !== "function") {
      throw new TypeError(`optim.chain: argument ${i} must be a GradientTransformation ({ init, update }); got ${t === null ? "null" : typeof t}`);
    }
  });
  const parts = (transforms as Tagged[]).flatMap((t) => (t[IDENTITY] ? [] : t[PARTS] ?? [t]));
  if (parts.length === 0) return identity();
  if (parts.length === 1) return parts[0]!;
  const tx: GradientTransformation<unknown[]> = {
    init: (params) => parts.map((t) => t.init(params)),
    update: (updates, state, params) => {
      if (!Array.isArray(state) || state.length !== parts.length) {
        throw new TypeError(`optim.chain: expected the state of a chain of ${parts.length} transformations (an array of ${parts.length} states); got ${Array.isArray(state) ? `an array of ${state.length}` : typeof state}. Pass the state this chain's init returned`);
      }
      let u = updates;
      const next = parts.map((t, i) => {
        const [nu, s] = t.update(u, state[i], params);
        u = nu;
        return s;
      });
      return [u, next];
    },
  };
  return Object.assign(tx, { [PARTS]: parts });
}

/**
 * Gradient transformations form a monoid under `chain` with `identity()` as the unit
 * (fp-ts `Monoid`), so `concatAll(monoid)(list)` chains a list.
 *
 * @example
 * import { concatAll } from "fp-ts/Monoid";
 * const tx = concatAll(optim.monoid)([optim.clip(1), optim.scale(-0.1)]);
 */
export const monoid: Monoid<GradientTransformation<any>> = {
  concat: (x, y) => chain(x, y),
  empty: identity(),
};

/**
 * Adds updates to parameters: `params + updates`, leaf by leaf, in each parameter's dtype.
 * A `null` update leaves its parameter unchanged.
 *
 * @example
 * let params = { w: np.array([1, 2]) };
 * params = optim.applyUpdates(params, { w: np.array([0.5, -1]) });   // { w: [1.5, 1] }
 * @throws Error if the trees differ in structure (both are printed).
 */
export function applyUpdates<P>(params: P, updates: unknown): P {
  return scope(() => tree.map((p: NDArray | null, u: NDArray | null) => {
    if (u === null || u === undefined) return p;
    const pa = np.asarray(p as NDArray);
    return np.add(pa, u).astype(pa.dtype);
  }, params, updates));
}

/** Zeros shaped like each leaf of `t` (numbers become float32 scalars). @internal */
export const zerosLikeTree = <T>(t: T): T => tree.map((x: NDArray | number) => np.zerosLike(np.asarray(x as NDArray)), t);

/** The `params` argument, or an error naming the transformation that needs it. @internal */
export function needParams<U>(name: string, params: U | undefined): U {
  if (params === undefined || params === null) {
    throw new TypeError(`optim.${name}: update needs the parameters; call tx.update(updates, state, params)`);
  }
  return params;
}

/** An int32 step counter starting at 0. @internal */
export const zeroCount = (): NDArray => np.zeros([], { dtype: "int32" });

/** `count + 1`, saturating at the largest int32 (Optax's safe_int32_increment). @internal */
export const increment = (count: NDArray): NDArray => np.minimum(count, 2147483646).add(1);
