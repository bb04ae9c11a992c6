/** Hyperparameters that live in the optimizer state. */
import { NDArray, np } from "../src/index.ts";
import { type ScalarOrSchedule } from "./schedules/schedule.ts";
import { increment, transformation, zeroCount, type GradientTransformation } from "./transform.ts";

/**
 * State of {@link injectHyperparams}: the step count, the current hyperparameters (float32
 * scalars: read them, or replace them with {@link setHyperparams}), and the inner state.
 *
 * @example
 * const tx = optim.injectHyperparams((h) => optim.sgd(h.learningRate!), { learningRate: 0.1 });
 * const state = tx.init({ w: np.zeros([2]) }) as optim.InjectState<"learningRate">;
 * state.hyperparams.learningRate.item()   // 0.1
 */
export interface InjectState<K extends string = string> {
  /** Updates so far (int32 scalar): the step the scheduled hyperparameters are evaluated at. */
  count: NDArray;
  /** The current hyperparameters, float32 scalars by name. */
  hyperparams: Record<K, NDArray>;
  /** The inner transformation's state. */
  inner: unknown;
}

const asHyper = (name: string, v: number | NDArray): NDArray => {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`optim.injectHyperparams: ${name} must be finite; got ${v}`);
    return np.array(v);
  }
  if (!(v instanceof NDArray) || v.ndim !== 0) throw new TypeError(`optim.injectHyperparams: ${name} must be a number, a scalar array or a schedule; got ${v instanceof NDArray ? v.aval.str() : typeof v}`);
  return v.astype("float32");
};

/**
 * Moves hyperparameters into the optimizer state, as `optax.inject_hyperparams`: `build`
 * makes the transformation from hyperparameters given as float32 scalar arrays;
 * `hyperparams` gives each one as a number (stored in the state, where it can be read and
 * changed between steps without retracing a jitted step) or a schedule (evaluated at the
 * step count on every update, and stored too, so it can be logged).
 *
 * @example
 * const tx = optim.injectHyperparams(
 *   (h) => optim.adam(h.learningRate!, { b1: h.b1! }),
 *   { learningRate: optim.schedules.cosineDecay(0.001, 1000), b1: 0.9 },
 * );
 * let state = tx.init({ w: np.zeros([2]) });
 * state = optim.setHyperparams(state, { b1: 0.95 });
 * state.hyperparams.learningRate.item()   // 0.001 (at step 0)
 * state.hyperparams.b1.item()             // 0.95
 */
export function injectHyperparams<K extends string>(
  build: (hyperparams: Record<K, NDArray>) => GradientTransformation<any>,
  hyperparams: Record<K, ScalarOrSchedule>,
): GradientTransformation<InjectState<K>> {
  if (typeof build !== "function") throw new TypeError("optim.injectHyperparams: build must be a function from hyperparameters to a GradientTransformation");
  const names = Object.keys(hyperparams) as K[];
  const current = (count: NDArray, stored: Record<K, NDArray> | null): Record<K, NDArray> => Object.fromEntries(names.map((k) => {
    const v = hyperparams[k];
    return [k, typeof v === "function" ? v(count).astype("float32") : stored ? stored[k] : asHyper(k, v)];
  })) as Record<K, NDArray>;
  return transformation<InjectState<K>>(
    (params) => {
      const count = zeroCount();
      const h = current(count, null);
      return { count, hyperparams: h, inner: build(h).init(params) };
    },
    (updates, state, params) => {
      const h = current(state.count, state.hyperparams);
      const [out, inner] = build(h).update(updates, state.inner, params);
      return [out, { count: increment(state.count), hyperparams: h, inner }];
    },
  );
}

/**
 * A copy of an {@link injectHyperparams} state (or a chain state containing one) with some
 * hyperparameters replaced. A scheduled hyperparameter is recomputed at the next update, so
 * setting it has no lasting effect.
 *
 * @example
 * const tx = optim.injectHyperparams((h) => optim.sgd(h.learningRate!), { learningRate: 0.1 });
 * let state = tx.init({ w: np.zeros([2]) });
 * state = optim.setHyperparams(state, { learningRate: 0.0001 });
 * state.hyperparams.learningRate.item()   // 0.0001
 * @throws TypeError if no injectHyperparams state holds one of the names.
 */
export function setHyperparams<S>(state: S, values: Record<string, number | NDArray>): S {
  const found = new Set<string>();
  const visit = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(visit);
    if (s === null || typeof s !== "object" || s instanceof NDArray) return s;
    const o = s as Record<string, unknown>;
    if (o.count instanceof NDArray && o.hyperparams && typeof o.hyperparams === "object" && "inner" in o) {
      const h = { ...(o.hyperparams as Record<string, NDArray>) };
      for (const [k, v] of Object.entries(values)) if (k in h) { h[k] = asHyper(k, v); found.add(k); }
      return { ...o, hyperparams: h, inner: visit(o.inner) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, visit(v)]));
  };
  const out = visit(state) as S;
  const missing = Object.keys(values).filter((k) => !found.has(k));
  if (missing.length > 0) throw new TypeError(`optim.setHyperparams: no injectHyperparams state holds ${missing.map((m) => JSON.stringify(m)).join(", ")}`);
  return out;
}
