/**
 * Transformation rules of the indexing, convolution, window, sort and random primitives,
 * each checked against an independent reference on cpu and wasm:
 *
 * - JVP vs central finite differences (f(x + εv) − f(x − εv)) / 2ε with ε = 1e-2 on O(1)
 *   inputs. Error budget: truncation is ε²/6 · |f'''| — zero for these primitives, which
 *   are linear, bilinear or piecewise linear (inputs of sort / top_k / max pooling are
 *   spaced ≥ 0.1 apart, so a perturbation of at most ε·|v| ≤ 1e-2 never changes an order or
 *   a window's argmax); float32 rounding of f is ≈ k·u·|f| for k accumulated terms
 *   (u = 6e-8, k ≤ 50, |f| ≲ 10), divided by 2ε: ≲ 2e-4 · scale. A 1e-2 relative tolerance
 *   (of the largest |Jv|) is therefore loose enough to be stable and tight enough to catch
 *   any wrong index, sign or missing term (those are O(1) errors).
 * - VJP vs JVP by the transpose identity <u, J v> = <Jᵀ u, v>: both sides are exact for a
 *   correct transpose up to float32 summation (n·u relative to Σ|u||Jv| with n ≤ 1e3 terms,
 *   ≈ 6e-5 worst case), so the tolerance is 1e-4 relative to Σ|u||Jv| + Σ|Jᵀu||v|.
 * - vmap vs a loop over the batch: every argument batched at axis 0, every argument batched
 *   at its last (nonzero) axis and at axis 1, and each argument batched alone (at axis 1
 *   where it has one), so the special cases of the batching rules (unbatched indices,
 *   unbatched operand, ...) all run.
 * - jit vs eager for the function and for its gradient (grad inside jit and jit inside grad).
 */
import { beforeAll, describe, expect, test } from "vitest";
import type { NDArray } from "../src/array.ts";
import type { DType } from "../src/core/dtype.ts";
import { fromFlat } from "../src/core/constant.ts";
import { grad, jit, jvp, np, vjp, vmap } from "../src/index.ts";
import { dynamicSliceP, dynamicUpdateSliceP, gatherP, padP, scatterAddP, type PadDim } from "../src/lax/indexing.ts";
import { convGeneralDilatedP, type ConvGeneralDilatedParams } from "../src/lax/conv.ts";
import { reduceWindowMaxP, reduceWindowSumP, type ReduceWindowParams } from "../src/lax/window.ts";
import { sortP, topKP } from "../src/lax/sort.ts";
import { randomIntFromBitsP, randomUnitFloatP, sortKeyValU32P, threefry2x32P } from "../src/lax/threefry.ts";
import { CPU_BACKENDS, rand, size, unravel, ravel, useBackend } from "./helpers.ts";

// ---------------------------------------------------------------------------------------
// argument specs and host-side helpers

/** How to make an argument of a case: its (unbatched) shape, dtype and values from a seed. */
interface Arg { shape: number[]; dtype: DType; values: (n: number, seed: number) => number[] }

/** One primitive application to check: `f` binds it; `diff` marks the float arguments to differentiate. */
interface Case { name: string; args: Arg[]; diff: boolean[]; f: (...xs: NDArray[]) => NDArray | NDArray[] }

const smooth = (shape: number[]): Arg => ({ shape, dtype: "float32", values: (n, seed) => rand(n, seed, -1, 1) });
/** Values at least 0.1 apart (a shuffled ladder), so ε-perturbations keep every order and argmax. */
const distinct = (shape: number[]): Arg => ({
  shape, dtype: "float32", values: (n, seed) => {
    const keys = rand(n, seed);
    return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!).map((rank) => -1 + (2 * rank) / Math.max(n - 1, 1) * Math.max(1, (n - 1) * 0.1 / 2));
  },
});
const ints = (shape: number[], lo: number, hi: number): Arg => ({ shape, dtype: "int32", values: (n, seed) => rand(n, seed, lo, hi + 1).map(Math.floor) });
const u32s = (shape: number[]): Arg => ({ shape, dtype: "uint32", values: (n, seed) => rand(n, seed, 0, 2 ** 32).map((v) => Math.min(Math.floor(v), 2 ** 32 - 1)) });

const make = (a: Arg, shape: number[], seed: number): NDArray => fromFlat(a.values(size(shape), seed), shape, a.dtype);
const flat = (x: NDArray): number[] => Array.from(x.dataSync() as ArrayLike<number>, Number);
const asList = (o: NDArray | NDArray[]): NDArray[] => (Array.isArray(o) ? o : [o]);

/** The slice at index b along `axis` of a flat row-major array. */
function take(data: readonly number[], shape: readonly number[], axis: number, b: number): number[] {
  const rest = shape.filter((_, i) => i !== axis);
  return Array.from({ length: size(rest) }, (_, i) => {
    const idx = unravel(i, rest);
    idx.splice(axis, 0, b);
    return data[ravel(idx, shape)]!;
  });
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const dotAbs = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + Math.abs(v * b[i]!), 0);

function expectClose(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  expect(actual.length, `${what}: size`).toBe(expected.length);
  actual.forEach((v, i) => {
    const w = expected[i]!;
    if (!Number.isFinite(w)) { expect(v, `${what}: element ${i}`).toBe(w); return; }
    expect(Math.abs(v - w), `${what}: element ${i}: ${v} vs ${w}`).toBeLessThanOrEqual(tol);
  });
}

// ---------------------------------------------------------------------------------------
// the checks

const EPS = 1e-2;
const B = 3;

/** The case's function of its differentiable arguments only, the others fixed. */
function diffFun(c: Case, xs: NDArray[]): (...ds: NDArray[]) => NDArray[] {
  return (...ds: NDArray[]) => {
    let k = 0;
    return asList(c.f(...xs.map((x, i) => (c.diff[i] ? ds[k++]! : x))));
  };
}

function checkJvpAgainstFiniteDifferences(c: Case): void {
  const xs = c.args.map((a, i) => make(a, a.shape, 11 + i));
  const primals = xs.filter((_, i) => c.diff[i]);
  const tangents = primals.map((p, i) => fromFlat(rand(p.size, 101 + i), p.shape, "float32"));
  const g = diffFun(c, xs);
  const [, touts] = jvp(g, primals, tangents) as [NDArray[], NDArray[]];
  const shifted = (sign: number) => g(...primals.map((p, i) => fromFlat(flat(p).map((v, k) => v + sign * EPS * flat(tangents[i]!)[k]!), p.shape, "float32")));
  const plus = shifted(1), minus = shifted(-1);
  plus.forEach((o, j) => {
    if (o.dtype !== "float32") return;
    const fp = flat(o), fm = flat(minus[j]!);
    const fd = fp.map((v, k) => (v === fm[k] ? 0 : (v - fm[k]!) / (2 * EPS)));
    const t = flat(touts[j]!);
    const scale = Math.max(1e-2, ...fd.map(Math.abs), ...t.map(Math.abs));
    expectClose(t, fd, 1e-2 * scale, `${c.name}: JVP of output ${j} vs finite differences`);
  });
}

function checkVjpAgainstJvp(c: Case): void {
  const xs = c.args.map((a, i) => make(a, a.shape, 21 + i));
  const primals = xs.filter((_, i) => c.diff[i]);
  const vs = primals.map((p, i) => fromFlat(rand(p.size, 201 + i), p.shape, "float32"));
  const g = diffFun(c, xs);
  const [outs, touts] = jvp(g, primals, vs) as [NDArray[], NDArray[]];
  const us = outs.map((o, j) => (o.dtype === "float32" ? fromFlat(rand(o.size, 301 + j), o.shape, "float32") : np.zeros(o.shape, { dtype: o.dtype })));
  const [, vjpFn] = vjp((...ds: NDArray[]) => g(...ds), ...primals);
  const cts = vjpFn(us) as NDArray[];
  let lhs = 0, rhs = 0, scale = 0;
  outs.forEach((o, j) => {
    if (o.dtype !== "float32") return;
    lhs += dot(flat(us[j]!), flat(touts[j]!));
    scale += dotAbs(flat(us[j]!), flat(touts[j]!));
  });
  cts.forEach((ct, i) => {
    expect(ct.shape, `${c.name}: cotangent ${i} shape`).toEqual(primals[i]!.shape);
    rhs += dot(flat(ct), flat(vs[i]!));
    scale += dotAbs(flat(ct), flat(vs[i]!));
  });
  expect(scale, `${c.name}: the identity must not be vacuous`).toBeGreaterThan(0);
  expect(Math.abs(lhs - rhs), `${c.name}: <u, Jv> = ${lhs} vs <Jᵀu, v> = ${rhs}`).toBeLessThanOrEqual(1e-4 * scale);
}

/**
 * inAxes to try: all at 0, all at their last axis, all at axis 1 (a middle axis where the
 * rank allows), and each argument batched alone (at axis 1 when it has one).
 */
function axisCombos(c: Case): (number | null)[][] {
  const middle = c.args.map((a) => Math.min(1, a.shape.length));
  const combos: (number | null)[][] = [c.args.map(() => 0), c.args.map((a) => a.shape.length), middle];
  if (c.args.length > 1) c.args.forEach((_, i) => combos.push(c.args.map((__, k) => (k === i ? middle[k]! : null))));
  const seen = new Set<string>();
  return combos.filter((axes) => !seen.has(JSON.stringify(axes)) && !!seen.add(JSON.stringify(axes)));
}

function checkVmapAgainstLoop(c: Case, inAxes: (number | null)[]): void {
  const batched = c.args.map((a, i) => {
    const ax = inAxes[i];
    if (ax === null || ax === undefined) return make(a, a.shape, 31 + i);
    const shape = [...a.shape];
    shape.splice(ax, 0, B);
    return make(a, shape, 41 + i);
  });
  const outs = asList(vmap(c.f, { inAxes })(...batched));
  const perExample = Array.from({ length: B }, (_, b) => asList(c.f(...batched.map((x, i) => {
    const ax = inAxes[i];
    if (ax === null || ax === undefined) return x;
    const shape = x.shape.filter((_, k) => k !== ax);
    return fromFlat(take(flat(x), x.shape, ax, b), shape, x.dtype);
  }))));
  outs.forEach((o, j) => {
    expect(o.shape, `${c.name} vmap ${JSON.stringify(inAxes)}: output ${j} shape`).toEqual([B, ...perExample[0]![j]!.shape]);
    const expected = perExample.flatMap((outsB) => flat(outsB[j]!));
    const tol = o.dtype === "float32" ? 1e-5 * Math.max(1, ...expected.map(Math.abs)) : 0;
    expectClose(flat(o), expected, tol, `${c.name} vmap ${JSON.stringify(inAxes)}: output ${j}`);
  });
}

function checkJit(c: Case): void {
  const xs = c.args.map((a, i) => make(a, a.shape, 51 + i));
  const eager = asList(c.f(...xs));
  const compiled = asList(jit(c.f)(...xs));
  eager.forEach((o, j) => {
    const e = flat(o);
    expectClose(flat(compiled[j]!), e, o.dtype === "float32" ? 1e-5 * Math.max(1, ...e.map(Math.abs)) : 0, `${c.name}: jit output ${j}`);
  });
  if (!c.diff.some((d) => d)) return;
  // The gradient of <u, f(x)>: eager, staged inside jit, and through jit's own rules.
  const us = eager.map((o, j) => fromFlat(rand(o.size, 401 + j), o.shape, "float32"));
  const argnums = c.diff.flatMap((d, i) => (d ? [i] : []));
  const loss = (fn: typeof c.f) => (...ys: NDArray[]) => asList(fn(...ys)).reduce<NDArray>((acc, o, j) => (o.dtype === "float32" ? acc.add(np.sum(o.mul(us[j]!))) : acc), np.zeros([]));
  const gEager = grad(loss(c.f), { argnums })(...xs) as NDArray[];
  const gJit = jit(grad(loss(c.f), { argnums }))(...xs) as NDArray[];
  const gThroughJit = grad(loss(jit(c.f)), { argnums })(...xs) as NDArray[];
  gEager.forEach((g, i) => {
    const e = flat(g);
    const tol = 1e-5 * Math.max(1, ...e.map(Math.abs));
    expectClose(flat(gJit[i]!), e, tol, `${c.name}: jit(grad) of argument ${argnums[i]}`);
    expectClose(flat(gThroughJit[i]!), e, tol, `${c.name}: grad(jit) of argument ${argnums[i]}`);
  });
}

// ---------------------------------------------------------------------------------------
// the cases

const padCase = (name: string, shape: number[], config: PadDim[]): Case => ({
  name, args: [smooth(shape), smooth([])], diff: [true, true], f: (x, v) => padP.bind1([x, v], { config }),
});
const dsCase = (name: string, shape: number[], sliceSizes: number[]): Case => ({
  name, args: [smooth(shape), ...shape.map((n) => ints([], -2, n + 1))], diff: [true, ...shape.map(() => false)],
  f: (x, ...starts) => dynamicSliceP.bind1([x, ...starts], { sliceSizes }),
});
const dusCase = (name: string, shape: number[], ushape: number[]): Case => ({
  name, args: [smooth(shape), smooth(ushape), ...shape.map((n) => ints([], -2, n + 1))], diff: [true, true, ...shape.map(() => false)],
  f: (x, u, ...starts) => dynamicUpdateSliceP.bind1([x, u, ...starts], {}),
});
const gatherCase = (name: string, shape: number[], ishape: number[], axis: number, batchDims: number): Case => ({
  name, args: [smooth(shape), ints(ishape, -1, shape[axis]!)], diff: [true, false],
  f: (x, i) => gatherP.bind1([x, i], { axis, batchDims }),
});
const scatterCase = (name: string, shape: number[], ishape: number[], axis: number, batchDims: number): Case => {
  const ushape = [...shape.slice(0, axis), ...ishape.slice(batchDims), ...shape.slice(axis + 1)];
  return {
    name, args: [smooth(shape), ints(ishape, -1, shape[axis]!), smooth(ushape)], diff: [true, false, true],
    f: (x, i, u) => scatterAddP.bind1([x, i, u], { axis, batchDims }),
  };
};
const convCase = (name: string, lhs: number[], rhs: number[], p: ConvGeneralDilatedParams): Case => ({
  name, args: [smooth(lhs), smooth(rhs)], diff: [true, true], f: (l, r) => convGeneralDilatedP.bind1([l, r], p),
});
const windowCase = (kind: "max" | "sum", name: string, shape: number[], p: ReduceWindowParams): Case => ({
  name: `reduce_window_${kind}: ${name}`, args: [kind === "max" ? distinct(shape) : smooth(shape)], diff: [true],
  f: (x) => (kind === "max" ? reduceWindowMaxP : reduceWindowSumP).bind1([x], p),
});

const WINDOWS: [string, number[], ReduceWindowParams][] = [
  ["NHWC 3x3 stride 2 with padding", [2, 5, 6, 3], { windowDimensions: [1, 3, 3, 1], windowStrides: [1, 2, 2, 1], padding: [[0, 0], [1, 1], [0, 2], [0, 0]] }],
  ["overlapping 2x2 stride 1", [4, 5], { windowDimensions: [2, 2], windowStrides: [1, 1], padding: [[0, 0], [0, 0]] }],
  ["negative padding (crop)", [6, 6], { windowDimensions: [3, 2], windowStrides: [1, 1], padding: [[-1, -2], [-1, 1]] }],
  ["stride larger than the window (skipped elements)", [11], { windowDimensions: [2], windowStrides: [3], padding: [[0, 0]] }],
  ["three window dims", [4, 5, 6], { windowDimensions: [2, 3, 2], windowStrides: [1, 2, 2], padding: [[1, 0], [0, 0], [0, 1]] }],
];

const CASES: Case[] = [
  padCase("pad: lo/hi/interior with negative padding", [3, 4], [[1, -1, 1], [-2, 2, 0]]),
  padCase("pad: crop both ends with interior 2", [4], [[-2, -3, 2]]),
  padCase("pad: plain", [2, 3], [[1, 2, 0], [0, 1, 0]]),
  dsCase("dynamic_slice: 2-D, clamped starts", [5, 6], [2, 3]),
  dsCase("dynamic_slice: a full-size dimension", [4, 5], [4, 2]),
  dusCase("dynamic_update_slice: 2-D, clamped starts", [5, 6], [2, 3]),
  dusCase("dynamic_update_slice: a full-size dimension", [4, 5], [4, 2]),
  gatherCase("gather: axis 1, repeated and clamped indices", [3, 5], [4], 1, 0),
  gatherCase("gather: batchDims 1", [3, 5, 2], [3, 4], 1, 1),
  gatherCase("gather: 2-D indices on axis 0", [4, 3], [2, 2], 0, 0),
  scatterCase("scatter_add: axis 1, repeated and clamped indices", [3, 5], [4], 1, 0),
  scatterCase("scatter_add: batchDims 1", [3, 5, 2], [3, 4], 1, 1),
  convCase("conv: 2-D strides, rhs dilation, padding, 2 groups", [2, 5, 5, 4], [3, 3, 2, 6], {
    windowStrides: [2, 1], padding: [[1, 1], [0, 2]], lhsDilation: [1, 1], rhsDilation: [1, 2], featureGroupCount: 2,
  }),
  convCase("conv: lhs dilation and negative padding", [1, 4, 5, 3], [2, 3, 3, 2], {
    windowStrides: [1, 2], padding: [[-1, 2], [1, 0]], lhsDilation: [2, 1], rhsDilation: [1, 1], featureGroupCount: 1,
  }),
  convCase("conv: depthwise (groups = channels)", [1, 5, 4, 3], [3, 3, 1, 6], {
    windowStrides: [1, 1], padding: [[1, 1], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], featureGroupCount: 3,
  }),
  convCase("conv: 1-D, stride skipping trailing pixels", [2, 9, 3], [2, 3, 4], {
    windowStrides: [3], padding: [[0, 0]], lhsDilation: [1], rhsDilation: [1], featureGroupCount: 1,
  }),
  convCase("conv: 1-D, all dilations and strides", [2, 7, 2], [3, 2, 2], {
    windowStrides: [2], padding: [[2, 1]], lhsDilation: [2], rhsDilation: [2], featureGroupCount: 1,
  }),
  ...WINDOWS.map(([name, shape, p]) => windowCase("sum", name, shape, p)),
  windowCase("sum", "windows of pure padding", [2, 3], { windowDimensions: [2, 2], windowStrides: [1, 1], padding: [[2, 2], [0, 0]] }),
  ...WINDOWS.map(([name, shape, p]) => windowCase("max", name, shape, p)),
  {
    name: "sort: key and value along the last axis", args: [distinct([3, 4]), smooth([3, 4])], diff: [true, true],
    f: (k, v) => sortP.bind([k, v], { dimension: 1, numKeys: 1 }),
  },
  { name: "sort: one operand along axis 0", args: [distinct([4, 3])], diff: [true], f: (x) => sortP.bind([x], { dimension: 0, numKeys: 1 }) },
  { name: "top_k: k = 3 of 6", args: [distinct([3, 6])], diff: [true], f: (x) => topKP.bind([x], { k: 3 }) },
  {
    name: "sort_key_val_u32: float values by uint32 keys", args: [u32s([2, 5]), smooth([2, 5])], diff: [false, true],
    f: (k, v) => sortKeyValU32P.bind([k, v], { dimension: 1 }),
  },
  { name: "threefry2x32", args: [u32s([]), u32s([]), u32s([4]), u32s([4])], diff: [false, false, false, false], f: (...xs) => threefry2x32P.bind(xs, {}) },
  { name: "random_unit_float", args: [u32s([2, 3])], diff: [false], f: (x) => randomUnitFloatP.bind1([x], {}) },
  {
    name: "random_int_from_bits", args: [u32s([4]), u32s([4]), ints([], -5, 0), ints([], 3, 9)], diff: [false, false, false, false],
    f: (...xs) => randomIntFromBitsP.bind1(xs, { maxvalOutOfRange: false }),
  },
];

describe.each(CPU_BACKENDS)("transformation rules on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  const differentiable = CASES.filter((c) => c.diff.some((d) => d));
  test.each(differentiable.map((c) => [c.name, c] as const))("jvp vs finite differences: %s", (_, c) => checkJvpAgainstFiniteDifferences(c));
  test.each(differentiable.map((c) => [c.name, c] as const))("vjp vs jvp (transpose identity): %s", (_, c) => checkVjpAgainstJvp(c));
  test.each(CASES.map((c) => [c.name, c] as const))("vmap vs loop: %s", (_, c) => {
    for (const axes of axisCombos(c)) checkVmapAgainstLoop(c, axes);
  });
  test.each(CASES.map((c) => [c.name, c] as const))("jit vs eager: %s", (_, c) => checkJit(c));

  test("vmap of grad through dynamic_slice with batched starts (transpose under vmap)", () => {
    const x = fromFlat(rand(12, 5), [12], "float32");
    const starts = fromFlat([0, 3, 9, 11], [4], "int32");
    const f = (s: NDArray) => grad((y: NDArray) => np.sum(dynamicSliceP.bind1([y, s], { sliceSizes: [3] }).mul(np.array([1, 2, 3]))))(x);
    const batched = vmap(f)(starts) as NDArray;
    const rows = [0, 3, 9, 9].map((s) => Array.from({ length: 12 }, (_, i) => (i >= s && i < s + 3 ? i - s + 1 : 0)));
    expectClose(flat(batched), rows.flat(), 0, "vmap(grad(dynamic_slice))");
  });

  test("reduce_window_max: ties send the whole gradient to the first maximum of each window", () => {
    const x = fromFlat([1, 1, 0, 1], [4], "float32");
    const g = grad((y: NDArray) => np.sum(reduceWindowMaxP.bind1([y], { windowDimensions: [2], windowStrides: [1], padding: [[0, 0]] })))(x) as NDArray;
    // windows [1, 1] -> position 0, [1, 0] -> position 1, [0, 1] -> position 3
    expectClose(flat(g), [1, 1, 0, 1], 0, "grad of max pool with ties");
  });

  test("pad: the padding value's cotangent sums the padded positions", () => {
    const x = fromFlat([1, 2, 3], [3], "float32");
    const [gx, gv] = grad((y: NDArray, v: NDArray) => np.sum(padP.bind1([y, v], { config: [[2, -1, 1]] }).mul(np.array([1, 2, 3, 4, 5, 6]))), { argnums: [0, 1] })(x, np.array(0)) as NDArray[];
    // output [v, v, 1, v, 2, v] (the trailing 3 is cropped): weights 1..6
    expectClose(flat(gx!), [3, 5, 0], 0, "operand cotangent");
    expectClose(flat(gv!), [1 + 2 + 4 + 6], 0, "padding value cotangent");
  });
});
