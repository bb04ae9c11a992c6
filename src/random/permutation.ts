/** `permutation`: JAX's shuffle by sorting on fresh random 32-bit keys, repeated a few rounds. */
import { NDArray, type ArrayLike } from "../array.ts";
import { asArray } from "../core/constant.ts";
import { normalizeAxis } from "../core/shape.ts";
import { broadcastInDimP, iotaP } from "../lax/structural.ts";
import { sortKeyValU32P } from "../lax/threefry.ts";
import { keyRow, randomBits } from "./bits.ts";
import { checkKey } from "./checks.ts";
import { split, type Key } from "./keys.ts";

/**
 * JAX's `_shuffle`: each round splits the key and sorts `x` along `axis` by fresh random
 * bits of `bitsShape`, broadcast along `axis` when it is 1-D; ties (equal 32-bit keys) keep
 * their order and are undone by the next round. Rounds: ⌈3·ln(count) / ln(2^32 − 1)⌉, a
 * static rule (tjablin@) that makes a full tie between any two elements in every round
 * unlikely; `count` is the number of elements being shuffled.
 */
function shuffle(key: NDArray, x: NDArray, axis: number, bitsShape: readonly number[], count: number): NDArray {
  const rounds = Math.ceil((3 * Math.log(Math.max(1, count))) / Math.log(2 ** 32 - 1));
  let k = key;
  let out = x;
  for (let r = 0; r < rounds; r++) {
    const keys = split(k);
    k = keyRow(keys, 0);
    let bits = randomBits(keyRow(keys, 1), bitsShape);
    if (bits.ndim !== out.ndim) bits = broadcastInDimP.bind1([bits], { shape: out.shape, broadcastDimensions: [axis] });
    out = sortKeyValU32P.bind([bits, out], { dimension: axis })[1]!;
  }
  return out;
}

/**
 * Options of `permutation`.
 *
 * @example
 * const x = np.arange(6).reshape([2, 3]);
 * random.permutation(key, x, { axis: 1, independent: true }).shape   // [2, 3] (each row shuffled on its own)
 */
export interface PermutationOptions {
  /** The axis to permute along. Default 0. */
  axis?: number;
  /** Permute each slice along `axis` independently instead of all alike. Default false. */
  independent?: boolean;
}

/**
 * A random permutation of `0 .. x−1` (int32) for a number `x`, or of an array's entries along
 * `axis`, as `jax.random.permutation`, bit-for-bit: JAX's sort-by-random-keys shuffle.
 * With `independent: true`, each 1-D slice along `axis` gets its own permutation.
 *
 * @example
 * random.permutation(random.key(0), 5).toArray()                           // [1, 0, 4, 3, 2]
 * random.permutation(random.key(0), np.array([[1, 2], [3, 4]])).toArray()  // [[3, 4], [1, 2]]
 * @throws TypeError if `x` is neither a non-negative integer nor an array of rank >= 1.
 */
export function permutation(key: Key, x: number | ArrayLike, { axis = 0, independent = false }: PermutationOptions = {}): NDArray {
  checkKey("permutation", key);
  if (typeof x === "number") {
    if (!Number.isInteger(x) || x < 0) throw new TypeError(`random.permutation: x must be a non-negative integer or an array of rank >= 1; got ${x}`);
    const range = iotaP.bind1([], { dtype: "int32", shape: [x], dimension: 0 });
    return shuffle(key, range, 0, [x], x);
  }
  const arr = asArray(x, "random.permutation: x");
  if (arr.ndim === 0) {
    throw new TypeError(`random.permutation: x must be a non-negative integer or an array of rank >= 1; got ${arr.aval.str()} (to permute 0..n-1, pass n as a JS number)`);
  }
  const ax = normalizeAxis(axis, arr.ndim, "random.permutation: axis");
  if (independent || arr.ndim === 1) return shuffle(key, arr, ax, arr.shape, arr.size);
  // JAX shuffles arange(n) and takes along axis; sorting every slice by the same keys is the same permutation.
  const n = arr.shape[ax]!;
  return shuffle(key, arr, ax, [n], n);
}

