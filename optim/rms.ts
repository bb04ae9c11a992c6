/** Rescaling by root mean (or sum) squares: RMSProp and Adagrad. */
import { NDArray, np, tree } from "../src/index.ts";
import { updateMoment } from "./moments.ts";
import { transformation, zerosLikeTree, type GradientTransformation, type Scalar } from "./transform.ts";

/**
 * Options of {@link scaleByRms} (and of `rmsprop`).
 * @example const o: RmsOptions = { decay: 0.95, eps: 1e-6 };
 */
export interface RmsOptions {
  /** Decay of the moving average of squared gradients. Default 0.9. */
  decay?: Scalar;
  /** Added to the mean square (inside the square root unless `epsInSqrt` is false). Default 1e-8. */
  eps?: Scalar;
  /** The initial mean square. Default 0. */
  initialScale?: number;
  /** Add `eps` inside the square root (Optax's default) or to it. Default true. */
  epsInSqrt?: boolean;
}

/**
 * State of {@link scaleByRms}: the moving average of squared updates.
 * @example const { nu } = optim.scaleByRms().init({ w: np.zeros([2]) }) as optim.RmsState;
 */
export interface RmsState {
  /** Moving average of the squared updates, shaped like the parameters. */
  nu: unknown;
}

const rescale = (g: NDArray, meanSquare: NDArray, eps: Scalar, epsInSqrt: boolean): NDArray =>
  epsInSqrt ? g.div(np.sqrt(meanSquare.add(eps))) : g.div(np.sqrt(meanSquare).add(eps));

/**
 * Divides updates by the root of a moving average of their squares (RMSProp, Tieleman &
 * Hinton 2012), as `optax.scale_by_rms`.
 *
 * @example
 * const tx = optim.chain(optim.scaleByRms({ decay: 0.9 }), optim.scaleByLearningRate(1e-3));
 */
export function scaleByRms({ decay = 0.9, eps = 1e-8, initialScale = 0, epsInSqrt = true }: RmsOptions = {}): GradientTransformation<RmsState> {
  return transformation<RmsState>(
    (params) => ({ nu: tree.map((p: NDArray) => np.fullLike(np.asarray(p), initialScale), params) }),
    (updates, state) => {
      const nu = updateMoment(updates, state.nu as typeof updates, decay, 2);
      return [tree.map((g: NDArray, v: NDArray) => rescale(g, v, eps, epsInSqrt), updates, nu), { nu }];
    },
  );
}

/**
 * State of {@link scaleByStddev}: moving averages of the updates and of their squares.
 * @example const { mu, nu } = optim.scaleByStddev().init({ w: np.zeros([2]) }) as optim.StddevState;
 */
export interface StddevState {
  /** Moving average of the updates, shaped like the parameters. */
  mu: unknown;
  /** Moving average of the squared updates, shaped like the parameters. */
  nu: unknown;
}

/**
 * Divides updates by a moving estimate of their standard deviation (centered RMSProp,
 * Graves 2013), as `optax.scale_by_stddev`.
 *
 * @example
 * const tx = optim.chain(optim.scaleByStddev(), optim.scaleByLearningRate(1e-3));
 */
export function scaleByStddev({ decay = 0.9, eps = 1e-8, initialScale = 0, epsInSqrt = true }: RmsOptions = {}): GradientTransformation<StddevState> {
  return transformation<StddevState>(
    (params) => ({ mu: zerosLikeTree(params), nu: tree.map((p: NDArray) => np.fullLike(np.asarray(p), initialScale), params) }),
    (updates, state) => {
      const mu = updateMoment(updates, state.mu as typeof updates, decay, 1);
      const nu = updateMoment(updates, state.nu as typeof updates, decay, 2);
      return [tree.map((g: NDArray, m: NDArray, v: NDArray) => rescale(g, v.sub(m.square()), eps, epsInSqrt), updates, mu, nu), { mu, nu }];
    },
  );
}

/**
 * Options of {@link scaleByRss} (and of `adagrad`).
 * @example const o: RssOptions = { initialAccumulatorValue: 0 };
 */
export interface RssOptions {
  /** The initial sum of squares. Default 0.1. */
  initialAccumulatorValue?: number;
  /** Added inside the square root. Default 1e-7. */
  eps?: Scalar;
}

/**
 * State of {@link scaleByRss}: the running sum of squared updates.
 * @example const { sumOfSquares } = optim.scaleByRss().init({ w: np.zeros([2]) }) as optim.RssState;
 */
export interface RssState {
  /** Running sum of the squared updates, shaped like the parameters. */
  sumOfSquares: unknown;
}

/**
 * Divides updates by the root of the running sum of their squares (Adagrad, Duchi et al.
 * 2011), as `optax.scale_by_rss`; where the sum is 0 the update is 0.
 *
 * @example
 * const tx = optim.chain(optim.scaleByRss(), optim.scaleByLearningRate(0.1));
 */
export function scaleByRss({ initialAccumulatorValue = 0.1, eps = 1e-7 }: RssOptions = {}): GradientTransformation<RssState> {
  return transformation<RssState>(
    (params) => ({ sumOfSquares: tree.map((p: NDArray) => np.fullLike(np.asarray(p), initialAccumulatorValue), params) }),
    (updates, state) => {
      const sumOfSquares = tree.map((g: NDArray, s: NDArray) => s.add(g.square()), updates, state.sumOfSquares);
      const out = tree.map((g: NDArray, s: NDArray) => np.where(s.gt(0), g.div(np.sqrt(s.add(eps))), 0), updates, sumOfSquares);
      return [out, { sumOfSquares }];
    },
  );
}
