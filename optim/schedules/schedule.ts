/**
 * What a schedule is: a function from the step to a value. Steps come as JS numbers or
 * int32 arrays (an optimizer's step count), so schedules trace under `jit`.
 */
import { NDArray, np } from "../../src/index.ts";

/**
 * A schedule maps a step (a JS number or an int32/float32 scalar array) to a float32 scalar
 * array. Built from np operations, so it traces under `jit` when the step is traced.
 *
 * @example
 * const lr: Schedule = optim.schedules.exponentialDecay(0.1, 1000, 0.5);
 * lr(2000).item()                                   // 0.025
 * lr(np.array(2000, { dtype: "int32" })).item()     // 0.025
 */
export type Schedule = (step: number | NDArray) => NDArray;

/**
 * A value that may vary with the step: a constant (JS number or scalar array) or a schedule.
 *
 * @example
 * const lr: ScalarOrSchedule = 1e-3;
 * const lr2: ScalarOrSchedule = optim.schedules.cosineDecay(1e-3, 10_000);
 */
export type ScalarOrSchedule = number | NDArray | Schedule;

/** The step as a float32 scalar array. @internal */
export function stepArray(step: number | NDArray, fn: string): NDArray {
  if (typeof step === "number") {
    if (!Number.isFinite(step)) throw new TypeError(`${fn}: the step must be a finite number; got ${step}`);
    return np.array(step);
  }
  if (!(step instanceof NDArray) || step.ndim !== 0) {
    throw new TypeError(`${fn}: the step must be a JS number or a scalar array; got ${step instanceof NDArray ? step.aval.str() : typeof step}`);
  }
  return step.dtype === "float32" ? step : step.astype("float32");
}

/**
 * A number or a schedule as a schedule. @internal
 */
export function asSchedule(value: ScalarOrSchedule, name: string): Schedule {
  if (typeof value === "function") return value;
  if (typeof value === "number" || value instanceof NDArray) return () => np.asarray(value).astype("float32");
  throw new TypeError(`optim: ${name} must be a number, a scalar array or a schedule (a function of the step); got ${value === null ? "null" : typeof value}`);
}

/** Checks a positive integer argument of a schedule. @internal */
export function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${name} must be a positive integer; got ${String(v)}`);
  return v;
}

/** Checks a finite number argument of a schedule. @internal */
export function finite(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${fn}: ${name} must be a finite number; got ${String(v)}`);
  return v;
}
