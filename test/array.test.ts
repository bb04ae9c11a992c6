import { inspect } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { dispose, keep, np, scope } from "../src/index.ts";
import { tf } from "../src/backend/index.ts";
import { CPU_BACKENDS, useBackend } from "./helpers.ts";

describe.each(CPU_BACKENDS)("NDArray on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("shape, dtype, ndim, size and methods", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]]);
    expect([x.shape, x.dtype, x.ndim, x.size]).toEqual([[2, 3], "float32", 2, 6]);
    expect(x.add(1).mul(2).sum().item()).toBe(54);
    expect(x.mean({ axis: 1 }).toArray()).toEqual([2, 5]);
    expect(x.matmul(x.T).toArray()).toEqual([[14, 32], [32, 77]]);
    expect(x.astype("int32").dtype).toBe("int32");
    expect(x.gt(3).toArray()).toEqual([[false, false, false], [true, true, true]]);
    expect(x.neg().max().item()).toBe(-1);
  });

  test("reads: toArray, item, dataSync and the async twins", async () => {
    const x = np.array([[1, 2], [3, 4]]);
    expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(await x.toArrayAsync()).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(await x.data())).toEqual([1, 2, 3, 4]);
    expect(np.array(5).item()).toBe(5);
    expect(await np.array(true).itemAsync()).toBe(true);
    expect(() => x.item()).toThrow(/item\(\) needs an array with exactly one element; got shape \[2, 2\] \(4 elements\)/);
  });

  test("prints like NumPy", () => {
    expect(np.array([[1, 2], [3, 4]]).toString()).toBe("[[1. 2.]\n [3. 4.]]");
    expect(inspect(np.array([[1, 2], [3, 4]]))).toBe("Array([[1., 2.],\n       [3., 4.]], dtype=float32)");
    expect(np.array([0.5, 1.25, -3]).toString()).toBe("[ 0.5   1.25 -3.  ]");
    expect(np.array([1, 2], { dtype: "int32" }).toString()).toBe("[1 2]");
    expect(np.array([true, false]).toString()).toBe("[ True False]");
    expect(np.array(3.5).toString()).toBe("3.5");
    expect(np.array([1e-5, 1]).toString()).toBe("[1.e-05 1.e+00]");
    expect(np.arange(2000).toString()).toBe("[   0    1    2 ... 1997 1998 1999]");
  });

  test("disposed arrays say so", () => {
    const x = np.ones([2]);
    dispose(x);
    expect(() => x.add(1)).toThrow(/f32\[2\] array was disposed/);
  });

  test("scope releases intermediates and keeps the result", () => {
    const before = tf.memory().numTensors;
    const y = scope(() => {
      const a = np.ones([3]);
      const b = a.mul(2).add(1);
      return { b, c: np.exp(b) };
    });
    expect(tf.memory().numTensors - before).toBe(2);
    expect(y.b.toArray()).toEqual([3, 3, 3]);
    dispose(y);
    expect(tf.memory().numTensors).toBe(before);
  });

  test("1000 np operations inside scope leave the tensor count and bytes unchanged", () => {
    const x = keep(np.linspace(-1, 1, 64).reshape([8, 8]));
    const before = tf.memory();
    scope(() => {
      let acc = x;
      for (let i = 0; i < 1000; i++) {
        acc = np.tanh(np.matmul(acc, x).mul(0.1).add(np.mean(acc, { axis: 0 })));
      }
      return null;
    });
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    dispose(x);
  });

  test("np functions release their own temporaries even outside a scope", () => {
    const x = np.arange(10).astype("float32");
    const before = tf.memory().numTensors;
    const y = np.logsumexp(x);
    const z = np.clip(x, 2, 5);
    const w = np.einsum("i,i->", x, x);
    expect(tf.memory().numTensors - before).toBe(3);
    dispose([x, y, z, w]);
  });

  test("scope refuses async functions", () => {
    expect(() => scope((async () => 1) as never)).toThrow(/a scope cannot span an await/);
  });
});
