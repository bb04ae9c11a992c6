/**
 * Domains of the indexing, convolution, window, sort and random-bit primitives. The
 * differentiable ones are linear in their data operands (pad, dynamic slices, gather,
 * scatter_add, reduce_window_sum, sort and top_k as permutations), bilinear (conv) or
 * piecewise linear (reduce_window_max): central differences are exact but for rounding.
 * Index operands are int32 and drawn partly out of range, so clamping is checked too.
 */
import * as fc from "fast-check";
import * as tf from "@tensorflow/tfjs-core";
import type { Tensor } from "@tensorflow/tfjs-core";
import type { DType } from "../../../src/index.ts";
import { arb } from "../../../src/testing/index.ts";
import { linear, smooth, type Domain, type Operand } from "../spec.ts";
import { SHAPE, SHAPE1, accepts, outShapes, prim, size } from "./common.ts";

const index = (n: number): Operand => ({ shape: [], dtype: "int32", min: -2, max: n + 1 });
const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const moved = linear(4, { k: 1 });

/** pad with lo/hi in [−2, 2] (negative crops) and interior 0–2; the padding value is differentiated too. */
const pad: Domain = {
  family: "indexing", domain: "[-3, 3], lo/hi ∈ [−2, 2] (negative crops), interior 0–2, scalar padding value; also int32 and bool", grad: linear(4, { k: 16 }),
  structures: fc.tuple(SHAPE, fc.constantFrom<DType>("float32", "float32", "int32", "bool")).chain(([shape, dtype]) =>
    fc.tuple(...shape.map(() => fc.tuple(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: 2 }))))
      .filter((config) => accepts("pad", [{ shape, dtype }, { shape: [], dtype }], { config }))
      .map((config) => prim("pad", { config }, [{ shape, dtype }, { shape: [], dtype }]))),
};

/** dynamic_slice at int32 start indices in [−2, n + 1] (clamped into range). */
const dynamicSlice: Domain = {
  family: "indexing", domain: "[-3, 3]; start indices int32 in [−2, n + 1] (clamped); also bool", grad: moved, tfOracle: true,
  structures: fc.tuple(SHAPE1, fc.boolean()).chain(([shape, bool]) => fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n }))).map((sliceSizes) =>
    prim("dynamic_slice", { sliceSizes }, [{ shape, dtype: bool ? "bool" : "float32" }, ...shape.map(index)], bool ? {} : {
      tf: (x: Tensor, ...starts: Tensor[]) => tf.slice(x, starts.map((s, d) => clamp(s.dataSync()[0]!, 0, shape[d]! - sliceSizes[d]!)), sliceSizes),
    }))),
};

/** dynamic_update_slice of an update no larger than the operand, at clamped start indices; linear in operand and update. */
const dynamicUpdateSlice: Domain = {
  family: "indexing", domain: "operand and update in [-3, 3]; start indices int32 in [−2, n + 1] (clamped); also int32", grad: moved,
  structures: fc.tuple(SHAPE1, fc.boolean()).chain(([shape, int]) => fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n }))).map((ushape) => {
    const dtype: DType = int ? "int32" : "float32";
    return prim("dynamic_update_slice", {}, [{ shape, dtype }, { shape: ushape, dtype }, ...shape.map(index)]);
  })),
};

/** gather (tf.gather layout): indices int32 in [−1, n] (clamped), batchDims ≤ axis; the gathered axis is not empty (an error). */
const gatherStructure = fc.tuple(SHAPE1.filter((s) => s.some((d) => d > 0)), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 })).chain(([shape, extra]) =>
  fc.constantFrom(...shape.flatMap((d, i) => (d > 0 ? [i] : []))).chain((axis) => fc.integer({ min: 0, max: axis }).map((batchDims) => ({ shape, axis, batchDims, ishape: [...shape.slice(0, batchDims), ...extra] }))));

const gather: Domain = {
  family: "indexing", domain: "[-3, 3]; indices int32 in [−1, n] (clamped), any axis, batchDims ≤ axis; also int32 operands", grad: moved, tfOracle: true,
  structures: fc.tuple(gatherStructure, fc.boolean()).map(([{ shape, axis, batchDims, ishape }, int]) =>
    prim("gather", { axis, batchDims }, [{ shape, dtype: int ? "int32" : "float32" }, { shape: ishape, dtype: "int32", min: -1, max: shape[axis]! }],
      int || batchDims > 0 ? {} : { tf: (x: Tensor, i: Tensor) => tf.gather(x, tf.clipByValue(i, 0, shape[axis]! - 1), axis) })),
};

/** scatter_add, the transpose of gather: linear in operand and updates; repeated indices accumulate (k = 8). */
const scatterAdd: Domain = {
  family: "indexing", domain: "operand and updates in [-3, 3]; indices int32 in [−1, n] (clamped, repeated); also int32", grad: linear(16, { k: 8 }),
  structures: fc.tuple(gatherStructure, fc.boolean()).map(([{ shape, axis, batchDims, ishape }, int]) => {
    const dtype: DType = int ? "int32" : "float32";
    const ushape = [...shape.slice(0, axis), ...ishape.slice(batchDims), ...shape.slice(axis + 1)];
    return prim("scatter_add", { axis, batchDims }, [{ shape, dtype }, { shape: ishape, dtype: "int32", min: -1, max: shape[axis]! }, { shape: ushape, dtype }]);
  }),
};

/**
 * conv_general_dilated, NWC/NHWC with WIO/HWIO kernels: 1-D or 2-D, strides 1–2, padding
 * [−1, 2] per side (negative crops), lhs and rhs dilation 1–2, 1–2 feature groups.
 * Bilinear (ε = 1): an output sums K ≤ 3·3·2 = 18 products with |x ± v| ≤ 3: M0 = 162, k = K + 4.
 */
const conv: Domain = {
  family: "indexing", domain: "[-2, 2]; 1-D/2-D, strides, padding (negative crops), lhs/rhs dilation, feature groups",
  grad: smooth({ M0: 162, M1: 54, M3: 0, M4: 0, k: 22 }), tfOracle: true,
  vmapTol: { atol: 1e-5, rtol: 1e-5 }, jitTol: { atol: 1e-5, rtol: 1e-5 },
  structures: fc.record({
    s: fc.integer({ min: 1, max: 2 }), n: fc.integer({ min: 1, max: 2 }), G: fc.integer({ min: 1, max: 2 }),
    ci: fc.integer({ min: 1, max: 2 }), co: fc.integer({ min: 1, max: 2 }),
    spatial: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 2 }), kernel: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 2 }),
    strides: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 2, maxLength: 2 }),
    padding: fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })), { minLength: 2, maxLength: 2 }),
    lhsDilation: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 2, maxLength: 2 }), rhsDilation: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 2, maxLength: 2 }),
  }).map((r) => {
    const take = <T>(xs: T[]) => xs.slice(0, r.s);
    const lhs = [r.n, ...take(r.spatial), r.G * r.ci], rhs = [...take(r.kernel), r.ci, r.G * r.co];
    const params = { windowStrides: take(r.strides), padding: take(r.padding), lhsDilation: take(r.lhsDilation), rhsDilation: take(r.rhsDilation), featureGroupCount: r.G };
    const operands: Operand[] = [{ shape: lhs, min: -2, max: 2 }, { shape: rhs, min: -2, max: 2 }];
    const ok = accepts("conv_general_dilated", operands, params) && size(outShapes("conv_general_dilated", operands, params)[0]!) > 0;
    // tf.conv2d covers the plain 2-D case: one group, no lhs dilation, non-negative padding, no dilation
    // (tfjs's conv2d gradient refuses dilation > 1.)
    const plain = r.s === 2 && r.G === 1 && params.lhsDilation.every((d) => d === 1) && params.padding.flat().every((p) => p >= 0)
      && params.rhsDilation.every((d) => d === 1);
    return ok ? prim("conv_general_dilated", params, operands, plain ? {
      tf: (x: Tensor, w: Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, params.windowStrides as [number, number],
        [[0, 0], [...params.padding[0]!] as [number, number], [...params.padding[1]!] as [number, number], [0, 0]], "NHWC", params.rhsDilation as [number, number]),
    } : {}) : null;
  }).filter((s): s is NonNullable<typeof s> => s !== null),
};

/** Window parameters: windows 1–3, strides 1–3, padding 0–1 below the window size (no window of pure padding). */
const windowStructure = (name: string, operand: (shape: number[]) => Operand) => fc.tuple(SHAPE1.filter((s) => s.every((d) => d > 0)), fc.boolean()).chain(([shape, nhwc]) => {
  const s = nhwc ? [1 + (shape[0]! % 2), 1 + (shape[1] ?? 2), 2 + (shape[2] ?? 1), 2] : shape;
  const windowed = (d: number) => !nhwc || (d === 1 || d === 2);
  return fc.tuple(...s.map((n, d) => fc.record({
    w: windowed(d) ? fc.integer({ min: 1, max: Math.min(3, n + 1) }) : fc.constant(1),
    st: windowed(d) ? fc.integer({ min: 1, max: 3 }) : fc.constant(1),
    lo: windowed(d) ? fc.integer({ min: 0, max: 1 }) : fc.constant(0),
    hi: windowed(d) ? fc.integer({ min: 0, max: 1 }) : fc.constant(0),
  }))).map((dims) => {
    const params = { windowDimensions: dims.map((x) => x.w), windowStrides: dims.map((x) => x.st), padding: dims.map((x) => [Math.min(x.lo, x.w - 1), Math.min(x.hi, x.w - 1)] as [number, number]) };
    const op = operand(s);
    return accepts(name, [op], params) && size(outShapes(name, [op], params)[0]!) > 0 ? { s, params, op, nhwc } : null;
  }).filter((x): x is NonNullable<typeof x> => x !== null);
});

/** reduce_window_max: elements ≥ 1/64 apart (no ties), so steps of 2ε < 1/64 keep every window's argmax. */
const reduceWindowMax: Domain = {
  family: "indexing", domain: "[-3, 3], elements ≥ 1/64 apart (no ties); windows 1–3, strides 1–3, padding < window", grad: linear(3, { maxEps: 5e-3 }), tfOracle: true,
  structures: windowStructure("reduce_window_max", (shape) => ({ shape, distinct: 1 / 64 })).map(({ params, op, nhwc }) => {
    const valid = params.padding.every(([lo, hi]) => lo === 0 && hi === 0);
    return prim("reduce_window_max", params, [op], nhwc && valid ? {
      tf: (x: Tensor) => tf.maxPool(x as tf.Tensor4D, [params.windowDimensions[1]!, params.windowDimensions[2]!], [params.windowStrides[1]!, params.windowStrides[2]!], "valid"),
    } : {});
  }),
};

/** reduce_window_sum: linear; a window sums at most 27 elements (k = 27), |x ± v| ≤ 4. */
const reduceWindowSum: Domain = {
  family: "indexing", domain: "[-3, 3]; windows 1–3, strides 1–3, padding 0–1", grad: linear(108, { k: 27 }),
  structures: windowStructure("reduce_window_sum", (shape) => ({ shape })).map(({ params, op }) => prim("reduce_window_sum", params, [op])),
};

/** sort by the first operand (keys ≥ 1/64 apart: a step never reorders), the others permuted along. */
const sort: Domain = {
  family: "indexing", domain: "keys in [-3, 3] ≥ 1/64 apart (no ties), 0–2 more operands (float32 or int32); any dimension; also int32/bool keys", grad: linear(3, { maxEps: 5e-3 }),
  structures: fc.tuple(SHAPE1, fc.constantFrom<DType>("float32", "float32", "float32", "int32", "bool"), fc.array(fc.constantFrom<DType>("float32", "int32"), { maxLength: 2 })).chain(([shape, keyType, others]) =>
    fc.nat({ max: shape.length - 1 }).map((dimension) => prim("sort", { dimension, numKeys: 1 }, [
      keyType === "float32" ? { shape, distinct: 1 / 64 } : { shape, dtype: keyType, min: -3, max: 3 },
      ...others.map((dtype): Operand => ({ shape, dtype })),
    ]))),
};

/** top_k along the last axis, k from 0 to n; values ≥ 1/64 apart. */
const topK: Domain = {
  family: "indexing", domain: "[-3, 3] ≥ 1/64 apart (no ties), k ∈ [0, n]; also int32", grad: linear(3, { maxEps: 5e-3 }),
  structures: fc.tuple(SHAPE1, fc.boolean()).chain(([shape, int]) => fc.nat({ max: shape.at(-1)! }).map((k) =>
    prim("top_k", { k }, [int ? { shape, dtype: "int32" } : { shape, distinct: 1 / 64 }]))),
};

/** sort_key_val_u32: uint32 keys over the whole range, float32 values permuted along (linear in them). */
const sortKeyValU32: Domain = {
  family: "indexing", domain: "keys uint32 over [0, 2³² − 1] (ties rare, stable), values in [-3, 3]; any dimension", grad: moved,
  structures: SHAPE1.chain((shape) => fc.tuple(fc.nat({ max: shape.length - 1 }), fc.boolean()).map(([dimension, smallKeys]) =>
    prim("sort_key_val_u32", { dimension }, [{ shape, dtype: "uint32", ...(smallKeys ? { max: 3 } : {}) }, { shape }]))),
};

/** n operands of a common broadcast shape (each a suffix with some dimensions 1). */
const broadcastShapes = (n: number) => arb.shape({ maxRank: 2, maxDim: 3 }).chain((full) =>
  fc.tuple(...Array.from({ length: n }, () => fc.tuple(fc.nat({ max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
    .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))))));

const threefry: Domain = {
  family: "indexing", domain: "uint32 keys and counters over the whole range, broadcasting", grad: { none: "uint32 bits" },
  structures: broadcastShapes(4).map((shapes) => prim("threefry2x32", {}, shapes.map((shape) => ({ shape, dtype: "uint32" })))),
};

const randomUnitFloat: Domain = {
  family: "indexing", domain: "uint32 bits over the whole range", grad: { none: "a function of random bits (piecewise constant)" },
  structures: SHAPE.map((shape) => prim("random_unit_float", {}, [{ shape, dtype: "uint32" }])),
};

const randomIntFromBits: Domain = {
  family: "indexing", domain: "uint32 bits, int32 minval ∈ [−5, 3] and maxval ∈ [−2, 9] (empty spans included), broadcasting", grad: { none: "int32 output" },
  structures: fc.tuple(broadcastShapes(4), fc.boolean()).map(([[h, l, mn, mx], maxvalOutOfRange]) => prim("random_int_from_bits", { maxvalOutOfRange }, [
    { shape: h!, dtype: "uint32" }, { shape: l!, dtype: "uint32" }, { shape: mn!, dtype: "int32", min: -5, max: 3 }, { shape: mx!, dtype: "int32", min: -2, max: 9 },
  ])),
};

export const INDEXING_DOMAINS: Record<string, Domain> = {
  pad,
  dynamic_slice: dynamicSlice,
  dynamic_update_slice: dynamicUpdateSlice,
  gather,
  scatter_add: scatterAdd,
  conv_general_dilated: conv,
  reduce_window_max: reduceWindowMax,
  reduce_window_sum: reduceWindowSum,
  sort,
  top_k: topK,
  sort_key_val_u32: sortKeyValU32,
  threefry2x32: threefry,
  random_unit_float: randomUnitFloat,
  random_int_from_bits: randomIntFromBits,
};
