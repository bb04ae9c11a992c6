/**
 * `gradus/data`: datasets and the plumbing around them. The handwritten digits and the
 * iris flowers are embedded; Fashion-MNIST is read from the Debian package's idx files.
 * Splitting, batching and image augmentation are pure functions of PRNG keys.
 *
 * @example
 * import { loadDigits, trainTestSplit, batches } from "gradus/data";
 * import { random } from "gradus";
 * const { train, test } = trainTestSplit(loadDigits(), { testSize: 0.2, key: random.key(0) });
 * let seen = 0;
 * for (const { x, y } of batches(train, { batchSize: 64, key: random.key(1) })) seen += x.shape[0]!;
 * seen   // 1437
 * @module gradus/data
 */
export type { Dataset } from "./dataset.ts";
export { loadDigits } from "./digits.ts";
export { loadIris, type IrisDataset } from "./iris.ts";
export { loadFashionMnist, fashionMnistClasses, type FashionMnist } from "./fashion_mnist.ts";
export { trainTestSplit, type SplitOptions, type Split } from "./split.ts";
export { batches, type Batches, type BatchOptions } from "./batches.ts";
export { randomFlip, randomShift, gaussianNoise, type FlipOptions, type ShiftOptions, type NoiseOptions } from "./augment.ts";
