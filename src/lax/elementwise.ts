/**
 * Elementwise primitives: unary math, binary arithmetic with NumPy broadcasting,
 * comparisons, logical ops, select and dtype conversion. Binary primitives take operands
 * of one dtype (np promotes before binding) and broadcast like NumPy, which the tfjs
 * kernels (and the fused WebGPU kernels) do natively without materializing the broadcast.
 */
import { tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { type DType, storageDtype } from "../core/dtype.ts";
import { definePrimitive, UndefinedPrimal, type Primitive } from "../core/primitive.ts";
import { scalar } from "../core/constant.ts";
import { avalOf, broadcastToShape, elementwiseBatch, instantiate, isUndefined, unbroadcast } from "./rules.ts";
import { broadcastShapes } from "../core/shape.ts";
import type { NDArray } from "../array.ts";
import { exactIntNeeded, exactSelect } from "../backend/webgpu_exact.ts";

type DTypeClass = "float" | "numeric" | "bool" | "any";

const ACCEPTS: Record<DTypeClass, readonly DType[]> = {
  float: ["float32"],
  numeric: ["float32", "int32"],
  bool: ["bool"],
  any: ["float32", "int32", "uint32", "bool"],
};

function checkDtype(prim: string, arg: string, aval: ShapedArray, cls: DTypeClass): void {
  if (!ACCEPTS[cls].includes(aval.dtype)) {
    const hint = aval.dtype === "uint32" ? " (uint32 holds PRNG key bits; convert with .astype() first)" : "";
    throw new TypeError(`${prim}: ${arg} must have dtype ${ACCEPTS[cls].join(" or ")}; got ${aval.str()}${hint}`);
  }
}

// Small binders for the rules below (the lax API module imports this one, so rules bind directly).
const b1 = (p: Primitive<Record<string, never>>) => (x: NDArray): NDArray => p.bind1([x], {});
const b2 = (p: Primitive<Record<string, never>>) => (x: NDArray, y: NDArray): NDArray => p.bind1([x, y], {});
const lit = (v: number, like: NDArray) => scalar(v, like.dtype, true);

/**
 * How a unary primitive differentiates: `dydx(x, y)` is its derivative at x (y = f(x)), so
 * the JVP is t · dydx; "zero" for piecewise-constant and non-float results; "linear" for
 * neg, whose transpose is itself.
 */
type UnaryDerivative = ((x: NDArray, y: NDArray) => NDArray) | "zero" | "linear";

/** A unary elementwise primitive: output has the input's shape (and dtype unless `outDtype`). */
function unary(name: string, cls: DTypeClass, impl: (x: Tensor) => Tensor, derivative: UnaryDerivative, outDtype?: DType): Primitive<Record<string, never>> {
  const prim: Primitive<Record<string, never>> = definePrimitive(name, {
    impl: ([x]) => [impl(x!)],
    abstractEval: ([x]) => {
      checkDtype(name, "x", x!, cls);
      return [outDtype ? new ShapedArray(x!.shape, outDtype) : x!];
    },
    jvp: ([x], [t]) => {
      const y = prim.bind1([x!], {});
      if (derivative === "zero" || t === null) return [[y], [null]];
      if (derivative === "linear") return [[y], [prim.bind1([t!], {})]];
      return [[y], [mul(t!, derivative(x!, y))]];
    },
    batch: ([x], [d]) => [[prim.bind1([x!], {})], [d!]],
    ...(derivative === "linear" ? { transpose: ([ct]: (NDArray | null)[]) => [prim.bind1([ct!], {})] } : {}),
  });
  return prim;
}

/**
 * erfinv in float32 by M. Giles' single-precision polynomials ("Approximating the erfinv
 * function", GPU Computing Gems, 2010), the same approach XLA uses; tfjs has no kernel.
 */
function erfinvImpl(x: Tensor): Tensor {
  const w = tf.neg(tf.log(tf.mul(tf.sub(1, x), tf.add(1, x))));
  const horner = (t: Tensor, coeffs: number[]) => coeffs.slice(1).reduce((p, c) => tf.add(c, tf.mul(p, t)), tf.fill(t.shape, coeffs[0]!));
  const central = horner(tf.sub(w, 2.5), [
    2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 2.1858087e-4,
    -1.25372503e-3, -4.17768164e-3, 0.246640727, 1.50140941,
  ]);
  const tail = horner(tf.sub(tf.sqrt(w), 3), [
    -2.00214257e-4, 1.00950558e-4, 1.34934322e-3, -3.67342844e-3, 5.73950773e-3,
    -7.6224613e-3, 9.43887047e-3, 1.00167406, 2.83297682,
  ]);
  const p = tf.where(tf.less(w, 5), central, tail);
  // At |x| = 1 the tail polynomial sees w = inf; the exact answer is ±inf.
  return tf.where(tf.equal(tf.abs(x), 1), tf.mul(x, Infinity), tf.mul(p, x));
}

export const negP = unary("neg", "numeric", tf.neg, "linear");
export const expP = unary("exp", "float", tf.exp, (_, y) => y);
export const logP = unary("log", "float", tf.log, (x) => recip(x));
export const log1pP = unary("log1p", "float", tf.log1p, (x) => recip(add(x, lit(1, x))));
export const expm1P = unary("expm1", "float", tf.expm1, (_, y) => add(y, lit(1, y)));
export const sinP = unary("sin", "float", tf.sin, (x) => cos(x));
export const cosP = unary("cos", "float", tf.cos, (x) => neg(sin(x)));
export const tanP = unary("tan", "float", tf.tan, (_, y) => add(lit(1, y), mul(y, y)));
export const tanhP = unary("tanh", "float", tf.tanh, (_, y) => sub(lit(1, y), mul(y, y)));
export const logisticP = unary("logistic", "float", tf.sigmoid, (_, y) => mul(y, sub(lit(1, y), y)));
export const sqrtP = unary("sqrt", "float", tf.sqrt, (_, y) => div(lit(0.5, y), y));
export const rsqrtP = unary("rsqrt", "float", tf.rsqrt, (x, y) => div(mul(y, lit(-0.5, y)), x));
export const absP = unary("abs", "numeric", tf.abs, (x) => sign(x));
export const signP = unary("sign", "numeric", tf.sign, "zero");
export const floorP = unary("floor", "float", tf.floor, "zero");
export const ceilP = unary("ceil", "float", tf.ceil, "zero");
/** Rounds half to even, as NumPy's round and tfjs's Round kernel. */
export const roundP = unary("round", "float", tf.round, "zero");
/** d/dx erf = 2/√π · e^(−x²). */
export const erfP = unary("erf", "float", tf.erf, (x) => mul(lit(2 / Math.sqrt(Math.PI), x), exp(neg(mul(x, x)))));
/** d/dx erf⁻¹ = √π/2 · e^(y²). */
export const erfInvP = unary("erf_inv", "float", erfinvImpl, (_, y) => mul(lit(Math.sqrt(Math.PI) / 2, y), exp(mul(y, y))));
export const squareP = unary("square", "numeric", tf.square, (x) => mul(lit(2, x), x));
export const notP = unary("not", "bool", tf.logicalNot, "zero");
export const isFiniteP = unary("is_finite", "float", (x) => tf.logicalNot(tf.logicalOr(tf.isNaN(x), tf.isInf(x))), "zero", "bool");

const neg = b1(negP), exp = b1(expP), sin = b1(sinP), cos = b1(cosP), sign = b1(signP);

/** x**y for a static integer y (the jvp of square, powers in polynomials). */
export const integerPowP: Primitive<{ y: number }> = definePrimitive<{ y: number }>("integer_pow", {
  impl: ([x], { y }) => [integerPow(x!, y)],
  abstractEval: ([x], { y }) => {
    checkDtype("integer_pow", "x", x!, "numeric");
    if (!Number.isInteger(y)) throw new TypeError(`integer_pow: exponent must be an integer; got ${y}`);
    if (y < 0 && x!.dtype !== "float32") throw new TypeError(`integer_pow: integers cannot be raised to a negative power (${y}); got ${x!.str()}`);
    return [x!];
  },
  jvp: ([x], [t], { y }) => {
    const out = integerPowP.bind1([x!], { y });
    // x⁰ is constant: a zero tangent (y · x^(y−1) would be 0 · ∞ = NaN at x = 0).
    if (t === null || y === 0) return [[out], [null]];
    const d = y === 1 ? lit(1, x!) : mul(lit(y, x!), y === 2 ? x! : integerPowP.bind1([x!], { y: y - 1 }));
    return [[out], [mul(t, d)]];
  },
  batch: ([x], [d], params) => [[integerPowP.bind1([x!], params)], [d!]],
});

function integerPow(x: Tensor, y: number): Tensor {
  if (y === 0) return tf.onesLike(x);
  if (y < 0) return tf.div(1, integerPow(x, -y));
  // Square-and-multiply keeps the result exact for integers and matches repeated products for floats.
  let acc: Tensor | null = null;
  let base = x;
  for (let n = y; n > 0; n >>= 1) {
    if (n & 1) acc = acc ? tf.mul(acc, base) : base;
    if (n > 1) base = tf.mul(base, base);
  }
  return acc!;
}

/** Checks the operands of a broadcasting n-ary elementwise primitive and gives the output aval. */
function naryAval(name: string, avals: readonly ShapedArray[], argNames: readonly string[], cls: DTypeClass, outDtype?: DType): ShapedArray {
  const dtype = avals[0]!.dtype;
  avals.forEach((a, i) => checkDtype(name, argNames[i]!, a, cls));
  for (let i = 1; i < avals.length; i++) {
    if (avals[i]!.dtype !== dtype) {
      throw new TypeError(`${name}: operands must have one dtype; got ${avals.map((a, k) => `${argNames[k]}: ${a.str()}`).join(", ")}`);
    }
  }
  const shape = broadcastShapes(avals.map((a) => a.shape), argNames.map((n) => `${name} ${n}`));
  return new ShapedArray(shape, outDtype ?? dtype, outDtype ? false : avals.every((a) => a.weakType));
}

/**
 * How a binary primitive differentiates: the JVP given primals, tangents (null = zero) and
 * the output; tangents may have operand shapes, and are broadcast to the output's shape.
 * "zero" for non-float results. `transpose` for the linear ones.
 */
interface BinaryRules {
  jvp: ((x: NDArray, y: NDArray, tx: NDArray | null, ty: NDArray | null, out: NDArray) => NDArray | null) | "zero";
  transpose?: (ct: NDArray, x: NDArray | UndefinedPrimal, y: NDArray | UndefinedPrimal) => [NDArray | null, NDArray | null];
}

function binary(name: string, cls: DTypeClass, impl: (x: Tensor, y: Tensor) => Tensor, rules: BinaryRules, outDtype?: DType): Primitive<Record<string, never>> {
  const prim: Primitive<Record<string, never>> = definePrimitive(name, {
    impl: ([x, y]) => [impl(x!, y!)],
    abstractEval: (avals) => [naryAval(name, avals, ["x", "y"], cls, outDtype)],
    jvp: ([x, y], [tx, ty]) => {
      const out = prim.bind1([x!, y!], {});
      if (rules.jvp === "zero") return [[out], [null]];
      const t = rules.jvp(x!, y!, tx, ty, out);
      return [[out], [t === null ? null : broadcastToShape(t, out.shape)]];
    },
    batch: elementwiseBatch(null as never),
    ...(rules.transpose ? {
      transpose: ([ct], [x, y]) => {
        const [cx, cy] = rules.transpose!(ct!, x!, y!);
        return [cx && unbroadcast(cx, avalOf(x!).shape), cy && unbroadcast(cy, avalOf(y!).shape)];
      },
    } : {}),
  });
  prim.rules.batch = elementwiseBatch(prim);
  return prim;
}

/** ta + tb with symbolic zeros. */
const addTangents = (a: NDArray | null, b: NDArray | null): NDArray | null => (a === null ? b : b === null ? a : add(a, b));
/** g · (1 where x is the max/min alone, ½ at ties, 0 elsewhere): JAX's balanced derivative of max/min. */
function balancedPick(x: NDArray, y: NDArray, out: NDArray, tx: NDArray | null, ty: NDArray | null): NDArray | null {
  const weight = (a: NDArray, b: NDArray) => {
    const isA = convertElementTypeP.bind1([eqP.bind1([a, out], {})], { newDtype: "float32" });
    const isB = convertElementTypeP.bind1([eqP.bind1([b, out], {})], { newDtype: "float32" });
    return div(isA, add(isA, isB));
  };
  return addTangents(tx && mul(tx, weight(x, y)), ty && mul(ty, weight(y, x)));
}
/** x with zeros replaced by ones, so log(x) stays finite where its factor is zero anyway. */
const replaceZero = (x: NDArray) => selectP.bind1([eqP.bind1([x, lit(0, x)], {}), lit(1, x), x], {});

/** Division truncating toward zero for integers (C and XLA semantics); tfjs floors. */
function divImpl(x: Tensor, y: Tensor): Tensor {
  if (x.dtype !== "int32") return tf.div(x, y);
  const q = tf.floorDiv(x, y);
  const inexact = tf.notEqual(tf.sub(x, tf.mul(q, y)), 0);
  const signsDiffer = tf.notEqual(tf.less(x, 0), tf.less(y, 0));
  return tf.where(tf.logicalAnd(inexact, signsDiffer), tf.add(q, tf.scalar(1, "int32")), q);
}

/** Remainder with the sign of the dividend (C fmod, XLA rem); tfjs's mod takes the divisor's sign. */
function remImpl(x: Tensor, y: Tensor): Tensor {
  const r = tf.mod(x, y);
  const wrongSign = tf.logicalAnd(tf.notEqual(r, 0), tf.notEqual(tf.less(r, 0), tf.less(x, 0)));
  return tf.where(wrongSign, tf.sub(r, y), r);
}

export const addP = binary("add", "numeric", tf.add, {
  jvp: (_x, _y, tx, ty) => addTangents(tx, ty),
  transpose: (ct) => [ct, ct],
});
export const subP = binary("sub", "numeric", tf.sub, {
  jvp: (_x, _y, tx, ty) => addTangents(tx, ty && neg(ty)),
  transpose: (ct) => [ct, neg(ct)],
});
export const mulP = binary("mul", "numeric", tf.mul, {
  jvp: (x, y, tx, ty) => addTangents(tx && mul(tx, y), ty && mul(x, ty)),
  transpose: (ct, x, y) => [isUndefined(x) ? mul(ct, y as NDArray) : null, isUndefined(y) ? mul(x as NDArray, ct) : null],
});
export const divP = binary("div", "numeric", divImpl, {
  jvp: (_x, y, tx, ty, out) => addTangents(tx && div(tx, y), ty && neg(div(mul(ty, out), y))),
  transpose: (ct, x, y) => {
    if (!isUndefined(x) || isUndefined(y)) throw new Error("div is linear in its numerator only");
    return [div(ct, y), null];
  },
});
export const powP = binary("pow", "float", tf.pow, {
  jvp: (x, y, tx, ty, out) => addTangents(
    tx && mul(tx, mul(y, powP.bind1([x, sub(y, lit(1, y))], {}))),
    ty && mul(ty, mul(log(replaceZero(x)), out)),
  ),
});
export const maxP = binary("max", "numeric", tf.maximum, { jvp: (x, y, tx, ty, out) => balancedPick(x, y, out, tx, ty) });
export const minP = binary("min", "numeric", tf.minimum, { jvp: (x, y, tx, ty, out) => balancedPick(x, y, out, tx, ty) });
/** atan2(x, y) = atan(x / y): ∂x = y / (x² + y²), ∂y = −x / (x² + y²). */
export const atan2P = binary("atan2", "float", tf.atan2, {
  jvp: (x, y, tx, ty) => {
    const r2 = add(mul(x, x), mul(y, y));
    return addTangents(tx && mul(tx, div(y, r2)), ty && mul(ty, div(neg(x), r2)));
  },
});
/** rem(x, y) = x − y·trunc(x / y): ∂x = 1, ∂y = −trunc(x / y). */
export const remP = binary("rem", "numeric", remImpl, {
  jvp: (x, y, tx, ty) => {
    const q = div(x, y);
    return addTangents(tx, ty && neg(mul(ty, mul(sign(q), floorP.bind1([absP.bind1([q], {})], {})))));
  },
});
export const andP = binary("and", "bool", tf.logicalAnd, { jvp: "zero" });
export const orP = binary("or", "bool", tf.logicalOr, { jvp: "zero" });
export const xorP = binary("xor", "bool", (x, y) => tf.notEqual(x, y), { jvp: "zero" });
export const eqP = binary("eq", "any", tf.equal, { jvp: "zero" }, "bool");
export const neP = binary("ne", "any", tf.notEqual, { jvp: "zero" }, "bool");
export const ltP = binary("lt", "numeric", tf.less, { jvp: "zero" }, "bool");
export const leP = binary("le", "numeric", tf.lessEqual, { jvp: "zero" }, "bool");
export const gtP = binary("gt", "numeric", tf.greater, { jvp: "zero" }, "bool");
export const geP = binary("ge", "numeric", tf.greaterEqual, { jvp: "zero" }, "bool");

const add = b2(addP), sub = b2(subP), mul = b2(mulP), div = b2(divP), log = b1(logP);
const recip = (x: NDArray) => div(lit(1, x), x);

/** `pred ? onTrue : onFalse` elementwise, all three broadcast together. */
/** An empty result as zeros: tfjs's where broadcasts an empty operand to the wrong shape ([1, 1] with [0, 1, 1] gave [1, 1, 1]). */
function emptySelect(pred: Tensor, t: Tensor, f: Tensor): Tensor | null {
  const shape = broadcastShapes([pred.shape, t.shape, f.shape]);
  return shape.some((d) => d === 0) ? tf.zeros(shape, t.dtype) : null;
}

export const selectP: Primitive = definePrimitive("select", {
  impl: ([pred, t, f]) => [emptySelect(pred!, t!, f!) ?? (exactIntNeeded([t!, f!], { with: [pred!], alwaysGpu: true }) ? exactSelect(pred!, t!, f!) : t!.dtype === "bool" ? viaInt32((a, b) => tf.where(pred!, a, b), t!, f!) : tf.where(pred!, t!, f!))],
  abstractEval: ([pred, t, f]) => {
    checkDtype("select", "pred", pred!, "bool");
    const out = naryAval("select", [t!, f!], ["onTrue", "onFalse"], "any");
    const shape = broadcastShapes([pred!.shape, out.shape], ["select pred", "select branches"]);
    return [new ShapedArray(shape, out.dtype, out.weakType)];
  },
  jvp: ([pred, a, b], [, ta, tb]) => {
    const out = selectP.bind1([pred!, a!, b!], {});
    if (ta === null && tb === null) return [[out], [null]];
    const t = selectP.bind1([pred!, instantiate(ta, a!.aval), instantiate(tb, b!.aval)], {});
    return [[out], [broadcastToShape(t, out.shape)]];
  },
  transpose: ([ct], [pred, a, b]) => {
    if (isUndefined(pred)) throw new Error("select is not linear in its predicate");
    const zero = lit(0, ct!);
    return [
      null,
      isUndefined(a) ? unbroadcast(selectP.bind1([pred as NDArray, ct!, zero], {}), a.aval.shape) : null,
      isUndefined(b) ? unbroadcast(selectP.bind1([pred as NDArray, zero, ct!], {}), b.aval.shape) : null,
    ];
  },
  batch: (args, dims) => elementwiseBatch(selectP)(args, dims, {}),
});

/**
 * Runs a data-moving kernel on bool data as int32: tfjs-wasm's Select and Reverse (and
 * StridedSlice) return garbage for bool tensors.
 */
export function viaInt32(op: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): Tensor {
  return tf.cast(op(...xs.map((x) => tf.cast(x, "int32"))), "bool");
}

const TWO_32 = 4294967296;
const TWO_31 = 2147483648;

function convertImpl(x: Tensor, from: DType, to: DType): Tensor {
  if (from === to) return x;
  if (from === "uint32" && to === "float32") {
    const f = tf.cast(x, "float32");
    return tf.where(tf.less(x, 0), tf.add(f, TWO_32), f);
  }
  if (from === "float32" && to === "uint32") {
    const wrapped = tf.where(tf.greaterEqual(x, TWO_31), tf.sub(x, TWO_32), x);
    return tf.cast(wrapped, "int32");
  }
  if (storageDtype(from) === storageDtype(to)) return x; // int32 <-> uint32 keep their bits
  // tfjs-cpu "casts" bool to int32 by relabelling its Uint8Array, which a uint32 view cannot read; via float32 it converts.
  if (from === "bool" && storageDtype(to) === "int32") return tf.cast(tf.cast(x, "float32"), "int32");
  return tf.cast(x, storageDtype(to));
}

export interface ConvertParams { newDtype: DType; weakType?: boolean }

/** Converts dtype. int32/uint32 reinterpret bits (values wrap mod 2^32, as in JAX); floats truncate toward zero. */
export const convertElementTypeP: Primitive<ConvertParams> = definePrimitive<ConvertParams>("convert_element_type", {
  impl: ([x], { newDtype }, [xAval]) => [convertImpl(x!, xAval!.dtype, newDtype)],
  abstractEval: ([x], { newDtype, weakType = false }) => [new ShapedArray(x!.shape, newDtype, weakType)],
  jvp: ([x], [t], params) => {
    const out = convertElementTypeP.bind1([x!], params);
    const floatToFloat = x!.dtype === "float32" && params.newDtype === "float32";
    return [[out], [floatToFloat && t !== null ? convertElementTypeP.bind1([t], params) : null]];
  },
  transpose: ([ct], [x]) => [convertElementTypeP.bind1([ct!], { newDtype: avalOf(x!).dtype, weakType: avalOf(x!).weakType })],
  batch: ([x], [d], params) => [[convertElementTypeP.bind1([x!], params)], [d!]],
});

/** Identity whose derivative is zero. */
export const stopGradientP: Primitive = definePrimitive("stop_gradient", {
  impl: ([x]) => [x!],
  abstractEval: ([x]) => [x!],
  jvp: ([x]) => [[stopGradientP.bind1([x!], {})], [null]],
  batch: ([x], [d]) => [[stopGradientP.bind1([x!], {})], [d!]],
});

export type Unary = (x: NDArray) => NDArray;
