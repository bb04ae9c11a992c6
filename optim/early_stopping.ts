/** Stopping training when a monitored value stops improving. */
import { NDArray } from "../src/index.ts";

/**
 * Options of {@link earlyStopping}.
 * @example const o: EarlyStoppingOptions = { patience: 5, minDelta: 1e-3, mode: "max" };
 */
export interface EarlyStoppingOptions {
  /** How many updates without improvement to allow before stopping. */
  patience: number;
  /** The smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** `"min"` for losses, `"max"` for accuracies. Default min. */
  mode?: "min" | "max";
}

/**
 * State of {@link earlyStopping}: plain JS numbers (it runs between steps, on the host).
 * @example
 * const es = optim.earlyStopping({ patience: 1 });
 * const state: optim.EarlyStoppingState = es.update(es.update(es.init(), 0.5), 0.7);
 * state.stop       // true
 * state.improved   // false
 */
export interface EarlyStoppingState {
  /** The best value seen so far (±Infinity before the first). */
  best: number;
  /** The update (0-based) at which `best` was seen; -1 before the first. */
  bestStep: number;
  /** Updates so far. */
  step: number;
  /** Updates since the last improvement. */
  wait: number;
  /** Whether the last update improved on the best value. */
  improved: boolean;
  /** Whether training should stop: `wait >= patience`. */
  stop: boolean;
}

/**
 * The early-stopping rule, as a pure `init`/`update` pair like a gradient transformation.
 * @example const es: EarlyStopping = optim.earlyStopping({ patience: 3 });
 */
export interface EarlyStopping {
  /** The state before any value is seen. */
  init(): EarlyStoppingState;
  /** The state after observing `value` (a number or a scalar array, read synchronously). */
  update(state: EarlyStoppingState, value: number | NDArray): EarlyStoppingState;
}

/**
 * Early stopping (as Keras' `EarlyStopping`): feed it the monitored value after each epoch;
 * `stop` turns true after `patience` epochs without an improvement of more than `minDelta`,
 * and `improved` says when to keep a copy of the parameters. A NaN never improves.
 *
 * @example
 * const es = optim.earlyStopping({ patience: 3, mode: "min" });
 * let s = es.init();
 * for (const loss of [1.0, 0.8, 0.81, 0.82, 0.83]) s = es.update(s, loss);
 * s.stop        // true
 * s.best        // 0.8
 * s.bestStep    // 1
 */
export function earlyStopping({ patience, minDelta = 0, mode = "min" }: EarlyStoppingOptions): EarlyStopping {
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`optim.earlyStopping: patience must be a non-negative integer; got ${patience}`);
  if (!(minDelta >= 0)) throw new RangeError(`optim.earlyStopping: minDelta must be non-negative; got ${minDelta}`);
  if (mode !== "min" && mode !== "max") throw new TypeError(`optim.earlyStopping: mode must be "min" or "max"; got ${JSON.stringify(mode)}`);
  const sign = mode === "min" ? 1 : -1;
  return {
    init: () => ({ best: sign * Infinity, bestStep: -1, step: 0, wait: 0, improved: false, stop: false }),
    update: (s, value) => {
      const v = value instanceof NDArray ? Number(value.item()) : value;
      if (typeof v !== "number") throw new TypeError(`optim.earlyStopping: update takes a number or a scalar array; got ${typeof value}`);
      const improved = !Number.isNaN(v) && sign * (s.best - v) > minDelta;
      const wait = improved ? 0 : s.wait + 1;
      return {
        best: improved ? v : s.best,
        bestStep: improved ? s.step : s.bestStep,
        step: s.step + 1,
        wait,
        improved,
        stop: !improved && wait >= Math.max(patience, 1),
      };
    },
  };
}
