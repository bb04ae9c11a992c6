/** Schedules that decay (or ramp) monotonically: constant, linear, exponential, piecewise constant. */
import { np, type NDArray } from "../../src/index.ts";
import { finite, positiveInt, stepArray, type Schedule } from "./schedule.ts";

/**
 * The same value at every step.
 *
 * @example
 * optim.schedules.constant(0.1)(500).item()   // 0.1
 */
export function constant(value: number): Schedule {
  finite("schedules.constant", "value", value);
  return (step) => { stepArray(step, "schedules.constant"); return np.array(value); };
}

/** Options of {@link linear}. @example const o: LinearOptions = { transitionBegin: 100 }; */
export interface LinearOptions {
  /** Steps before the ramp starts (the value stays `initValue`). Default 0. */
  transitionBegin?: number;
}

/**
 * A linear ramp from `initValue` to `endValue` over `transitionSteps` steps (after
 * `transitionBegin`), constant outside it, as `optax.linear_schedule`. Used for warmup.
 *
 * @example
 * const warmup = optim.schedules.linear(0, 1e-3, 100);
 * warmup(50).item()    // 5e-4
 * warmup(500).item()   // 1e-3
 */
export function linear(initValue: number, endValue: number, transitionSteps: number, { transitionBegin = 0 }: LinearOptions = {}): Schedule {
  const fn = "schedules.linear";
  finite(fn, "initValue", initValue); finite(fn, "endValue", endValue); finite(fn, "transitionBegin", transitionBegin);
  if (transitionSteps === 0) return constant(initValue);
  positiveInt(fn, "transitionSteps", transitionSteps);
  return (step) => {
    const count = np.clip(stepArray(step, fn).sub(transitionBegin), 0, transitionSteps);
    return np.subtract(1, count.div(transitionSteps)).mul(initValue - endValue).add(endValue);
  };
}

/**
 * Options of {@link exponentialDecay}.
 *
 * @example
 * optim.schedules.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5, staircase: true });
 */
export interface ExponentialDecayOptions {
  /** The value at (and before) `transitionBegin`. */
  initValue: number;
  /** Steps over which the value is multiplied by `decayRate` once. */
  transitionSteps: number;
  /** The factor per `transitionSteps` steps (< 1 decays, > 1 grows). */
  decayRate: number;
  /** Decay in whole steps of `transitionSteps` (a staircase) instead of continuously. Default false. */
  staircase?: boolean;
  /** Steps before the decay starts. Default 0. */
  transitionBegin?: number;
  /** A floor (when decaying) or ceiling (when growing) for the value. */
  endValue?: number;
}

/**
 * `initValue · decayRate^((step − transitionBegin) / transitionSteps)`, as
 * `optax.exponential_decay`; with `staircase` the exponent is floored; `endValue` bounds it.
 * Takes either one options object or `(initValue, transitionSteps, decayRate, rest?)`.
 *
 * @example
 * const lr = optim.schedules.exponentialDecay(1, 10, 0.5);
 * lr(20).item()                                                    // 0.25
 * optim.schedules.exponentialDecay(1, 10, 0.5, { staircase: true })(15).item()   // 0.5
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule;
export function exponentialDecay(initValue: number, transitionSteps: number, decayRate: number, rest?: Omit<ExponentialDecayOptions, "initValue" | "transitionSteps" | "decayRate">): Schedule;
export function exponentialDecay(a: ExponentialDecayOptions | number, transitionSteps?: number, decayRate?: number, rest: Partial<ExponentialDecayOptions> = {}): Schedule {
  const o: ExponentialDecayOptions = typeof a === "object" ? a : { ...rest, initValue: a, transitionSteps: transitionSteps!, decayRate: decayRate! };
  const fn = "schedules.exponentialDecay";
  const { initValue, decayRate: rate, staircase = false, transitionBegin = 0, endValue } = o;
  finite(fn, "initValue", initValue); finite(fn, "decayRate", rate); finite(fn, "transitionBegin", transitionBegin);
  if (endValue !== undefined) finite(fn, "endValue", endValue);
  const steps = positiveInt(fn, "transitionSteps", o.transitionSteps);
  return (step) => {
    const count = stepArray(step, fn).sub(transitionBegin);
    let p = count.div(steps);
    if (staircase) p = np.floor(p);
    let value: NDArray = np.where(count.le(0), initValue, np.power(rate, p).mul(initValue));
    if (endValue !== undefined) value = rate < 1 ? np.maximum(value, endValue) : np.minimum(value, endValue);
    return value;
  };
}

/**
 * `initValue`, multiplied by `scale` from each `boundary` step on, as
 * `optax.piecewise_constant_schedule`. Boundaries map to scales: an object `{ step: scale }`
 * or a list of `[step, scale]` pairs.
 *
 * @example
 * const lr = optim.schedules.piecewiseConstant(0.1, { 100: 0.1, 200: 0.5 });
 * lr(99).item()    // 0.1
 * lr(150).item()   // 0.01
 * lr(250).item()   // 0.005
 */
export function piecewiseConstant(initValue: number, boundariesAndScales: Record<number, number> | [number, number][] = {}): Schedule {
  const fn = "schedules.piecewiseConstant";
  finite(fn, "initValue", initValue);
  const pairs = (Array.isArray(boundariesAndScales) ? boundariesAndScales : Object.entries(boundariesAndScales).map(([b, s]) => [Number(b), s] as [number, number]))
    .map(([b, s]) => { finite(fn, "a boundary", b); finite(fn, `the scale at ${b}`, s); return [b, s] as const; })
    .sort((x, y) => x[0] - y[0]);
  return (step) => {
    const count = stepArray(step, fn);
    let value: NDArray = np.array(initValue);
    for (const [b, s] of pairs) value = np.where(count.lt(b), value, value.mul(s));
    return value;
  };
}
