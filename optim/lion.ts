/** Lion's sign update (Chen et al., "Symbolic Discovery of Optimization Algorithms", 2023). */
import { NDArray, np, tree } from "../src/index.ts";
import { oneMinus, updateMoment } from "./moments.ts";
import { increment, transformation, zeroCount, zerosLikeTree, type GradientTransformation, type Scalar } from "./transform.ts";

/**
 * Options of {@link scaleByLion} (and of `lion`).
 * @example const o: LionOptions = { b1: 0.95, b2: 0.98 };
 */
export interface LionOptions {
  /** Interpolation between momentum and gradient for the sign. Default 0.9. */
  b1?: Scalar;
  /** Decay of the momentum. Default 0.99. */
  b2?: Scalar;
}

/**
 * State of {@link scaleByLion}: the step count and the momentum.
 * @example const { count, mu } = optim.scaleByLion().init({ w: np.zeros([2]) }) as optim.LionState;
 */
export interface LionState {
  /** Updates so far (int32 scalar). */
  count: NDArray;
  /** The momentum, shaped like the parameters. */
  mu: unknown;
}

/**
 * Lion: the update is `sign((1 − b1)·g + b1·m)`, then `m ← (1 − b2)·g + b2·m`, as
 * `optax.scale_by_lion`.
 *
 * @example
 * const tx = optim.chain(optim.scaleByLion(), optim.scaleByLearningRate(1e-4));
 */
export function scaleByLion({ b1 = 0.9, b2 = 0.99 }: LionOptions = {}): GradientTransformation<LionState> {
  return transformation<LionState>(
    (params) => ({ count: zeroCount(), mu: zerosLikeTree(params) }),
    (updates, state) => {
      const out = tree.map((g: NDArray, m: NDArray) => np.sign(g.mul(oneMinus(b1)).add(m.mul(b1))), updates, state.mu);
      const mu = updateMoment(updates, state.mu as typeof updates, b2, 1);
      return [out, { count: increment(state.count), mu }];
    },
  );
}
