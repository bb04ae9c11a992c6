import { beforeAll, describe, expect, test } from "vitest";
import { tf } from "../src/backend/index.ts";
import type { NDArray, NestedArray } from "../src/array.ts";
import { fromFlat, fromNested } from "../src/core/constant.ts";
import { dispose } from "../src/memory.ts";
import { reduceWindowMax, reduceWindowMaxP, reduceWindowSum, reduceWindowSumP, type ReduceWindowParams } from "../src/lax/window.ts";
import { sort, sortKeyVal, sortP, topK, topKP } from "../src/lax/sort.ts";
import { CPU_BACKENDS, expectArray, rand, ravel, size, unravel, useBackend } from "./helpers.ts";

const f32 = (x: NestedArray) => fromNested(x);
const i32 = (x: NestedArray) => fromNested(x, { dtype: "int32" });


/** XLA ReduceWindow by direct loops: padding positions hold the reduction's identity. */
function reduceWindowRef(x: number[], xs: number[], p: ReduceWindowParams, kind: "max" | "sum"): { data: number[]; shape: number[] } {
  const init = kind === "max" ? -Infinity : 0;
  const out = xs.map((n, d) => {
    const padded = n + p.padding[d]![0] + p.padding[d]![1];
    return padded < p.windowDimensions[d]! ? 0 : Math.floor((padded - p.windowDimensions[d]!) / p.windowStrides[d]!) + 1;
  });
  const data = Array.from({ length: size(out) }, (_, i) => {
    const o = unravel(i, out);
    let acc = init;
    for (let wf = 0; wf < size(p.windowDimensions); wf++) {
      const w = unravel(wf, p.windowDimensions);
      const src = o.map((v, d) => v * p.windowStrides[d]! + w[d]! - p.padding[d]![0]);
      const v = src.every((s, d) => s >= 0 && s < xs[d]!) ? x[ravel(src, xs)]! : init;
      acc = kind === "max" ? Math.max(acc, v) : acc + v;
    }
    return acc;
  });
  return { data, shape: out };
}

/** A stable ascending argsort in JS with NaNs last, the behaviour sort promises. */
function argsortRef(keys: number[]): number[] {
  const rank = (v: number) => (Number.isNaN(v) ? 1 : 0);
  return keys.map((_, i) => i).sort((a, b) => rank(keys[a]!) - rank(keys[b]!) || (rank(keys[a]!) ? 0 : keys[a]! - keys[b]!) || a - b);
}

const WINDOW_CASES: [string, number[], ReduceWindowParams][] = [
  ["2-D window 2x2, stride 1x2", [4, 6], { windowDimensions: [2, 2], windowStrides: [1, 2], padding: [[0, 0], [0, 0]] }],
  ["NHWC max-pool layout with padding", [2, 5, 6, 3], { windowDimensions: [1, 3, 3, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [1, 1], [0, 2], [0, 0]] }],
  ["non-adjacent window dims (0 and 2)", [5, 3, 6], { windowDimensions: [2, 1, 3], windowStrides: [2, 1, 1], padding: [[0, 1], [0, 0], [1, 0]] }],
  ["three window dims (pooled two at a time)", [4, 5, 6], { windowDimensions: [2, 3, 2], windowStrides: [1, 2, 2], padding: [[1, 0], [0, 0], [0, 1]] }],
  ["window 1 with stride 2 and padding", [7, 4], { windowDimensions: [1, 2], windowStrides: [2, 1], padding: [[1, 1], [0, 0]] }],
  ["1-D with stride larger than the window", [11], { windowDimensions: [2], windowStrides: [3], padding: [[0, 0]] }],
  ["negative padding (crop)", [6, 6], { windowDimensions: [3, 2], windowStrides: [1, 1], padding: [[-1, -2], [-1, 1]] }],
  ["window wider than the data: windows of pure padding", [2, 3], { windowDimensions: [2, 2], windowStrides: [1, 1], padding: [[2, 2], [0, 0]] }],
  ["rank 5", [2, 3, 4, 2, 3], { windowDimensions: [1, 2, 1, 2, 1], windowStrides: [1, 1, 2, 1, 2], padding: [[0, 0], [0, 1], [0, 0], [1, 0], [0, 0]] }],
  ["empty output", [2, 2], { windowDimensions: [3, 1], windowStrides: [1, 1], padding: [[0, 0], [0, 0]] }],
];

describe.each(CPU_BACKENDS)("reduce_window on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("hand-computed values", () => {
    const x = f32([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expectArray(reduceWindowMax(x, [2, 2], [1, 2]), [[6, 8]]);
    expectArray(reduceWindowSum(x, [2, 2], [1, 2]), [[14, 22]]);
    expectArray(reduceWindowSum(f32([1, 2, 3, 4]), [2], [1]), [3, 5, 7]);
    expectArray(reduceWindowSum(f32([1, 2, 3, 4]), [3], [1], [[1, 1]]), [3, 6, 9, 7]);
    expectArray(reduceWindowMax(f32([-1, -2, -3]), [2], [1], [[1, 1]]), [-1, -1, -2, -3]);
    expectArray(reduceWindowMax(f32([1, 2, 3, 4, 5]), [2], [2], "SAME"), [2, 4, 5]);
    expectArray(reduceWindowMax(f32([1, 2]), [1], [1], [[1, 0]]), [-Infinity, 1, 2]);
  });

  test.each(WINDOW_CASES)("%s matches the nested-loop reference", (_, xs, p) => {
    const data = rand(size(xs), size(xs) + 3, -4, 4);
    const x = fromFlat(data, xs, "float32");
    for (const kind of ["max", "sum"] as const) {
      const ref = reduceWindowRef(data, xs, p, kind);
      const f = kind === "max" ? reduceWindowMax : reduceWindowSum;
      const y = f(x, p.windowDimensions, p.windowStrides, p.padding);
      expect(y.shape).toEqual(ref.shape);
      expectArray(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
    }
  });

  test("int32 operands stay int32 and are exact", () => {
    const x = i32([[1, -2, 3], [4, 5, -6]]);
    const m = reduceWindowMax(x, [2, 2], [1, 1], [[0, 0], [0, 1]]);
    expect(m.dtype).toBe("int32");
    expect(m.toArray()).toEqual([[5, 5, 3]]);
    expect(reduceWindowMax(i32([1]), [1], [1], [[1, 0]]).toArray()).toEqual([-2147483648, 1]);
    const s = reduceWindowSum(i32([1000001, 2000003, -7]), [2], [1]);
    expect(s.dtype).toBe("int32");
    expect(s.toArray()).toEqual([3000004, 1999996]);
  });

  test("bad input", () => {
    const x = f32([[1, 2], [3, 4]]);
    expect(() => reduceWindowMax(x, [2], [1, 1])).toThrow(/windowDimensions must be 2 integer\(s\) >= 1, one per dimension of operand f32\[2,2\]; got \[2\]/);
    expect(() => reduceWindowSum(x, [0, 1], [1, 1])).toThrow(/windowDimensions must be 2 integer/);
    expect(() => reduceWindowSum(x, [1, 1], [1, 0])).toThrow(/windowStrides must be 2 integer/);
    expect(() => reduceWindowSum(x, [1, 1], [1, 1], [[0, 0]])).toThrow(/padding must be 2 \[lo, hi\] integer pair/);
    expect(() => reduceWindowSum(x, [1, 1], [1, 1], [[-3, 0], [0, 0]])).toThrow(/padding \[-3, 0\] crops more than dimension 0 of operand f32\[2,2\]/);
    expect(() => reduceWindowMax(fromNested([true], { dtype: "bool" }), [1], [1])).toThrow(/operand must be float32 or int32; got bool\[1\]/);
    expect(() => reduceWindowMaxP.bind1([], { windowDimensions: [], windowStrides: [], padding: [] })).toThrow(/takes one operand/);
    expect(() => reduceWindowSumP.bind1([x], { windowDimensions: [1, 1], windowStrides: [1, 1], padding: [[0, 0], [0.5, 0]] as never })).toThrow(/padding/);
  });

  test("the live tensor count stays flat across calls when results are disposed", () => {
    const x = fromFlat(rand(2 * 6 * 5 * 3, 9), [2, 6, 5, 3], "float32");
    const run = () => {
      dispose([
        reduceWindowMax(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
        reduceWindowSum(x, [2, 2, 1, 2], [1, 1, 1, 1], [[0, 1], [-1, 0], [0, 0], [1, 0]]),
      ]);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    dispose(x);
  });
});

describe.each(CPU_BACKENDS)("sort and top_k on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("sorts ascending; argsort is sort(x, iota)", () => {
    expectArray(sort(f32([3, 1, 2])), [1, 2, 3]);
    const [k, v] = sort([f32([2, 1, 2]), f32([10, 20, 30])]);
    expectArray(k!, [1, 2, 2]);
    expectArray(v!, [20, 10, 30]);
    const [keys, idx] = sortKeyVal(f32([3, 1, 2]), i32([0, 1, 2]));
    expectArray(keys, [1, 2, 3]);
    expect(idx.toArray()).toEqual([1, 2, 0]);
    expect(idx.dtype).toBe("int32");
  });

  test("ties keep their original order (stable)", () => {
    const keys = [1, 3, 1, 3, 2, 3, 1, 1, 3, 3, 3, 3];
    const [, perm] = sort([f32(keys), i32(keys.map((_, i) => i))]);
    expect(perm!.toArray()).toEqual([0, 2, 6, 7, 4, 1, 3, 5, 8, 9, 10, 11]);
  });

  test("NaN policy: NaNs last in their original order; -0 and +0 tie", () => {
    const keys = [NaN, 1, Infinity, -Infinity, NaN, 0, -0, -5];
    const [sorted, perm] = sort([f32(keys), i32(keys.map((_, i) => i))]);
    expect(perm!.toArray()).toEqual([3, 7, 5, 6, 1, 2, 0, 4]);
    expectArray(sorted!, [-Infinity, -5, 0, -0, 1, Infinity, NaN, NaN]);
    expect(Object.is((sorted!.toArray() as number[])[3], -0)).toBe(true);
  });

  test("int32 keys over the whole range, bool keys, and payloads of every dtype", () => {
    const ints = [2147483647, -2147483648, 0, 16777217, 16777216, -1, -2147483648];
    const [si, pi] = sort([i32(ints), i32(ints.map((_, i) => i))]);
    expect(si!.toArray()).toEqual([-2147483648, -2147483648, -1, 0, 16777216, 16777217, 2147483647]);
    expect(pi!.toArray()).toEqual([1, 6, 5, 2, 4, 3, 0]);
    const [sb, pb, fb] = sort([fromNested([true, false, true, false], { dtype: "bool" }), i32([0, 1, 2, 3]), fromNested([true, true, false, false], { dtype: "bool" })]);
    expect(sb!.toArray()).toEqual([false, false, true, true]);
    expect(pb!.toArray()).toEqual([1, 3, 0, 2]);
    expect(fb!.toArray()).toEqual([true, false, true, false]);
    const [, u] = sort([f32([2, 1]), fromFlat([4294967295, 7], [2], "uint32")]);
    expect(u!.dtype).toBe("uint32");
    expect(u!.toArray()).toEqual([7, 4294967295]);
  });

  test("sorts along any dimension and matches a JS stable sort row by row", () => {
    const shape = [3, 40, 2];
    const data = rand(size(shape), 11, 0, 6).map(Math.floor); // many ties
    data[5] = NaN; data[17] = NaN;
    const x = fromFlat(data, shape, "float32");
    for (const dimension of [0, 1, 2]) {
      const iota = fromFlat(data.map((_, i) => unravel(i, shape)[dimension]!), shape, "int32");
      const [sorted, perm] = sort([x, iota], { dimension });
      const s = sorted!.dataSync(), p = perm!.dataSync();
      const n = shape[dimension]!;
      for (let flat = 0; flat < data.length; flat++) {
        const pos = unravel(flat, shape);
        if (pos[dimension] !== 0) continue;
        const line = Array.from({ length: n }, (_, j) => ravel(pos.map((v, d) => (d === dimension ? j : v)), shape));
        const expectedPerm = argsortRef(line.map((i) => data[i]!));
        expect(line.map((i) => p[i])).toEqual(expectedPerm);
        line.forEach((i, j) => {
          const want = data[line[expectedPerm[j]!]!]!;
          if (Number.isNaN(want)) expect(Number.isNaN(s[i]!)).toBe(true);
          else expect(s[i]).toBe(want);
        });
      }
    }
    expectArray(sort(x, { dimension: -2 }), sort([x], { dimension: 1 })[0]!.toArray());
  });

  test("length-1 and empty sort dimensions are returned as they are", () => {
    expectArray(sort(f32([[3], [1]])), [[3], [1]]);
    expect(sort(fromFlat([], [2, 0], "float32")).shape).toEqual([2, 0]);
  });

  test("sort: bad input", () => {
    expect(() => sort([f32([1, 2]), f32([1, 2, 3])])).toThrow(/every operand must have the key's shape; operand 0 is f32\[2\], operand 1 is f32\[3\]/);
    expect(() => sort(f32(1))).toThrow(/rank >= 1; got f32\[\]/);
    expect(() => sort(f32([1, 2]), { numKeys: 2 })).toThrow(/only numKeys = 1 is supported/);
    expect(() => sort(f32([1, 2]), { dimension: 1 })).toThrow(/sort: dimension 1 is out of bounds/);
    expect(() => sortP.bind([f32([1, 2])], { dimension: 1, numKeys: 1 })).toThrow(/dimension must be an integer in \[0, 1\)/);
    expect(() => sort(fromFlat([1], [1], "uint32"))).toThrow(/key operand must be float32, int32 or bool; got u32\[1\]/);
    expect(() => sort([])).toThrow(/at least one operand/);
  });

  test("top_k: descending values and indices, ties by lower index", () => {
    const [v, i] = topK(f32([1, 4, 2, 4]), 3);
    expectArray(v, [4, 4, 2]);
    expect(i.toArray()).toEqual([1, 3, 2]);
    expect(i.dtype).toBe("int32");
    const [v2, i2] = topK(i32([[5, 1, 3], [-1, -2, 7]]), 2);
    expect(v2.toArray()).toEqual([[5, 3], [7, -1]]);
    expect(v2.dtype).toBe("int32");
    expect(i2.toArray()).toEqual([[0, 2], [2, 0]]);
    const [v0, i0] = topK(f32([[1, 2]]), 0);
    expect(v0.shape).toEqual([1, 0]);
    expect(i0.shape).toEqual([1, 0]);
  });

  test("top_k NaN policy: NaN ranks as +Infinity", () => {
    const [v, i] = topK(f32([1, NaN, 3, Infinity, NaN]), 4);
    expect(i.toArray()).toEqual([1, 3, 4, 2]);
    expectArray(v, [NaN, Infinity, NaN, 3]);
    const [w, j] = topK(f32([-Infinity, 1, -Infinity, 2, -Infinity]), 4);
    expect(j.toArray()).toEqual([3, 1, 0, 2]);
    expectArray(w, [2, 1, -Infinity, -Infinity]);
  });

  test("top_k: bad input", () => {
    expect(() => topK(f32([1, 2]), 3)).toThrow(/k must be an integer in \[0, 2\] \(the last dimension of operand f32\[2\]\); got 3/);
    expect(() => topK(f32([1, 2]), 1.5)).toThrow(/k must be an integer/);
    expect(() => topK(fromNested([true], { dtype: "bool" }), 1)).toThrow(/operand must be float32 or int32; got bool\[1\]/);
    expect(() => topK(f32(1), 1)).toThrow(/rank >= 1/);
    expect(() => topKP.bind([], { k: 1 })).toThrow(/takes one operand/);
  });

  test("the live tensor count stays flat across calls when results are disposed", () => {
    const x = fromFlat(rand(4 * 30, 12), [4, 30], "float32");
    const idx = fromFlat(Array.from({ length: 120 }, (_, i) => i % 30), [4, 30], "int32");
    const run = () => {
      const outs: NDArray[] = [...sort([x, idx]), ...sort([x], { dimension: 0 }), ...topK(x, 5), ...topK(idx, 3)];
      dispose(outs);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    dispose([x, idx]);
  });
});
