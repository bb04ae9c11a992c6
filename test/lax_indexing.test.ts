import { beforeAll, describe, expect, test } from "vitest";
import { tf } from "../src/backend/index.ts";
import type { NDArray, NestedArray } from "../src/array.ts";
import { fromFlat, fromNested } from "../src/core/constant.ts";
import type { DType } from "../src/core/dtype.ts";
import { dispose } from "../src/memory.ts";
import {
  dynamicSlice, dynamicSliceP, dynamicUpdateSlice, gather, gatherP, pad, padP, scatterAdd, scatterAddP, type PadDim,
} from "../src/lax/indexing.ts";
import { CPU_BACKENDS, expectArray, rand, ravel, size, unravel, useBackend } from "./helpers.ts";

// ---- small reference toolkit: flat row-major data, nested-loop references ----

const f32 = (x: NestedArray) => fromNested(x);
const i32 = (x: NestedArray) => fromNested(x, { dtype: "int32" });

const randInt = (n: number, seed: number, lo: number, hi: number) => rand(n, seed, lo, hi).map(Math.floor);

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** XLA Pad, one output element at a time. */
function padRef(x: number[], shape: number[], config: PadDim[], value: number): { data: number[]; shape: number[] } {
  const out = shape.map((n, d) => config[d]![0] + config[d]![1] + n + Math.max(n - 1, 0) * config[d]![2]);
  const data = Array.from({ length: size(out) }, (_, i) => {
    const src: number[] = [];
    for (const [d, o] of unravel(i, out).entries()) {
      const [lo, , interior] = config[d]!;
      const j = o - lo;
      if (j < 0 || j % (interior + 1) !== 0 || j / (interior + 1) >= shape[d]!) return value;
      src.push(j / (interior + 1));
    }
    return x[ravel(src, shape)]!;
  });
  return { data, shape: out };
}

/** tf.gather semantics with clamped indices. */
function gatherRef(x: number[], xs: number[], idx: number[], is: number[], axis: number, bd: number): { data: number[]; shape: number[] } {
  const out = [...xs.slice(0, axis), ...is.slice(bd), ...xs.slice(axis + 1)];
  const data = Array.from({ length: size(out) }, (_, i) => {
    const o = unravel(i, out);
    const batch = o.slice(0, bd);
    const idxPos = [...batch, ...o.slice(axis, axis + is.length - bd)];
    const k = clamp(idx[ravel(idxPos, is)]!, 0, xs[axis]! - 1);
    const src = [...o.slice(0, axis), k, ...o.slice(axis + is.length - bd)];
    return x[ravel(src, xs)]!;
  });
  return { data, shape: out };
}

/** scatter-add as the transpose of gatherRef: every gathered position receives its update. */
function scatterAddRef(x: number[], xs: number[], idx: number[], is: number[], upd: number[], axis: number, bd: number): number[] {
  const out = [...x];
  const us = [...xs.slice(0, axis), ...is.slice(bd), ...xs.slice(axis + 1)];
  upd.forEach((u, i) => {
    const o = unravel(i, us);
    const k = clamp(idx[ravel([...o.slice(0, bd), ...o.slice(axis, axis + is.length - bd)], is)]!, 0, xs[axis]! - 1);
    out[ravel([...o.slice(0, axis), k, ...o.slice(axis + is.length - bd)], xs)]! += u;
  });
  return out;
}

const flatOf = (a: NDArray) => Array.from(a.dataSync());

describe.each(CPU_BACKENDS)("lax indexing on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  describe("pad", () => {
    test("low, high and interior padding (XLA examples)", () => {
      expectArray(pad(f32([1, 2, 3]), 0, [[1, 2, 1]]), [0, 1, 0, 2, 0, 3, 0, 0]);
      expectArray(pad(f32([1, 2, 3]), 0, [[0, 0, 2]]), [1, 0, 0, 2, 0, 0, 3]);
      expectArray(pad(f32([[1, 2], [3, 4]]), -1, [[1, 0, 0], [0, 1, 1]]), [[-1, -1, -1, -1], [1, -1, 2, -1], [3, -1, 4, -1]]);
    });

    test("negative low/high crop, also after interior padding", () => {
      expectArray(pad(f32([1, 2, 3]), 0, [[-1, 0, 0]]), [2, 3]);
      expectArray(pad(f32([1, 2, 3]), 0, [[-1, -1, 1]]), [0, 2, 0]);
      expectArray(pad(f32([1, 2, 3]), 9, [[-5, 3, 0]]), [9]);
      expectArray(pad(f32([1, 2, 3]), 9, [[2, -4, 0]]), [9]);
      expectArray(pad(f32([1, 2, 3]), 9, [[0, -3, 0]]), []);
    });

    test("matches a nested-loop reference on random configs up to rank 4", () => {
      const cases: [number[], PadDim[]][] = [
        [[4], [[2, -1, 3]]],
        [[3, 5], [[-2, 1, 1], [1, 2, 0]]],
        [[2, 3, 4], [[1, 1, 0], [-1, -2, 2], [0, 3, 1]]],
        [[2, 1, 3, 2], [[0, 0, 0], [2, 0, 5], [-3, 1, 1], [1, -1, 0]]],
        [[1, 0, 2], [[1, 1, 0], [1, 0, 2], [0, 0, 0]]],
      ];
      cases.forEach(([shape, config], k) => {
        const data = rand(size(shape), 10 + k, -5, 5);
        const value = 0.5 + k;
        const ref = padRef(data, shape, config, value);
        const y = pad(fromFlat(data, shape, "float32"), fromFlat([value], [], "float32"), config);
        expect(y.shape).toEqual(ref.shape);
        expectArray(y, ref.data);
      });
    });

    test("the padding value may be a computed array, including non-finite values", () => {
      expectArray(pad(f32([1, 2]), f32(Infinity), [[1, 1, 1]]), [Infinity, 1, Infinity, 2, Infinity]);
      expectArray(pad(f32([1, 2]), f32(NaN), [[1, 0, 0]]), [NaN, 1, 2]);
    });

    test("int32, uint32 and bool operands keep their dtype", () => {
      const yi = pad(i32([1, 2]), 7, [[1, 1, 1]]);
      expect(yi.dtype).toBe("int32");
      expect(yi.toArray()).toEqual([7, 1, 7, 2, 7]);
      const yb = pad(fromNested([true, false, true], { dtype: "bool" }), fromNested(true, { dtype: "bool" }), [[1, -1, 1]]);
      expect(yb.dtype).toBe("bool");
      expect(yb.toArray()).toEqual([true, true, true, false, true]);
      const yu = pad(fromFlat([4294967295], [1], "uint32"), 1, [[1, 0, 0]]);
      expect(yu.dtype).toBe("uint32");
      expect(yu.toArray()).toEqual([1, 4294967295]);
    });

    test("bad input: errors name the argument and the shapes", () => {
      const x = f32([[1, 2], [3, 4]]);
      expect(() => padP.bind([x, f32([0])], { config: [[0, 0, 0], [0, 0, 0]] })).toThrow(/paddingValue must be a scalar; got f32\[1\]/);
      expect(() => padP.bind([x, i32(0)], { config: [[0, 0, 0], [0, 0, 0]] })).toThrow(/operand f32\[2,2\], paddingValue i32\[\]/);
      expect(() => pad(x, 0, [[1, 1, 0]])).toThrow(/one \[lo, hi, interior\] triple per dimension of operand f32\[2,2\] \(2\); got 1/);
      expect(() => pad(x, 0, [[0, 0, -1], [0, 0, 0]])).toThrow(/interior padding must be >= 0/);
      expect(() => pad(x, 0, [[-3, 0, 0], [0, 0, 0]])).toThrow(/crops more than dimension 0 of operand f32\[2,2\]/);
      expect(() => pad(x, 0, [[0.5, 0, 0], [0, 0, 0]] as PadDim[])).toThrow(/must be \[lo, hi, interior\] integers/);
    });
  });

  describe("dynamic_slice", () => {
    test("start indices clamp so the slice fits (XLA semantics)", () => {
      const x = f32([0, 1, 2, 3, 4]);
      expectArray(dynamicSlice(x, [1], [3]), [1, 2, 3]);
      expectArray(dynamicSlice(x, [4], [3]), [2, 3, 4]);
      expectArray(dynamicSlice(x, [-3], [3]), [0, 1, 2]);
      expectArray(dynamicSlice(x, [2], [0]), []);
    });

    test("2-D with int32 array start indices matches the reference", () => {
      const data = rand(20, 3);
      const x = fromFlat(data, [4, 5], "float32");
      for (const [r, c] of [[0, 0], [1, 2], [3, 4], [-1, 9]] as const) {
        const y = dynamicSlice(x, [i32(r), i32(c)], [2, 3]);
        const r0 = clamp(r, 0, 2), c0 = clamp(c, 0, 2);
        const ref = [0, 1].flatMap((i) => [0, 1, 2].map((j) => data[(r0 + i) * 5 + c0 + j]!));
        expect(y.shape).toEqual([2, 3]);
        expectArray(y, ref);
      }
    });

    test("int32 and bool operands", () => {
      expect(dynamicSlice(i32([[1, 2], [3, 4]]), [1, 0], [1, 2]).toArray()).toEqual([[3, 4]]);
      expect(dynamicSlice(fromNested([true, false, false], { dtype: "bool" }), [0], [2]).toArray()).toEqual([true, false]);
    });

    test("bad input", () => {
      const x = f32([[1, 2], [3, 4]]);
      expect(() => dynamicSlice(x, [0], [1, 1])).toThrow(/one start index per dimension of operand f32\[2,2\] \(2\); got 1/);
      expect(() => dynamicSliceP.bind([x, f32(0), i32(0)], { sliceSizes: [1, 1] })).toThrow(/start index 0 must be an int32 scalar; got f32\[\]/);
      expect(() => dynamicSliceP.bind([x, i32([0]), i32(0)], { sliceSizes: [1, 1] })).toThrow(/start index 0 must be an int32 scalar; got i32\[1\]/);
      expect(() => dynamicSlice(x, [0, 0], [3, 1])).toThrow(/sliceSizes\[0\] = 3 must be an integer in \[0, 2\] for operand f32\[2,2\]/);
      expect(() => dynamicSlice(x, [0, 0], [1])).toThrow(/sliceSizes must have one entry per dimension/);
      expect(() => dynamicSlice(x, [0.5, 0], [1, 1])).toThrow(/startIndices\[0\] must be an integer/);
    });
  });

  describe("dynamic_update_slice", () => {
    test("writes the update at clamped start indices", () => {
      const z = f32([0, 0, 0, 0, 0]);
      expectArray(dynamicUpdateSlice(z, f32([7, 8]), [1]), [0, 7, 8, 0, 0]);
      expectArray(dynamicUpdateSlice(z, f32([7, 8]), [9]), [0, 0, 0, 7, 8]);
      expectArray(dynamicUpdateSlice(z, f32([7, 8]), [-1]), [7, 8, 0, 0, 0]);
      expectArray(dynamicUpdateSlice(z, f32([1, 2, 3, 4, 5]), [3]), [1, 2, 3, 4, 5]);
      expectArray(dynamicUpdateSlice(z, fromFlat([], [0], "float32"), [2]), [0, 0, 0, 0, 0]);
    });

    test("3-D matches the reference", () => {
      const xs = [3, 4, 5], us = [2, 2, 3];
      const x = rand(size(xs), 5), u = rand(size(us), 6, 10, 20);
      for (const starts of [[0, 0, 0], [1, 2, 2], [2, 3, 4], [-2, 1, 7]]) {
        const s = starts.map((v, d) => clamp(v, 0, xs[d]! - us[d]!));
        const ref = x.map((v, i) => {
          const p = unravel(i, xs);
          const inside = p.every((q, d) => q >= s[d]! && q < s[d]! + us[d]!);
          return inside ? u[ravel(p.map((q, d) => q - s[d]!), us)]! : v;
        });
        const y = dynamicUpdateSlice(fromFlat(x, xs, "float32"), fromFlat(u, us, "float32"), starts.map((v) => i32(v)));
        expectArray(y, ref);
      }
    });

    test("int32 and bool operands", () => {
      expect(dynamicUpdateSlice(i32([[1, 2], [3, 4]]), i32([[9]]), [1, 1]).toArray()).toEqual([[1, 2], [3, 9]]);
      const b = dynamicUpdateSlice(fromNested([false, false, false], { dtype: "bool" }), fromNested([true], { dtype: "bool" }), [1]);
      expect(b.dtype).toBe("bool");
      expect(b.toArray()).toEqual([false, true, false]);
    });

    test("bad input names operand and update", () => {
      const x = f32([[1, 2], [3, 4]]);
      expect(() => dynamicUpdateSlice(x, f32([[1, 2, 3]]), [0, 0])).toThrow(/fit inside it; got operand f32\[2,2\], update f32\[1,3\]/);
      expect(() => dynamicUpdateSlice(x, f32([1]), [0, 0])).toThrow(/operand's rank and fit inside it; got operand f32\[2,2\], update f32\[1\]/);
      expect(() => dynamicUpdateSlice(x, i32([[1]]), [0, 0])).toThrow(/operand's dtype; got operand f32\[2,2\], update i32\[1,1\]/);
      expect(() => dynamicUpdateSlice(x, f32([[1]]), [0])).toThrow(/one start index per dimension/);
    });
  });

  describe("gather", () => {
    test("tf.gather semantics with axis and batchDims", () => {
      const x = f32([[1, 2, 3], [4, 5, 6]]);
      expectArray(gather(x, [2, 0], { axis: 1 }), [[3, 1], [6, 4]]);
      expectArray(gather(x, [[2], [0]], { axis: 1, batchDims: 1 }), [[3], [4]]);
      expectArray(gather(x, [1], { axis: 0 }), [[4, 5, 6]]);
      expectArray(gather(x, [[1, 0], [0, 1]]), [[[4, 5, 6], [1, 2, 3]], [[1, 2, 3], [4, 5, 6]]]);
      expectArray(gather(x, i32(2), { axis: -1 }), [3, 6]);
    });

    test("out-of-range indices clamp into [0, n - 1]", () => {
      expectArray(gather(f32([10, 20, 30]), [-1, 3, 100, 1]), [10, 30, 30, 20]);
    });

    test("matches the reference for several layouts", () => {
      const cases: [number[], number[], number, number][] = [
        [[5], [3], 0, 0],
        [[4, 3], [2, 2], 0, 0],
        [[2, 6, 3], [2, 4], 1, 1],
        [[2, 3, 4, 2], [2, 3, 5], 2, 2],
        [[2, 3, 4, 2], [2, 5], 2, 1],
        [[3, 4], [2, 2], 1, 0],
      ];
      cases.forEach(([xs, is, axis, bd], k) => {
        const x = rand(size(xs), 20 + k, -3, 3);
        const idx = randInt(size(is), 40 + k, -1, xs[axis]! + 1);
        const ref = gatherRef(x, xs, idx, is, axis, bd);
        const y = gather(fromFlat(x, xs, "float32"), fromFlat(idx, is, "int32"), { axis, batchDims: bd });
        expect(y.shape).toEqual(ref.shape);
        expectArray(y, ref.data);
      });
    });

    test("int32 and bool operands, empty indices", () => {
      expect(gather(i32([5, 6, 7]), [2, 0]).toArray()).toEqual([7, 5]);
      expect(gather(fromNested([true, false], { dtype: "bool" }), [1, 1, 0]).toArray()).toEqual([false, false, true]);
      const e = gather(f32([[1, 2]]), fromFlat([], [0], "int32"), { axis: 1 });
      expect(e.shape).toEqual([1, 0]);
    });

    test("bad input", () => {
      const x = f32([[1, 2, 3], [4, 5, 6]]);
      expect(() => gatherP.bind([x, f32([0])], { axis: 0, batchDims: 0 })).toThrow(/indices must be int32; got f32\[1\]/);
      expect(() => gather(x, [0], { axis: 2 })).toThrow(/axis 2 is out of bounds/);
      expect(() => gather(x, [[0], [0], [0]], { axis: 1, batchDims: 1 })).toThrow(/must agree; got operand f32\[2,3\], indices i32\[3,1\]/);
      expect(() => gather(x, [[0]], { axis: 0, batchDims: 1 })).toThrow(/batchDims \(1\) <= axis/);
      expect(() => gather(f32([]), [0])).toThrow(/empty axis 0/);
    });
  });

  describe("scatter_add", () => {
    test("duplicates accumulate", () => {
      expectArray(scatterAdd(f32([0, 0, 0]), [0, 2, 0], f32([1, 2, 3])), [4, 0, 2]);
      expectArray(scatterAdd(f32([[1, 1], [1, 1]]), [1, 1], f32([[1, 2], [3, 4]]), { axis: 1 }), [[1, 4], [1, 8]]);
      expect(scatterAdd(i32([1, 1]), [1, 1, 5], i32([2, 3, 4])).toArray()).toEqual([1, 10]);
    });

    test("matches the reference and is the transpose of gather: <gather(x), u> = <x, scatterAdd(0, u)>", () => {
      const cases: [number[], number[], number, number][] = [
        [[5], [7], 0, 0],
        [[4, 3], [2, 3], 1, 0],
        [[2, 6, 3], [2, 4], 1, 1],
        [[2, 3, 4, 2], [2, 3, 5], 2, 2],
        [[2, 3, 4, 2], [2, 5], 2, 1],
        [[3, 2, 4], [4, 2], 0, 0],
      ];
      cases.forEach(([xs, is, axis, bd], k) => {
        const x = rand(size(xs), 60 + k, -2, 2);
        const idx = randInt(size(is), 80 + k, -1, xs[axis]! + 1);
        const us = [...xs.slice(0, axis), ...is.slice(bd), ...xs.slice(axis + 1)];
        const u = rand(size(us), 100 + k, -2, 2);
        const zero = fromFlat(new Array(size(xs)).fill(0), xs, "float32");
        const scattered = scatterAdd(zero, fromFlat(idx, is, "int32"), fromFlat(u, us, "float32"), { axis, batchDims: bd });
        expectArray(scattered, scatterAddRef(new Array(size(xs)).fill(0), xs, idx, is, u, axis, bd));
        const g = gather(fromFlat(x, xs, "float32"), fromFlat(idx, is, "int32"), { axis, batchDims: bd });
        const lhs = flatOf(g).reduce((s, v, i) => s + v * u[i]!, 0);
        const rhs = flatOf(scattered).reduce((s, v, i) => s + v * x[i]!, 0);
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
        // and on a nonzero operand the operand is added
        const onX = scatterAdd(fromFlat(x, xs, "float32"), fromFlat(idx, is, "int32"), fromFlat(u, us, "float32"), { axis, batchDims: bd });
        expectArray(onX, scatterAddRef(x, xs, idx, is, u, axis, bd));
      });
    });

    test("bad input names the expected and actual update shapes", () => {
      const x = f32([[1, 2, 3], [4, 5, 6]]);
      expect(() => scatterAdd(x, [0, 1], f32([1, 2]))).toThrow(/updates must have shape \[2, 3\] .*operand f32\[2,3\], indices i32\[2\].*got updates f32\[2\]/);
      expect(() => scatterAdd(x, [0], i32([[1, 2, 3]]))).toThrow(/operand's dtype; got operand f32\[2,3\], updates i32\[1,3\]/);
      expect(() => scatterAdd(fromNested([true], { dtype: "bool" }), [0], fromNested([true], { dtype: "bool" }))).toThrow(/operand must be float32 or int32; got bool\[1\]/);
      expect(() => scatterAddP.bind([x, f32([0]), f32([[1, 2, 3]])], { axis: 0, batchDims: 0 })).toThrow(/indices must be int32/);
    });
  });

  test("the live tensor count stays flat across calls when results are disposed", () => {
    const x = fromFlat(rand(24, 7), [2, 3, 4], "float32");
    const idx = i32([[2, 0], [1, 3]]);
    const update = fromFlat([1, 2], [1, 1, 2], "float32");
    const updates = fromFlat(rand(2 * 3 * 2, 8), [2, 3, 2], "float32");
    const run = () => {
      const outs = [
        pad(x, 1.5, [[1, -1, 1], [0, 2, 0], [-1, 0, 2]]),
        dynamicSlice(x, [1, 5, -1], [1, 2, 3]),
        dynamicUpdateSlice(x, update, [0, 1, 2]),
        gather(x, idx, { axis: 2, batchDims: 1 }),
        gather(x, [[0, 2]], { axis: 1 }),
        scatterAdd(x, idx, updates, { axis: 2, batchDims: 1 }),
      ];
      dispose(outs);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    // Constants made from JS values are released when the call fails, too.
    expect(() => pad(x, 0, [[0, 0, -1], [0, 0, 0], [0, 0, 0]])).toThrow(/interior/);
    expect(() => dynamicSlice(x, [0, 1, 2], [9, 1, 1])).toThrow(/sliceSizes/);
    expect(() => gather(x, [[0, 1]], { axis: 5 })).toThrow(/axis 5/);
    expect(() => scatterAdd(x, [0], update)).toThrow(/updates must have shape/);
    expect(tf.memory().numTensors).toBe(before);
    dispose([x, idx, update, updates]);
  });
});
