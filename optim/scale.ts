/** Scaling updates: by a constant, by a schedule of the step, by the (negated) learning rate. */
import { NDArray, np, tree } from "../src/index.ts";
import { asSchedule, type Schedule, type ScalarOrSchedule } from "./schedules/schedule.ts";
import { increment, transformation, zeroCount, type EmptyState, type GradientTransformation, type Scalar } from "./transform.ts";

/** Multiplies each update by `factor`, keeping its dtype. @internal */
export const scaleTree = <U>(updates: U, factor: Scalar): U =>
  tree.map((u: NDArray) => (typeof factor === "number" ? u.mul(factor) : u.mul(factor.astype(u.dtype))), updates);

/**
 * Multiplies updates by a constant `step` (a number or a scalar array), as `optax.scale`.
 *
 * @example
 * const [u] = optim.scale(-0.1).update({ w: np.array([1, 2]) }, {});   // { w: [-0.1, -0.2] }
 */
export function scale(step: Scalar): GradientTransformation<EmptyState> {
  if (typeof step === "number" && !Number.isFinite(step)) throw new TypeError(`optim.scale: step must be a finite number or a scalar array; got ${step}`);
  return transformation<EmptyState>(() => ({}), (updates, state) => [scaleTree(updates, step), state]);
}

/**
 * State of {@link scaleBySchedule}: the number of updates so far.
 * @example const s: ScheduleState = { count: np.zeros([], { dtype: "int32" }) };
 */
export interface ScheduleState {
  /** Updates so far (int32 scalar): the step the schedule is evaluated at. */
  count: NDArray;
}

/**
 * Multiplies updates by `schedule(count)`, where `count` is the number of updates so far
 * (an int32 array in the state), as `optax.scale_by_schedule`.
 *
 * @example
 * const tx = optim.scaleBySchedule(optim.schedules.exponentialDecay(1, 10, 0.5));
 * const s = tx.init({ w: np.zeros([2]) });
 * s.count.item()   // 0
 */
export function scaleBySchedule(schedule: Schedule): GradientTransformation<ScheduleState> {
  if (typeof schedule !== "function") throw new TypeError(`optim.scaleBySchedule: expected a schedule (a function of the step); got ${typeof schedule}`);
  return transformation<ScheduleState>(
    () => ({ count: zeroCount() }),
    (updates, { count }) => [scaleTree(updates, schedule(count)), { count: increment(count) }],
  );
}

/**
 * Options of {@link scaleByLearningRate}.
 * @example const o: LearningRateOptions = { flipSign: false };
 */
export interface LearningRateOptions {
  /** Negate the learning rate, so that adding the updates descends. Default true. */
  flipSign?: boolean;
}

/**
 * Multiplies updates by `−learningRate` (a number, a scalar array or a schedule of the
 * step), as `optax.scale_by_learning_rate`. With a schedule the state counts steps.
 *
 * @example
 * optim.scaleByLearningRate(0.1)                                   // scale(-0.1)
 * optim.scaleByLearningRate(optim.schedules.cosineDecay(0.1, 1000))   // counts steps
 */
export function scaleByLearningRate(learningRate: ScalarOrSchedule, { flipSign = true }: LearningRateOptions = {}): GradientTransformation<EmptyState> | GradientTransformation<ScheduleState> {
  const m = flipSign ? -1 : 1;
  if (typeof learningRate === "function") return scaleBySchedule((count) => learningRate(count).mul(m));
  asSchedule(learningRate, "learningRate");   // validates
  return scale(typeof learningRate === "number" ? m * learningRate : np.multiply(learningRate, m));
}
