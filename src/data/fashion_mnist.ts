/** Fashion-MNIST (Zalando Research), read from the idx files the Debian package installs. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { floats, ints, type Dataset } from "./dataset.ts";
import { parseIdx } from "./idx.ts";

/**
 * The ten Fashion-MNIST classes, by label.
 * @example fashionMnistClasses[9]   // "Ankle boot"
 */
export const fashionMnistClasses: readonly string[] = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/**
 * Fashion-MNIST's training and test splits.
 * @example const { train, test }: FashionMnist = loadFashionMnist();
 */
export interface FashionMnist {
  /** The 60000 training images and labels. */
  train: Dataset;
  /** The 10000 test images and labels. */
  test: Dataset;
}

const DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

function readIdx(dir: string, name: string, rank: number): { dims: number[]; data: Uint8Array } {
  const gz = join(dir, `${name}.gz`), plain = join(dir, name);
  const path = existsSync(gz) ? gz : existsSync(plain) ? plain : null;
  if (path === null) {
    throw new Error(
      `loadFashionMnist: ${gz} not found. Install the dataset with \`apt-get install dataset-fashion-mnist\` ` +
      `(Debian/Ubuntu; it goes to ${DEFAULT_DIR}), or pass the directory that holds the four idx files ` +
      "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz): loadFashionMnist(dir)",
    );
  }
  const bytes = readFileSync(path);
  return parseIdx(path.endsWith(".gz") ? gunzipSync(bytes) : bytes, rank, path);
}

function split(dir: string, prefix: "train" | "t10k"): Dataset {
  const images = readIdx(dir, `${prefix}-images-idx3-ubyte`, 3);
  const labels = readIdx(dir, `${prefix}-labels-idx1-ubyte`, 1);
  const [n, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new Error(`loadFashionMnist: ${prefix} has ${n} images but ${labels.dims[0]} labels`);
  return { x: floats(Float32Array.from(images.data), [n, h * w]), y: ints(Int32Array.from(labels.data), [n]) };
}

/**
 * Fashion-MNIST (H. Xiao, K. Rasul, R. Vollgraf, Zalando Research, 2017): 28×28 grayscale
 * images of ten kinds of clothing, 60000 for training and 10000 for testing, read from the
 * gzipped idx files (as the Debian package `dataset-fashion-mnist` installs them).
 *
 * @param dir the directory of the four idx files.
 * @returns `x`: float32 [n, 784] (row-major 28×28, pixels 0..255); `y`: int32 [n], labels 0..9 (see {@link fashionMnistClasses}).
 * @example
 * const { train, test } = loadFashionMnist();
 * train.x.shape                                      // [60000, 784]
 * const images = train.x.div(255).reshape([-1, 28, 28, 1]);
 * @throws Error if the files are missing (saying how to install them) or malformed.
 */
export function loadFashionMnist(dir: string = DEFAULT_DIR): FashionMnist {
  return { train: split(dir, "train"), test: split(dir, "t10k") };
}
