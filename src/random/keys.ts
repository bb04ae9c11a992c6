/**
 * PRNG keys. A key is a raw uint32 array of shape [2], as JAX's legacy
 * `jax.random.PRNGKey`: no special key dtype, so keys are ordinary arrays that `vmap`, `jit`,
 * `tree` and serialization handle like any other leaf. Several keys (from `split`) are a
 * uint32 array of shape [n, 2].
 */
import { NDArray } from "../array.ts";
import { fromFlat } from "../core/constant.ts";
import { concatenateP, reshapeP } from "../lax/structural.ts";
import { convertElementTypeP } from "../lax/elementwise.ts";
import { mappedBits, threefry2x32 } from "./bits.ts";
import { checkKey } from "./checks.ts";

/**
 * A PRNG key: a uint32 array of shape [2] holding threefry2x32 key data (JAX's raw
 * `PRNGKey`). Arrays of keys have shape [n, 2].
 *
 * @example
 * const k: random.Key = random.key(0);
 */
export type Key = NDArray;

const TWO_32 = 2 ** 32;

function seedWord(fn: string, x: number, what: string): number {
  if (!Number.isSafeInteger(x)) {
    throw new TypeError(`random.${fn}: ${what} must be an integer (a safe JS integer); got ${x}`);
  }
  return ((x % TWO_32) + TWO_32) % TWO_32;
}

/** A scalar int32/uint32 array as a uint32 array of shape [1]. */
function integerScalarAsU32(fn: string, x: NDArray, what: string): NDArray {
  if (x.ndim !== 0 || (x.dtype !== "int32" && x.dtype !== "uint32")) {
    throw new TypeError(`random.${fn}: ${what} must be a JS integer or an int32/uint32 scalar array; got ${x.aval.str()}`);
  }
  const u = x.dtype === "uint32" ? x : convertElementTypeP.bind1([x], { newDtype: "uint32" });
  return reshapeP.bind1([u], { newSizes: [1] });
}

/**
 * A PRNG key from an integer seed, as `jax.random.key(seed)` / `PRNGKey(seed)` with JAX's
 * default 32-bit integers: the key data is `[0, seed mod 2^32]`, so negative seeds wrap
 * (`key(-1)` is `[0, 4294967295]`). (JAX with `jax_enable_x64` puts the high 32 bits of a
 * 64-bit seed in the first word instead; seeds in [0, 2^32) agree in both modes.)
 *
 * Arguments: `seed` is a safe JS integer, or an int32/uint32 scalar array (so it can be traced).
 * Returns a uint32 array of shape [2].
 *
 * @example
 * const k = random.key(0);
 * random.keyData(k).toArray()   // [0, 0]
 * random.key(42).toArray()      // [0, 42]
 * @throws TypeError if the seed is not an integer.
 */
export function key(seed: number | NDArray): Key {
  if (seed instanceof NDArray) {
    return concatenateP.bind1([fromFlat([0], [1], "uint32"), integerScalarAsU32("key", seed, "seed")], { dimension: 0 });
  }
  if (typeof seed !== "number") throw new TypeError(`random.key: seed must be an integer; got ${seed === null ? "null" : typeof seed}`);
  return fromFlat([0, seedWord("key", seed, "seed")], [2], "uint32");
}

/**
 * Splits a key into `num` new independent keys, as `jax.random.split` (JAX's original
 * threefry split: the key encrypts the counters 0 .. 2·num−1).
 *
 * Returns a uint32 array of shape [num, 2]; row i is the i-th key (`keys.get(i)`).
 *
 * @example
 * const keys = random.split(random.key(0));
 * keys.toArray()   // [[4146024105, 967050713], [2718843009, 1272950319]]
 * const [k1, k2] = [keys.get(0), keys.get(1)];
 * @throws TypeError if `key` is not a u32[2] key or `num` is not a non-negative integer.
 */
export function split(key: Key, num = 2): Key {
  checkKey("split", key);
  if (!Number.isInteger(num) || num < 0) throw new TypeError(`random.split: num must be a non-negative integer; got ${num}`);
  return mappedBits([key], [num, 2], ([bits]) => bits!);
}

/**
 * A new key from a key and an integer, as `jax.random.fold_in`: deterministic in both, and
 * independent-looking for different `data`, e.g. a step counter or a layer index.
 *
 * Arguments: `data` is a JS integer (taken mod 2^32) or an int32/uint32 scalar array.
 *
 * @example
 * random.foldIn(random.key(0), 1).toArray()   // [928981903, 3453687069]
 * const baseKey = random.key(42);
 * for (let step = 0; step < 3; step++) {
 *   const stepKey = random.foldIn(baseKey, step);   // one key per training step
 * }
 * @throws TypeError if `data` is not an integer.
 */
export function foldIn(key: Key, data: number | NDArray): Key {
  checkKey("foldIn", key);
  const count = data instanceof NDArray
    ? concatenateP.bind1([fromFlat([0], [1], "uint32"), integerScalarAsU32("foldIn", data, "data")], { dimension: 0 })
    : fromFlat([0, seedWord("foldIn", data, "data")], [2], "uint32");
  return threefry2x32(key, count);
}

/**
 * The raw uint32 data of a key or an array of keys, as `jax.random.key_data`. Keys here are
 * already raw uint32 arrays, so this checks the argument and returns it unchanged.
 *
 * @example
 * random.keyData(random.key(7)).toArray()   // [0, 7]
 * @throws TypeError if `keys` is not a uint32 array whose last dimension is 2.
 */
export function keyData(keys: Key): NDArray {
  if (!(keys instanceof NDArray) || keys.dtype !== "uint32" || keys.ndim < 1 || keys.shape[keys.ndim - 1] !== 2) {
    const got = keys instanceof NDArray ? keys.aval.str() : typeof keys;
    throw new TypeError(`random.keyData: expected a key (u32[2]) or an array of keys (u32[..., 2]); got ${got}`);
  }
  return keys;
}
