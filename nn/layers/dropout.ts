/** `dropout`: random zeroing in training, the identity in inference. */
import { np, random, type NDArray } from "../../src/index.ts";
import { stateless, type EmptyState, type Key, type Module } from "../module.ts";

/**
 * Inverted dropout as a function: in training each element is zeroed with probability
 * `rate` and the survivors are scaled by 1 / (1 − rate), so the expected value is
 * unchanged; in inference it returns `x`.
 *
 * @example
 * const x = np.ones([4]);
 * nn.applyDropout(x, 0.5, { key: random.key(0), train: true }).shape   // [4]
 * nn.applyDropout(x, 0.5)   // [1, 1, 1, 1] (inference)
 * @throws Error when `train` is true and no key is given.
 */
export function applyDropout(x: NDArray, rate: number, { key, train = false, where = `dropout(${rate})` }: { key?: Key | undefined; train?: boolean | undefined; where?: string } = {}): NDArray {
  if (!train || rate === 0) return x;
  if (key === undefined) {
    throw new Error(`${where}: training needs a PRNG key for the dropout mask: model.apply(params, state, x, { train: true, key: random.key(0) }) (a new key each step, e.g. random.foldIn(key, step))`);
  }
  if (rate === 1) return np.zerosLike(x);
  // A float mask multiply: cheaper than a select on wasm, and its derivative is the same mask.
  const keepMask = random.bernoulli(key, 1 - rate, x.shape).astype("float32");
  return x.mul(keepMask.mul(1 / (1 - rate)));
}

/**
 * Dropout layer (Srivastava et al.), inverted: in training (`{ train: true, key }`) zeroes
 * each element with probability `rate` and scales the rest by 1 / (1 − rate); in
 * inference it is the identity. The same key gives the same mask.
 *
 * Arguments: `rate` in [0, 1]. No parameters.
 *
 * @example
 * const drop = nn.dropout(0.5);
 * const x = np.ones([4]);
 * const [y] = drop.apply({}, {}, x, { train: true, key: random.key(0) });   // zeros and 2s
 * nn.call(drop, {}, x)   // [1, 1, 1, 1]
 * @throws RangeError for a rate outside [0, 1]; Error when training without a key.
 */
export function dropout(rate: number): Module<EmptyState, EmptyState> {
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new RangeError(`dropout: rate must be in [0, 1]; got ${rate}`);
  const name = `dropout(${rate})`;
  return stateless({
    name,
    init: () => ({}),
    apply: (_p, x, { key, train }) => applyDropout(x, rate, { key, train, where: name }),
  });
}
