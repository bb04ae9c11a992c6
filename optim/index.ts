/**
 * `gradus/optim`: Optax-style gradient transformations, learning-rate schedules and
 * training helpers. An optimizer is a pair of pure functions `{ init, update }` whose state
 * is a pytree of arrays, so a whole training step can be jitted; optimizers are `chain`s
 * of small transformations.
 *
 * @example
 * import { grad, jit, np, type NDArray } from "gradus";
 * import * as optim from "gradus/optim";
 * type Params = { w: NDArray };
 * const loss = (p: Params) => np.sum(p.w.square());
 * const tx = optim.chain(optim.clipByGlobalNorm(1), optim.adamw(optim.schedules.cosineDecay(0.1, 100)));
 * const step = jit((p: Params, s: unknown) => {
 *   const [updates, next] = tx.update(grad(loss)(p), s, p);
 *   return [optim.applyUpdates(p, updates), next] as const;
 * });
 * let params: Params = { w: np.array([1, -2]) };
 * let state = tx.init(params);
 * [params, state] = step(params, state);
 * params.w   // [0.9, -1.9]
 * @module gradus/optim
 */
export {
  chain, identity, monoid, applyUpdates,
  type GradientTransformation, type Scalar, type EmptyState,
} from "./transform.ts";
export * as schedules from "./schedules/index.ts";
export type { Schedule, ScalarOrSchedule } from "./schedules/schedule.ts";
export { scale, scaleBySchedule, scaleByLearningRate, type ScheduleState, type LearningRateOptions } from "./scale.ts";
export { scaleByAdam, type AdamOptions, type AdamState } from "./adam.ts";
export { scaleByRms, scaleByStddev, scaleByRss, type RmsOptions, type RmsState, type StddevState, type RssOptions, type RssState } from "./rms.ts";
export { trace, type TraceOptions, type TraceState } from "./momentum.ts";
export { scaleByLion, type LionOptions, type LionState } from "./lion.ts";
export { scaleByTrustRatio, type TrustRatioOptions } from "./trust_ratio.ts";
export { addDecayedWeights, type DecayOptions } from "./weight_decay.ts";
export { clip, clipByGlobalNorm, globalNorm } from "./clipping.ts";
export { masked, type Mask, type MaskedState } from "./masked.ts";
export { multiTransform, type MultiTransformState } from "./multi_transform.ts";
export { injectHyperparams, setHyperparams, type InjectState } from "./inject.ts";
export { applyIfFinite, type ApplyIfFiniteState, type ApplyIfFiniteOptions } from "./apply_if_finite.ts";
export { multiSteps, type MultiStepsState, type MultiStepsOptions, type MultiStepsTransformation } from "./multi_steps.ts";
export {
  sgd, adam, adamw, rmsprop, adagrad, lamb, lion,
  type SgdOptions, type AdamWOptions, type RmspropOptions, type LionAliasOptions,
} from "./alias.ts";
export { earlyStopping, type EarlyStopping, type EarlyStoppingOptions, type EarlyStoppingState } from "./early_stopping.ts";
export {
  gridSearch, randomSearch, SearchSpaceCodec,
  type SearchSpace, type Distribution, type SearchResult, type SearchOptions, type RandomSearchOptions, type Trial, type TrialContext, type Objective,
} from "./search.ts";
export { progressBar, type ProgressBar, type ProgressOptions, type ProgressStream } from "./progress.ts";
export { fit, type FitOptions, type FitResult, type EpochLog, type StepContext, type FitEarlyStopping } from "./fit.ts";
