/** Decoupled weight decay. */
import { NDArray, tree } from "../src/index.ts";
import { masked, type Mask } from "./masked.ts";
import { needParams, transformation, type EmptyState, type GradientTransformation, type Scalar } from "./transform.ts";

/**
 * Options of {@link addDecayedWeights}.
 * @example const o: DecayOptions = { mask: (p) => tree.map((x: NDArray) => x.ndim > 1, p) };
 */
export interface DecayOptions {
  /** Decay only the leaves where the mask is true (see {@link Mask}). */
  mask?: Mask;
}

/**
 * Adds `weightDecay · params` to the updates, as `optax.add_decayed_weights`: L2
 * regularization decoupled from the gradient's rescaling (AdamW, Loshchilov & Hutter 2019).
 * Needs `params`.
 *
 * @example
 * const tx = optim.chain(optim.scaleByAdam(), optim.addDecayedWeights(1e-4), optim.scaleByLearningRate(1e-3));
 */
export function addDecayedWeights(weightDecay: Scalar = 0, { mask }: DecayOptions = {}): GradientTransformation<any> {
  const tx = transformation<EmptyState>(() => ({}), (updates, state, params) =>
    [tree.map((u: NDArray, p: NDArray) => u.add(p.mul(weightDecay)), updates, needParams("addDecayedWeights", params)), state]);
  return mask === undefined ? tx : masked(tx, mask);
}
