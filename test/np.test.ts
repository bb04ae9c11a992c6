import { beforeAll, describe, expect, test } from "vitest";
import { np } from "../src/index.ts";
import { CPU_BACKENDS, expectArray, useBackend } from "./helpers.ts";

describe.each(CPU_BACKENDS)("np on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  describe("creation", () => {
    test("array infers float32 / bool and honours dtype", () => {
      expect(np.array([[1, 2], [3, 4]]).dtype).toBe("float32");
      expect(np.array([true, false]).dtype).toBe("bool");
      expect(np.array([1, 2], { dtype: "int32" }).toArray()).toEqual([1, 2]);
      expect(np.array(3).shape).toEqual([]);
    });
    test("zeros, ones, full, likes", () => {
      expect(np.zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
      expect(np.ones([2], { dtype: "int32" }).toArray()).toEqual([1, 1]);
      expect(np.full([2], 7).toArray()).toEqual([7, 7]);
      expect(np.zerosLike(np.ones([2], { dtype: "int32" })).dtype).toBe("int32");
      expect(np.onesLike(np.zeros([1, 1])).toArray()).toEqual([[1]]);
    });
    test("arange, linspace, eye", () => {
      expect(np.arange(4).toArray()).toEqual([0, 1, 2, 3]);
      expect(np.arange(4).dtype).toBe("int32");
      expect(np.arange(1, 7, 2).toArray()).toEqual([1, 3, 5]);
      expectArray(np.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
      expect(np.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
      expectArray(np.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
      expectArray(np.linspace(0, 1, 4, { endpoint: false }), [0, 0.25, 0.5, 0.75]);
      expect((np.linspace(-1, 0.3, 7).toArray() as number[])[6]).toBe(Math.fround(0.3));
      expect(np.eye(2, 3, { k: 1 }).toArray()).toEqual([[0, 1, 0], [0, 0, 1]]);
    });
    test("ragged data is an error that says where", () => {
      expect(() => np.array([[1, 2], [3]])).toThrow(/ragged nesting at np.array\[1\]: expected an array of length 2, got length 1/);
    });
  });

  describe("promotion (JAX rules)", () => {
    test("JS numbers are weakly typed", () => {
      const i = np.array([1, 2], { dtype: "int32" });
      expect(i.add(1).dtype).toBe("int32");
      expect(i.mul(0.5).dtype).toBe("float32");
      expect(np.array([1, 2]).add(1).dtype).toBe("float32");
      expect(np.add(1, 2).weakType).toBe(true);
    });
    test("int32 with float32 gives float32; division is true division", () => {
      const i = np.array([1, 2], { dtype: "int32" });
      expect(np.add(i, np.array([0.5, 0.5])).toArray()).toEqual([1.5, 2.5]);
      expect(np.divide(i, 2).toArray()).toEqual([0.5, 1]);
      expect(np.floorDivide(np.array([-7, 7], { dtype: "int32" }), 2).toArray()).toEqual([-4, 3]);
      expect(np.remainder(np.array([-7, 7], { dtype: "int32" }), 3).toArray()).toEqual([2, 1]);
      expect(np.fmod(np.array([-7, 7]), 3).toArray()).toEqual([-1, 1]);
    });
    test("bool + weak int gives int32", () => {
      expect(np.add(np.array([true, false]), 1).toArray()).toEqual([2, 1]);
      expect(np.add(np.array([true, false]), 1).dtype).toBe("int32");
    });
  });

  describe("math", () => {
    test("unary functions accept ints (computed in float32)", () => {
      expectArray(np.sqrt(np.array([4, 9], { dtype: "int32" })), [2, 3]);
      expectArray(np.exp(np.array([0, 1])), [1, Math.E]);
      expectArray(np.sinh(np.array([1])), [Math.sinh(1)]);
      expectArray(np.cosh(np.array([1])), [Math.cosh(1)]);
      expectArray(np.log2(np.array([8])), [3]);
      expectArray(np.log10(np.array([1000])), [3]);
      expectArray(np.sigmoid(np.array([0])), [0.5]);
    });
    test("power: integer exponent, float exponent, int base", () => {
      expectArray(np.power(np.array([2, -3]), 2), [4, 9]);
      expectArray(np.power(np.array([4]), 0.5), [2]);
      expect(np.power(np.array([2, 3], { dtype: "int32" }), np.array([3, 2], { dtype: "int32" })).toArray()).toEqual([8, 9]);
    });
    test("where, clip, maximum, logaddexp, isnan/isinf", () => {
      expectArray(np.where(np.array([true, false]), 1, np.array([5, 6])), [1, 6]);
      expectArray(np.clip(np.array([-2, 0.5, 3]), 0, 1), [0, 0.5, 1]);
      expectArray(np.clip(np.array([-2, 3]), null, 1), [-2, 1]);
      expectArray(np.maximum(np.array([1, 5]), 3), [3, 5]);
      expectArray(np.logaddexp(np.array([1000, 0]), np.array([1000, 0])), [1000 + Math.LN2, Math.LN2]);
      expect(np.isnan(np.array([1, NaN])).toArray()).toEqual([false, true]);
      expect(np.isinf(np.array([-Infinity, 1])).toArray()).toEqual([true, false]);
    });
  });

  describe("reductions", () => {
    const x = () => np.array([[1, 2, 3], [4, 5, 6]]);
    test("sum/prod/max/min with axis and keepdims", () => {
      expect(np.sum(x()).item()).toBe(21);
      expect(np.sum(x(), { axis: 0 }).toArray()).toEqual([5, 7, 9]);
      expect(np.sum(x(), { axis: -1, keepdims: true }).toArray()).toEqual([[6], [15]]);
      expect(np.prod(x(), { axis: 1 }).toArray()).toEqual([6, 120]);
      expect(np.max(x(), { axis: [0, 1] }).item()).toBe(6);
      expect(np.min(x(), { axis: 1 }).toArray()).toEqual([1, 4]);
      expect(np.sum(np.array([true, true, false])).dtype).toBe("int32");
    });
    test("mean, var, std (ddof)", () => {
      expectArray(np.mean(x(), { axis: 0 }), [2.5, 3.5, 4.5]);
      expectArray(np.var(np.array([1, 2, 3, 4])), [1.25]);
      expectArray(np.std(np.array([1, 2, 3, 4]), { ddof: 1 }), [Math.sqrt(5 / 3)]);
      expect(np.mean(np.array([1, 2], { dtype: "int32" })).dtype).toBe("float32");
    });
    test("argmax/argmin, any/all, cumsum, logsumexp", () => {
      expect(np.argmax(np.array([1, 9, 9])).item()).toBe(1);
      expect(np.argmax(x(), { axis: 1 }).toArray()).toEqual([2, 2]);
      expect(np.argmin(x(), { axis: 0, keepdims: true }).toArray()).toEqual([[0, 0, 0]]);
      expect(np.any(np.array([false, true])).item()).toBe(true);
      expect(np.all(np.array([[true, false]]), { axis: 1 }).toArray()).toEqual([false]);
      expect(np.cumsum(x(), { axis: 1 }).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
      expect(np.cumsum(x()).toArray()).toEqual([1, 3, 6, 10, 15, 21]);
      expectArray(np.logsumexp(np.array([1000, 1000])), [1000 + Math.LN2]);
      expectArray(np.logsumexp(np.array([-Infinity, -Infinity])), [-Infinity]);
    });
    test("bad axis names the axis and the rank", () => {
      expect(() => np.sum(x(), { axis: 2 })).toThrow(/sum: axis 2 is out of bounds for an array of rank 2/);
      expect(() => np.max(np.zeros([0]))).toThrow(/zero-size reduction/);
    });
  });

  describe("shapes", () => {
    test("reshape with -1, transpose, moveaxis, swapaxes", () => {
      expect(np.reshape(np.arange(6), [2, -1]).shape).toEqual([2, 3]);
      expect(() => np.reshape(np.arange(6), [4, -1])).toThrow(/cannot reshape array of shape \[6\] \(6 elements\) into shape \[4, -1\]/);
      expect(np.transpose(np.zeros([2, 3, 4])).shape).toEqual([4, 3, 2]);
      expect(np.arange(6).reshape([2, 3]).T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
      expect(np.moveaxis(np.zeros([2, 3, 4]), 0, -1).shape).toEqual([3, 4, 2]);
      expect(np.swapaxes(np.zeros([2, 3, 4]), 0, 2).shape).toEqual([4, 3, 2]);
    });
    test("squeeze, expandDims, broadcastTo", () => {
      expect(np.squeeze(np.zeros([1, 3, 1])).shape).toEqual([3]);
      expect(() => np.squeeze(np.zeros([2, 3]), { axis: 0 })).toThrow(/axis 0 of shape \[2, 3\]/);
      expect(np.expandDims(np.zeros([3]), -1).shape).toEqual([3, 1]);
      expect(np.broadcastTo(np.array([1, 2]), [2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
      expect(() => np.broadcastTo(np.zeros([3]), [2, 2])).toThrow(/cannot broadcast shapes x: \[3\] and shape: \[2, 2\]/);
    });
    test("concatenate, stack, split, flip, tile, repeat", () => {
      expect(np.concatenate([np.zeros([1, 2]), np.ones([2, 2])]).toArray()).toEqual([[0, 0], [1, 1], [1, 1]]);
      expect(np.concatenate([np.zeros([2, 1]), np.ones([2, 1], { dtype: "int32" })], { axis: 1 }).dtype).toBe("float32");
      expect(() => np.concatenate([np.zeros([1, 2]), np.ones([1, 3])])).toThrow(/got shapes \[1, 2\], \[1, 3\]/);
      expect(np.stack([np.array([1, 2]), np.array([3, 4])], { axis: 1 }).toArray()).toEqual([[1, 3], [2, 4]]);
      expect(np.split(np.arange(6), 3).map((a) => a.toArray())).toEqual([[0, 1], [2, 3], [4, 5]]);
      expect(np.split(np.arange(5), [2, 3]).map((a) => a.toArray())).toEqual([[0, 1], [2], [3, 4]]);
      expect(np.flip(np.array([[1, 2], [3, 4]]), { axis: 1 }).toArray()).toEqual([[2, 1], [4, 3]]);
      expect(np.tile(np.array([1, 2]), [2, 2]).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
      expect(np.repeat(np.array([[1, 2], [3, 4]]), 2, { axis: 0 }).toArray()).toEqual([[1, 2], [1, 2], [3, 4], [3, 4]]);
      expect(np.pad(np.array([1, 2]), 1).toArray()).toEqual([0, 1, 2, 0]);
      expect(np.pad(np.array([[1]]), [[0, 1], [2, 0]], { constantValues: 9 }).toArray()).toEqual([[9, 9, 1], [9, 9, 9]]);
      expect(() => np.pad(np.array([1]), -1)).toThrow(/non-negative \[before, after\]/);
    });
  });

  describe("products", () => {
    const a = () => np.array([[1, 2], [3, 4]]);
    test("matmul: matrices, vectors, batches", () => {
      expect(np.matmul(a(), a()).toArray()).toEqual([[7, 10], [15, 22]]);
      expect(np.matmul(a(), np.array([1, 1])).toArray()).toEqual([3, 7]);
      expect(np.matmul(np.array([1, 1]), a()).toArray()).toEqual([4, 6]);
      expect(np.matmul(np.stack([a(), a()]), a()).shape).toEqual([2, 2, 2]);
      expect(np.matmul(np.ones([3, 1, 2, 5]), np.ones([4, 5, 6])).shape).toEqual([3, 4, 2, 6]);
      expect(() => np.matmul(np.ones([2, 3]), np.ones([4, 5]))).toThrow(/matmul: inner dimensions differ \(3 vs 4\): x has shape \[2, 3\], y has shape \[4, 5\]/);
    });
    test("dot, inner, outer, tensordot", () => {
      expect(np.dot(np.array([1, 2]), np.array([3, 4])).item()).toBe(11);
      expect(np.dot(a(), a()).toArray()).toEqual([[7, 10], [15, 22]]);
      expect(np.outer(np.array([1, 2]), np.array([1, 2, 3])).toArray()).toEqual([[1, 2, 3], [2, 4, 6]]);
      expect(np.tensordot(np.ones([2, 3, 4]), np.ones([3, 4, 5]), 2).shape).toEqual([2, 5]);
      expect(np.inner(np.array([1, 2]), np.array([3, 4])).item()).toBe(11);
    });
    test("einsum agrees with matmul, batch matmul, trace-free contractions", () => {
      const x = np.arange(6).astype("float32").reshape([2, 3]);
      const y = np.arange(12).astype("float32").reshape([3, 4]);
      expect(np.einsum("ij,jk->ik", x, y).toArray()).toEqual(np.matmul(x, y).toArray());
      expect(np.einsum("ij,jk", x, y).toArray()).toEqual(np.matmul(x, y).toArray());
      expect(np.einsum("ij->ji", x).toArray()).toEqual(x.T.toArray());
      expect(np.einsum("ij->", x).item()).toBe(15);
      const b = np.stack([x, x]);
      expect(np.einsum("bij,jk->bik", b, y).shape).toEqual([2, 2, 4]);
      expect(np.einsum("...ij,jk->...ik", b, y).toArray()).toEqual(np.matmul(b, y).toArray());
      expect(np.einsum("i,i->", np.array([1, 2]), np.array([3, 4])).item()).toBe(11);
      expect(np.einsum("ij,jk,kl->il", x, y, np.ones([4, 2])).toArray()).toEqual(np.matmul(np.matmul(x, y), np.ones([4, 2])).toArray());
      expect(() => np.einsum("ij,jk->ik", x, x)).toThrow(/index "j" has size 3 in one operand and 2 in another/);
    });
  });

  describe("indexing and sorting", () => {
    test("getItem / x.get with negative indices and bounds errors", () => {
      const x = np.array([[1, 2], [3, 4], [5, 6]]);
      expect(x.get(0).toArray()).toEqual([1, 2]);
      expect(x.get(-1).toArray()).toEqual([5, 6]);
      expect(() => x.get(3)).toThrow(/index 3 is out of bounds for axis 0 with size 3/);
      expect(x.get(np.array([2, 0], { dtype: "int32" })).toArray()).toEqual([[5, 6], [1, 2]]);
    });
    test("slice with steps, negatives and reversal", () => {
      expect(np.slice(np.arange(10), [2], [8], [3]).toArray()).toEqual([2, 5]);
      expect(np.slice(np.arange(5), [null], [null], [-1]).toArray()).toEqual([4, 3, 2, 1, 0]);
      expect(np.slice(np.arange(10), [-3]).toArray()).toEqual([7, 8, 9]);
      expect(np.slice(np.arange(6).reshape([2, 3]), [null, 1]).toArray()).toEqual([[1, 2], [4, 5]]);
    });
    test("take, takeAlongAxis", () => {
      const x = np.array([[10, 20, 30], [40, 50, 60]]);
      expect(np.take(x, np.array([2, -1, 0], { dtype: "int32" }), { axis: 1 }).toArray()).toEqual([[30, 30, 10], [60, 60, 40]]);
      expect(np.take(x, np.array([4], { dtype: "int32" })).toArray()).toEqual([50]);
      const idx = np.array([[2, 0], [1, 1]], { dtype: "int32" });
      expect(np.takeAlongAxis(x, idx, 1).toArray()).toEqual([[30, 10], [50, 50]]);
    });
    test("sort and argsort (stable)", () => {
      expect(np.sort(np.array([3, 1, 2])).toArray()).toEqual([1, 2, 3]);
      expect(np.sort(np.array([[3, 1], [0, 5]]), { axis: 0 }).toArray()).toEqual([[0, 1], [3, 5]]);
      expect(np.argsort(np.array([3, 1, 2, 1])).toArray()).toEqual([1, 3, 2, 0]);
      const v = np.array([[10, 30, 20]]);
      expect(np.takeAlongAxis(v, np.argsort(v, { axis: 1 }), 1).toArray()).toEqual([[10, 20, 30]]);
    });
    test("oneHot, isclose, allclose", () => {
      expect(np.oneHot(np.array([0, 2, 5], { dtype: "int32" }), 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 0, 0]]);
      expect(np.isclose(np.array([1, 2]), np.array([1, 2.1])).toArray()).toEqual([true, false]);
      expect(np.allclose(np.array([1, 2]), np.array([1, 2 + 1e-7])).item()).toBe(true);
      expect(np.allclose(np.array([NaN]), np.array([NaN]), { equalNan: true }).item()).toBe(true);
    });
  });
});
