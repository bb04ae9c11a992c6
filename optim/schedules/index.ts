/**
 * Learning-rate schedules, as `optax.schedules`: functions from the step (a JS number or an
 * int32 array, so they trace under `jit`) to a float32 scalar. Pass one wherever a learning
 * rate is expected.
 *
 * @example
 * import * as optim from "gradus/optim";
 * const lr = optim.schedules.warmupCosineDecay({ initValue: 0, peakValue: 1e-3, warmupSteps: 100, decaySteps: 5000 });
 * const tx = optim.adam(lr);
 * @module
 */
export type { Schedule, ScalarOrSchedule } from "./schedule.ts";
export { constant, linear, exponentialDecay, piecewiseConstant, type LinearOptions, type ExponentialDecayOptions } from "./decay.ts";
export { cosineDecay, warmupCosineDecay, type CosineDecayOptions, type WarmupCosineDecayOptions } from "./cosine.ts";
export { cyclic, oneCycle, type CyclicOptions, type OneCycleOptions } from "./cyclic.ts";
export { join } from "./join.ts";
