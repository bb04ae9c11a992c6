/**
 * Random bits in JAX's original ("non-partitionable") threefry scheme, from primitives:
 * `threefry_2x32(key, count)` pairs the first half of the flat counts with the second half
 * (padding an odd count with 0), encrypts each pair, and lays the first outputs before the
 * second ones; `random_bits(key, shape)` is that over `iota(size)`, and `split(key, n)` is
 * random bits of shape [n, 2].
 *
 * Consumers that map bits elementwise (to floats, to a range) apply their map to the two
 * halves before the layout step. The values are the same; the difference is that the
 * concatenate/slice then move float32 (or small int32) data, which tfjs's webgpu kernels copy
 * exactly, instead of uint32 bits, which they round through float32 above 2^24.
 */
import { NDArray } from "../array.ts";
import { fromFlat } from "../core/constant.ts";
import { shapeSize } from "../core/shape.ts";
import { threefry2x32P } from "../lax/threefry.ts";
import { concatenateP, iotaP, reshapeP, sliceP } from "../lax/structural.ts";

/** Elements `[start, stop)` of a rank-1 array. */
export const slice1 = (x: NDArray, start: number, stop: number): NDArray =>
  sliceP.bind1([x], { startIndices: [start], limitIndices: [stop], strides: null });

/** Row `i` of a [n, 2] array of keys, as a key of shape [2]. */
export const keyRow = (keys: NDArray, i: number): NDArray =>
  reshapeP.bind1([sliceP.bind1([keys], { startIndices: [i, 0], limitIndices: [i + 1, 2], strides: null })], { newSizes: [2] });

/** The two halves of the threefry outputs for a flat uint32 `count`, before layout. */
function hashHalves(key: NDArray, count: NDArray): [NDArray, NDArray] {
  const n = count.shape[0]!;
  const half = Math.ceil(n / 2);
  const x0 = slice1(count, 0, half);
  const rest = slice1(count, half, n);
  const x1 = n % 2 === 1 ? concatenateP.bind1([rest, fromFlat([0], [1], "uint32")], { dimension: 0 }) : rest;
  const k0 = reshapeP.bind1([slice1(key, 0, 1)], { newSizes: [] });
  const k1 = reshapeP.bind1([slice1(key, 1, 2)], { newSizes: [] });
  const [y0, y1] = threefry2x32P.bind([k0, k1, x0, x1], {});
  return [y0!, y1!];
}

/** First halves, then second halves, the padding dropped, shaped as `shape`. */
function layout(first: NDArray, second: NDArray, shape: readonly number[]): NDArray {
  const n = shapeSize(shape);
  let flat = concatenateP.bind1([first, second], { dimension: 0 });
  if (flat.shape[0] !== n) flat = slice1(flat, 0, n);
  return reshapeP.bind1([flat], { newSizes: shape });
}

/** JAX's `threefry_2x32(key, count)` for a flat uint32 count: uint32 of the count's shape. */
export function threefry2x32(key: NDArray, count: NDArray): NDArray {
  const [y0, y1] = hashHalves(key, count);
  return layout(y0, y1, count.shape);
}

/**
 * `map` applied elementwise to the random bits of each key in `keys` (JAX's
 * `_threefry_random_bits` for 32 bits), as an array of `shape`. `map` receives one uint32
 * array per key, all laid out alike, and must be elementwise.
 */
export function mappedBits(keys: readonly NDArray[], shape: readonly number[], map: (bits: NDArray[]) => NDArray): NDArray {
  const n = shapeSize(shape);
  if (n >= 2 ** 31) throw new RangeError(`random: cannot draw ${n} values at once (at most 2^31 - 1); draw in parts with split keys`);
  const count = iotaP.bind1([], { dtype: "uint32", shape: [n], dimension: 0 });
  const halves = keys.map((k) => hashHalves(k, count));
  return layout(map(halves.map((h) => h[0])), map(halves.map((h) => h[1])), shape);
}

/** uint32 random bits of `shape` from one key. */
export const randomBits = (key: NDArray, shape: readonly number[]): NDArray => mappedBits([key], shape, ([bits]) => bits!);
