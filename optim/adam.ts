/** Adam's rescaling: bias-corrected first and second moments. */
import type { NDArray } from "../src/index.ts";
import { np, tree } from "../src/index.ts";
import { biasCorrection, updateMoment } from "./moments.ts";
import { increment, transformation, zeroCount, zerosLikeTree, type GradientTransformation, type Scalar } from "./transform.ts";

/**
 * Options of {@link scaleByAdam} (and of `adam`, `adamw`, `lamb`).
 * @example const o: AdamOptions = { b1: 0.9, b2: 0.98, eps: 1e-9 };
 */
export interface AdamOptions {
  /** Decay of the first moment. Default 0.9. */
  b1?: Scalar;
  /** Decay of the second moment. Default 0.999. */
  b2?: Scalar;
  /** Added to the denominator outside the square root. Default 1e-8. */
  eps?: Scalar;
  /** Added inside the square root (useful when differentiating through the update). Default 0. */
  epsRoot?: Scalar;
  /** Nesterov momentum (NAdam). Default false. */
  nesterov?: boolean;
}

/**
 * State of {@link scaleByAdam}: the step count and the two moment estimates.
 * @example const { count, mu, nu } = optim.scaleByAdam().init({ w: np.zeros([2]) }) as optim.AdamState;
 */
export interface AdamState {
  /** Updates so far (int32 scalar), for the bias correction. */
  count: NDArray;
  /** Moving average of the updates (first moment), shaped like the parameters. */
  mu: unknown;
  /** Moving average of the squared updates (second moment), shaped like the parameters. */
  nu: unknown;
}

/**
 * Rescales updates with Adam (Kingma & Ba, 2014): `m̂ / (√(v̂ + epsRoot) + eps)` with
 * bias-corrected moving averages `m̂` of the gradients and `v̂` of their squares, as
 * `optax.scale_by_adam`. Combine with `scaleByLearningRate` (that is `adam`).
 *
 * @example
 * const tx = optim.chain(optim.scaleByAdam({ b2: 0.99 }), optim.scaleByLearningRate(1e-3));
 */
export function scaleByAdam({ b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, nesterov = false }: AdamOptions = {}): GradientTransformation<AdamState> {
  return transformation<AdamState>(
    (params) => ({ count: zeroCount(), mu: zerosLikeTree(params), nu: zerosLikeTree(params) }),
    (updates, state) => {
      const mu = updateMoment(updates, state.mu as typeof updates, b1, 1);
      const nu = updateMoment(updates, state.nu as typeof updates, b2, 2);
      const count = increment(state.count);
      const muHat = nesterov
        ? tree.map((m: NDArray, g: NDArray) => m.mul(b1).add(g.mul(typeof b1 === "number" ? 1 - b1 : np.subtract(1, b1))),
          biasCorrection(mu, b1, increment(count)), biasCorrection(updates, b1, count))
        : biasCorrection(mu, b1, count);
      const nuHat = biasCorrection(nu, b2, count);
      const out = tree.map((m: NDArray, v: NDArray) => m.div(np.sqrt(v.add(epsRoot)).add(eps)), muHat, nuHat);
      return [out, { count, mu, nu }];
    },
  );
}
