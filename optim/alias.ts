/**
 * The common optimizers, each literally a `chain` of the transformations above with
 * Optax's defaults. A learning rate is a number, a scalar array or a schedule.
 */
import { scaleByAdam, type AdamOptions } from "./adam.ts";
import { scaleByLion, type LionOptions } from "./lion.ts";
import type { Mask } from "./masked.ts";
import { trace } from "./momentum.ts";
import { scaleByRms, scaleByRss, scaleByStddev, type RmsOptions, type RssOptions } from "./rms.ts";
import { scaleByLearningRate } from "./scale.ts";
import type { ScalarOrSchedule } from "./schedules/schedule.ts";
import { chain, identity, type GradientTransformation, type Scalar } from "./transform.ts";
import { scaleByTrustRatio } from "./trust_ratio.ts";
import { addDecayedWeights } from "./weight_decay.ts";

/**
 * Options of {@link sgd}.
 * @example optim.sgd(0.1, { momentum: 0.9, nesterov: true } satisfies optim.SgdOptions);
 */
export interface SgdOptions {
  /** Momentum coefficient (none by default). */
  momentum?: Scalar;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum, as `optax.sgd`:
 * `chain(trace({ decay: momentum, nesterov }), scaleByLearningRate(lr))`.
 *
 * @example
 * const params = { w: np.array([1]) };
 * const tx = optim.sgd(0.1, { momentum: 0.9 });
 * const [updates, next] = tx.update({ w: np.array([2]) }, tx.init(params));
 * optim.applyUpdates(params, updates).w   // [0.8]
 */
export function sgd(learningRate: ScalarOrSchedule, { momentum, nesterov = false }: SgdOptions = {}): GradientTransformation<any> {
  return chain(momentum === undefined ? identity() : trace({ decay: momentum, nesterov }), scaleByLearningRate(learningRate));
}

/**
 * Adam (Kingma & Ba, 2014), as `optax.adam`: `chain(scaleByAdam(opts), scaleByLearningRate(lr))`.
 * Defaults b1 0.9, b2 0.999, eps 1e-8.
 *
 * @example
 * const tx = optim.adam(optim.schedules.exponentialDecay(1e-3, 1000, 0.5));
 */
export function adam(learningRate: ScalarOrSchedule, options: AdamOptions = {}): GradientTransformation<any> {
  return chain(scaleByAdam(options), scaleByLearningRate(learningRate));
}

/**
 * Options of {@link adamw}.
 * @example optim.adamw(1e-3, { weightDecay: 1e-2, mask: (p) => tree.map((x: NDArray) => x.ndim > 1, p) });
 */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay coefficient. Default 1e-4. */
  weightDecay?: Scalar;
  /** Decay only where the mask is true. */
  mask?: Mask;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as `optax.adamw`:
 * `chain(scaleByAdam, addDecayedWeights(weightDecay, { mask }), scaleByLearningRate(lr))`.
 * The decay is scaled by the learning rate. Needs `params` in `update`.
 *
 * @example
 * const params = { w: np.array([1]) };
 * const tx = optim.adamw(0.1, { weightDecay: 0.01 });
 * const [u] = tx.update({ w: np.zeros([1]) }, tx.init(params), params);
 * optim.applyUpdates(params, u).w   // [0.999] (decay only: the gradient is zero)
 */
export function adamw(learningRate: ScalarOrSchedule, { weightDecay = 1e-4, mask, ...adamOptions }: AdamWOptions = {}): GradientTransformation<any> {
  return chain(scaleByAdam(adamOptions), addDecayedWeights(weightDecay, { mask }), scaleByLearningRate(learningRate));
}

/**
 * Options of {@link rmsprop}.
 * @example optim.rmsprop(1e-3, { decay: 0.95, momentum: 0.9, centered: true });
 */
export interface RmspropOptions extends RmsOptions {
  /** Divide by the standard deviation instead of the root mean square. Default false. */
  centered?: boolean;
  /** Momentum applied after scaling (none by default). */
  momentum?: Scalar;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * RMSProp (Tieleman & Hinton, 2012), as `optax.rmsprop`: `chain(scaleByRms (or
 * scaleByStddev when centered), scaleByLearningRate(lr), trace(momentum))`. Defaults decay
 * 0.9, eps 1e-8.
 *
 * @example
 * const tx = optim.rmsprop(1e-3, { momentum: 0.9 });
 */
export function rmsprop(learningRate: ScalarOrSchedule, { centered = false, momentum, nesterov = false, ...rms }: RmspropOptions = {}): GradientTransformation<any> {
  return chain(
    centered ? scaleByStddev(rms) : scaleByRms(rms),
    scaleByLearningRate(learningRate),
    momentum === undefined ? identity() : trace({ decay: momentum, nesterov }),
  );
}

/**
 * Adagrad (Duchi et al., 2011), as `optax.adagrad`: `chain(scaleByRss(opts),
 * scaleByLearningRate(lr))`. Defaults initialAccumulatorValue 0.1, eps 1e-7.
 *
 * @example
 * const tx = optim.adagrad(0.1);
 */
export function adagrad(learningRate: ScalarOrSchedule, options: RssOptions = {}): GradientTransformation<any> {
  return chain(scaleByRss(options), scaleByLearningRate(learningRate));
}

/**
 * LAMB (You et al., 2019): Adam with weight decay and a layer-wise trust ratio, as
 * `optax.lamb`. Defaults b1 0.9, b2 0.999, eps 1e-6, weightDecay 0. Needs `params`.
 *
 * @example
 * const tx = optim.lamb(1e-3, { weightDecay: 1e-2 });
 */
export function lamb(learningRate: ScalarOrSchedule, { weightDecay = 0, mask, eps = 1e-6, ...adamOptions }: AdamWOptions = {}): GradientTransformation<any> {
  return chain(scaleByAdam({ eps, ...adamOptions }), addDecayedWeights(weightDecay, { mask }), scaleByTrustRatio(), scaleByLearningRate(learningRate));
}

/**
 * Options of {@link lion}.
 * @example optim.lion(1e-4, { weightDecay: 1e-2 } satisfies optim.LionAliasOptions);
 */
export interface LionAliasOptions extends LionOptions {
  /** Decoupled weight decay coefficient. Default 1e-3. */
  weightDecay?: Scalar;
  /** Decay only where the mask is true. */
  mask?: Mask;
}

/**
 * Lion (Chen et al., 2023), as `optax.lion`: `chain(scaleByLion, addDecayedWeights,
 * scaleByLearningRate)`. Defaults b1 0.9, b2 0.99, weightDecay 1e-3; use a learning rate
 * 3–10× smaller than Adam's. Needs `params`.
 *
 * @example
 * const tx = optim.lion(1e-4);
 */
export function lion(learningRate: ScalarOrSchedule, { weightDecay = 1e-3, mask, ...lionOptions }: LionAliasOptions = {}): GradientTransformation<any> {
  return chain(scaleByLion(lionOptions), addDecayedWeights(weightDecay, { mask }), scaleByLearningRate(learningRate));
}
