import { beforeAll, describe, expect, test } from "vitest";
import { tf } from "../src/backend/index.ts";
import type { NDArray } from "../src/array.ts";
import { fromFlat } from "../src/core/constant.ts";
import { dispose } from "../src/memory.ts";
import { convGeneralDilated, convGeneralDilatedP, padtypeToPads, type ConvGeneralDilatedParams } from "../src/lax/conv.ts";
import { CPU_BACKENDS, expectArray, rand, ravel, size, unravel, useBackend } from "./helpers.ts";



/**
 * XLA's ConvGeneralDilated for NHWC x HWIO by direct summation: output position o along a
 * spatial dimension reads the lhs-dilated, padded input at o * stride + k * rhsDilation - lo,
 * which is a real pixel only at multiples of lhsDilation inside the input.
 */
function convRef(x: number[], xs: number[], w: number[], ws: number[], p: ConvGeneralDilatedParams): { data: number[]; shape: number[] } {
  const s = xs.length - 2;
  const G = p.featureGroupCount;
  const cin = xs[xs.length - 1]!, cig = ws[s]!, cout = ws[s + 1]!, cog = cout / G;
  const outSpatial = Array.from({ length: s }, (_, i) => {
    const padded = (xs[1 + i]! - 1) * p.lhsDilation[i]! + 1 + p.padding[i]![0] + p.padding[i]![1];
    const win = (ws[i]! - 1) * p.rhsDilation[i]! + 1;
    return padded < win ? 0 : Math.floor((padded - win) / p.windowStrides[i]!) + 1;
  });
  const outShape = [xs[0]!, ...outSpatial, cout];
  const kShape = ws.slice(0, s);
  const data = Array.from({ length: size(outShape) }, (_, flat) => {
    const o = unravel(flat, outShape);
    const n = o[0]!, co = o[s + 1]!, g = Math.floor(co / cog);
    let acc = 0;
    for (let kf = 0; kf < size(kShape); kf++) {
      const k = unravel(kf, kShape);
      const src: number[] = [];
      let inside = true;
      for (let i = 0; i < s; i++) {
        const pos = o[1 + i]! * p.windowStrides[i]! + k[i]! * p.rhsDilation[i]! - p.padding[i]![0];
        if (pos < 0 || pos % p.lhsDilation[i]! !== 0 || pos / p.lhsDilation[i]! >= xs[1 + i]!) { inside = false; break; }
        src.push(pos / p.lhsDilation[i]!);
      }
      if (!inside) continue;
      for (let ci = 0; ci < cig; ci++) {
        acc += x[ravel([n, ...src, g * cig + ci], xs)]! * w[ravel([...k, ci, co], ws)]!;
      }
    }
    expect(cin).toBe(cig * G);
    return acc;
  });
  return { data, shape: outShape };
}

interface Case {
  name: string;
  xs: number[];
  ws: number[];
  strides: number[];
  padding: [number, number][];
  lhsDilation?: number[];
  rhsDilation?: number[];
  groups?: number;
}

const CASES: Case[] = [
  { name: "2-D valid", xs: [2, 5, 6, 3], ws: [3, 2, 3, 4], strides: [1, 1], padding: [[0, 0], [0, 0]] },
  { name: "2-D strided, asymmetric padding", xs: [1, 7, 6, 2], ws: [3, 3, 2, 3], strides: [2, 3], padding: [[1, 2], [0, 3]] },
  { name: "2-D negative padding (crop)", xs: [1, 6, 7, 2], ws: [2, 3, 2, 2], strides: [1, 2], padding: [[-1, 2], [-2, -1]] },
  { name: "2-D lhs dilation (transposed conv)", xs: [2, 3, 4, 2], ws: [3, 3, 2, 2], strides: [1, 1], padding: [[2, 2], [1, 2]], lhsDilation: [2, 3] },
  { name: "2-D rhs dilation, stride 1", xs: [1, 8, 8, 1], ws: [3, 2, 1, 2], strides: [1, 1], padding: [[1, 1], [0, 0]], rhsDilation: [2, 3] },
  { name: "2-D rhs dilation with stride 2", xs: [1, 9, 8, 2], ws: [3, 3, 2, 3], strides: [2, 2], padding: [[1, 0], [2, 1]], rhsDilation: [2, 2] },
  { name: "2-D everything at once", xs: [2, 4, 5, 4], ws: [2, 3, 2, 4], strides: [2, 1], padding: [[1, -1], [3, 0]], lhsDilation: [2, 1], rhsDilation: [1, 2], groups: 2 },
  { name: "2-D depthwise (groups = Cin, one output per group)", xs: [2, 5, 5, 3], ws: [3, 3, 1, 3], strides: [1, 1], padding: [[1, 1], [1, 1]], groups: 3 },
  { name: "2-D depthwise with multiplier 2 and strides + dilation", xs: [1, 9, 9, 2], ws: [2, 2, 1, 4], strides: [2, 2], padding: [[0, 1], [1, 0]], rhsDilation: [3, 2], groups: 2 },
  { name: "2-D grouped (2 input channels per group)", xs: [1, 5, 4, 6], ws: [2, 2, 2, 6], strides: [1, 2], padding: [[0, 1], [1, 1]], groups: 3 },
  { name: "1-D", xs: [2, 9, 3], ws: [3, 3, 2], strides: [2], padding: [[1, 2]] },
  { name: "1-D lhs + rhs dilation, groups", xs: [1, 5, 4], ws: [2, 2, 4], strides: [3], padding: [[-1, 4]], lhsDilation: [2], rhsDilation: [3], groups: 2 },
  { name: "kernel larger than the input: empty output", xs: [1, 2, 2, 1], ws: [3, 3, 1, 2], strides: [1, 1], padding: [[0, 0], [0, 0]] },
];

describe.each(CPU_BACKENDS)("conv_general_dilated on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("hand-computed: a 3x3 box filter over ones", () => {
    const x = fromFlat(new Array(16).fill(1), [1, 4, 4, 1], "float32");
    const k = fromFlat(new Array(9).fill(1), [3, 3, 1, 1], "float32");
    expectArray(convGeneralDilated(x, k, [1, 1], "VALID"), [[[[9], [9]], [[9], [9]]]]);
    // SAME: corners see 4 pixels, edges 6, the middle 9.
    expectArray(convGeneralDilated(x, k, [1, 1], "SAME"), [[
      [[4], [6], [6], [4]], [[6], [9], [9], [6]], [[6], [9], [9], [6]], [[4], [6], [6], [4]],
    ]]);
    // Cross-correlation, not convolution: the kernel is not flipped.
    const line = fromFlat([1, 2, 3, 4], [1, 4, 1], "float32");
    expectArray(convGeneralDilated(line, fromFlat([1, 0], [2, 1, 1], "float32"), [1], "VALID"), [[[1], [2], [3]]]);
  });

  test.each(CASES)("$name matches the nested-loop reference", ({ xs, ws, strides, padding, lhsDilation, rhsDilation, groups = 1 }) => {
    const s = xs.length - 2;
    const ones = new Array(s).fill(1);
    const p: ConvGeneralDilatedParams = {
      windowStrides: strides, padding, lhsDilation: lhsDilation ?? ones, rhsDilation: rhsDilation ?? ones, featureGroupCount: groups,
    };
    const x = rand(size(xs), size(xs) + 1), w = rand(size(ws), size(ws) + 2);
    const ref = convRef(x, xs, w, ws, p);
    const y = convGeneralDilated(fromFlat(x, xs, "float32"), fromFlat(w, ws, "float32"), strides, padding, {
      lhsDilation: p.lhsDilation, rhsDilation: p.rhsDilation, featureGroupCount: groups,
    });
    expect(y.shape).toEqual(ref.shape);
    expectArray(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
  });

  test("string padding follows JAX's padtype_to_pads", () => {
    expect(padtypeToPads([5, 6], [3, 4], [2, 1], "SAME")).toEqual([[1, 1], [1, 2]]);
    expect(padtypeToPads([5, 6], [3, 4], [2, 1], "SAME_LOWER")).toEqual([[1, 1], [2, 1]]);
    expect(padtypeToPads([5, 6], [3, 4], [2, 1], "VALID")).toEqual([[0, 0], [0, 0]]);
    const x = fromFlat(rand(49, 1), [1, 7, 7, 1], "float32");
    const k = fromFlat(rand(8, 2), [2, 2, 1, 2], "float32");
    expect(convGeneralDilated(x, k, [2, 2], "SAME").shape).toEqual([1, 4, 4, 2]);
    expect(convGeneralDilated(x, k, [1, 1], "SAME", { rhsDilation: [3, 3] }).shape).toEqual([1, 7, 7, 2]);
    expect(convGeneralDilated(x, k, [3, 3], "VALID").shape).toEqual([1, 2, 2, 2]);
  });

  test("bad input: errors name both operand shapes", () => {
    const x = fromFlat(rand(2 * 5 * 5 * 4, 3), [2, 5, 5, 4], "float32");
    const k = (shape: number[]) => fromFlat(rand(size(shape), 4), shape, "float32");
    const valid = { lhsDilation: [1, 1], rhsDilation: [1, 1] };
    expect(() => convGeneralDilated(x, k([3, 3, 3, 2]), [1, 1], "VALID")).toThrow(/lhs has 4 input channels, so with featureGroupCount 1 rhs's input-channel dimension must be 4; got lhs f32\[2,5,5,4\], rhs f32\[3,3,3,2\]/);
    expect(() => convGeneralDilated(x, k([3, 3, 2, 3]), [1, 1], "VALID", { featureGroupCount: 2 })).toThrow(/output channels \(3\) must be divisible by featureGroupCount 2/);
    expect(() => convGeneralDilated(x, k([3, 3, 2, 2]), [1, 1], "VALID", { featureGroupCount: 3 })).toThrow(/lhs's 4 input channels are not divisible by featureGroupCount 3; got lhs f32\[2,5,5,4\], rhs f32\[3,3,2,2\]/);
    expect(() => convGeneralDilated(x, k([3, 4, 2]), [1, 1], "VALID")).toThrow(/rhs must have lhs's rank.*lhs f32\[2,5,5,4\], rhs f32\[3,4,2\]/);
    expect(() => convGeneralDilated(fromFlat([1, 2], [2], "float32"), k([1]), [], "VALID")).toThrow(/lhs must be \[N, W, C\] \(1-D\) or \[N, H, W, C\] \(2-D\); got lhs f32\[2\]/);
    expect(() => convGeneralDilated(fromFlat([1], [1, 1, 1, 1], "int32"), k([1, 1, 1, 1]), [1, 1], "VALID")).toThrow(/lhs must be float32; got lhs i32\[1,1,1,1\]/);
    expect(() => convGeneralDilated(x, k([3, 3, 4, 2]), [1], "VALID")).toThrow(/windowStrides must be 2 integer\(s\) >= 1/);
    expect(() => convGeneralDilated(x, k([3, 3, 4, 2]), [0, 1], "VALID")).toThrow(/windowStrides/);
    expect(() => convGeneralDilated(x, k([3, 3, 4, 2]), [1, 1], [[0, 0]])).toThrow(/padding must be 2 \[lo, hi\] integer pair/);
    expect(() => convGeneralDilated(x, k([3, 3, 4, 2]), [1, 1], [[-6, 0], [0, 0]])).toThrow(/negative padding \[-6, 0\] crops more than spatial dimension 0/);
    expect(() => convGeneralDilated(x, k([3, 3, 4, 2]), [1, 1], "SAME", { lhsDilation: [2, 2] })).toThrow(/string padding is not supported together with lhsDilation/);
    expect(() => convGeneralDilated(x, k([3, 3, 4, 2]), [1, 1], "FULL" as "SAME")).toThrow(/must be "VALID", "SAME", "SAME_LOWER"/);
    expect(() => convGeneralDilatedP.bind1([x, k([3, 3, 4, 2])], { windowStrides: [1, 1], padding: [[0, 0], [0, 0]], ...valid, featureGroupCount: 0 })).toThrow(/featureGroupCount must be a positive integer/);
  });

  test("the live tensor count stays flat across calls when results are disposed", () => {
    const x = fromFlat(rand(2 * 6 * 6 * 4, 5), [2, 6, 6, 4], "float32");
    const w = fromFlat(rand(3 * 3 * 2 * 4, 6), [3, 3, 2, 4], "float32");
    const wd = fromFlat(rand(3 * 3 * 1 * 4, 7), [3, 3, 1, 4], "float32");
    const run = () => {
      const outs: NDArray[] = [
        convGeneralDilated(x, w, [2, 1], [[1, -1], [0, 2]], { lhsDilation: [2, 1], rhsDilation: [2, 2], featureGroupCount: 2 }),
        convGeneralDilated(x, wd, [1, 1], "SAME", { featureGroupCount: 4 }),
      ];
      dispose(outs);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    dispose([x, w, wd]);
  });
});
