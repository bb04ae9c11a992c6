/**
 * The user-facing `lax` functions for the element, reduction, structural and dot
 * primitives: one thin function per primitive, JAX's names in camelCase. Unlike `np`, lax
 * does not promote dtypes: array operands must already agree, and JS numbers take the
 * dtype of the array operands (weakly typed), as in jax.lax.
 */
import { NDArray, type ArrayLike } from "../array.ts";
import { asArray, scalar } from "../core/constant.ts";
import type { DType } from "../core/dtype.ts";
import * as E from "./elementwise.ts";
import * as R from "./reduce.ts";
import * as S from "./structural.ts";
import { dotGeneralP, type DotDimensionNumbers } from "./dot.ts";

/**
 * Converts lax operands: arrays as they are, JS numbers in the dtype of the first array operand.
 * @example
 * lax.laxOperands([np.array([1, 2], { dtype: "int32" }), 3])[1].dtype   // "int32"
 */
export function laxOperands(xs: readonly ArrayLike[]): NDArray[] {
  const like = xs.find((x): x is NDArray => x instanceof NDArray);
  return xs.map((x, i) => (typeof x === "number" && like ? scalar(x, like.dtype, true) : asArray(x, `operand ${i}`)));
}

type Prim0 = { bind1(args: readonly NDArray[], params: Record<string, never>): NDArray };
const un = (p: Prim0) => (x: ArrayLike): NDArray => p.bind1(laxOperands([x]), {});
const bin = (p: Prim0) => (x: ArrayLike, y: ArrayLike): NDArray => p.bind1(laxOperands([x, y]), {});

/** Elementwise −x. @example lax.neg(np.array([1, -2]))  // [-1, 2] */
export const neg = un(E.negP);
/** Elementwise eˣ. @example lax.exp(np.array([0]))  // [1] */
export const exp = un(E.expP);
/** Elementwise natural log. @example lax.log(np.array([1]))  // [0] */
export const log = un(E.logP);
/** Elementwise log(1 + x), accurate near 0. @example lax.log1p(np.array([1e-7]))  // [1e-7] */
export const log1p = un(E.log1pP);
/** Elementwise eˣ − 1, accurate near 0. @example lax.expm1(np.array([1e-7]))  // [1e-7] */
export const expm1 = un(E.expm1P);
/** Elementwise sine. @example lax.sin(np.array([0]))  // [0] */
export const sin = un(E.sinP);
/** Elementwise cosine. @example lax.cos(np.array([0]))  // [1] */
export const cos = un(E.cosP);
/** Elementwise tangent. @example lax.tan(np.array([0]))  // [0] */
export const tan = un(E.tanP);
/** Elementwise hyperbolic tangent. @example lax.tanh(np.array([0]))  // [0] */
export const tanh = un(E.tanhP);
/** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ). @example lax.logistic(np.array([0]))  // [0.5] */
export const logistic = un(E.logisticP);
/** Elementwise square root. @example lax.sqrt(np.array([4]))  // [2] */
export const sqrt = un(E.sqrtP);
/** Elementwise 1/√x. @example lax.rsqrt(np.array([4]))  // [0.5] */
export const rsqrt = un(E.rsqrtP);
/** Elementwise |x|. @example lax.abs(np.array([-3]))  // [3] */
export const abs = un(E.absP);
/** Elementwise sign (−1, 0 or 1). @example lax.sign(np.array([-3, 0]))  // [-1, 0] */
export const sign = un(E.signP);
/** Elementwise floor. @example lax.floor(np.array([1.5]))  // [1] */
export const floor = un(E.floorP);
/** Elementwise ceiling. @example lax.ceil(np.array([1.5]))  // [2] */
export const ceil = un(E.ceilP);
/** Elementwise rounding, half to even. @example lax.round(np.array([0.5, 1.5]))  // [0, 2] */
export const round = un(E.roundP);
/** Elementwise error function. @example lax.erf(np.array([0]))  // [0] */
export const erf = un(E.erfP);
/** Elementwise inverse error function. @example lax.erfInv(np.array([0]))  // [0] */
export const erfInv = un(E.erfInvP);
/** Elementwise x². @example lax.square(np.array([3]))  // [9] */
export const square = un(E.squareP);
/** Elementwise logical not of a bool array. @example lax.not(np.array([true]))  // [false] */
export const not = un(E.notP);
/** Elementwise test for finite values. @example lax.isFinite(np.array([1, Infinity]))  // [true, false] */
export const isFinite = un(E.isFiniteP);
/** Elementwise xʸ for a static integer y. @example lax.integerPow(np.array([2]), 3)  // [8] */
export const integerPow = (x: ArrayLike, y: number): NDArray => E.integerPowP.bind1(laxOperands([x]), { y });

/** Elementwise x + y (NumPy broadcasting, one dtype). @example lax.add(np.array([1]), 2)  // [3] */
export const add = bin(E.addP);
/** Elementwise x − y. @example lax.sub(np.array([1]), 2)  // [-1] */
export const sub = bin(E.subP);
/** Elementwise x · y. @example lax.mul(np.array([3]), 2)  // [6] */
export const mul = bin(E.mulP);
/** Elementwise x / y; integers truncate toward zero. @example lax.div(np.array([-7], { dtype: "int32" }), 2)  // [-3] */
export const div = bin(E.divP);
/** Elementwise xʸ. @example lax.pow(np.array([2]), 3)  // [8] */
export const pow = bin(E.powP);
/** Elementwise maximum. @example lax.max(np.array([1, 5]), 3)  // [3, 5] */
export const max = bin(E.maxP);
/** Elementwise minimum. @example lax.min(np.array([1, 5]), 3)  // [1, 3] */
export const min = bin(E.minP);
/** Elementwise atan2(y, x). @example lax.atan2(np.array([1]), np.array([1]))  // [0.7854] */
export const atan2 = bin(E.atan2P);
/** Remainder with the sign of the dividend (C fmod). @example lax.rem(np.array([-7]), 3)  // [-1] */
export const rem = bin(E.remP);
/** Elementwise logical and of bool arrays. @example lax.and(np.array([true]), np.array([false]))  // [false] */
export const and = bin(E.andP);
/** Elementwise logical or. @example lax.or(np.array([true]), np.array([false]))  // [true] */
export const or = bin(E.orP);
/** Elementwise logical xor. @example lax.xor(np.array([true]), np.array([true]))  // [false] */
export const xor = bin(E.xorP);
/** Elementwise x == y. @example lax.eq(np.array([1, 2]), 2)  // [false, true] */
export const eq = bin(E.eqP);
/** Elementwise x != y. @example lax.ne(np.array([1, 2]), 2)  // [true, false] */
export const ne = bin(E.neP);
/** Elementwise x < y. @example lax.lt(np.array([1, 2]), 2)  // [true, false] */
export const lt = bin(E.ltP);
/** Elementwise x <= y. @example lax.le(np.array([1, 2]), 2)  // [true, true] */
export const le = bin(E.leP);
/** Elementwise x > y. @example lax.gt(np.array([1, 2]), 1)  // [false, true] */
export const gt = bin(E.gtP);
/** Elementwise x >= y. @example lax.ge(np.array([1, 2]), 2)  // [false, true] */
export const ge = bin(E.geP);
/** `pred ? onTrue : onFalse` elementwise. @example lax.select(np.array([true, false]), np.array([1, 2]), np.array([3, 4]))  // [1, 4] */
export const select = (pred: ArrayLike, onTrue: ArrayLike, onFalse: ArrayLike): NDArray => {
  const [t, f] = laxOperands([onTrue, onFalse]);
  return E.selectP.bind1([asArray(pred, "pred"), t!, f!], {});
};
/** Converts to `newDtype` (int↔uint32 keep bits; float→int truncates). @example lax.convertElementType(np.array([1.7]), "int32")  // [1] */
export const convertElementType = (x: ArrayLike, newDtype: DType): NDArray =>
  E.convertElementTypeP.bind1([asArray(x)], { newDtype });
/** The identity with a zero derivative. @example grad((x) => lax.stopGradient(x).mul(x))(np.array(3))  // 3 */
export const stopGradient = (x: ArrayLike): NDArray => E.stopGradientP.bind1([asArray(x)], {});

/** Sum over `axes`. @example lax.reduceSum(np.ones([2, 3]), [1])  // [3, 3] */
export const reduceSum = (x: NDArray, axes: number[]): NDArray => R.reduceSumP.bind1([x], { axes });
/** Product over `axes`. @example lax.reduceProd(np.array([2, 3]), [0])  // 6 */
export const reduceProd = (x: NDArray, axes: number[]): NDArray => R.reduceProdP.bind1([x], { axes });
/** Maximum over `axes`. @example lax.reduceMax(np.array([2, 3]), [0])  // 3 */
export const reduceMax = (x: NDArray, axes: number[]): NDArray => R.reduceMaxP.bind1([x], { axes });
/** Minimum over `axes`. @example lax.reduceMin(np.array([2, 3]), [0])  // 2 */
export const reduceMin = (x: NDArray, axes: number[]): NDArray => R.reduceMinP.bind1([x], { axes });
/** Index of the first maximum along `axis`. @example lax.argmax(np.array([1, 9, 9]), 0)  // 1 */
export const argmax = (x: NDArray, axis: number): NDArray => R.argmaxP.bind1([x], { axis });
/** Index of the first minimum along `axis`. @example lax.argmin(np.array([4, 1, 1]), 0)  // 1 */
export const argmin = (x: NDArray, axis: number): NDArray => R.argminP.bind1([x], { axis });
/** Inclusive cumulative sum. @example lax.cumsum(np.array([1, 2, 3]), { axis: 0 })  // [1, 3, 6] */
export const cumsum = (x: NDArray, { axis = 0, reverse = false }: { axis?: number; reverse?: boolean } = {}): NDArray =>
  R.cumsumP.bind1([x], { axis, reverse });

/**
 * General tensor contraction with batch dimensions (JAX's dot_general).
 * @example
 * // batched matmul: contract lhs dim 2 with rhs dim 1, batch over dim 0
 * const a = np.ones([5, 2, 3]), b = np.ones([5, 3, 4]);
 * lax.dotGeneral(a, b, [[[2], [1]], [[0], [0]]]).shape   // [5, 2, 4]
 */
export const dotGeneral = (lhs: NDArray, rhs: NDArray, dimensionNumbers: DotDimensionNumbers): NDArray =>
  dotGeneralP.bind1([lhs, rhs], { dimensionNumbers });
/** Broadcasts `x` to `shape`, mapping its dims to `broadcastDimensions`. @example lax.broadcastInDim(np.array([1, 2]), [3, 2], [1]).shape  // [3, 2] */
export const broadcastInDim = (x: ArrayLike, shape: number[], broadcastDimensions: number[]): NDArray =>
  S.broadcastInDimP.bind1([asArray(x)], { shape, broadcastDimensions });
/** Reshapes (no -1 inference here; np.reshape has it). @example lax.reshape(np.zeros([6]), [2, 3]).shape  // [2, 3] */
export const reshape = (x: NDArray, newSizes: number[]): NDArray => S.reshapeP.bind1([x], { newSizes });
/** Permutes dimensions. @example lax.transpose(np.zeros([2, 3]), [1, 0]).shape  // [3, 2] */
export const transpose = (x: NDArray, permutation: number[]): NDArray => S.transposeP.bind1([x], { permutation });
/** Removes size-1 `dimensions`. @example lax.squeeze(np.zeros([1, 3]), [0]).shape  // [3] */
export const squeeze = (x: NDArray, dimensions: number[]): NDArray => S.squeezeP.bind1([x], { dimensions });
/** Inserts size-1 dimensions at output positions `dimensions`. @example lax.expandDims(np.zeros([3]), [0]).shape  // [1, 3] */
export const expandDims = (x: NDArray, dimensions: number[]): NDArray => S.expandDimsP.bind1([x], { dimensions });
/** Reverses along `dimensions`. @example lax.rev(np.array([1, 2, 3]), [0])  // [3, 2, 1] */
export const rev = (x: NDArray, dimensions: number[]): NDArray => S.revP.bind1([x], { dimensions });
/** Static slice `[start, limit)` with optional strides. @example lax.slice(np.arange(5), [1], [4])  // [1, 2, 3] */
export const slice = (x: NDArray, startIndices: number[], limitIndices: number[], strides: number[] | null = null): NDArray =>
  S.sliceP.bind1([x], { startIndices, limitIndices, strides });
/** Static slice along one dimension. @example lax.sliceInDim(np.zeros([4, 6]), 1, 5, { axis: 1 }).shape  // [4, 4] */
export function sliceInDim(x: NDArray, start: number, limit: number, { axis = 0, stride = 1 }: { axis?: number; stride?: number } = {}): NDArray {
  const starts = x.shape.map((_, i) => (i === axis ? start : 0));
  const limits = x.shape.map((d, i) => (i === axis ? limit : d));
  const strides = stride === 1 ? null : x.shape.map((_, i) => (i === axis ? stride : 1));
  return slice(x, starts, limits, strides);
}
/** Joins arrays of one dtype along `dimension`. @example lax.concatenate([np.zeros([2]), np.ones([3])], 0).shape  // [5] */
export const concatenate = (xs: NDArray[], dimension: number): NDArray => S.concatenateP.bind1(xs, { dimension });
/** 0, 1, 2, ... along `dimension` of `shape`. @example lax.iota("int32", 4)  // [0, 1, 2, 3] */
export const iota = (dtype: DType, size: number): NDArray => S.iotaP.bind1([], { dtype, shape: [size], dimension: 0 });
/** Like iota, counting along `dimension` of a larger shape. @example lax.broadcastedIota("int32", [2, 3], 1)  // [[0,1,2],[0,1,2]] */
export const broadcastedIota = (dtype: DType, shape: number[], dimension: number): NDArray =>
  S.iotaP.bind1([], { dtype, shape, dimension });
