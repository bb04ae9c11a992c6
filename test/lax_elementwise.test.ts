import { beforeAll, describe, expect, test } from "vitest";
import { lax, np } from "../src/index.ts";
import { CPU_BACKENDS, expectArray, useBackend } from "./helpers.ts";

// Expected values are NumPy's (float64, rounded) for the listed inputs.
const UNARY: [string, (x: any) => any, number[], number[]][] = [
  ["neg", lax.neg, [1, -2.5, 0], [-1, 2.5, -0]],
  ["exp", lax.exp, [0, 1, -1], [1, 2.718281828, 0.367879441]],
  ["log", lax.log, [1, Math.E, 0.5], [0, 1, -0.693147181]],
  ["log1p", lax.log1p, [0, 1e-7, 1], [0, 9.9999995e-8, 0.693147181]],
  ["expm1", lax.expm1, [0, 1e-7, 1], [0, 1.00000005e-7, 1.718281828]],
  ["sin", lax.sin, [0, Math.PI / 2, 1], [0, 1, 0.841470985]],
  ["cos", lax.cos, [0, Math.PI, 1], [1, -1, 0.540302306]],
  ["tan", lax.tan, [0, Math.PI / 4, 1], [0, 1, 1.557407725]],
  ["tanh", lax.tanh, [0, 1, -20], [0, 0.761594156, -1]],
  ["logistic", lax.logistic, [0, 2, -2], [0.5, 0.880797078, 0.119202922]],
  ["sqrt", lax.sqrt, [0, 4, 2], [0, 2, 1.414213562]],
  ["rsqrt", lax.rsqrt, [4, 0.25, 2], [0.5, 2, 0.707106781]],
  ["abs", lax.abs, [-3, 0, 2.5], [3, 0, 2.5]],
  ["sign", lax.sign, [-3, 0, 2.5], [-1, 0, 1]],
  ["floor", lax.floor, [-1.5, 0.5, 2], [-2, 0, 2]],
  ["ceil", lax.ceil, [-1.5, 0.5, 2], [-1, 1, 2]],
  ["round", lax.round, [0.5, 1.5, 2.5, -0.5, 1.2], [0, 2, 2, -0, 1]],
  ["erf", lax.erf, [0, 0.5, -1], [0, 0.520499878, -0.842700793]],
  ["erfInv", lax.erfInv, [0, 0.5, -0.9, 0.999], [0, 0.476936276, -1.163087154, 2.326753765]],
  ["square", lax.square, [-3, 0.5], [9, 0.25]],
];

const BINARY: [string, (x: any, y: any) => any, number[], number[], number[]][] = [
  ["add", lax.add, [1, 2], [3, 4], [4, 6]],
  ["sub", lax.sub, [1, 2], [3, 5], [-2, -3]],
  ["mul", lax.mul, [1.5, 2], [2, -4], [3, -8]],
  ["div", lax.div, [1, 3], [4, -2], [0.25, -1.5]],
  ["pow", lax.pow, [2, 9, 4], [3, 0.5, -1], [8, 3, 0.25]],
  ["max", lax.max, [1, 5], [3, 2], [3, 5]],
  ["min", lax.min, [1, 5], [3, 2], [1, 2]],
  ["atan2", lax.atan2, [1, 1, -1], [1, -1, 0], [0.785398163, 2.35619449, -1.570796327]],
  ["rem", lax.rem, [7, -7, 7, 5.5], [3, 3, -3, 2], [1, -1, 1, 1.5]],
];

describe.each(CPU_BACKENDS)("elementwise primitives on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(UNARY)("%s", (_, f, x, expected) => {
    expectArray(f(np.array(x)), expected, { rtol: 2e-5, atol: 2e-6 });
  });

  test.each(BINARY)("%s", (_, f, x, y, expected) => {
    expectArray(f(np.array(x), np.array(y)), expected);
  });

  test("erfInv is ±inf at ±1 and inverts erf", () => {
    expectArray(lax.erfInv(np.array([1, -1])), [Infinity, -Infinity]);
    const x = np.array([-0.9, -0.3, 0.2, 0.7]);
    expectArray(lax.erf(lax.erfInv(x)), [-0.9, -0.3, 0.2, 0.7], { rtol: 1e-5, atol: 2e-6 });
  });

  test("integer division and remainder truncate toward zero (C semantics)", () => {
    const x = np.array([7, -7, 7, -7], { dtype: "int32" });
    const y = np.array([2, 2, -2, -2], { dtype: "int32" });
    expect(lax.div(x, y).toArray()).toEqual([3, -3, -3, 3]);
    expect(lax.rem(x, y).toArray()).toEqual([1, -1, 1, -1]);
  });

  test("integerPow", () => {
    expectArray(lax.integerPow(np.array([2, -3]), 3), [8, -27]);
    expectArray(lax.integerPow(np.array([2, 4]), -2), [0.25, 0.0625]);
    expect(lax.integerPow(np.array([3], { dtype: "int32" }), 4).toArray()).toEqual([81]);
  });

  test("comparisons and logic", () => {
    const x = np.array([1, 2, 3]), y = np.array([2, 2, 2]);
    expect(lax.eq(x, y).toArray()).toEqual([false, true, false]);
    expect(lax.ne(x, y).toArray()).toEqual([true, false, true]);
    expect(lax.lt(x, y).toArray()).toEqual([true, false, false]);
    expect(lax.le(x, y).toArray()).toEqual([true, true, false]);
    expect(lax.gt(x, y).toArray()).toEqual([false, false, true]);
    expect(lax.ge(x, y).toArray()).toEqual([false, true, true]);
    const p = np.array([true, true, false, false]), q = np.array([true, false, true, false]);
    expect(lax.and(p, q).toArray()).toEqual([true, false, false, false]);
    expect(lax.or(p, q).toArray()).toEqual([true, true, true, false]);
    expect(lax.xor(p, q).toArray()).toEqual([false, true, true, false]);
    expect(lax.not(p).toArray()).toEqual([false, false, true, true]);
    expect(lax.isFinite(np.array([1, Infinity, NaN])).toArray()).toEqual([true, false, false]);
  });

  test("select broadcasts its predicate", () => {
    const out = lax.select(np.array([[true], [false]]), np.array([[1, 2]]), np.array([[3, 4]]));
    expectArray(out, [[1, 2], [3, 4]]);
  });

  test("convertElementType: truncation, bools and uint32 bits", () => {
    expect(lax.convertElementType(np.array([1.7, -1.7]), "int32").toArray()).toEqual([1, -1]);
    expect(lax.convertElementType(np.array([0, 2]), "bool").toArray()).toEqual([false, true]);
    const u = np.array([4146024105, 1], { dtype: "uint32" });
    expect(u.toArray()).toEqual([4146024105, 1]);
    expect(lax.convertElementType(u, "float32").toArray()).toEqual([Math.fround(4146024105), 1]);
    expect(lax.convertElementType(lax.convertElementType(u, "int32"), "uint32").toArray()).toEqual([4146024105, 1]);
  });

  test("binary primitives broadcast like NumPy", () => {
    expectArray(lax.add(np.array([[1], [2]]), np.array([10, 20, 30])), [[11, 21, 31], [12, 22, 32]]);
  });

  test("bad input: mismatched dtypes and shapes are named", () => {
    expect(() => lax.add(np.array([1]), np.array([1], { dtype: "int32" }))).toThrow(/add: operands must have one dtype; got x: f32\[1\], y: i32\[1\]/);
    expect(() => lax.add(np.ones([2, 3]), np.ones([4]))).toThrow(/cannot broadcast shapes add x: \[2, 3\] and add y: \[4\]/);
    expect(() => lax.sin(np.array([1], { dtype: "int32" }))).toThrow(/sin: x must have dtype float32; got i32\[1\]/);
    expect(() => lax.add(np.array([1], { dtype: "uint32" }), np.array([1], { dtype: "uint32" }))).toThrow(/uint32 holds PRNG key bits/);
  });
});
