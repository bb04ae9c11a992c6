import { beforeAll, describe, expect, test } from "vitest";
import { lax, np } from "../src/index.ts";
import { CPU_BACKENDS, useBackend } from "./helpers.ts";

describe.each(CPU_BACKENDS)("structural, reduction and dot primitives on %s", (backend) => {
  beforeAll(() => useBackend(backend));
  const x = () => np.arange(6).reshape([2, 3]);

  test("broadcastInDim maps operand dims into the output", () => {
    expect(lax.broadcastInDim(np.array([1, 2]), [2, 3], [0]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(() => lax.broadcastInDim(np.array([1, 2]), [3, 3], [0])).toThrow(/cannot broadcast f32\[2\] to \[3, 3\] with broadcastDimensions \[0\]/);
  });
  test("reshape, transpose, squeeze, expandDims, rev", () => {
    expect(lax.reshape(x(), [3, 2]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(() => lax.reshape(x(), [4])).toThrow(/cannot reshape i32\[2,3\] \(6 elements\) to \[4\] \(4 elements\)/);
    expect(lax.transpose(x(), [1, 0]).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(() => lax.transpose(x(), [0, 0])).toThrow(/is not a permutation/);
    expect(lax.squeeze(np.zeros([1, 2, 1]), [0, 2]).shape).toEqual([2]);
    expect(lax.expandDims(np.zeros([2]), [0, 2]).shape).toEqual([1, 2, 1]);
    expect(lax.rev(x(), [0, 1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(lax.rev(np.array([true, false, false]), [0]).toArray()).toEqual([false, false, true]);
  });
  test("slice with strides on float, int and bool", () => {
    expect(lax.slice(np.arange(10), [1], [8], [3]).toArray()).toEqual([1, 4, 7]);
    expect(lax.slice(np.arange(12).reshape([3, 4]), [0, 1], [3, 4], [2, 2]).toArray()).toEqual([[1, 3], [9, 11]]);
    expect(lax.slice(np.array([true, false, true, false]), [0], [4], [2]).toArray()).toEqual([true, true]);
    expect(() => lax.slice(x(), [0, 0], [3, 3])).toThrow(/dimension 0 needs 0 <= start <= limit <= 2/);
  });
  test("concatenate and iota", () => {
    expect(lax.concatenate([x(), x()], 1).shape).toEqual([2, 6]);
    expect(() => lax.concatenate([x(), np.zeros([2, 3])], 0)).toThrow(/operands must share dtype/);
    expect(lax.broadcastedIota("int32", [2, 3], 1).toArray()).toEqual([[0, 1, 2], [0, 1, 2]]);
    expect(lax.iota("float32", 3).toArray()).toEqual([0, 1, 2]);
  });
  test("reductions, arg-reductions and cumsum", () => {
    expect(lax.reduceSum(x(), [1]).toArray()).toEqual([3, 12]);
    expect(lax.reduceMax(x(), [0, 1]).toArray()).toEqual(5);
    expect(lax.reduceMin(np.array([true, false]), [0]).toArray()).toEqual(false);
    expect(lax.reduceProd(np.array([2, 3, 4]), [0]).toArray()).toEqual(24);
    expect(lax.argmax(np.array([[1, 7, 7], [9, 0, 9]]), 1).toArray()).toEqual([1, 0]);
    expect(lax.argmin(np.array([[1, 7, 0], [9, 0, 0]]), 1).toArray()).toEqual([2, 1]);
    expect(lax.cumsum(np.array([1, 2, 3]), { axis: 0, reverse: true }).toArray()).toEqual([6, 5, 3]);
    expect(() => lax.reduceSum(x(), [2])).toThrow(/axes \[2\] out of range for i32\[2,3\]/);
  });
  test("dotGeneral: contraction, batch dims and output order (batch, lhs free, rhs free)", () => {
    const a = np.arange(24).astype("float32").reshape([2, 3, 4]);
    const b = np.arange(40).astype("float32").reshape([2, 4, 5]);
    const out = lax.dotGeneral(a, b, [[[2], [1]], [[0], [0]]]);
    expect(out.shape).toEqual([2, 3, 5]);
    expect(out.get(1).toArray()).toEqual(np.matmul(a.get(1), b.get(1)).toArray());
    // Contract the first axes: [4, 3] x [4, 2] -> [3, 2] equals aᵀb.
    const p = np.arange(12).astype("float32").reshape([4, 3]), q = np.arange(8).astype("float32").reshape([4, 2]);
    expect(lax.dotGeneral(p, q, [[[0], [0]], [[], []]]).toArray()).toEqual(np.matmul(p.T, q).toArray());
    expect(() => lax.dotGeneral(p, q, [[[1], [0]], [[], []]])).toThrow(/contracting dimensions differ in size: lhs dim 1 is 3, rhs dim 0 is 4/);
  });
});
