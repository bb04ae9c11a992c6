/** Cyclical schedules: triangular cycles (Smith 2017) and the one-cycle policy (Smith 2018). */
import { np, type NDArray } from "../../src/index.ts";
import { finite, positiveInt, stepArray, type Schedule } from "./schedule.ts";

/**
 * Options of {@link cyclic}.
 *
 * @example
 * optim.schedules.cyclic({ baseValue: 1e-4, maxValue: 1e-2, stepSize: 500, mode: "triangular2" });
 */
export interface CyclicOptions {
  /** The lowest value, at the start and end of each cycle. */
  baseValue: number;
  /** The highest value, in the middle of each cycle (scaled by the mode). */
  maxValue: number;
  /** Steps from base to max: half a cycle. */
  stepSize: number;
  /** `"triangular"` (same amplitude), `"triangular2"` (halved each cycle) or `"expRange"` (scaled by `gamma^step`). Default triangular. */
  mode?: "triangular" | "triangular2" | "expRange";
  /** The per-step factor of `"expRange"`. Default 1. */
  gamma?: number;
}

/**
 * A triangular cyclical learning rate (L. Smith, "Cyclical Learning Rates for Training
 * Neural Networks", 2017): rises linearly from `baseValue` to `maxValue` over `stepSize`
 * steps, falls back over the next `stepSize`, and repeats.
 *
 * @example
 * const lr = optim.schedules.cyclic({ baseValue: 0, maxValue: 1, stepSize: 10 });
 * lr(5).item()    // 0.5
 * lr(10).item()   // 1
 * lr(20).item()   // 0
 */
export function cyclic({ baseValue, maxValue, stepSize, mode = "triangular", gamma = 1 }: CyclicOptions): Schedule {
  const fn = "schedules.cyclic";
  finite(fn, "baseValue", baseValue); finite(fn, "maxValue", maxValue); finite(fn, "gamma", gamma);
  positiveInt(fn, "stepSize", stepSize);
  if (mode !== "triangular" && mode !== "triangular2" && mode !== "expRange") {
    throw new TypeError(`${fn}: mode must be "triangular", "triangular2" or "expRange"; got ${JSON.stringify(mode)}`);
  }
  return (step) => {
    const s = stepArray(step, fn);
    const cycle = np.floor(s.div(2 * stepSize).add(1));
    const x = np.abs(s.div(stepSize).sub(cycle.mul(2)).add(1));
    let amplitude: NDArray = np.maximum(np.subtract(1, x), 0).mul(maxValue - baseValue);
    if (mode === "triangular2") amplitude = amplitude.div(np.power(2, cycle.sub(1)));
    else if (mode === "expRange") amplitude = amplitude.mul(np.power(gamma, s));
    return amplitude.add(baseValue);
  };
}

/**
 * Options of {@link oneCycle}.
 *
 * @example
 * optim.schedules.oneCycle({ transitionSteps: 1000, peakValue: 0.1, pctStart: 0.25 });
 */
export interface OneCycleOptions {
  /** Total steps of the cycle; the value stays at its final level afterwards. */
  transitionSteps: number;
  /** The highest value, reached after `pctStart · transitionSteps` steps. */
  peakValue: number;
  /** Fraction of the steps spent rising. Default 0.3. */
  pctStart?: number;
  /** The start value is `peakValue / divFactor`. Default 25. */
  divFactor?: number;
  /** The final value is the start value / `finalDivFactor`. Default 1e4. */
  finalDivFactor?: number;
  /** `"cos"` (cosine annealing in both phases, as `optax.cosine_onecycle_schedule`) or `"linear"`. Default cos. */
  anneal?: "cos" | "linear";
}

/**
 * The one-cycle policy (L. Smith, "Super-Convergence", 2018): from `peakValue / divFactor`
 * up to `peakValue` during the first `pctStart` of the steps, then down to
 * `peakValue / (divFactor · finalDivFactor)`, as `optax.cosine_onecycle_schedule`.
 *
 * @example
 * const lr = optim.schedules.oneCycle({ transitionSteps: 100, peakValue: 1, pctStart: 0.5, divFactor: 10 });
 * lr(0).item()    // 0.1
 * lr(50).item()   // 1
 * lr(100).item()  // 1e-5
 */
export function oneCycle({ transitionSteps, peakValue, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4, anneal = "cos" }: OneCycleOptions): Schedule {
  const fn = "schedules.oneCycle";
  positiveInt(fn, "transitionSteps", transitionSteps);
  finite(fn, "peakValue", peakValue); finite(fn, "divFactor", divFactor); finite(fn, "finalDivFactor", finalDivFactor);
  if (!(pctStart > 0 && pctStart < 1)) throw new RangeError(`${fn}: pctStart must be in (0, 1); got ${pctStart}`);
  if (anneal !== "cos" && anneal !== "linear") throw new TypeError(`${fn}: anneal must be "cos" or "linear"; got ${JSON.stringify(anneal)}`);
  const start = peakValue / divFactor, end = start / finalDivFactor;
  const mid = Math.max(1, Math.floor(pctStart * transitionSteps));
  const interpolate = (from: number, to: number, pct: NDArray): NDArray => anneal === "cos"
    ? np.cos(pct.mul(Math.PI)).add(1).mul((from - to) / 2).add(to)
    : pct.mul(to - from).add(from);
  return (step) => {
    const s = stepArray(step, fn);
    const rising = interpolate(start, peakValue, np.clip(s.div(mid), 0, 1));
    const falling = interpolate(peakValue, end, np.clip(s.sub(mid).div(Math.max(1, transitionSteps - mid)), 0, 1));
    return np.where(s.lt(mid), rising, falling);
  };
}
