/** LAMB's layer-wise trust ratio (You et al., 2019). */
import { NDArray, np, tree } from "../src/index.ts";
import { needParams, transformation, type EmptyState, type GradientTransformation } from "./transform.ts";

/**
 * Options of {@link scaleByTrustRatio}.
 * @example const o: TrustRatioOptions = { trustCoefficient: 0.001 };
 */
export interface TrustRatioOptions {
  /** Norms below this count as this. Default 0. */
  minNorm?: number;
  /** Multiplies the ratio. Default 1. */
  trustCoefficient?: number;
  /** Added to the update norm. Default 0. */
  eps?: number;
}

const norm = (x: NDArray, minNorm: number): NDArray => np.maximum(np.sqrt(np.sum(x.square())), minNorm);

/**
 * Scales each leaf's update by `‖param‖ / ‖update‖` (1 where either is 0), as
 * `optax.scale_by_trust_ratio`: the layer-wise adaptation of LAMB and LARS. Needs `params`.
 *
 * @example
 * const tx = optim.chain(optim.scaleByAdam(), optim.scaleByTrustRatio(), optim.scaleByLearningRate(1e-3));
 */
export function scaleByTrustRatio({ minNorm = 0, trustCoefficient = 1, eps = 0 }: TrustRatioOptions = {}): GradientTransformation<EmptyState> {
  return transformation<EmptyState>(() => ({}), (updates, state, params) => {
    const out = tree.map((u: NDArray, p: NDArray) => {
      const pNorm = norm(p, minNorm), uNorm = norm(u, minNorm);
      const ratio = pNorm.div(uNorm.add(eps)).mul(trustCoefficient);
      return u.mul(np.where(np.logicalOr(pNorm.eq(0), uNorm.eq(0)), 1, ratio));
    }, updates, needParams("scaleByTrustRatio", params));
    return [out, state];
  });
}
