/**
 * Indexing. gradus arrays are immutable and JS has no `x[i, 1:3]` syntax, so indexing is
 * spelled with functions:
 * - `x.get(i)` / `np.getItem(x, i)`: `x[i]` on the first axis (negative counts from the end);
 * - `np.take(x, indices, { axis })` and `np.takeAlongAxis(x, indices, axis)`: gathers,
 *   with traced (array) indices that work under jit, grad and vmap;
 * - `np.slice(x, starts, stops, steps)`: static slices (`x[1:3, ::2]`);
 * - `lax.dynamicSlice(x, starts, sizes)`: slices whose start is a traced value;
 * - `np.at(x, indices).add(v)` style updates are `lax.scatterAdd` and `lax.dynamicUpdateSlice`.
 */
import { NDArray, type ArrayLike } from "../array.ts";
import { scalar } from "../core/constant.ts";
import { fmtShape, normalizeAxis } from "../core/shape.ts";
import { addP, ltP, selectP } from "../lax/elementwise.ts";
import { iotaP, sliceP, squeezeP } from "../lax/structural.ts";
import { gatherP } from "../lax/indexing.ts";
import { sortP } from "../lax/sort.ts";
import { cast, promote, scoped } from "./promote.ts";
import { broadcastTo, flip, moveaxis, ravel } from "./shaping.ts";

/** Wraps negative indices (traced or not) once: i < 0 → i + n. */
function wrapIndices(indices: NDArray, n: number): NDArray {
  const idx = cast(indices, "int32");
  const shifted = addP.bind1([idx, scalar(n, "int32")], {});
  return selectP.bind1([ltP.bind1([idx, scalar(0, "int32")], {}), shifted, idx], {});
}

/**
 * `x[index]` along the first axis: a JS number selects statically (bounds-checked), an
 * int32 array gathers.
 * @example np.getItem(np.array([[1, 2], [3, 4]]), -1)   // [3, 4]
 * @throws RangeError naming the index and the axis size when out of bounds.
 */
export const getItem = scoped((x: ArrayLike, index: number | NDArray): NDArray => {
  const a = promote([x], ["x"])[0]!;
  if (a.ndim === 0) throw new TypeError("getItem: cannot index a rank-0 array");
  if (index instanceof NDArray) return take(a, index, { axis: 0 });
  const n = a.shape[0]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new RangeError(`index ${index} is out of bounds for axis 0 with size ${n}`);
  }
  const i = index < 0 ? index + n : index;
  const row = sliceP.bind1([a], {
    startIndices: a.shape.map((_, d) => (d === 0 ? i : 0)),
    limitIndices: a.shape.map((s, d) => (d === 0 ? i + 1 : s)),
    strides: null,
  });
  return squeezeP.bind1([row], { dimensions: [0] });
});

/**
 * Static slice with NumPy's start/stop/step per leading axis (`null` = whole axis;
 * negative values count from the end).
 * @example np.slice(np.arange(10), [2], [8], [3])   // [2, 5]
 */
export const slice = scoped((x: ArrayLike, starts: (number | null)[], stops?: (number | null)[], steps?: (number | null)[]): NDArray => {
  const a = promote([x], ["x"])[0]!;
  if (starts.length > a.ndim) throw new RangeError(`slice: ${starts.length} start indices for an array of rank ${a.ndim}`);
  const lo: number[] = [], hi: number[] = [], st: number[] = [];
  const flipAxes: number[] = [];
  a.shape.forEach((n, d) => {
    const step = steps?.[d] ?? 1;
    if (!Number.isInteger(step) || step === 0) throw new RangeError(`slice: step along axis ${d} must be a nonzero integer; got ${step}`);
    const clampIdx = (v: number | null | undefined, dflt: number) => (v === null || v === undefined ? dflt : Math.min(Math.max(v < 0 ? v + n : v, 0), n));
    if (step > 0) {
      const s = clampIdx(starts[d], 0), e = Math.max(clampIdx(stops?.[d], n), s);
      lo.push(s); hi.push(e); st.push(step);
    } else {
      // Negative steps: slice the mirrored range, then flip.
      const s = starts[d] === null || starts[d] === undefined ? n - 1 : Math.min(Math.max((starts[d]! < 0 ? starts[d]! + n : starts[d]!), -1), n - 1);
      const e = stops?.[d] === null || stops?.[d] === undefined ? -1 : Math.min(Math.max(stops[d]! < 0 ? stops[d]! + n : stops[d]!, -1), n - 1);
      const first = n - 1 - s, last = Math.max(n - 1 - e, first);
      lo.push(first); hi.push(last); st.push(-step); flipAxes.push(d);
    }
  });
  const source = flipAxes.length ? flip(a, { axis: flipAxes }) : a;
  return sliceP.bind1([source], { startIndices: lo, limitIndices: hi, strides: st.every((s) => s === 1) ? null : st });
});

/**
 * Gathers elements at `indices` along `axis` (flattened if `axis` is undefined), as
 * np.take. Negative indices count from the end; out-of-range indices clamp.
 * @example np.take(np.array([10, 20, 30]), np.array([2, 0], { dtype: "int32" }))   // [30, 10]
 */
export const take = scoped((x: ArrayLike, indices: ArrayLike, { axis }: { axis?: number } = {}): NDArray => {
  let a = promote([x], ["x"])[0]!;
  if (axis === undefined) { a = ravel(a); axis = 0; }
  const ax = normalizeAxis(axis, a.ndim, "take: axis");
  const idx = promote([indices], ["indices"])[0]!;
  if (idx.dtype === "float32" && !(indices instanceof NDArray)) {
    return gatherP.bind1([a, wrapIndices(cast(idx, "int32"), a.shape[ax]!)], { axis: ax, batchDims: 0 });
  }
  if (idx.dtype !== "int32" && idx.dtype !== "uint32") throw new TypeError(`take: indices must be int32; got ${idx.aval.str()}`);
  return gatherP.bind1([a, wrapIndices(idx, a.shape[ax]!)], { axis: ax, batchDims: 0 });
});

/**
 * Picks values along `axis` with an index array of the same rank (np.take_along_axis):
 * the result has `indices`' shape. Other dimensions of `indices` must match or be 1.
 * @example np.takeAlongAxis(np.array([[10, 30, 20]]), np.argsort(np.array([[10, 30, 20]]), { axis: 1 }), 1)  // [[10, 20, 30]]
 */
export const takeAlongAxis = scoped((x: ArrayLike, indices: NDArray, axis: number): NDArray => {
  const a = promote([x], ["x"])[0]!;
  if (indices.ndim !== a.ndim) throw new Error(`takeAlongAxis: indices must have the same rank as x; got x ${fmtShape(a.shape)} and indices ${fmtShape(indices.shape)}`);
  const ax = normalizeAxis(axis, a.ndim, "takeAlongAxis: axis");
  // Move the axis last and broadcast the other dims, then gather with batch dims.
  const batchShape = a.shape.map((d, i) => (i === ax ? 0 : Math.max(d, indices.shape[i]!))).filter((_, i) => i !== ax);
  const xm = moveaxis(a, ax, -1);
  const im = moveaxis(cast(indices, "int32"), ax, -1);
  const xb = xm.shape.slice(0, -1).some((d, i) => d !== batchShape[i]) ? broadcastLeading(xm, batchShape) : xm;
  const ib = im.shape.slice(0, -1).some((d, i) => d !== batchShape[i]) ? broadcastLeading(im, batchShape) : im;
  const out = gatherP.bind1([xb, wrapIndices(ib, a.shape[ax]!)], { axis: xb.ndim - 1, batchDims: xb.ndim - 1 });
  return moveaxis(out, -1, ax);
});

function broadcastLeading(x: NDArray, batch: number[]): NDArray {
  const shape = [...batch, x.shape[x.ndim - 1]!];
  return x.ndim === shape.length && x.shape.every((d, i) => d === shape[i]) ? x : broadcastTo(x, shape);
}

/**
 * Sorted copy along `axis` (last by default), ascending; NaNs last.
 * @example np.sort(np.array([3, 1, 2]))   // [1, 2, 3]
 */
export const sort = scoped((x: ArrayLike, { axis = -1 }: { axis?: number } = {}): NDArray => {
  const a = promote([x], ["x"])[0]!;
  if (a.ndim === 0) return a;
  return sortP.bind([a], { dimension: normalizeAxis(axis, a.ndim, "sort: axis"), numKeys: 1 })[0]!;
});

/**
 * Indices that sort `x` along `axis` (stable: ties keep their order).
 * @example np.argsort(np.array([3, 1, 2]))   // [1, 2, 0]
 */
export const argsort = scoped((x: ArrayLike, { axis = -1 }: { axis?: number } = {}): NDArray => {
  const a = promote([x], ["x"])[0]!;
  if (a.ndim === 0) return scalar(0, "int32");
  const dimension = normalizeAxis(axis, a.ndim, "argsort: axis");
  const idx = iotaP.bind1([], { dtype: "int32", shape: a.shape, dimension });
  return sortP.bind([a, idx], { dimension, numKeys: 1 })[1]!;
});
