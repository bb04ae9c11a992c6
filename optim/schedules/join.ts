/** Sequencing schedules. */
import { np, type NDArray } from "../../src/index.ts";
import { stepArray, type Schedule } from "./schedule.ts";

/**
 * Runs `schedules[0]` until `boundaries[0]`, then `schedules[1]` (whose step restarts at
 * 0) until `boundaries[1]`, and so on, as `optax.join_schedules`. Boundaries are absolute
 * steps, increasing; there is one fewer than there are schedules.
 *
 * @example
 * const { join, linear, constant } = optim.schedules;
 * const lr = join([linear(0, 1, 10), constant(1)], [10]);
 * lr(5).item()    // 0.5
 * lr(20).item()   // 1
 * @throws RangeError if the counts do not match or the boundaries do not increase.
 */
export function join(schedules: Schedule[], boundaries: number[]): Schedule {
  if (!Array.isArray(schedules) || schedules.length === 0 || !schedules.every((s) => typeof s === "function")) {
    throw new TypeError("schedules.join: schedules must be a non-empty array of schedules (functions of the step)");
  }
  if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
    throw new RangeError(`schedules.join: ${schedules.length} schedules need ${schedules.length - 1} boundaries; got ${Array.isArray(boundaries) ? boundaries.length : typeof boundaries}`);
  }
  boundaries.forEach((b, i) => {
    if (!Number.isFinite(b) || (i > 0 && b <= boundaries[i - 1]!)) throw new RangeError(`schedules.join: boundaries must be increasing finite steps; got [${boundaries.join(", ")}]`);
  });
  return (step) => {
    const s = stepArray(step, "schedules.join");
    let value: NDArray = schedules[0]!(s);
    boundaries.forEach((b, i) => { value = np.where(s.lt(b), value, schedules[i + 1]!(s.sub(b))); });
    return value;
  };
}
