/** Elementwise NumPy math with broadcasting and JAX's dtype promotion. */
import type { NDArray, ArrayLike } from "../array.ts";
import * as E from "../lax/elementwise.ts";
import type { Primitive } from "../core/primitive.ts";
import { scalar } from "../core/constant.ts";
import { cast, promote, scoped } from "./promote.ts";

type P0 = Primitive<Record<string, never>>;

/** A unary function; `float` ones compute integer input in float32 (np.sqrt of ints). */
const unary = (p: P0, kind?: "float") => scoped((x: ArrayLike): NDArray => p.bind1(promote([x], ["x"], kind), {}));
const binary = (p: P0, kind?: "float") => scoped((x: ArrayLike, y: ArrayLike): NDArray => p.bind1(promote([x, y], ["x", "y"], kind), {}));

/** eˣ. @example np.exp(np.array([0, 1]))  // [1, 2.7182817] */
export const exp = unary(E.expP, "float");
/** Natural log. @example np.log(np.array([1]))  // [0] */
export const log = unary(E.logP, "float");
/** log(1 + x). @example np.log1p(np.array([0]))  // [0] */
export const log1p = unary(E.log1pP, "float");
/** eˣ − 1. @example np.expm1(np.array([0]))  // [0] */
export const expm1 = unary(E.expm1P, "float");
/** Sine. @example np.sin(np.array([0]))  // [0] */
export const sin = unary(E.sinP, "float");
/** Cosine. @example np.cos(np.array([0]))  // [1] */
export const cos = unary(E.cosP, "float");
/** Tangent. @example np.tan(np.array([0]))  // [0] */
export const tan = unary(E.tanP, "float");
/** Hyperbolic tangent. @example np.tanh(np.array([0]))  // [0] */
export const tanh = unary(E.tanhP, "float");
/** Square root. @example np.sqrt(np.array([4]))  // [2] */
export const sqrt = unary(E.sqrtP, "float");
/** Absolute value. @example np.abs(np.array([-2]))  // [2] */
export const abs = unary(E.absP);
/** Sign: −1, 0 or 1. @example np.sign(np.array([-2, 0]))  // [-1, 0] */
export const sign = unary(E.signP);
/** Floor. @example np.floor(np.array([1.5]))  // [1] */
export const floor = unary(E.floorP, "float");
/** Ceiling. @example np.ceil(np.array([1.5]))  // [2] */
export const ceil = unary(E.ceilP, "float");
/** Rounds half to even, as NumPy. @example np.round(np.array([0.5, 1.5, 2.5]))  // [0, 2, 2] */
export const round = unary(E.roundP, "float");
/** x². @example np.square(np.array([3]))  // [9] */
export const square = unary(E.squareP);
/** −x. @example np.negative(np.array([1]))  // [-1] */
export const negative = unary(E.negP);
/** Logistic sigmoid. @example np.sigmoid(np.array([0]))  // [0.5] */
export const sigmoid = unary(E.logisticP, "float");
/** Elementwise finiteness test. @example np.isfinite(np.array([1, NaN]))  // [true, false] */
export const isfinite = unary(E.isFiniteP, "float");
/** Elementwise NaN test. @example np.isnan(np.array([1, NaN]))  // [false, true] */
export const isnan = scoped((x: ArrayLike): NDArray => { const [a] = promote([x], ["x"], "float"); return E.neP.bind1([a!, a!], {}); });
/** Elementwise ±infinity test. @example np.isinf(np.array([1, -Infinity]))  // [false, true] */
export const isinf = scoped((x: ArrayLike): NDArray => {
  const [a] = promote([x], ["x"], "float");
  return E.eqP.bind1([E.absP.bind1([a!], {}), scalar(Infinity, "float32")], {});
});
/** 1 / x. @example np.reciprocal(np.array([4]))  // [0.25] */
export const reciprocal = scoped((x: ArrayLike): NDArray => divide(1, x));
/** sinh. @example np.sinh(np.array([0]))  // [0] */
export const sinh = scoped((x: ArrayLike): NDArray => { const a = exp(x); return a.sub(a.pow(-1)).div(2); });
/** cosh. @example np.cosh(np.array([0]))  // [1] */
export const cosh = scoped((x: ArrayLike): NDArray => { const a = exp(x); return a.add(a.pow(-1)).div(2); });
/** Base-2 logarithm. @example np.log2(np.array([8]))  // [3] */
export const log2 = scoped((x: ArrayLike): NDArray => log(x).div(Math.LN2));
/** Base-10 logarithm. @example np.log10(np.array([100]))  // [2] */
export const log10 = scoped((x: ArrayLike): NDArray => log(x).div(Math.LN10));

/** x + y. @example np.add(np.array([1, 2]), 1)  // [2, 3] */
export const add = binary(E.addP);
/** x − y. @example np.subtract(np.array([1, 2]), 1)  // [0, 1] */
export const subtract = binary(E.subP);
/** x · y. @example np.multiply(np.array([1, 2]), 3)  // [3, 6] */
export const multiply = binary(E.mulP);
/** True division; integers give float32. @example np.divide(np.array([1]), 4)  // [0.25] */
export const divide = binary(E.divP, "float");
/** xʸ; integer operands compute in float32 and round back. @example np.power(np.array([2]), 3)  // [8] */
export const power = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  if (typeof y === "number" && Number.isInteger(y) && Math.abs(y) <= 32) {
    const [a] = promote([x], ["x"]);
    if (y >= 0 || a!.dtype === "float32") return E.integerPowP.bind1([a!], { y });
  }
  const [a, b] = promote([x, y], ["x", "y"]);
  if (a!.dtype === "float32") return E.powP.bind1([a!, b!], {});
  const r = E.powP.bind1([cast(a!, "float32"), cast(b!, "float32")], {});
  return cast(E.roundP.bind1([r], {}), a!.dtype, a!.weakType);
});
/** Elementwise maximum. @example np.maximum(np.array([1, 5]), 3)  // [3, 5] */
export const maximum = binary(E.maxP);
/** Elementwise minimum. @example np.minimum(np.array([1, 5]), 3)  // [1, 3] */
export const minimum = binary(E.minP);
/** atan2(y, x). @example np.arctan2(np.array([1]), np.array([1]))  // [0.7853982] */
export const arctan2 = binary(E.atan2P, "float");
/** Remainder with the sign of the divisor (Python's %). @example np.remainder(np.array([-7]), 3)  // [2] */
export const remainder = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"]);
  const r = E.remP.bind1([a!, b!], {});
  const zero = scalar(0, r.dtype, true);
  const fix = E.andP.bind1([E.neP.bind1([r, zero], {}), E.neP.bind1([E.ltP.bind1([r, zero], {}), E.ltP.bind1([b!, zero], {})], {})], {});
  return E.selectP.bind1([fix, E.addP.bind1([r, b!], {}), r], {});
});
/** Alias of `remainder`. @example np.mod(np.array([5]), 3)  // [2] */
export const mod = remainder;
/** Remainder with the sign of the dividend (C fmod). @example np.fmod(np.array([-7]), 3)  // [-1] */
export const fmod = binary(E.remP);
/** Floor division. @example np.floorDivide(np.array([-7]), 2)  // [-4] */
export const floorDivide = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"]);
  if (a!.dtype === "float32") return E.floorP.bind1([E.divP.bind1([a!, b!], {})], {});
  return E.divP.bind1([E.subP.bind1([a!, remainder(a!, b!)], {}), b!], {});
});
/** log(eˣ + eʸ) without overflow. @example np.logaddexp(np.array([0]), np.array([0]))  // [0.6931472] */
export const logaddexp = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"], "float");
  const m = E.maxP.bind1([a!, b!], {});
  const d = E.negP.bind1([E.absP.bind1([E.subP.bind1([a!, b!], {})], {})], {});
  return E.addP.bind1([m, E.log1pP.bind1([E.expP.bind1([d], {})], {})], {});
});

const compare = (p: P0) => scoped((x: ArrayLike, y: ArrayLike): NDArray => p.bind1(promote([x, y], ["x", "y"]), {}));
/** x == y. @example np.equal(np.array([1, 2]), 2)  // [false, true] */
export const equal = compare(E.eqP);
/** x != y. @example np.notEqual(np.array([1, 2]), 2)  // [true, false] */
export const notEqual = compare(E.neP);
/** x < y. @example np.less(np.array([1, 2]), 2)  // [true, false] */
export const less = compare(E.ltP);
/** x <= y. @example np.lessEqual(np.array([1, 2]), 2)  // [true, true] */
export const lessEqual = compare(E.leP);
/** x > y. @example np.greater(np.array([1, 2]), 1)  // [false, true] */
export const greater = compare(E.gtP);
/** x >= y. @example np.greaterEqual(np.array([1, 2]), 2)  // [false, true] */
export const greaterEqual = compare(E.geP);

const logical = (p: P0) => scoped((x: ArrayLike, y: ArrayLike): NDArray =>
  p.bind1(promote([x, y], ["x", "y"]).map((a) => cast(a, "bool")), {}));
/** Logical and (operands converted to bool). @example np.logicalAnd(np.array([true]), np.array([false]))  // [false] */
export const logicalAnd = logical(E.andP);
/** Logical or. @example np.logicalOr(np.array([true]), np.array([false]))  // [true] */
export const logicalOr = logical(E.orP);
/** Logical xor. @example np.logicalXor(np.array([true]), np.array([true]))  // [false] */
export const logicalXor = logical(E.xorP);
/** Logical not. @example np.logicalNot(np.array([true]))  // [false] */
export const logicalNot = scoped((x: ArrayLike): NDArray => E.notP.bind1([cast(promote([x], ["x"])[0]!, "bool")], {}));

/**
 * `cond ? x : y` elementwise, broadcasting all three.
 * @example np.where(np.array([true, false]), 1, np.array([5, 6]))  // [1, 6]
 */
export const where = scoped((cond: ArrayLike, x: ArrayLike, y: ArrayLike): NDArray => {
  const c = cast(promote([cond], ["cond"])[0]!, "bool");
  const [a, b] = promote([x, y], ["x", "y"]);
  return E.selectP.bind1([c, a!, b!], {});
});

/**
 * Limits values to [min, max]; either bound may be omitted (null/undefined).
 * @example np.clip(np.array([-2, 0.5, 3]), 0, 1)  // [0, 0.5, 1]
 */
export const clip = scoped((x: ArrayLike, min?: ArrayLike | null, max?: ArrayLike | null): NDArray => {
  let [out] = promote([x], ["x"]);
  if (min !== undefined && min !== null) out = maximum(out!, min);
  if (max !== undefined && max !== null) out = minimum(out!, max);
  return out!;
});

/**
 * Stops gradients; the value passes unchanged.
 * @example
 * grad((x: NDArray) => np.stopGradient(x).mul(x))(np.array(3))   // 3 (x treated as a constant once)
 */
export const stopGradient = scoped((x: ArrayLike): NDArray => E.stopGradientP.bind1(promote([x], ["x"]), {}));
