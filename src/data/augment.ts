/**
 * Data augmentation for image batches: pure functions of a PRNG key, built from np and lax
 * operations, so they run eagerly or inside a jitted training step.
 */
import type { NDArray } from "../array.ts";
import { scope } from "../memory.ts";
import { dynamicSlice } from "../lax/index.ts";
import * as np from "../np/index.ts";
import { bernoulli, normal, randint, split, type Key } from "../random/index.ts";
import { vmap } from "../../transforms/index.ts";

/** Checks an image batch: [N, H, W] or [N, H, W, C]. */
function checkImages(fn: string, images: NDArray): void {
  if (images.ndim !== 3 && images.ndim !== 4) {
    throw new TypeError(`${fn}: images must be a batch of shape [N, H, W] or [N, H, W, C] (NHWC); got ${images.aval.str()}. Reshape flat images first, e.g. x.reshape([-1, 28, 28, 1])`);
  }
  if (images.dtype !== "float32") throw new TypeError(`${fn}: images must be float32; got ${images.aval.str()}`);
}

/** A per-image flag broadcast against the batch. */
const perImage = (flags: NDArray, images: NDArray): NDArray => flags.reshape([images.shape[0]!, ...images.shape.slice(1).map(() => 1)]);

/**
 * Options of {@link randomFlip}.
 * @example const o: FlipOptions = { horizontal: true, vertical: false, p: 0.5 };
 */
export interface FlipOptions {
  /** Mirror left–right. Default true. */
  horizontal?: boolean;
  /** Mirror top–bottom. Default false. */
  vertical?: boolean;
  /** Probability of each flip, per image. Default 0.5. */
  p?: number;
}

/**
 * Mirrors each image of a batch with probability `p` (left–right, and/or top–bottom),
 * independently per image.
 *
 * @example
 * const images = random.uniform(key, [8, 28, 28, 1]);
 * const augmented = randomFlip(key, images);                      // [N, H, W, C]
 * randomFlip(key, images, { horizontal: false, vertical: true });
 */
export function randomFlip(key: Key, images: NDArray, { horizontal = true, vertical = false, p = 0.5 }: FlipOptions = {}): NDArray {
  checkImages("randomFlip", images);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`randomFlip: p must be in [0, 1]; got ${p}`);
  return scope(() => {
    const [kh, kv] = split(key);
    const n = images.shape[0]!;
    let out = images;
    if (horizontal) out = np.where(perImage(bernoulli(kh!, p, [n]), out), np.flip(out, { axis: 2 }), out);
    if (vertical) out = np.where(perImage(bernoulli(kv!, p, [n]), out), np.flip(out, { axis: 1 }), out);
    return out;
  });
}

/**
 * Options of {@link randomShift}.
 * @example const o: ShiftOptions = { maxShift: 2 };
 */
export interface ShiftOptions {
  /** Largest shift in pixels, in each direction. Default 2. */
  maxShift?: number;
  /** Value for the pixels shifted in. Default 0. */
  fill?: number;
}

/**
 * Translates each image of a batch by a random whole number of pixels in
 * `[−maxShift, maxShift]`, vertically and horizontally (independently per image), filling
 * the uncovered border with `fill`.
 *
 * @example
 * const images = random.uniform(key, [8, 28, 28, 1]);
 * randomShift(key, images, { maxShift: 1 }).shape   // [8, 28, 28, 1]
 */
export function randomShift(key: Key, images: NDArray, { maxShift = 2, fill = 0 }: ShiftOptions = {}): NDArray {
  checkImages("randomShift", images);
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new RangeError(`randomShift: maxShift must be a non-negative integer; got ${maxShift}`);
  if (maxShift === 0) return images;
  return scope(() => {
    const [n, h, w] = images.shape as [number, number, number];
    const rest = images.shape.slice(3);
    const m = maxShift;
    const padded = np.pad(images, [[0, 0], [m, m], [m, m], ...rest.map((): [number, number] => [0, 0])], { constantValues: fill });
    const offsets = randint(key, [n, 2], 0, 2 * m + 1);
    const crop = (img: NDArray, off: NDArray) => dynamicSlice(img, [off.get(0), off.get(1), ...rest.map(() => 0)], [h, w, ...rest]);
    return vmap(crop)(padded, offsets) as NDArray;
  });
}

/**
 * Options of {@link gaussianNoise}.
 * @example const o: NoiseOptions = { std: 0.1, clip: [0, 1] };
 */
export interface NoiseOptions {
  /** Standard deviation of the noise. Default 0.1. */
  std?: number;
  /** Clip the result to `[lo, hi]` (e.g. the pixel range). */
  clip?: [number, number];
}

/**
 * Adds independent Gaussian noise of standard deviation `std` to every pixel.
 *
 * @example
 * const images = random.uniform(key, [8, 28, 28, 1]);
 * const noisy = gaussianNoise(key, images, { std: 0.05, clip: [0, 1] });
 */
export function gaussianNoise(key: Key, images: NDArray, { std = 0.1, clip }: NoiseOptions = {}): NDArray {
  checkImages("gaussianNoise", images);
  if (!(std >= 0)) throw new RangeError(`gaussianNoise: std must be non-negative; got ${std}`);
  return scope(() => {
    const out = images.add(normal(key, images.shape).mul(std));
    return clip ? np.clip(out, clip[0], clip[1]) : out;
  });
}
