/** Reshaping, reordering, joining and splitting arrays. */
import type { NDArray, ArrayLike } from "../array.ts";
import { fmtShape, normalizeAxes, normalizeAxis, shapeSize, broadcastShapes, isPermutation } from "../core/shape.ts";
import { broadcastInDimP, concatenateP, expandDimsP, reshapeP, revP, sliceP, squeezeP, transposeP } from "../lax/structural.ts";
import { padP } from "../lax/indexing.ts";
import { scalar } from "../core/constant.ts";
import { promote, scoped } from "./promote.ts";

const one = (x: ArrayLike, name = "x"): NDArray => promote([x], [name])[0]!;

/**
 * Gives `x` a new shape with the same number of elements; one dimension may be -1.
 * @example np.reshape(np.arange(6), [2, -1]).shape   // [2, 3]
 * @throws Error naming both shapes when the sizes differ.
 */
export const reshape = scoped((x: ArrayLike, shape: number[] | number): NDArray => {
  const a = one(x);
  const target = typeof shape === "number" ? [shape] : [...shape];
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`reshape: only one dimension can be -1; got ${fmtShape(target)}`);
  if (unknown === 1) {
    const known = shapeSize(target.filter((d) => d !== -1));
    if (known === 0 || a.size % known !== 0) throw new Error(`reshape: cannot reshape array of shape ${fmtShape(a.shape)} (${a.size} elements) into shape ${fmtShape(target)}`);
    target[target.indexOf(-1)] = a.size / known;
  }
  if (shapeSize(target) !== a.size || target.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot reshape array of shape ${fmtShape(a.shape)} (${a.size} elements) into shape ${fmtShape(target)}`);
  }
  if (target.length === a.ndim && target.every((d, i) => d === a.shape[i])) return a;
  return reshapeP.bind1([a], { newSizes: target });
});

/** The flattened array. @example np.ravel(np.zeros([2, 3])).shape   // [6] */
export const ravel = (x: ArrayLike): NDArray => reshape(x, [-1]);

/**
 * Permutes axes (reverses them by default).
 * @example np.transpose(np.zeros([2, 3, 4]), [2, 0, 1]).shape   // [4, 2, 3]
 */
export const transpose = scoped((x: ArrayLike, axes?: number[]): NDArray => {
  const a = one(x);
  const perm = axes ? axes.map((ax) => normalizeAxis(ax, a.ndim, "transpose: axes")) : a.shape.map((_, i) => a.ndim - 1 - i);
  if (!isPermutation(perm, a.ndim)) throw new Error(`transpose: axes [${axes}] are not a permutation of ${a.ndim} axes`);
  if (perm.every((p, i) => p === i)) return a;
  return transposeP.bind1([a], { permutation: perm });
});

/** Moves axis `source` to position `destination`. @example np.moveaxis(np.zeros([2, 3, 4]), 0, -1).shape   // [3, 4, 2] */
export const moveaxis = scoped((x: ArrayLike, source: number, destination: number): NDArray => {
  const a = one(x);
  const src = normalizeAxis(source, a.ndim, "moveaxis: source");
  const dst = normalizeAxis(destination, a.ndim, "moveaxis: destination");
  const perm = a.shape.map((_, i) => i).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  return transpose(a, perm);
});

/** Swaps two axes. @example np.swapaxes(np.zeros([2, 3]), 0, 1).shape   // [3, 2] */
export const swapaxes = scoped((x: ArrayLike, axis1: number, axis2: number): NDArray => {
  const a = one(x);
  const perm = a.shape.map((_, i) => i);
  const i = normalizeAxis(axis1, a.ndim, "swapaxes: axis1"), j = normalizeAxis(axis2, a.ndim, "swapaxes: axis2");
  [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  return transpose(a, perm);
});

/** Removes size-1 axes (all of them, or those in `axis`). @example np.squeeze(np.zeros([1, 3, 1])).shape   // [3] */
export const squeeze = scoped((x: ArrayLike, { axis }: { axis?: number | number[] } = {}): NDArray => {
  const a = one(x);
  const dims = axis === undefined ? a.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(axis, a.ndim, "squeeze: axis");
  for (const d of dims) {
    if (a.shape[d] !== 1) throw new Error(`squeeze: cannot select an axis to squeeze out which has size not equal to one (axis ${d} of shape ${fmtShape(a.shape)})`);
  }
  return dims.length ? squeezeP.bind1([a], { dimensions: dims }) : a;
});

/** Inserts a size-1 axis at `axis` (in the result). @example np.expandDims(np.zeros([3]), 0).shape   // [1, 3] */
export const expandDims = scoped((x: ArrayLike, axis: number | number[]): NDArray => {
  const a = one(x);
  const list = typeof axis === "number" ? [axis] : axis;
  const dims = normalizeAxes(list, a.ndim + list.length, "expandDims: axis").sort((p, q) => p - q);
  return expandDimsP.bind1([a], { dimensions: dims });
});

/**
 * Broadcasts to `shape` by NumPy rules.
 * @example np.broadcastTo(np.array([1, 2]), [3, 2]).shape   // [3, 2]
 * @throws Error showing both shapes when they are incompatible.
 */
export const broadcastTo = scoped((x: ArrayLike, shape: number[]): NDArray => {
  const a = one(x);
  const out = broadcastShapes([a.shape, shape], ["x", "shape"]);
  if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    throw new Error(`broadcastTo: cannot broadcast shape ${fmtShape(a.shape)} to ${fmtShape(shape)}`);
  }
  if (a.ndim === shape.length && a.shape.every((d, i) => d === shape[i])) return a;
  const offset = shape.length - a.ndim;
  return broadcastInDimP.bind1([a], { shape, broadcastDimensions: a.shape.map((_, i) => i + offset) });
});

/** Broadcasts several arrays against each other. @example np.broadcastArrays(np.zeros([2, 1]), np.zeros([3])).map((a) => a.shape)  // [[2, 3], [2, 3]] */
export const broadcastArrays = (...xs: ArrayLike[]): NDArray[] => {
  const arrays = xs.map((x, i) => one(x, `arrays[${i}]`));
  const shape = broadcastShapes(arrays.map((a) => a.shape), arrays.map((_, i) => `arrays[${i}]`));
  return arrays.map((a) => broadcastTo(a, shape));
};

/**
 * Joins arrays along an existing axis (promoting dtypes).
 * @example np.concatenate([np.zeros([2, 2]), np.ones([1, 2])], { axis: 0 }).shape   // [3, 2]
 * @throws Error listing every shape when they do not line up.
 */
export const concatenate = scoped((xs: ArrayLike[], { axis = 0 }: { axis?: number } = {}): NDArray => {
  if (xs.length === 0) throw new Error("concatenate: need at least one array to concatenate");
  const arrays = promote(xs, xs.map((_, i) => `arrays[${i}]`));
  const first = arrays[0]!;
  if (first.ndim === 0) throw new Error("concatenate: zero-dimensional arrays cannot be concatenated");
  const ax = normalizeAxis(axis, first.ndim, "concatenate: axis");
  arrays.forEach((a) => {
    if (a.ndim !== first.ndim || a.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concatenate: all dimensions except axis ${ax} must match; got shapes ${arrays.map((b) => fmtShape(b.shape)).join(", ")}`);
    }
  });
  return concatenateP.bind1(arrays, { dimension: ax });
});

/** Joins arrays along a new axis. @example np.stack([np.zeros([2]), np.ones([2])]).shape   // [2, 2] */
export const stack = scoped((xs: ArrayLike[], { axis = 0 }: { axis?: number } = {}): NDArray => {
  if (xs.length === 0) throw new Error("stack: need at least one array to stack");
  const arrays = promote(xs, xs.map((_, i) => `arrays[${i}]`));
  const shape = arrays[0]!.shape;
  arrays.forEach((a) => {
    if (a.ndim !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`stack: all input arrays must have the same shape; got ${arrays.map((b) => fmtShape(b.shape)).join(", ")}`);
    }
  });
  const ax = normalizeAxis(axis, shape.length + 1, "stack: axis");
  return concatenateP.bind1(arrays.map((a) => expandDimsP.bind1([a], { dimensions: [ax] })), { dimension: ax });
});

/**
 * Splits into `sections` equal parts, or at the given indices, along `axis`.
 * @example np.split(np.arange(6), 3).map((a) => a.toArray())   // [[0, 1], [2, 3], [4, 5]]
 */
export const split = scoped((x: ArrayLike, indicesOrSections: number | number[], { axis = 0 }: { axis?: number } = {}): NDArray[] => {
  const a = one(x);
  const ax = normalizeAxis(axis, a.ndim, "split: axis");
  const n = a.shape[ax]!;
  let cuts: number[];
  if (typeof indicesOrSections === "number") {
    if (indicesOrSections <= 0 || n % indicesOrSections !== 0) {
      throw new Error(`split: array split does not result in an equal division: axis ${ax} of size ${n} into ${indicesOrSections} sections`);
    }
    const step = n / indicesOrSections;
    cuts = Array.from({ length: indicesOrSections - 1 }, (_, i) => (i + 1) * step);
  } else {
    cuts = indicesOrSections.map((c) => Math.min(Math.max(c < 0 ? c + n : c, 0), n));
  }
  const bounds = [0, ...cuts, n];
  return bounds.slice(1).map((hi, i) => {
    const lo = Math.min(bounds[i]!, hi);
    return sliceP.bind1([a], {
      startIndices: a.shape.map((_, d) => (d === ax ? lo : 0)),
      limitIndices: a.shape.map((d, k) => (k === ax ? hi : d)),
      strides: null,
    });
  });
});

/** Reverses the order along `axis` (all axes by default). @example np.flip(np.array([1, 2, 3]))   // [3, 2, 1] */
export const flip = scoped((x: ArrayLike, { axis }: { axis?: number | number[] } = {}): NDArray => {
  const a = one(x);
  return revP.bind1([a], { dimensions: normalizeAxes(axis, a.ndim, "flip: axis") });
});

/** Repeats the whole array `reps` times along each axis. @example np.tile(np.array([1, 2]), 2)   // [1, 2, 1, 2] */
export const tile = scoped((x: ArrayLike, reps: number | number[]): NDArray => {
  let a = one(x);
  const r = typeof reps === "number" ? [reps] : reps;
  const rank = Math.max(a.ndim, r.length);
  const shape = [...Array(rank - a.ndim).fill(1), ...a.shape] as number[];
  const full = [...Array(rank - r.length).fill(1), ...r] as number[];
  a = reshape(a, shape);
  // Interleave a new repeat axis before each axis, broadcast, then merge pairs.
  const expanded = shape.flatMap((d, i) => [full[i]!, d]);
  const b = broadcastInDimP.bind1([a], { shape: expanded, broadcastDimensions: shape.map((_, i) => 2 * i + 1) });
  return reshape(b, shape.map((d, i) => d * full[i]!));
});

/** Repeats each element `repeats` times along `axis` (flattened if omitted). @example np.repeat(np.array([1, 2]), 2)   // [1, 1, 2, 2] */
export const repeat = scoped((x: ArrayLike, repeats: number, { axis }: { axis?: number } = {}): NDArray => {
  let a = one(x);
  if (axis === undefined) { a = ravel(a); axis = 0; }
  const ax = normalizeAxis(axis, a.ndim, "repeat: axis");
  const expanded = [...a.shape.slice(0, ax + 1), repeats, ...a.shape.slice(ax + 1)];
  const b = broadcastInDimP.bind1([a], { shape: expanded, broadcastDimensions: a.shape.map((_, i) => (i <= ax ? i : i + 1)) });
  return reshape(b, a.shape.map((d, i) => (i === ax ? d * repeats : d)));
});

/**
 * Pads with a constant (NumPy's mode "constant"). `padWidth` is `n` (all sides),
 * `[before, after]` (every axis) or one `[before, after]` per axis.
 * @example np.pad(np.array([1, 2]), 1).toArray()   // [0, 1, 2, 0]
 */
export const pad = scoped((x: ArrayLike, padWidth: number | [number, number] | [number, number][], { constantValues = 0 }: { constantValues?: number } = {}): NDArray => {
  const a = one(x);
  const widths: [number, number][] = typeof padWidth === "number"
    ? a.shape.map(() => [padWidth, padWidth])
    : Array.isArray(padWidth[0]) ? (padWidth as [number, number][]) : a.shape.map(() => padWidth as [number, number]);
  if (widths.length !== a.ndim || widths.some(([lo, hi]) => !(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi >= 0))) {
    throw new Error(`pad: padWidth must give non-negative [before, after] for each of the ${a.ndim} axes; got ${JSON.stringify(padWidth)}`);
  }
  return padP.bind1([a, scalar(constantValues, a.dtype)], { config: widths.map(([lo, hi]) => [lo, hi, 0] as const) });
});
