/**
 * Rules and kernels the property suite found wrong, each pinned by the smallest case that
 * showed it (the shrunk counterexample). Every one of these failed before its fix.
 */
import { afterAll, describe, expect, test } from "vitest";
import { dispose, grad, jit, jvp, lax, np, setBackend, vmap, type NDArray } from "../../src/index.ts";
import { dynamicSliceP, padP } from "../../src/lax/indexing.ts";
import { expectArray } from "../helpers.ts";

/** Unrelated work after a suspect kernel: tfjs-wasm heap corruption shows up here as an abort or garbage. */
function heapStillSound(): void {
  expectArray(np.matmul(np.ones([2, 2]), np.array([[1, 2], [3, 4]])), [[4, 6], [4, 6]]);
  expectArray(np.arange(64).sum(), 2016);
}

describe("found on wasm", () => {
  test("dynamic_slice of an empty slice (tfjs-wasm GatherV2 with no indices returned [1, 0, 0, 1] and corrupted its heap)", async () => {
    await setBackend("wasm");
    const x = np.array([[0.09375, 1]]);
    const y = dynamicSliceP.bind1([x, np.array(-1, { dtype: "int32" }), np.array(-1, { dtype: "int32" })], { sliceSizes: [0, 1] });
    expect(y.shape).toEqual([0, 1]);
    const g = grad((a: NDArray) => np.sum(lax.dynamicSlice(a, [0, 0], [1, 0])).add(np.sum(a)))(x);
    expectArray(g, [[1, 1]]);
    heapStillSound();
  });

  test("reductions of empty operands (tfjs-wasm returned uninitialized memory, a sum over [2, 0] gave [3.6e-41, -0.897], or trapped)", async () => {
    await setBackend("wasm");
    dispose(np.sin(np.arange(4000).mul(0.37))); // leaves non-zero data in freed wasm memory
    const e = np.zeros([2, 0]);
    expectArray(lax.reduceSum(e, [1]), [0, 0]);
    expectArray(lax.reduceProd(e, [1]), [1, 1]);
    expectArray(lax.reduceMax(e, [1]), [-Infinity, -Infinity]);
    expectArray(lax.reduceMin(e, [1]), [Infinity, Infinity]);
    expectArray(lax.reduceMax(np.zeros([2, 0], { dtype: "int32" }), [1]), [-2147483648, -2147483648]);
    expectArray(lax.reduceMin(np.zeros([0], { dtype: "bool" }), [0]), true);
    expect(lax.reduceMin(np.zeros([0, 2, 2]), [1]).shape).toEqual([0, 2]); // trapped: "divide by zero"
    expect(lax.reduceMax(np.zeros([3, 0]), [0]).shape).toEqual([0]);
    expect(lax.cumsum(np.zeros([0, 0, 4]), { axis: 1 }).shape).toEqual([0, 0, 4]); // trapped too
    expect(lax.transpose(np.zeros([3, 0, 3, 4]), [0, 1, 3, 2]).shape).toEqual([3, 0, 4, 3]); // and tfjs-wasm's Transpose
    expect(lax.argmax(np.zeros([0, 2, 0]), 1).shape).toEqual([0, 0]); // and its ArgMax
    // The shrunk counterexample: pad cropping its only element; the padding value's cotangent is Σct − Σ(cropped ct) = 0.
    const [gx, gv] = grad((x: NDArray, v: NDArray) => np.sum(padP.bind1([x, v], { config: [[-1, 0, 0]] })), { argnums: [0, 1] })(np.array([0.5]), np.array(0)) as NDArray[];
    expectArray(gx!, [0]);
    expect(gv!.item()).toBe(0);
  });

  test("dot_general of int32 operands (tfjs-wasm's BatchMatMul is float32-only)", async () => {
    await setBackend("wasm");
    const a = np.array([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }), b = np.array([[1, 0], [0, 1], [2, -1]], { dtype: "int32" });
    expectArray(np.matmul(a, b), [[7, -1], [16, -1]]);
    expectArray(lax.dotGeneral(np.array(3, { dtype: "int32" }), np.array(4, { dtype: "int32" }), [[[], []], [[], []]]), 12);
    expectArray(vmap((u: NDArray) => lax.dotGeneral(u, b, [[[0], [0]], [[], []]]))(a), [[7, -1], [16, -1]]);
    expect(np.matmul(a, b).dtype).toBe("int32");
  });

  test("the same data as a matmul rhs in two layouts (tfjs-wasm reused its cached XNNPACK packing: vdot gave only the first term)", async () => {
    await setBackend("wasm");
    const y = np.array([1.890625, -0.078125, -0.859375]);
    const outer = lax.dotGeneral(np.array(0.3125), y, [[[], []], [[], []]]);          // y as a [1, 3] rhs
    expectArray(outer, [0.5908203125, -0.0244140625, -0.2685546875]);
    expectArray(lax.dotGeneral(y, y, [[[0], [0]], [[], []]]), 4.319091796875);       // y as a [3, 1] rhs
    // The pullback of a vdot uses its operands in both layouts: jit and eager agree.
    const vdotLoss = (a: NDArray, b: NDArray) => lax.dotGeneral(a, b, [[[0], [0]], [[], []]]);
    const g = grad(vdotLoss, { argnums: [0, 1] });
    const x = np.array([-0.515625, 1.140625, -0.03125]);
    const [ge, gj] = [g(x, y) as NDArray[], jit(g)(x, y) as NDArray[]];
    expectArray(gj[0]!, ge[0]!.toArray());
    expectArray(gj[1]!, ge[1]!.toArray());
    expectArray(ge[0]!, y.toArray());
  });
});

describe.each(["cpu", "wasm"] as const)("found on %s (and every backend)", (backend) => {
  test("integer_pow with exponent 0 has a zero tangent at x = 0 (the rule gave 0 · x⁻¹ = NaN)", async () => {
    await setBackend(backend);
    const [, t] = jvp((x: NDArray) => lax.integerPow(x, 0), [np.array([0, 2])], [np.array([1, 1])]);
    expectArray(t, [0, 0]);
    expectArray(grad((x: NDArray) => lax.integerPow(x, 0).sum())(np.array([0, -1])), [0, 0]);
  });

  test("reduce_max / reduce_min over an empty axis have a zero tangent (not 0 / 0)", async () => {
    await setBackend(backend);
    const [y, t] = jvp((x: NDArray) => lax.reduceMax(x, [1]), [np.zeros([2, 0])], [np.zeros([2, 0])]);
    expectArray(y, [-Infinity, -Infinity]);
    expectArray(t, [0, 0]);
  });

  test("select broadcasting an empty operand (tfjs's where gave [1, 1, 1] for [1, 1] with [0, 1, 1])", async () => {
    await setBackend(backend);
    const out = lax.select(np.array([[true]]), np.array(1), np.zeros([0, 1, 1]));
    expect(out.shape).toEqual([0, 1, 1]);
    // The reduce_prod JVP that found it: a product over no axes of an empty array.
    const [, t] = jvp((x: NDArray) => lax.reduceProd(x, []), [np.zeros([0])], [np.zeros([0])]);
    expect(t.shape).toEqual([0]);
  });

  test("convert_element_type from bool to uint32 (tfjs-cpu relabels bool data as int32, which a uint32 view cannot read)", async () => {
    await setBackend(backend);
    expect(lax.convertElementType(np.array([true, false]), "uint32").toArray()).toEqual([1, 0]);
    expect(lax.convertElementType(np.array(true), "uint32").item()).toBe(1);
    expect(Array.from(lax.convertElementType(np.array([false]), "int32").dataSync())).toEqual([0]);
  });
});

describe("found on webgpu (by the cross-backend programs)", () => {
  afterAll(async () => { await setBackend("wasm"); });

  test("reverse cumsum (tfjs-webgpu's reverse Cumsum returned [3, 2, 3] for [1, 2, 3])", async () => {
    await setBackend("webgpu");
    // Computed on the GPU (inputs produced by a GPU kernel, not forwarded to the CPU).
    const x = np.array([[1, 2, 3], [4, 5, 6]]).mul(1);
    expect(await lax.cumsum(x, { axis: 1, reverse: true }).toArrayAsync()).toEqual([[6, 5, 3], [15, 11, 6]]);
    expect(await lax.cumsum(x, { axis: 0, reverse: true }).toArrayAsync()).toEqual([[5, 7, 9], [4, 5, 6]]);
    const big = np.ones([2, 600]).mul(1);
    expect(((await lax.cumsum(big, { axis: 1, reverse: true }).toArrayAsync()) as number[][])[1]!.slice(0, 3)).toEqual([600, 599, 598]);
    // The gradient of a forward cumsum is a reverse one.
    const g = grad((a: NDArray) => lax.cumsum(a, { axis: 1 }).sum())(x);
    expect(await g.toArrayAsync()).toEqual([[3, 2, 1], [3, 2, 1]]);
  }, 120_000);
});
