/** Splitting a dataset into training and test parts. */
import { NDArray } from "../array.ts";
import { scope } from "../memory.ts";
import * as np from "../np/index.ts";
import { permutation, type Key } from "../random/index.ts";
import * as tree from "../tree/index.ts";

/** The number of examples of a pytree of arrays that share their first axis. @internal */
export function exampleCount(fn: string, data: unknown): number {
  const leaves = tree.leaves(data);
  if (leaves.length === 0) throw new TypeError(`${fn}: data has no arrays`);
  let n = -1;
  for (const [path, leaf] of tree.leavesWithPath(data)) {
    if (!(leaf instanceof NDArray) || leaf.ndim === 0) {
      throw new TypeError(`${fn}: every leaf of data must be an array with a first (example) axis; ${tree.keystr(path) || "data"} is ${leaf instanceof NDArray ? `a scalar ${leaf.aval.str()}` : typeof leaf}`);
    }
    if (n === -1) n = leaf.shape[0]!;
    else if (leaf.shape[0] !== n) throw new RangeError(`${fn}: the leaves of data must have the same number of examples (first axis); ${tree.keystr(path)} has ${leaf.shape[0]}, an earlier leaf ${n}`);
  }
  return n;
}

/**
 * What {@link trainTestSplit} returns: the two parts, each shaped like the data.
 * @example const { train, test }: Split<{ x: NDArray }> = trainTestSplit({ x: np.zeros([8, 2]) });
 */
export interface Split<T> {
  /** The training part. */
  train: T;
  /** The test part. */
  test: T;
}

/**
 * Options of {@link trainTestSplit}.
 * @example const o: SplitOptions = { testSize: 0.2, key: random.key(0) };
 */
export interface SplitOptions {
  /** Fraction of the examples (in (0, 1)) or number of examples (an integer ≥ 1) for the test part. Default 0.25. */
  testSize?: number;
  /** Shuffle with this PRNG key before splitting; without one the last examples are the test part. */
  key?: Key;
}

/**
 * Splits a dataset (a pytree of arrays sharing their first axis, e.g. `{ x, y }`) into a
 * training and a test part, as scikit-learn's `train_test_split` (the test size is rounded
 * up). With a key the examples are shuffled first, reproducibly.
 *
 * @example
 * const { train, test } = trainTestSplit(loadDigits(), { testSize: 0.2, key: random.key(0) });
 * train.x.shape   // [1437, 64]
 * test.x.shape    // [360, 64]
 * @throws RangeError if the sizes leave either part empty.
 */
export function trainTestSplit<T>(data: T, { testSize = 0.25, key }: SplitOptions = {}): Split<T> {
  const n = exampleCount("trainTestSplit", data);
  const nTest = testSize > 0 && testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!Number.isInteger(nTest) || nTest < 1 || nTest >= n) {
    throw new RangeError(`trainTestSplit: testSize must be a fraction in (0, 1) or an integer in [1, ${n - 1}] for ${n} examples; got ${testSize}`);
  }
  return scope(() => {
    if (key === undefined) {
      const part = (lo: number, hi: number) => tree.map((x: NDArray) => np.slice(x, [lo], [hi]), data);
      return { train: part(0, n - nTest), test: part(n - nTest, n) };
    }
    const perm = permutation(key, n);
    const part = (lo: number, hi: number) => {
      const idx = np.slice(perm, [lo], [hi]);
      return tree.map((x: NDArray) => np.take(x, idx, { axis: 0 }), data);
    };
    return { test: part(0, nTest), train: part(nTest, n) };
  });
}
