/** Mini-batches of a dataset, optionally shuffled by a key. */
import type { NDArray } from "../array.ts";
import { dispose, scope } from "../memory.ts";
import * as np from "../np/index.ts";
import { permutation, type Key } from "../random/index.ts";
import * as tree from "../tree/index.ts";
import { exampleCount } from "./split.ts";

/**
 * Options of {@link batches}.
 * @example const o: BatchOptions = { batchSize: 128, key: random.key(3), dropLast: true };
 */
export interface BatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle with this PRNG key (a new key per epoch gives a new order); without one, in order. */
  key?: Key;
  /** Drop the last batch if it is smaller than `batchSize` (so a jitted step sees one shape). Default false. */
  dropLast?: boolean;
}

/**
 * The batches of one pass over a dataset: iterable (each iteration yields the same
 * batches) and with a `length`.
 * @example
 * const train = { x: np.zeros([10, 2]), y: np.zeros([10]) };
 * const parts: Batches<typeof train> = batches(train, { batchSize: 4 });
 * parts.length   // 3
 * Array.from(parts, (b) => b.x.shape[0])   // [4, 4, 2]
 */
export interface Batches<T> extends Iterable<T> {
  /** Number of batches. */
  readonly length: number;
}

/**
 * Splits a dataset (a pytree of arrays sharing their first axis, e.g. `{ x, y }`) into
 * mini-batches of `batchSize` examples, shuffled by `key` if one is given. A pure function
 * of the key: the same key gives the same batches. Batches are created lazily; dispose them
 * (or iterate inside `scope`) in long loops.
 *
 * @example
 * const data = { x: np.arange(10).astype("float32"), y: np.arange(10) };
 * for (let epoch = 0; epoch < 2; epoch++) {
 *   for (const batch of batches(data, { batchSize: 4, key: random.key(epoch), dropLast: true })) {
 *     // one training step on batch.x, batch.y (shapes [4])
 *   }
 * }
 * batches(data, { batchSize: 4 }).length                   // 3
 * batches(data, { batchSize: 4, dropLast: true }).length   // 2
 */
export function batches<T>(data: T, { batchSize, key, dropLast = false }: BatchOptions): Batches<T> {
  const n = exampleCount("batches", data);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batches: batchSize must be a positive integer; got ${batchSize}`);
  const length = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  return {
    length,
    *[Symbol.iterator](): Iterator<T> {
      const perm: NDArray | null = key === undefined ? null : permutation(key, n);
      try {
        for (let b = 0; b < length; b++) {
          const lo = b * batchSize, hi = Math.min(n, lo + batchSize);
          yield scope(() => {
            if (perm === null) return tree.map((x: NDArray) => np.slice(x, [lo], [hi]), data);
            const idx = np.slice(perm, [lo], [hi]);
            return tree.map((x: NDArray) => np.take(x, idx, { axis: 0 }), data);
          });
        }
      } finally {
        dispose(perm);
      }
    },
  };
}
