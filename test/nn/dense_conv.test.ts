/**
 * linear, conv1d, conv2d, convTranspose2d, pooling and flatten: shapes and parameter
 * counts against the standard formulas, forward values against hand computation and
 * against a direct (loop) convolution written from the definition.
 *
 * Tolerances: outputs are sums of at most a few hundred float32 products of O(1) values;
 * the reference sums in float64, so |error| <= n·2^-24·Σ|terms| ≈ 1e-5 for these sizes:
 * atol 1e-4, rtol 1e-4. Hand-computed small cases use expectArray's default.
 */
import { describe, expect, test } from "vitest";
import { np, random, vjp, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray, rand } from "../helpers.ts";

const key = random.key(0);
const arr = (n: number, shape: number[], seed: number) => np.array(rand(n, seed)).reshape(shape);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** NHWC × HWIO cross-correlation from the definition, in float64. */
function referenceConv2d(x: number[][][][], w: number[][][][], { stride = [1, 1], pad = [[0, 0], [0, 0]], dilation = [1, 1], groups = 1 }: {
  stride?: number[]; pad?: number[][]; dilation?: number[]; groups?: number;
}): number[][][][] {
  const [n, h, wd, cin] = [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
  const [kh, kw, cinG, cout] = [w.length, w[0]!.length, w[0]![0]!.length, w[0]![0]![0]!.length];
  const coutG = cout / groups;
  const oh = Math.floor((h + pad[0]![0]! + pad[0]![1]! - dilation[0]! * (kh - 1) - 1) / stride[0]!) + 1;
  const ow = Math.floor((wd + pad[1]![0]! + pad[1]![1]! - dilation[1]! * (kw - 1) - 1) / stride[1]!) + 1;
  expect(cin).toBe(cinG * groups);
  return Array.from({ length: n }, (_, b) => Array.from({ length: oh }, (_, i) => Array.from({ length: ow }, (_, j) => Array.from({ length: cout }, (_, o) => {
    const g = Math.floor(o / coutG);
    let s = 0;
    for (let a = 0; a < kh; a++) for (let c = 0; c < kw; c++) {
      const y = i * stride[0]! + a * dilation[0]! - pad[0]![0]!, z = j * stride[1]! + c * dilation[1]! - pad[1]![0]!;
      if (y < 0 || y >= h || z < 0 || z >= wd) continue;
      for (let ci = 0; ci < cinG; ci++) s += x[b]![y]![z]![g * cinG + ci]! * w[a]![c]![ci]![o]!;
    }
    return s;
  }))));
}

describe("linear", () => {
  test("y = x·W + b by hand; leading batch dimensions; in·out + out parameters", () => {
    const layer = nn.linear(2, 3);
    const params = { w: np.array([[1, 2, 3], [4, 5, 6]]), b: np.array([0.5, -0.5, 1]) };
    expectArray(nn.call(layer, params, np.array([1, -1])), [1 - 4 + 0.5, 2 - 5 - 0.5, 3 - 6 + 1]);
    const x = arr(2 * 4 * 2, [2, 4, 2], 1);
    const y = nn.call(layer, params, x);
    expect(y.shape).toEqual([2, 4, 3]);
    expectArray(y.get(1).get(2), nn.call(layer, params, x.get(1).get(2)).toArray() as number[]);
    expect(nn.countParams(nn.linear(784, 256).init(key).params)).toBe(784 * 256 + 256);
    const noBias = nn.linear(784, 256, { bias: false }).init(key).params;
    expect(noBias.b).toBeNull();
    expect(nn.countParams(noBias)).toBe(784 * 256);
  });
});

describe("conv2d", () => {
  test("a 3×3 'VALID' convolution of a 4×4 image by hand", () => {
    const x = np.arange(16, undefined, 1, { dtype: "float32" }).reshape([1, 4, 4, 1]);
    const w = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]).reshape([3, 3, 1, 1]);   // Sobel x
    const conv = nn.conv2d(1, 1, 3);
    // row-major arange: every window has x[i, j+2] − x[i, j] = 2 → 2·(1 + 2 + 1) = 8, negated by the kernel's sign
    expectArray(nn.call(conv, { w, b: np.array([1]) }, x), [[[[-7], [-7]], [[-7], [-7]]]]);
  });

  const configs: [string, nn.ConvLayerOptions, number[]][] = [
    ["VALID", {}, [[0, 0], [0, 0]].flat()],
    ["SAME", { padding: "SAME" }, [1, 1, 1, 1]],
    // H 7 → ⌈7/2⌉ = 4: total pad (4−1)·2 + 3 − 7 = 2 → [1, 1]; W 8 → 4: total 1 → [0, 1] (odd one high)
    ["stride 2, SAME", { stride: 2, padding: "SAME" }, [1, 1, 0, 1]],
    ["explicit pads", { padding: [[2, 0], [1, 3]] }, [2, 0, 1, 3]],
    ["dilation 2", { dilation: 2, padding: 1 }, [1, 1, 1, 1]],
    ["stride [2, 1], dilation [1, 2]", { stride: [2, 1], dilation: [1, 2] }, [0, 0, 0, 0]],
    ["groups 2", { groups: 2, padding: 1 }, [1, 1, 1, 1]],
  ];

  test.each(configs)("%s: against the definition, output size and parameter count by formula", (_name, opts, pads) => {
    const [cin, cout, k, h, w] = [4, 6, 3, 7, 8];
    const conv = nn.conv2d(cin, cout, k, opts);
    const { params } = conv.init(key);
    const groups = opts.groups ?? 1;
    expect(params.w.shape).toEqual([k, k, cin / groups, cout]);
    expect(nn.countParams(params)).toBe(k * k * (cin / groups) * cout + cout);
    const x = arr(2 * h * w * cin, [2, h, w, cin], 3);
    const b = arr(cout, [cout], 4);
    const y = nn.call(conv, { w: params.w, b }, x);
    const s = typeof opts.stride === "number" ? [opts.stride, opts.stride] : (opts.stride as number[] | undefined) ?? [1, 1];
    const d = typeof opts.dilation === "number" ? [opts.dilation, opts.dilation] : (opts.dilation as number[] | undefined) ?? [1, 1];
    const pad = [[pads[0]!, pads[1]!], [pads[2]!, pads[3]!]];
    const out = (n: number, i: number) => Math.floor((n + pad[i]![0]! + pad[i]![1]! - d[i]! * (k - 1) - 1) / s[i]!) + 1;
    expect(y.shape).toEqual([2, out(h, 0), out(w, 1), cout]);
    const ref = referenceConv2d(x.toArray() as never, params.w.toArray() as never, { stride: s, pad, dilation: d, groups });
    const bias = b.toArray() as number[];
    expectArray(y, ref.map((r) => r.map((q) => q.map((v) => v.map((e, o) => e + bias[o]!)))), { atol: 1e-4, rtol: 1e-4 });
  });

  test("leading batch dimensions and unbatched images", () => {
    const conv = nn.conv2d(2, 3, 3, { padding: "SAME" });
    const { params } = conv.init(key);
    const x = arr(2 * 3 * 5 * 5 * 2, [2, 3, 5, 5, 2], 5);
    const y = nn.call(conv, params, x);
    expect(y.shape).toEqual([2, 3, 5, 5, 3]);
    expectArray(y.get(1).get(2), nn.call(conv, params, x.get(1).get(2)).toArray() as number[][][], { atol: 1e-5 });
  });
});

describe("conv1d", () => {
  test("against the 2-D convolution with height 1; shapes and parameters", () => {
    const c1 = nn.conv1d(3, 4, 3, { stride: 2, padding: "SAME" });
    const { params } = c1.init(key);
    expect(params.w.shape).toEqual([3, 3, 4]);
    expect(nn.countParams(params)).toBe(3 * 3 * 4 + 4);
    const x = arr(2 * 9 * 3, [2, 9, 3], 6);
    const y = nn.call(c1, params, x);
    expect(y.shape).toEqual([2, 5, 4]);
    const ref = referenceConv2d(x.reshape([2, 1, 9, 3]).toArray() as never, params.w.reshape([1, 3, 3, 4]).toArray() as never, { stride: [1, 2], pad: [[0, 0], [1, 1]] });
    expectArray(y, ref.map((r) => r[0]!), { atol: 1e-4, rtol: 1e-4 });
  });
});

describe("convTranspose2d", () => {
  const cases: [string, nn.ConvTransposeOptions, nn.ConvLayerOptions, number][] = [
    ["stride 2, VALID", { stride: 2 }, { stride: 2 }, 9],
    ["stride 2, padding 1, outputPadding 1", { stride: 2, padding: 1, outputPadding: 1 }, { stride: 2, padding: 1 }, 8],
    ["stride 2, SAME", { stride: 2, padding: "SAME" }, { stride: 2, padding: "SAME" }, 8],
    ["stride 3 > kernel, SAME", { stride: 3, padding: "SAME" }, { stride: 3, padding: "SAME" }, 12],
    ["dilation 2", { dilation: 2, padding: 1 }, { dilation: 2, padding: 1 }, 6],
  ];

  // Output sizes: (H − 1)·s − 2p + d·(k − 1) + op + 1 with H = 4, k = 3: VALID s 2 → 9; p 1, op 1 → 8;
  // SAME → H·s; dilation 2, p 1 → 3 − 2 + 4 + 1 = 6.
  test.each(cases)("%s: is the transpose of conv2d (its input gradient), with PyTorch's output size", (_name, tOpts, cOpts, outSize) => {
    const [cin, cout, k, h] = [3, 2, 3, 4];
    const up = nn.convTranspose2d(cin, cout, k, tOpts);
    const { params } = up.init(key);
    expect(params.w.shape).toEqual([k, k, cin, cout]);
    expect(nn.countParams(params)).toBe(k * k * cin * cout + cout);
    const x = arr(2 * h * h * cin, [2, h, h, cin], 7);
    const y = nn.call(up, { w: params.w, b: null }, x);
    expect(y.shape).toEqual([2, outSize, outSize, cout]);
    // The forward conv2d maps cout channels (size outSize) to cin channels (size h), kernel w with I/O swapped.
    const down = nn.conv2d(cout, cin, k, { ...cOpts, bias: false });
    const wT = np.transpose(params.w, [0, 1, 3, 2]);
    const [fx, pullback] = vjp((u: NDArray) => nn.call(down, { w: wT, b: null }, u), np.zeros([2, outSize, outSize, cout]));
    expect(fx.shape).toEqual([2, h, h, cin]);
    expectArray(y, (pullback(x)[0] as NDArray).toArray() as number[][][][], { atol: 1e-5 });
  });

  test("one pixel scatters the kernel (hand computation)", () => {
    const up = nn.convTranspose2d(1, 1, 2, { stride: 2 });
    const w = np.array([[1, 2], [3, 4]]).reshape([2, 2, 1, 1]);
    const x = np.array([[1, 10], [0, 0]]).reshape([1, 2, 2, 1]);
    expectArray(nn.call(up, { w, b: np.array([0.5]) }, x).reshape([4, 4]),
      [[1.5, 2.5, 10.5, 20.5], [3.5, 4.5, 30.5, 40.5], [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]);
  });
});

describe("pooling and flatten", () => {
  const x = np.array([[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]]).reshape([1, 4, 4, 1]);

  test("maxPool2d and avgPool2d by hand", () => {
    expectArray(nn.call(nn.maxPool2d(2), {}, x).reshape([2, 2]), [[4, 8], [12, 16]]);
    expectArray(nn.call(nn.avgPool2d(2), {}, x).reshape([2, 2]), [[2.5, 6.5], [10.5, 14.5]]);
    // overlapping windows, stride 1: 3×3 output
    expectArray(nn.call(nn.maxPool2d(2, { stride: 1 }), {}, x).reshape([3, 3]), [[4, 7, 8], [10, 13, 14], [12, 15, 16]]);
    // SAME with stride 2 on 4×4 with a 3×3 window: total pad 1, on the high side: windows rows/cols {0..2} and {2, 3}
    expectArray(nn.call(nn.maxPool2d(3, { stride: 2, padding: "SAME" }), {}, x).reshape([2, 2]), [[13, 14], [15, 16]]);
    // padded average: zeros count (default) or not
    const pad = { stride: 2, padding: 1 } as const;
    const c = nn.call(nn.avgPool2d(2, pad), {}, x).reshape([3, 3]).toArray() as number[][];
    expect(c[0]![0]).toBeCloseTo(1 / 4, 6);
    const e = nn.call(nn.avgPool2d(2, { ...pad, countIncludePad: false }), {}, x).reshape([3, 3]).toArray() as number[][];
    expect(e[0]![0]).toBeCloseTo(1, 6);
    expect(e[1]![1]).toBeCloseTo((4 + 7 + 10 + 13) / 4, 6);
    expect(e[0]![1]).toBeCloseTo((2 + 5) / 2, 6);
  });

  test("pooling output sizes by formula; channels and leading dimensions kept", () => {
    const img = np.zeros([2, 3, 28, 28, 6]);
    expect(nn.call(nn.maxPool2d(2), {}, img).shape).toEqual([2, 3, 14, 14, 6]);
    expect(nn.call(nn.maxPool2d(3, { stride: 2 }), {}, img).shape).toEqual([2, 3, 13, 13, 6]);   // ⌊(28 − 3)/2⌋ + 1
    expect(nn.call(nn.avgPool2d([2, 4]), {}, img).shape).toEqual([2, 3, 14, 7, 6]);
    expect(nn.call(nn.maxPool2d(3, { stride: 2, padding: "SAME" }), {}, img).shape).toEqual([2, 3, 14, 14, 6]);
    expect(nn.countParams(nn.maxPool2d(2).init(key).params)).toBe(0);
  });

  test("globalAvgPool and flatten", () => {
    const y = arr(2 * 3 * 3 * 4, [2, 3, 3, 4], 8);
    const g = nn.call(nn.globalAvgPool(), {}, y);
    expect(g.shape).toEqual([2, 4]);
    const v = y.toArray() as number[][][][];
    expect((g.toArray() as number[][])[1]![2]).toBeCloseTo(v[1]!.flat().reduce((a, p) => a + p[2]!, 0) / 9, 5);
    expect(nn.call(nn.flatten(), {}, y).shape).toEqual([2, 36]);
    expect(nn.call(nn.flatten({ startAxis: -3 }), {}, np.zeros([5, 2, 3, 3, 4])).shape).toEqual([5, 2, 36]);
    expect(nn.call(nn.flatten({ startAxis: 1, endAxis: 2 }), {}, y).shape).toEqual([2, 9, 4]);
    expectArray(nn.call(nn.flatten(), {}, y).get(1), (v[1]!.flat(2) as number[]));
    expect(() => nn.call(nn.flatten({ startAxis: -3 }), {}, np.zeros([4, 4]))).toThrow("flatten(-3, -1): expected input of shape with at least 3 dimensions, got [4, 4] (cannot flatten axes -3 .. -1)");
    expect(prod(g.shape)).toBe(8);
  });
});
