/**
 * Domains of the elementwise primitives. Bounds for the tolerance derivation (spec.ts) are
 * worked out on each domain: M0 = sup |f|, M1 = sup |f'|, M3 = sup |f'''|, M4 = sup |f''''|
 * (for binary primitives the directional derivatives along (v, w) with |v|, |w| ≤ 1).
 */
import * as fc from "fast-check";
import * as tf from "@tensorflow/tfjs-core";
import type { Tensor } from "@tensorflow/tfjs-core";
import type { DType } from "../../../src/index.ts";
import { arb } from "../../../src/testing/index.ts";
import { linear, smooth, type Domain, type GradSpec, type NoGrad, type Operand } from "../spec.ts";
import { SHAPE, prim } from "./common.ts";

type Range = Omit<Operand, "shape" | "dtype">;

interface UnaryDecl {
  domain: string;
  range: Range;
  grad: GradSpec | NoGrad;
  tf?: (x: Tensor) => Tensor;
  /** Also int32 operands (not differentiated), for vmap and jit. */
  int32?: boolean;
}

function unary(name: string, d: UnaryDecl): Domain {
  const float = SHAPE.map((shape) => prim(name, {}, [{ shape, ...d.range }], d.tf ? { tf: d.tf } : {}));
  const int = SHAPE.map((shape) => prim(name, {}, [{ shape, dtype: "int32", min: -5, max: 5 }]));
  return {
    family: "elementwise", domain: d.domain, grad: d.grad, tfOracle: !!d.tf,
    structures: d.int32 ? fc.oneof({ arbitrary: float, weight: 3 }, { arbitrary: int, weight: 1 }) : float,
  };
}

const E2 = Math.exp(2);
/** Values on a grid of 1/8 shifted by 1/16: at least 1/16 from every integer and every half-integer. */
const offGrid: Range = { min: -3, max: 3, step: 1 / 8, offset: 1 / 16 };
/** Margin 1/16 > ε: steps of at most 0.05 never cross a kink. */
const awayFromZero: Range = { min: -3, max: 3, exclude: [[-1 / 16, 1 / 16]] };

const UNARY: Record<string, UnaryDecl> = {
  neg: { domain: "[-3, 3]", range: {}, grad: linear(3), tf: tf.neg, int32: true },
  exp: { domain: "[-2, 2]", range: { min: -2, max: 2 }, grad: smooth({ M0: E2, M1: E2, M3: E2, M4: E2 }), tf: tf.exp },
  // f = ln x: f' = 1/x ≤ 2, f''' = 2/x³ ≤ 16, f'''' = 6/x⁴ ≤ 96 on [0.5, 4].
  log: { domain: "[0.5, 4] (positive)", range: { min: 0.5, max: 4 }, grad: smooth({ M0: Math.log(4), M1: 2, M3: 16, M4: 96 }), tf: tf.log },
  log1p: { domain: "[-0.5, 3] (1 + x ≥ 0.5)", range: { min: -0.5, max: 3 }, grad: smooth({ M0: Math.log(4), M1: 2, M3: 16, M4: 96 }), tf: tf.log1p },
  expm1: { domain: "[-2, 2]", range: { min: -2, max: 2 }, grad: smooth({ M0: E2 - 1, M1: E2, M3: E2, M4: E2 }), tf: tf.expm1 },
  sin: { domain: "[-3, 3]", range: {}, grad: smooth({ M0: 1, M1: 1, M3: 1, M4: 1 }), tf: tf.sin },
  cos: { domain: "[-3, 3]", range: {}, grad: smooth({ M0: 1, M1: 1, M3: 1, M4: 1 }), tf: tf.cos },
  // t = tan 1.1 = 1.965: f' = 1 + t² = 4.86, f''' = 2(1 + t²)(1 + 3t²) = 122, f'''' = 8t(1 + t²)(2 + 3t²) = 1037.
  tan: { domain: "[-1.1, 1.1] (away from ±π/2)", range: { min: -1.1, max: 1.1 }, grad: smooth({ M0: 1.97, M1: 4.86, M3: 123, M4: 1040 }), tf: tf.tan },
  // |tanh'''| ≤ 2 (at 0), |tanh''''| ≤ 4.1.
  tanh: { domain: "[-3, 3]", range: {}, grad: smooth({ M0: 1, M1: 1, M3: 2, M4: 4.2 }), tf: tf.tanh },
  logistic: { domain: "[-4, 4]", range: { min: -4, max: 4 }, grad: smooth({ M0: 1, M1: 0.25, M3: 0.125, M4: 0.13 }), tf: tf.sigmoid },
  // f = √x on [0.25, 4]: f' ≤ 1, f''' = 3/8 x^-5/2 ≤ 12, f'''' = 15/16 x^-7/2 ≤ 120.
  sqrt: { domain: "[0.25, 4] (positive)", range: { min: 0.25, max: 4 }, grad: smooth({ M0: 2, M1: 1, M3: 12, M4: 120 }), tf: tf.sqrt },
  // f = x^-1/2 on [0.5, 4]: f ≤ 1.41, f' ≤ 1.41, f''' = 15/8 x^-7/2 ≤ 21.2, f'''' = 105/16 x^-9/2 ≤ 149.
  rsqrt: { domain: "[0.5, 4] (positive)", range: { min: 0.5, max: 4 }, grad: smooth({ M0: 1.42, M1: 1.42, M3: 21.3, M4: 149 }), tf: tf.rsqrt },
  abs: { domain: "[-3, 3], |x| > 1/16 (kink at 0)", range: awayFromZero, grad: linear(3, { maxEps: 0.05 }), tf: tf.abs, int32: true },
  sign: { domain: "[-3, 3], |x| > 1/16 (jump at 0); derivative 0", range: awayFromZero, grad: linear(1, { maxEps: 0.05 }), tf: tf.sign, int32: true },
  floor: { domain: "[-3, 3], ≥ 1/16 from integers; derivative 0", range: offGrid, grad: linear(3, { maxEps: 0.05 }), tf: tf.floor },
  ceil: { domain: "[-3, 3], ≥ 1/16 from integers; derivative 0", range: offGrid, grad: linear(3, { maxEps: 0.05 }), tf: tf.ceil },
  round: { domain: "[-3, 3], ≥ 1/16 from half-integers; derivative 0", range: offGrid, grad: linear(3, { maxEps: 0.05 }), tf: tf.round },
  // erf''' = 2/√π (4x² − 2) e^(−x²): ≤ 2.26 at 0; |erf''''| ≤ 4.3.
  erf: { domain: "[-3, 3]", range: {}, grad: smooth({ M0: 1, M1: 1.13, M3: 2.26, M4: 5 }), tf: tf.erf },
  // y = erfinv x ≤ 0.906: f' = √π/2 e^(y²) ≤ 2.02, f''' = 2f'³(1 + 4y²) ≤ 70, f'''' = f'⁴ y (12(1 + 4y²) + 16) ≤ 1006;
  // the float32 polynomial (Giles) is within a few ulps: k = 8.
  erf_inv: { domain: "[-0.8, 0.8] (away from ±1)", range: { min: -0.8, max: 0.8 }, grad: smooth({ M0: 0.91, M1: 2.02, M3: 71, M4: 1010, k: 8 }) },
  // A quadratic: central differences are exact but for rounding, so ε = 1.
  square: { domain: "[-3, 3]", range: {}, grad: smooth({ M0: 16, M1: 6, M3: 0, M4: 0 }), tf: tf.square, int32: true },
  not: { domain: "bool", range: { dtype: "bool" } as Range, grad: { none: "bool → bool" } },
};

const unaryDomains = Object.fromEntries(Object.entries(UNARY).map(([name, d]) => {
  if (name === "not") return [name, { family: "elementwise", domain: d.domain, grad: d.grad, structures: SHAPE.map((shape) => prim("not", {}, [{ shape, dtype: "bool" }])) } satisfies Domain];
  return [name, unary(name, d)];
})) as Record<string, Domain>;

/** is_finite on finite values and ±∞, NaN. */
const isFinite: Domain = {
  family: "elementwise", domain: "finite values, ±Infinity, NaN", grad: { none: "bool output" },
  structures: SHAPE.map((shape) => prim("is_finite", {}, [{ shape, element: fc.constantFrom(-1.5, 0, 2.25, Infinity, -Infinity, NaN) }])),
};

/**
 * integer_pow x^y, y ∈ [−3, 4]; for y < 0, |x| ∈ [0.75, 2]. Worst cases: M0 = 2⁴ = 16,
 * M1 = 4 · 2³ = 32, M3 = |(−3)(−4)(−5)| 0.75⁻⁶ = 337, M4 = 360 · 0.75⁻⁷ = 2697.
 */
const integerPow: Domain = {
  family: "elementwise", domain: "y ∈ [−3, 4]; x ∈ [−2, 2], |x| ≥ 0.75 when y < 0",
  grad: smooth({ M0: 16, M1: 32, M3: 337, M4: 2700 }), tfOracle: true,
  structures: fc.tuple(SHAPE, fc.integer({ min: -3, max: 4 })).map(([shape, y]) => prim("integer_pow", { y }, [
    { shape, min: -2, max: 2, exclude: y < 0 ? [[-0.75, 0.75]] : [] },
  ], y !== 0 ? { tf: (x) => tf.pow(x, tf.scalar(y)) } : {})), // tfjs's Pow gradient is NaN for x⁰ at x = 0
};

interface BinaryDecl {
  domain: string;
  x: Range;
  y: Range;
  grad: GradSpec | NoGrad;
  tf?: (x: Tensor, y: Tensor) => Tensor;
  /** Also int32 operands (not differentiated). */
  int32?: boolean;
  /** tfjs's gradient does not undo broadcasting for this op (Maximum, Minimum): use the oracle on equal shapes only. */
  tfSameShape?: boolean;
}

function binary(name: string, d: BinaryDecl): Domain {
  const shapes = arb.broadcastablePair({ maxRank: 3, maxDim: 4 });
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((n, i) => n === b[i]);
  const float = shapes.map(([a, b]) => prim(name, {}, [{ shape: a, ...d.x }, { shape: b, ...d.y }], d.tf && (!d.tfSameShape || same(a, b)) ? { tf: d.tf } : {}));
  const int = shapes.map(([a, b]) => prim(name, {}, [{ shape: a, dtype: "int32", min: -5, max: 5 }, { shape: b, dtype: "int32", min: 1, max: 5 }]));
  return {
    family: "elementwise", domain: d.domain, grad: d.grad, tfOracle: !!d.tf,
    structures: d.int32 ? fc.oneof({ arbitrary: float, weight: 3 }, { arbitrary: int, weight: 1 }) : float,
  };
}

const nonzero: Range = { min: -3, max: 3, exclude: [[-0.75, 0.75]] };

const BINARY: Record<string, BinaryDecl> = {
  // Linear: ε = 1, only rounding (|x ± v| + |y ± w| ≤ 8).
  add: { domain: "x, y ∈ [-3, 3], broadcasting", x: {}, y: {}, grad: linear(8), tf: tf.add, int32: true },
  sub: { domain: "x, y ∈ [-3, 3], broadcasting", x: {}, y: {}, grad: linear(8), tf: tf.sub, int32: true },
  // Bilinear: d³f = 0 and the quadratic term cancels in central differences, so ε = 1; |f(x ± v, y ± w)| ≤ 16.
  mul: { domain: "x, y ∈ [-3, 3], broadcasting", x: {}, y: {}, grad: smooth({ M0: 16, M1: 6, M3: 0, M4: 0 }), tf: tf.mul, int32: true },
  // x/y with |y| ≥ 0.75: M0 = 4, M1 = 1/|y| + |x|/y² ≤ 6.7, M3 = 6|x|/y⁴ + 3 · 2/|y|³ ≤ 71, M4 = 24|x|/|y|⁵ + 4 · 6/y⁴ ≤ 380.
  div: { domain: "x ∈ [-3, 3], |y| ∈ [0.75, 3] (denominator away from 0)", x: {}, y: nonzero, grad: smooth({ M0: 4, M1: 6.7, M3: 71, M4: 380 }), tf: tf.div, int32: true },
  // x^y, x ∈ [0.75, 3], y ∈ [−2, 2]: M0 = 9, M1 ≤ 6 + ln 3 · 9 ≤ 16, M3 ≤ 220 (∂xxx = 24 · 0.75⁻⁵ = 101 dominates), M4 ≤ 1500.
  pow: { domain: "x ∈ [0.75, 3] (positive base), y ∈ [-2, 2]", x: { min: 0.75, max: 3 }, y: { min: -2, max: 2 }, grad: smooth({ M0: 9, M1: 16, M3: 220, M4: 1500, k: 8 }), tf: tf.pow },
  // Piecewise linear; x on a 1/32 grid, y on the same grid shifted by 1/64: |x − y| ≥ 1/64 > 2ε, so no step crosses a tie.
  max: { domain: "x, y ∈ [-3, 3] on disjoint grids (|x − y| ≥ 1/64: no ties)", x: { step: 1 / 32 }, y: { step: 1 / 32, offset: 1 / 64 }, grad: linear(3, { maxEps: 5e-3 }), tf: tf.maximum, tfSameShape: true, int32: true },
  min: { domain: "x, y ∈ [-3, 3] on disjoint grids (|x − y| ≥ 1/64: no ties)", x: { step: 1 / 32 }, y: { step: 1 / 32, offset: 1 / 64 }, grad: linear(3, { maxEps: 5e-3 }), tf: tf.minimum, tfSameShape: true, int32: true },
  // atan2(x, y) = arg(y + ix) with y ∈ [0.5, 3]: r ≥ 0.5 and no branch cut. As Im log z, its n-th derivative along
  // (v, w) is Im((n−1)! (−1)ⁿ⁻¹ δⁿ / zⁿ) with |δ| ≤ √2: M1 = √2/r = 2.83, M3 = 2 · 2^1.5 / r³ = 45.3, M4 = 6 · 4 / r⁴ = 384.
  atan2: { domain: "x ∈ [-3, 3], y ∈ [0.5, 3] (away from the origin and the branch cut)", x: {}, y: { min: 0.5, max: 3 }, grad: smooth({ M0: Math.PI / 2, M1: 2.83, M3: 45.3, M4: 384 }), tf: tf.atan2 },
  // x − y·trunc(x/y): x on 1/8 + 1/16 grid, y ∈ {±0.5, ±1, ±2}: |x − m y| ≥ 1/16 for all integers m, and a step moves
  // x − m y by at most (1 + |m|)ε ≤ 7ε < 1/16, so piecewise linear with no jump crossed.
  rem: {
    domain: "x ∈ [-3, 3] on 1/16 + k/8, y ∈ {±0.5, ±1, ±2} (x/y ≥ 1/16 from integers)", x: offGrid,
    y: { element: fc.constantFrom(0.5, 1, 2, -0.5, -1, -2) }, grad: linear(3, { maxEps: 5e-3, M1: 6 }), int32: true,
  },
};

const binaryDomains = Object.fromEntries(Object.entries(BINARY).map(([name, d]) => [name, binary(name, d)])) as Record<string, Domain>;

/** Bool and comparison primitives: no tangents, checked under vmap and jit. */
function predicate(name: string, dtypes: DType[]): Domain {
  const shapes = arb.broadcastablePair({ maxRank: 3, maxDim: 4 });
  const range = (dtype: DType): Range => (dtype === "float32" ? { min: -1, max: 1, step: 0.5 } : dtype === "int32" ? { min: -2, max: 2 } : dtype === "uint32" ? { min: 0, max: 3 } : {});
  return {
    family: "elementwise", domain: `${dtypes.join(", ")} operands (small ranges, so ties happen)`, grad: { none: "bool output" },
    structures: fc.tuple(shapes, fc.constantFrom(...dtypes)).map(([[a, b], dtype]) => prim(name, {}, [{ shape: a, dtype, ...range(dtype) }, { shape: b, dtype, ...range(dtype) }])),
  };
}

const BOOL_OPS = Object.fromEntries(["and", "or", "xor"].map((n) => [n, predicate(n, ["bool"])]));
const COMPARISONS = Object.fromEntries([
  ...["eq", "ne"].map((n) => [n, predicate(n, ["float32", "int32", "uint32", "bool"])] as const),
  ...["lt", "le", "gt", "ge"].map((n) => [n, predicate(n, ["float32", "int32"])] as const),
]);

/** select(pred, a, b): linear in a and b; pred is not differentiated. */
const select: Domain = {
  family: "elementwise", domain: "pred bool, onTrue/onFalse ∈ [-3, 3] (float32 and int32); all three broadcast", grad: linear(3), tfOracle: true,
  structures: fc.tuple(arb.broadcastablePair({ maxRank: 3, maxDim: 3 }), fc.boolean(), fc.constantFrom<DType>("float32", "float32", "int32")).map(([[a, b], predFirst, dtype]) => {
    const same = a.length === b.length && a.every((d, i) => d === b[i]);
    return prim("select", {}, [{ shape: predFirst ? a : b, dtype: "bool" }, { shape: a, dtype }, { shape: b, dtype }],
      same && dtype === "float32" && predFirst ? { tf: (p, x, y) => tf.where(p as tf.Tensor, x, y) } : {});
  }),
};

const DTYPES: DType[] = ["float32", "int32", "uint32", "bool"];
const convertRange = (dtype: DType): Range => (dtype === "uint32" ? { min: 0, max: 4294967295 } : dtype === "float32" ? {} : {});

/** convert_element_type between every pair of dtypes; only float32 → float32 has a tangent (the identity). */
const convert: Domain = {
  family: "elementwise", domain: "every dtype pair; float32 in [-3, 3]; uint32 over its whole range", grad: linear(3),
  structures: fc.tuple(SHAPE, fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES), fc.boolean()).map(([shape, from, to, floatToFloat]) => {
    const [a, b] = floatToFloat ? ["float32", "float32"] as DType[] : [from, to];
    return prim("convert_element_type", { newDtype: b }, [{ shape, dtype: a, ...convertRange(a!) }]);
  }),
};

const stopGradient: Domain = {
  family: "elementwise", domain: "[-3, 3]", grad: { none: "the derivative is zero by definition (central differences see the identity)" },
  structures: SHAPE.map((shape) => prim("stop_gradient", {}, [{ shape }])),
};

export const ELEMENTWISE_DOMAINS: Record<string, Domain> = {
  ...unaryDomains,
  is_finite: isFinite,
  integer_pow: integerPow,
  ...binaryDomains,
  ...BOOL_OPS,
  ...COMPARISONS,
  select,
  convert_element_type: convert,
  stop_gradient: stopGradient,
};
