/** The dataset loaders: embedded digits and iris, Fashion-MNIST from its idx files. */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { np } from "../../src/index.ts";
import { fashionMnistClasses, loadDigits, loadFashionMnist, loadIris } from "../../src/data/index.ts";

const counts = (y: number[], k: number) => Array.from({ length: k }, (_, c) => y.filter((v) => v === c).length);

describe("loadDigits", () => {
  test("1797 images of 64 pixels in 0..16, int32 labels with scikit-learn's class counts", () => {
    const { x, y } = loadDigits();
    expect(x.shape).toEqual([1797, 64]);
    expect(x.dtype).toBe("float32");
    expect(y.shape).toEqual([1797]);
    expect(y.dtype).toBe("int32");
    expect(np.min(x).item()).toBe(0);
    expect(np.max(x).item()).toBe(16);
    expect(counts(y.toArray() as number[], 10)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // the first image is a 0 (as in scikit-learn's digits.images[0])
    expect((x.get(0).toArray() as number[]).slice(0, 8)).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
    expect(y.get(0).item()).toBe(0);
  });

  test("each call returns fresh arrays", () => {
    const a = loadDigits(), b = loadDigits();
    expect(a.x === b.x).toBe(false);
    expect(a.x.toArray()).toEqual(b.x.toArray());
  });
});

describe("loadIris", () => {
  test("150 flowers, 4 features, 3 balanced classes, names", () => {
    const { x, y, targetNames, featureNames } = loadIris();
    expect(x.shape).toEqual([150, 4]);
    expect(y.dtype).toBe("int32");
    expect(counts(y.toArray() as number[], 3)).toEqual([50, 50, 50]);
    expect(targetNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(featureNames).toHaveLength(4);
    const first = x.get(0).toArray() as number[];
    [5.1, 3.5, 1.4, 0.2].forEach((v, i) => expect(first[i]).toBeCloseTo(v, 5));
  });
});

const FASHION = "/usr/share/datasets/fashion-mnist";

describe.skipIf(!existsSync(FASHION))("loadFashionMnist (apt-get install dataset-fashion-mnist)", () => {
  test("60000 + 10000 images of 784 pixels in 0..255, 10 balanced classes", () => {
    const { train, test: t } = loadFashionMnist();
    expect(train.x.shape).toEqual([60000, 784]);
    expect(train.y.shape).toEqual([60000]);
    expect(t.x.shape).toEqual([10000, 784]);
    expect(train.x.dtype).toBe("float32");
    expect(train.y.dtype).toBe("int32");
    expect(np.max(t.x).item()).toBe(255);
    expect(np.min(t.x).item()).toBe(0);
    expect(counts(train.y.toArray() as number[], 10)).toEqual(Array(10).fill(6000));
    expect(counts(t.y.toArray() as number[], 10)).toEqual(Array(10).fill(1000));
    expect((train.y.toArray() as number[]).slice(0, 5)).toEqual([9, 0, 0, 3, 0]);   // ankle boot, T-shirt, ...
    expect(fashionMnistClasses[9]).toBe("Ankle boot");
  });
});

describe("loadFashionMnist errors", () => {
  test("a missing directory says how to install the dataset", () => {
    expect(() => loadFashionMnist("/nonexistent/fashion")).toThrow(/apt-get install dataset-fashion-mnist[\s\S]*loadFashionMnist\(dir\)/);
  });

  test("a malformed idx header is named, with the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradus-idx-"));
    const header = (magic: number[], dims: number[]) => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      magic.forEach((v, i) => b.writeUInt8(v, i));
      dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
      return b;
    };
    const images = (n: number) => Buffer.concat([header([0, 0, 8, 3], [n, 2, 2]), Buffer.alloc(n * 4, 7)]);
    const labels = (n: number, magic = [0, 0, 8, 1]) => Buffer.concat([header(magic, [n]), Buffer.alloc(n, 1)]);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(images(3)));
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(labels(3, [0, 0, 9, 1])));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), images(2));   // uncompressed works too
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(labels(2)));
    expect(() => loadFashionMnist(dir)).toThrow(/train-labels-idx1-ubyte\.gz: not an idx file of unsigned bytes/);
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(labels(4)));
    expect(() => loadFashionMnist(dir)).toThrow(/train has 3 images but 4 labels/);
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(labels(3)));
    const { train, test: t } = loadFashionMnist(dir);
    expect(train.x.shape).toEqual([3, 4]);
    expect(t.x.toArray()).toEqual([[7, 7, 7, 7], [7, 7, 7, 7]]);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), images(2).subarray(0, 20));
    expect(() => loadFashionMnist(dir)).toThrow(/promises 8 bytes of data.*holds 4/);
  });
});
