/**
 * Domains of the reductions, dot_general and the structural primitives. All of these are
 * linear, bilinear or piecewise linear, so central differences are exact but for the
 * rounding of f: ε = 1 where nothing limits it, and atol = 4 k u M0 / ε with M0 the
 * largest |f(x ± εv)| and k the terms one output accumulates.
 */
import * as fc from "fast-check";
import * as tf from "@tensorflow/tfjs-core";
import type { Tensor } from "@tensorflow/tfjs-core";
import type { DType } from "../../../src/index.ts";
import { linear, smooth, type Domain, type Operand } from "../spec.ts";
import { SHAPE, SHAPE1, SHAPE1_EMPTY, permutation, prim, size, subset } from "./common.ts";

/** float32 (differentiated) or, now and then, int32 operands of a shape. */
const numeric = (shape: number[], intToo: boolean): fc.Arbitrary<Operand> =>
  intToo ? fc.constantFrom<Operand>({ shape }, { shape }, { shape }, { shape, dtype: "int32", min: -4, max: 4 }) : fc.constant({ shape });

// ---------------------------------------------------------------------------------------
// reductions

/** reduce_sum over a random subset of axes: linear; one output sums at most 64 elements (k = 64), |x ± v| ≤ 4. */
const reduceSum: Domain = {
  family: "array", domain: "[-3, 3], rank 1–3 (empty dimensions too), any subset of axes; also int32", grad: linear(64 * 4, { k: 64 }), tfOracle: true,
  structures: SHAPE1_EMPTY.chain((shape) => fc.tuple(subset(shape.length), numeric(shape, true))).map(([axes, op]) =>
    prim("reduce_sum", { axes }, [op], { tf: (x) => tf.sum(x, axes) })),
};

/**
 * reduce_prod of at most 6 elements in [−1.25, 1.25], zeros included (the rule must be
 * exact there): M0 = 1.25⁶ = 3.8, M1 = 6 · 1.25⁵ = 18.3, d³ = 6 Σ_{i<j<k} vᵢvⱼvₖ ∏_{others} x:
 * M3 = 6 · C(6,3) · 1.25³ = 234, M4 = 24 · C(6,4) · 1.25² = 563. No tf.grad oracle: tfjs's Prod gradient
 * calls chained tensor methods that its Node bundle lacks.
 */
const reduceProd: Domain = {
  family: "array", domain: "[-1.25, 1.25] with zeros, at most 6 elements per product (empty dimensions too); also int32",
  grad: smooth({ M0: 3.8, M1: 18.3, M3: 234, M4: 563, k: 8 }),
  structures: SHAPE1_EMPTY.chain((shape) => fc.tuple(subset(shape.length), fc.boolean()).filter(([axes]) => size(axes.map((a) => shape[a]!)) <= 6).map(([axes, int]) =>
    prim("reduce_prod", { axes }, [int ? { shape, dtype: "int32", min: -2, max: 2 } : { shape, min: -1.25, max: 1.25, step: 1 / 8 }]))),
};

/**
 * reduce_max / reduce_min: piecewise linear; all elements at least 1/64 apart, so a step
 * of 2ε < 1/64 never changes which one is the extremum. Also int32 and bool (any/all). Over
 * an empty axis the result is ∓∞ and its tangent NaN (0/0, as in JAX), on both sides.
 */
function chooser(name: string, tfOp: (x: Tensor, axes: number[]) => Tensor): Domain {
  return {
    family: "array", domain: "[-3, 3], elements ≥ 1/64 apart (no ties), empty dimensions too; also int32 and bool", grad: linear(3, { maxEps: 5e-3 }), tfOracle: true,
    structures: fc.tuple(SHAPE1_EMPTY, fc.constantFrom<DType>("float32", "float32", "int32", "bool")).chain(([shape, dtype]) => subset(shape.length).map((axes) =>
      prim(name, { axes }, [dtype === "float32" ? { shape, distinct: 1 / 64 } : { shape, dtype, min: -3, max: 3 }], dtype === "float32" && size(shape) > 0 ? { tf: (x) => tfOp(x, axes) } : {}))),
  };
}

/** argmax / argmin: int32 output; ties (small grid) pick the first index. */
function argChooser(name: string): Domain {
  return {
    family: "array", domain: "float32 on a coarse grid (ties happen), int32, bool; any non-empty axis", grad: { none: "int32 output" },
    // The reduced axis must not be empty (an error, as in NumPy); other dimensions may be.
    structures: fc.tuple(SHAPE1.filter((s) => s.some((d) => d > 0)), fc.constantFrom<DType>("float32", "int32", "bool")).chain(([shape, dtype]) =>
      fc.constantFrom(...shape.flatMap((d, i) => (d > 0 ? [i] : []))).map((axis) => prim(name, { axis }, [{ shape, dtype, min: -2, max: 2, step: 0.5 }]))),
  };
}

/** cumsum along an axis, either direction: linear; at most 4 terms, |x ± v| ≤ 4. */
const cumsum: Domain = {
  family: "array", domain: "[-3, 3], any axis, forward or reverse; also int32", grad: linear(16), tfOracle: true,
  structures: SHAPE1.chain((shape) => fc.tuple(fc.nat({ max: shape.length - 1 }), fc.boolean(), numeric(shape, true)).map(([axis, reverse, op]) =>
    // tfjs's Cumsum gradient mixes up shapes unless the axis is the last one.
    prim("cumsum", { axis, reverse }, [op], axis === shape.length - 1 ? { tf: (x) => tf.cumsum(x, axis, false, reverse) } : {}))),
};

// ---------------------------------------------------------------------------------------
// dot_general

/** The same contraction in tfjs: transpose to [B, M, K] × [B, K, N], batched matMul, reshape. */
function tfDotGeneral(lhs: number[], rhs: number[], [[lc, rc], [lb, rb]]: number[][][]): (a: Tensor, b: Tensor) => Tensor {
  const free = (rank: number, c: number[], b: number[]) => Array.from({ length: rank }, (_, i) => i).filter((i) => !c.includes(i) && !b.includes(i));
  const lf = free(lhs.length, lc!, lb!), rf = free(rhs.length, rc!, rb!);
  const n = (s: number[], dims: number[]) => size(dims.map((d) => s[d]!));
  const B = n(lhs, lb!), M = n(lhs, lf), K = n(lhs, lc!), N = n(rhs, rf);
  const out = [...lb!.map((d) => lhs[d]!), ...lf.map((d) => lhs[d]!), ...rf.map((d) => rhs[d]!)];
  return (a, b) => tf.reshape(tf.matMul(
    tf.reshape(tf.transpose(a, [...lb!, ...lf, ...lc!]), [B, M, K]),
    tf.reshape(tf.transpose(b, [...rb!, ...rc!, ...rf]), [B, K, N]),
  ), out);
}

/**
 * dot_general with 0–1 batch, 0–2 contracting and 0–2 free dimensions per operand, laid
 * out in random orders. Bilinear: ε = 1, with |x ± v| ≤ 3 an output sums K ≤ 9 products
 * of size ≤ 9: M0 = 81, k = K + 4 = 13.
 */
const dotGeneral: Domain = {
  family: "array", domain: "[-2, 2], random batch/contracting/free dimensions in random positions; also int32", tfOracle: true,
  grad: smooth({ M0: 81, M1: 27, M3: 0, M4: 0, k: 13 }),
  vmapTol: { atol: 1e-5, rtol: 1e-5 }, jitTol: { atol: 1e-5, rtol: 1e-5 },
  structures: fc.record({
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 }),
    contract: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    lfree: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    rfree: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    int: fc.constantFrom(false, false, false, true),
  }).chain(({ batch, contract, lfree, rfree, int }) => {
    const lr = batch.length + contract.length + lfree.length, rr = batch.length + contract.length + rfree.length;
    return fc.tuple(permutation(lr), permutation(rr)).map(([lp, rp]) => {
      // Logical dims [batch..., contract..., free...] go to positions lp / rp.
      const lhs = new Array<number>(lr), rhs = new Array<number>(rr);
      const logicalL = [...batch, ...contract, ...lfree], logicalR = [...batch, ...contract, ...rfree];
      logicalL.forEach((d, i) => { lhs[lp[i]!] = d; });
      logicalR.forEach((d, i) => { rhs[rp[i]!] = d; });
      const nb = batch.length, nc = contract.length;
      const dn = [[contract.map((_, i) => lp[nb + i]!), contract.map((_, i) => rp[nb + i]!)], [batch.map((_, i) => lp[i]!), batch.map((_, i) => rp[i]!)]];
      const op = (shape: number[]): Operand => (int ? { shape, dtype: "int32", min: -3, max: 3 } : { shape, min: -2, max: 2 });
      return prim("dot_general", { dimensionNumbers: dn }, [op(lhs), op(rhs)], int ? {} : { tf: tfDotGeneral(lhs, rhs, dn) });
    });
  }),
};

// ---------------------------------------------------------------------------------------
// structural (data movement: f is exact, so only |x ± v| ≤ 4 enters)

const moved = linear(4, { k: 1 });

/** broadcast_in_dim: new dimensions anywhere and size-1 dimensions expanded. */
const broadcastInDim: Domain = {
  family: "array", domain: "[-3, 3], new dimensions anywhere, size-1 dimensions expanded; also int32 and bool", grad: moved, tfOracle: true,
  structures: fc.tuple(shapeWithOnes(), fc.integer({ min: 0, max: 2 }), fc.constantFrom<DType>("float32", "float32", "int32", "bool")).chain(([operand, extra, dtype]) =>
    fc.tuple(subset(operand.length + extra, operand.length, operand.length), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: operand.length + extra, maxLength: operand.length + extra }))
      .map(([dims, fill]) => {
        const shape = fill.map((n, i) => (dims.includes(i) && operand[dims.indexOf(i)] !== 1 ? operand[dims.indexOf(i)]! : n));
        const expanded = shape.map((_, i) => (dims.includes(i) ? operand[dims.indexOf(i)]! : 1));
        return prim("broadcast_in_dim", { shape, broadcastDimensions: dims }, [{ shape: operand, dtype }],
          dtype === "float32" && shape.length <= 4 ? { tf: (x) => tf.broadcastTo(tf.reshape(x, expanded), shape) } : {}); // tfjs: Tile's gradient stops at rank 4
      })),
};

/** Shapes whose dimensions are often 1 (for broadcasting and squeezing). */
function shapeWithOnes(): fc.Arbitrary<number[]> {
  return fc.array(fc.constantFrom(1, 1, 2, 3), { maxLength: 3 });
}

/** reshape to a permutation of the dimensions with size-1 dimensions added. */
const reshape: Domain = {
  family: "array", domain: "[-3, 3], to a shuffle of the dimensions with 1s added; also bool", grad: moved, tfOracle: true,
  structures: fc.tuple(SHAPE, fc.boolean()).chain(([shape, bool]) => fc.tuple(permutation(shape.length), fc.array(fc.nat({ max: shape.length }), { maxLength: 2 })).map(([perm, ones]) => {
    const newSizes = perm.map((p) => shape[p]!);
    for (const at of ones) newSizes.splice(Math.min(at, newSizes.length), 0, 1);
    return prim("reshape", { newSizes }, [{ shape, dtype: bool ? "bool" : "float32" }], bool ? {} : { tf: (x) => tf.reshape(x, newSizes) });
  })),
};

const transpose: Domain = {
  family: "array", domain: "[-3, 3], any permutation; also int32", grad: moved, tfOracle: true,
  structures: SHAPE.chain((shape) => fc.tuple(permutation(shape.length), numeric(shape, true)).map(([permutation_, op]) =>
    prim("transpose", { permutation: permutation_ }, [op], { tf: (x) => tf.transpose(x, permutation_) }))),
};

/** squeeze of size-1 dimensions at random positions. */
const squeeze: Domain = {
  family: "array", domain: "[-3, 3], size-1 dimensions at random positions removed", grad: moved, tfOracle: true,
  structures: shapeWithOnes().chain((shape) => subset(shape.length).map((all) => {
    const dimensions = all.filter((d) => shape[d] === 1);
    const out = shape.filter((_, i) => !dimensions.includes(i));
    return prim("squeeze", { dimensions }, [{ shape }], { tf: (x) => tf.reshape(x, out) });
  })),
};

const expandDims: Domain = {
  family: "array", domain: "[-3, 3], 1–2 new dimensions at random output positions", grad: moved, tfOracle: true,
  structures: SHAPE.chain((shape) => subset(shape.length + 2, 1, 2).filter((d) => d.every((x) => x < shape.length + d.length)).map((dimensions) => {
    const out: number[] = [];
    let src = 0;
    for (let i = 0; i < shape.length + dimensions.length; i++) out.push(dimensions.includes(i) ? 1 : shape[src++]!);
    return prim("expand_dims", { dimensions }, [{ shape }], { tf: (x) => tf.reshape(x, out) });
  })),
};

const rev: Domain = {
  family: "array", domain: "[-3, 3], any subset of dimensions; also bool", grad: moved, tfOracle: true,
  structures: fc.tuple(SHAPE1, fc.boolean()).chain(([shape, bool]) => subset(shape.length).map((dimensions) =>
    prim("rev", { dimensions }, [{ shape, dtype: bool ? "bool" : "float32" }], bool || !dimensions.length ? {} : { tf: (x) => tf.reverse(x, dimensions) }))),
};

/** slice with random bounds (empty slices included) and strides 1–3. */
const slice: Domain = {
  family: "array", domain: "[-3, 3], random start ≤ limit (empty allowed), strides 1–3 or none; also int32", grad: moved, tfOracle: true,
  structures: SHAPE1.chain((shape) => fc.tuple(
    fc.tuple(...shape.map((n) => fc.tuple(fc.nat({ max: n }), fc.nat({ max: n })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const))),
    fc.option(fc.tuple(...shape.map(() => fc.integer({ min: 1, max: 3 }))), { nil: null }),
    numeric(shape, true),
  ).map(([bounds, strides, op]) => {
    const startIndices = bounds.map(([s]) => s), limitIndices = bounds.map(([, l]) => l);
    const nonEmpty = bounds.every(([s, l]) => l > s);
    return prim("slice", { startIndices, limitIndices, strides }, [op],
      // tfjs has no StridedSlice gradient: the oracle covers unstrided slices.
      nonEmpty && !strides && (op.dtype ?? "float32") === "float32" ? { tf: (x) => tf.slice(x, startIndices, limitIndices.map((l, i) => l - startIndices[i]!)) } : {});
  })),
};

/** concatenate 1–3 operands along a random dimension (sizes 0–3 along it). */
const concatenate: Domain = {
  family: "array", domain: "[-3, 3], 1–3 operands along any dimension (some empty); also int32", grad: moved, tfOracle: true,
  structures: fc.tuple(SHAPE1, fc.boolean()).chain(([shape, int]) => fc.tuple(fc.nat({ max: shape.length - 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })).map(([dimension, sizes]) => {
    const operands: Operand[] = sizes.map((n) => ({ shape: shape.map((d, i) => (i === dimension ? n : d)), ...(int ? { dtype: "int32" as const } : {}) }));
    return prim("concatenate", { dimension }, operands, int ? {} : { tf: (...xs) => tf.concat(xs, dimension) });
  })),
};

const iota: Domain = {
  family: "array", domain: "no operands: int32/float32 of rank 1–3", grad: { none: "no operands" },
  structures: fc.tuple(SHAPE1, fc.constantFrom<DType>("int32", "float32")).chain(([shape, dtype]) => fc.nat({ max: shape.length - 1 }).map((dimension) =>
    prim("iota", { dtype, shape, dimension }, []))),
};

export const ARRAY_DOMAINS: Record<string, Domain> = {
  reduce_sum: reduceSum,
  reduce_prod: reduceProd,
  reduce_max: chooser("reduce_max", (x, axes) => tf.max(x, axes)),
  reduce_min: chooser("reduce_min", (x, axes) => tf.min(x, axes)),
  argmax: argChooser("argmax"),
  argmin: argChooser("argmin"),
  cumsum,
  dot_general: dotGeneral,
  broadcast_in_dim: broadcastInDim,
  reshape,
  transpose,
  squeeze,
  expand_dims: expandDims,
  rev,
  slice,
  concatenate,
  iota,
};
