/** Splitting, batching and augmentation: pure functions of keys. */
import { beforeAll, describe, expect, test } from "vitest";
import { jit, np, random, type NDArray } from "../../src/index.ts";
import { batches, gaussianNoise, loadDigits, randomFlip, randomShift, trainTestSplit } from "../../src/data/index.ts";
import { CPU_BACKENDS, useBackend } from "../helpers.ts";

const rows = (x: NDArray) => (x.toArray() as number[][]).map((r) => r.join(","));

describe("trainTestSplit", () => {
  test("sizes as scikit-learn (test rounded up), a partition of the examples, pairs kept together", () => {
    const x = np.arange(20).reshape([10, 2]).astype("float32");
    const y = np.arange(10, undefined, 1, { dtype: "int32" });
    const { train, test: t } = trainTestSplit({ x, y }, { testSize: 0.25, key: random.key(0) });
    expect(train.x.shape).toEqual([7, 2]);
    expect(t.x.shape).toEqual([3, 2]);
    const ids = [...(train.y.toArray() as number[]), ...(t.y.toArray() as number[])];
    expect([...ids].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    (train.x.toArray() as number[][]).forEach((r, i) => expect(r[0]).toBe(2 * (train.y.toArray() as number[])[i]!));
    const again = trainTestSplit({ x, y }, { testSize: 0.25, key: random.key(0) });
    expect(again.test.y.toArray()).toEqual(t.y.toArray());
  });

  test("without a key the last examples are the test part; integer sizes; errors", () => {
    const { x } = loadDigits();
    const { train, test: t } = trainTestSplit({ x }, { testSize: 297 });
    expect(train.x.shape).toEqual([1500, 64]);
    expect(rows(t.x)[0]).toBe(rows(np.slice(x, [1500], [1501]))[0]);
    expect(() => trainTestSplit({ x }, { testSize: 1797 })).toThrow(/testSize must be/);
    expect(() => trainTestSplit({ x, y: np.zeros([3]) })).toThrow(/same number of examples/);
  });
});

describe("batches", () => {
  const data = { x: np.arange(10).astype("float32"), y: np.arange(10).astype("int32").mul(10) };

  test("in order without a key; last batch kept or dropped", () => {
    const b = batches(data, { batchSize: 4 });
    expect(b.length).toBe(3);
    expect([...b].map((d) => d.x.toArray())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const d = batches(data, { batchSize: 4, dropLast: true });
    expect(d.length).toBe(2);
    expect([...d]).toHaveLength(2);
  });

  test("shuffled by a key: a permutation, pairs kept, same key same order, other key other order", () => {
    const seen = (k: number) => [...batches(data, { batchSize: 3, key: random.key(k) })];
    const a = seen(0);
    const xs = a.flatMap((d) => d.x.toArray() as number[]);
    expect([...xs].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    a.forEach((d) => expect((d.y.toArray() as number[])).toEqual((d.x.toArray() as number[]).map((v) => v * 10)));
    expect(seen(0).flatMap((d) => d.x.toArray() as number[])).toEqual(xs);
    expect(seen(1).flatMap((d) => d.x.toArray() as number[])).not.toEqual(xs);
  });

  test("bad batch sizes", () => {
    expect(() => batches(data, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});

describe.each(CPU_BACKENDS)("augmentation on %s", (backend) => {
  beforeAll(() => useBackend(backend));
  const images = np.arange(16 * 16).reshape([16, 4, 4, 1]).astype("float32").add(1);

  test("np.tile of a rank-4 batch (a rank-8 broadcast inside; wasm once returned garbage)", () => {
    const t = np.tile(np.arange(4).reshape([1, 2, 2, 1]).astype("float32"), [2, 1, 1, 2]);
    expect(t.reshape([-1]).toArray()).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3]);
  });

  test("randomFlip mirrors some images left-right, leaves the others, per key", () => {
    const out = randomFlip(random.key(2), images);
    const flipped = np.flip(images, { axis: 2 });
    let nflipped = 0;
    for (let i = 0; i < 16; i++) {
      const o = JSON.stringify(out.get(i).toArray());
      const same = o === JSON.stringify(images.get(i).toArray());
      const mirrored = o === JSON.stringify(flipped.get(i).toArray());
      expect(same || mirrored).toBe(true);
      if (mirrored) nflipped++;
    }
    expect(nflipped).toBeGreaterThan(2);
    expect(nflipped).toBeLessThan(14);
    expect(randomFlip(random.key(2), images).toArray()).toEqual(out.toArray());
    const v = randomFlip(random.key(0), images, { horizontal: false, vertical: true, p: 1 });
    expect(v.toArray()).toEqual(np.flip(images, { axis: 1 }).toArray());
  });

  test("randomShift translates with zero fill, within maxShift, and keeps every pixel's value", () => {
    const out = randomShift(random.key(1), images, { maxShift: 1 });
    expect(out.shape).toEqual([16, 4, 4, 1]);
    for (let i = 0; i < 16; i++) {
      const src = images.get(i).reshape([4, 4]).toArray() as number[][];
      const dst = out.get(i).reshape([4, 4]).toArray() as number[][];
      // find the shift that explains dst
      const ok = [-1, 0, 1].some((dy) => [-1, 0, 1].some((dx) => dst.every((r, y) => r.every((v, x) => {
        const sy = y + dy, sx = x + dx;
        return v === (sy >= 0 && sy < 4 && sx >= 0 && sx < 4 ? src[sy]![sx]! : 0);
      }))));
      expect(ok).toBe(true);
    }
    const moved = Array.from({ length: 16 }, (_, i) => JSON.stringify(out.get(i).toArray()) !== JSON.stringify(images.get(i).toArray()));
    expect(moved.filter(Boolean).length).toBeGreaterThan(8);   // 8 of 9 shifts move the image
    const jitted = jit((k: NDArray, x: NDArray) => randomShift(k, x, { maxShift: 1 }));
    expect(jitted(random.key(1), images).toArray()).toEqual(out.toArray());
    expect(randomShift(random.key(1), images.reshape([16, 4, 4]), { maxShift: 2 }).shape).toEqual([16, 4, 4]);
  });

  test("gaussianNoise has the requested spread and clips", () => {
    const zeros = np.zeros([8, 16, 16, 1]);
    const noisy = gaussianNoise(random.key(0), zeros, { std: 0.5 });
    expect(np.std(noisy).item()).toBeCloseTo(0.5, 1);
    const clipped = gaussianNoise(random.key(0), zeros, { std: 0.5, clip: [0, 1] });
    expect(np.min(clipped).item()).toBe(0);
    expect(() => gaussianNoise(random.key(0), np.zeros([16]))).toThrow(/\[N, H, W\] or \[N, H, W, C\]/);
  });
});
