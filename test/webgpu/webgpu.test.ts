/** The webgpu backend under Dawn (SwiftShader without a GPU): reads, limits and errors. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dispose, getBackend, lax, np, scope, setBackend } from "../../src/index.ts";
import { tf } from "../../src/backend/index.ts";

describe("webgpu backend", () => {
  beforeAll(async () => { await setBackend("webgpu"); }, 120_000);
  afterAll(async () => { await setBackend("wasm"); });

  test("runs for real and reads asynchronously", async () => {
    expect(getBackend()).toBe("webgpu");
    expect(tf.getBackend()).toBe("webgpu");
    const x = np.linspace(0, 1, 4096).reshape([64, 64]);
    const y = np.matmul(x, x.T);
    const expected = (await np.sum(x.get(0).square()).itemAsync()) as number;
    expect((await y.get(0).get(0).itemAsync()) as number).toBeCloseTo(expected, 3);
    expect(await np.array([[1, 2], [3, 4]]).toStringAsync()).toBe("[[1. 2.]\n [3. 4.]]");
  });

  test("sync reads name the async alternative", () => {
    const x = np.ones([3]);
    expect(() => x.toArray()).toThrow(/toArray\(\) reads synchronously, which the webgpu backend cannot do in Node; use await x.toArrayAsync\(\) instead/);
    expect(() => x.item()).toThrow(/item\(\) needs an array with exactly one element/);
    expect(() => np.ones([]).item()).toThrow(/use await x.itemAsync\(\)/);
    expect(() => x.dataSync()).toThrow(/use await x.data\(\)/);
  });

  test("rank above 6 is refused with the shape and a fix", () => {
    const x = np.ones([1, 1, 1, 1, 1, 1]);
    expect(() => lax.expandDims(x, [0])).toThrow(/the webgpu backend supports arrays of rank at most 6; this result would be f32\[1,1,1,1,1,1,1\] \(rank 7\)/);
  });

  test("no tensors leak across many operations", async () => {
    const x = np.linspace(-1, 1, 256).reshape([16, 16]);
    dispose(scope(() => np.tanh(np.matmul(x, x)).sum())); // warm up the buffer pool
    const before = tf.memory();
    for (let i = 0; i < 50; i++) dispose(scope(() => np.tanh(np.matmul(x, x)).sum()));
    const after = tf.memory() as { numTensors: number; numBytes: number; numBytesInGPU?: number };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    // GPU bytes may shrink as tfjs recycles buffers; they must not grow.
    expect(after.numBytesInGPU!).toBeLessThanOrEqual((before as typeof after).numBytesInGPU!);
    dispose(x);
  });
});
