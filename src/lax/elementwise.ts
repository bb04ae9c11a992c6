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
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { broadcastShapes } from "../core/shape.ts";
import type { NDArray } from "../array.ts";

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

/** A unary elementwise primitive: output has the input's shape (and dtype unless `outDtype`). */
function unary(name: string, cls: DTypeClass, impl: (x: Tensor) => Tensor, outDtype?: DType): Primitive<Record<string, never>> {
  return definePrimitive(name, {
    impl: ([x]) => [impl(x!)],
    abstractEval: ([x]) => {
      checkDtype(name, "x", x!, cls);
      return [outDtype ? new ShapedArray(x!.shape, outDtype) : x!];
    },
  });
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

export const negP = unary("neg", "numeric", tf.neg);
export const expP = unary("exp", "float", tf.exp);
export const logP = unary("log", "float", tf.log);
export const log1pP = unary("log1p", "float", tf.log1p);
export const expm1P = unary("expm1", "float", tf.expm1);
export const sinP = unary("sin", "float", tf.sin);
export const cosP = unary("cos", "float", tf.cos);
export const tanP = unary("tan", "float", tf.tan);
export const tanhP = unary("tanh", "float", tf.tanh);
export const logisticP = unary("logistic", "float", tf.sigmoid);
export const sqrtP = unary("sqrt", "float", tf.sqrt);
export const rsqrtP = unary("rsqrt", "float", tf.rsqrt);
export const absP = unary("abs", "numeric", tf.abs);
export const signP = unary("sign", "numeric", tf.sign);
export const floorP = unary("floor", "float", tf.floor);
export const ceilP = unary("ceil", "float", tf.ceil);
/** Rounds half to even, as NumPy's round and tfjs's Round kernel. */
export const roundP = unary("round", "float", tf.round);
export const erfP = unary("erf", "float", tf.erf);
export const erfInvP = unary("erf_inv", "float", erfinvImpl);
export const squareP = unary("square", "numeric", tf.square);
export const notP = unary("not", "bool", tf.logicalNot);
export const isFiniteP = unary("is_finite", "float", (x) => tf.logicalNot(tf.logicalOr(tf.isNaN(x), tf.isInf(x))), "bool");

/** x**y for a static integer y (the jvp of square, powers in polynomials). */
export const integerPowP = definePrimitive<{ y: number }>("integer_pow", {
  impl: ([x], { y }) => [integerPow(x!, y)],
  abstractEval: ([x], { y }) => {
    checkDtype("integer_pow", "x", x!, "numeric");
    if (!Number.isInteger(y)) throw new TypeError(`integer_pow: exponent must be an integer; got ${y}`);
    if (y < 0 && x!.dtype !== "float32") throw new TypeError(`integer_pow: integers cannot be raised to a negative power (${y}); got ${x!.str()}`);
    return [x!];
  },
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

function binary(name: string, cls: DTypeClass, impl: (x: Tensor, y: Tensor) => Tensor, outDtype?: DType): Primitive<Record<string, never>> {
  return definePrimitive(name, {
    impl: ([x, y]) => [impl(x!, y!)],
    abstractEval: (avals) => [naryAval(name, avals, ["x", "y"], cls, outDtype)],
  });
}

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

export const addP = binary("add", "numeric", tf.add);
export const subP = binary("sub", "numeric", tf.sub);
export const mulP = binary("mul", "numeric", tf.mul);
export const divP = binary("div", "numeric", divImpl);
export const powP = binary("pow", "float", tf.pow);
export const maxP = binary("max", "numeric", tf.maximum);
export const minP = binary("min", "numeric", tf.minimum);
export const atan2P = binary("atan2", "float", tf.atan2);
export const remP = binary("rem", "numeric", remImpl);
export const andP = binary("and", "bool", tf.logicalAnd);
export const orP = binary("or", "bool", tf.logicalOr);
export const xorP = binary("xor", "bool", (x, y) => tf.notEqual(x, y));
export const eqP = binary("eq", "any", tf.equal, "bool");
export const neP = binary("ne", "any", tf.notEqual, "bool");
export const ltP = binary("lt", "numeric", tf.less, "bool");
export const leP = binary("le", "numeric", tf.lessEqual, "bool");
export const gtP = binary("gt", "numeric", tf.greater, "bool");
export const geP = binary("ge", "numeric", tf.greaterEqual, "bool");

/** `pred ? onTrue : onFalse` elementwise, all three broadcast together. */
export const selectP = definePrimitive("select", {
  impl: ([pred, t, f]) => [t!.dtype === "bool" ? viaInt32((a, b) => tf.where(pred!, a, b), t!, f!) : tf.where(pred!, t!, f!)],
  abstractEval: ([pred, t, f]) => {
    checkDtype("select", "pred", pred!, "bool");
    const out = naryAval("select", [t!, f!], ["onTrue", "onFalse"], "any");
    const shape = broadcastShapes([pred!.shape, out.shape], ["select pred", "select branches"]);
    return [new ShapedArray(shape, out.dtype, out.weakType)];
  },
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
  return tf.cast(x, storageDtype(to));
}

/** Converts dtype. int32/uint32 reinterpret bits (values wrap mod 2^32, as in JAX); floats truncate toward zero. */
export const convertElementTypeP = definePrimitive<{ newDtype: DType; weakType?: boolean }>("convert_element_type", {
  impl: ([x], { newDtype }, [xAval]) => [convertImpl(x!, xAval!.dtype, newDtype)],
  abstractEval: ([x], { newDtype, weakType = false }) => [new ShapedArray(x!.shape, newDtype, weakType)],
});

/** Identity whose derivative is zero. */
export const stopGradientP = definePrimitive("stop_gradient", {
  impl: ([x]) => [x!],
  abstractEval: ([x]) => [x!],
});

export type Unary = (x: NDArray) => NDArray;
