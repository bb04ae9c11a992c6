/**
 * Indexing primitives: pad (with negative and interior padding), dynamic_slice,
 * dynamic_update_slice, gather and its transpose scatter_add.
 *
 * Every index a kernel sees is computed on the device from the index operands (clamped
 * with minimum/maximum), never read back to JS: webgpu cannot read synchronously in Node,
 * and under jit the indices are not known while tracing. Out-of-range indices clamp, as in
 * XLA (dynamic slices) and JAX's default for gather in lax mode.
 *
 * The kernels used (Pad, Slice, Reshape, GatherV2, ScatterNd, Select, Minimum, Maximum,
 * Range, Concat, Cast) exist on cpu, wasm and webgpu. Bool operands travel as int32 through
 * the index kernels because tfjs-wasm's Select mishandles bool inputs.
 *
 * Transform rules follow JAX's: pad, dynamic_update_slice and scatter_add are linear in
 * their data operands jointly, dynamic_slice and gather in their operand; the transposes
 * pair up (dynamic_slice <-> dynamic_update_slice into zeros, gather <-> scatter_add) and
 * index operands never get a tangent or cotangent. Batching moves batch axes first and
 * adds a batch dimension to gather/scatter_add; batched start indices turn dynamic slices
 * into gathers (and dynamic updates into gather + select).
 */
import { syncReadsUnavailable, tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ConcreteArray, NDArray, type NestedArray } from "../array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromFlat, fromNested, scalar } from "../core/constant.ts";
import { definePrimitive } from "../core/primitive.ts";
import { fmtShape, normalizeAxis, shapeEqual, shapeSize } from "../core/shape.ts";
import { broadcastInDimP, iotaP, sliceP, transposeP } from "./structural.ts";
import { addP, andP, geP, ltP, maxP, minP, selectP, subP } from "./elementwise.ts";
import { reduceSumP } from "./reduce.ts";
import { avalOf, batchSize, instantiate, isUndefined, moveBatchAxis, zerosLikeAval } from "./rules.ts";
import { exactDynamicSlice, exactDynamicUpdateSlice, exactGather, exactIntNeeded, exactPad, exactScatterAdd } from "../backend/webgpu_exact.ts";

// ---------------------------------------------------------------------------------------
// shared helpers

const fmtList = (xs: readonly unknown[]): string => `[${xs.map((x) => (Array.isArray(x) ? fmtList(x) : String(x))).join(", ")}]`;
const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);

/** An int32 scalar tensor (tfjs would make a JS number float32 and upcast int32 operands). */
const i32 = (v: number): Tensor => tf.scalar(v, "int32");

/** Clamps an int32 tensor into [lo, hi] elementwise (lo <= hi). */
function clampInt(x: Tensor, lo: number, hi: number): Tensor {
  return tf.minimum(tf.maximum(x, i32(lo)), i32(hi));
}

/** Bool tensors as int32 for the index kernels; `restore` undoes it. */
const numeric = (t: Tensor): Tensor => (t.dtype === "bool" ? tf.cast(t, "int32") : t);
const restore = (t: Tensor, dtype: string): Tensor => (dtype === "bool" && t.dtype !== "bool" ? tf.cast(t, "bool") : t);

// ---------------------------------------------------------------------------------------
// pad

/**
 * `[lo, hi, interior]` for one dimension: lo/hi may be negative (cropping), interior >= 0.
 * @example
 * const cfg: PadDim = [1, -1, 2];   // one element before, crop one at the end, two between neighbours
 */
export type PadDim = readonly [number, number, number];

/**
 * Parameters of `pad`: one `[lo, hi, interior]` per operand dimension.
 * @example
 * padP.bind1([x, value], { config: [[1, 1, 0], [0, 0, 1]] } satisfies PadParams)
 */
export interface PadParams { config: readonly PadDim[] }

/** Output length of one padded dimension: lo + hi + n + (n - 1) * interior. */
function paddedSize(n: number, [lo, hi, interior]: PadDim): number {
  return lo + hi + n + Math.max(n - 1, 0) * interior;
}

/** Inserts `k` copies of `value` between neighbours along `axis` (a rank <= 4 view, so webgpu's rank limit holds). */
function interiorPad(x: Tensor, axis: number, k: number, value: number): Tensor {
  const n = x.shape[axis]!;
  if (k === 0 || n <= 1) return x;
  const before = shapeSize(x.shape.slice(0, axis));
  const after = shapeSize(x.shape.slice(axis + 1));
  const spread = tf.pad(tf.reshape(x, [before, n, 1, after]), [[0, 0], [0, 0], [0, k], [0, 0]], value);
  const flat = tf.slice(tf.reshape(spread, [before, n * (k + 1), after]), [0, 0, 0], [before, n + (n - 1) * k, after]);
  const shape = [...x.shape];
  shape[axis] = n + (n - 1) * k;
  return tf.reshape(flat, shape);
}

/** Pads with a constant known on the host: interior padding, then positive lo/hi, then cropping for negative lo/hi. */
function padConstant(x: Tensor, config: readonly PadDim[], value: number): Tensor {
  let y = x;
  config.forEach(([, , interior], d) => { y = interiorPad(y, d, interior, value); });
  if (config.some(([lo, hi]) => lo > 0 || hi > 0)) {
    y = tf.pad(y, config.map(([lo, hi]) => [Math.max(lo, 0), Math.max(hi, 0)] as [number, number]), value);
  }
  if (config.some(([lo, hi]) => lo < 0 || hi < 0)) {
    const begin = config.map(([lo]) => Math.max(-lo, 0));
    const size = config.map(([, hi], d) => y.shape[d]! - begin[d]! - Math.max(-hi, 0));
    y = tf.slice(y, begin, size);
  }
  return y;
}

/**
 * Pads a tensor as XLA's Pad does (internal: conv and reduce_window use it). `value` is a
 * JS number, or a scalar tensor whose value is never read on the host: the tensor is
 * padded with zeros and the padded positions are then selected from `value` by a mask.
 * @example
 * padTensor(tf.tensor1d([1, 2]), [[1, 0, 1]], 0)   // tensor [0, 1, 0, 2]
 * @internal
 */
export function padTensor(x: Tensor, config: readonly PadDim[], value: number | Tensor): Tensor {
  const dtype = x.dtype;
  const xs = numeric(x);
  // Where values can be read synchronously (cpu, wasm) a scalar is cheap to read, and a
  // constant pad is ~10× faster than the masked select below (wasm's broadcasting select
  // is slow: it dominated the gradient of every pooling layer). Finite values only: wasm's
  // Pad mishandles a NaN constant (it reuses the previous constant).
  if (typeof value !== "number" && !syncReadsUnavailable()) {
    const v = numeric(value).dataSync()[0]!;
    if (Number.isFinite(v)) value = v;
  }
  if (typeof value === "number") return restore(padConstant(xs, config, value), dtype);
  const padded = padConstant(xs, config, 0);
  // The mask is separable: a 1-D "was data" line per padded dimension, multiplied together.
  let mask: Tensor | null = null;
  config.forEach((c, d) => {
    const [lo, hi, interior] = c;
    const n = x.shape[d]!;
    if (lo <= 0 && hi <= 0 && (interior === 0 || n <= 1)) return;
    const line = padConstant(tf.ones([n], "float32"), [c], 0);
    const shape = config.map((_, e) => (e === d ? line.shape[0]! : 1));
    const m = tf.reshape(line, shape);
    mask = mask === null ? m : tf.mul(mask, m);
  });
  if (mask === null) return restore(padded, dtype);
  return restore(tf.where(tf.greater(mask, 0), padded, numeric(value)), dtype);
}

function checkPadConfig(prim: string, x: ShapedArray, config: readonly PadDim[]): void {
  if (!Array.isArray(config) || config.length !== x.ndim) {
    throw new Error(`${prim}: config needs one [lo, hi, interior] triple per dimension of operand ${x.str()} (${x.ndim}); got ${Array.isArray(config) ? config.length : typeof config}`);
  }
  config.forEach((c, d) => {
    if (!Array.isArray(c) || c.length !== 3 || !c.every(isInt)) {
      throw new TypeError(`${prim}: config[${d}] must be [lo, hi, interior] integers; got ${JSON.stringify(c)}`);
    }
    if (c[2] < 0) throw new RangeError(`${prim}: interior padding must be >= 0; config[${d}] is ${fmtList(c)}`);
    const n = paddedSize(x.shape[d]!, config[d]!);
    if (n < 0) {
      throw new RangeError(`${prim}: config[${d}] = ${fmtList(c)} crops more than dimension ${d} of operand ${x.str()} holds (result size would be ${n})`);
    }
  });
}

/**
 * Pads `operand` with `paddingValue` (a scalar of the same dtype): low, high and interior
 * padding per dimension, XLA's Pad. Operands: `[operand, paddingValue]`.
 * @example
 * padP.bind1([np.array([1, 2]), np.array(0)], { config: [[1, 0, 1]] })   // [0, 1, 0, 2]
 */
export const padP = definePrimitive<PadParams>("pad", {
  impl: ([x, value], { config }) => [exactIntNeeded(x!, { alwaysGpu: true }) ? exactPad(x!, value!, config) : padTensor(x!, config, value!)],
  abstractEval: ([x, value], { config }) => {
    if (!x || !value) throw new Error("pad: takes two operands (operand, paddingValue)");
    if (value.ndim !== 0) throw new TypeError(`pad: paddingValue must be a scalar; got ${value.str()}`);
    if (value.dtype !== x.dtype) throw new TypeError(`pad: paddingValue must have the operand's dtype ${x.dtype}; got operand ${x.str()}, paddingValue ${value.str()}`);
    checkPadConfig("pad", x, config);
    return [new ShapedArray(x.shape.map((n, d) => paddedSize(n, config[d]!)), x.dtype, x.weakType && value.weakType)];
  },
});

/** A scalar zero (false for bool) of `dtype`, for padding values built by rules. */
const zeroOf = (dtype: NDArray["dtype"]): NDArray => scalar(dtype === "bool" ? false : 0, dtype);

Object.assign(padP.rules, {
  // Linear in the operand and the padding value jointly: pad the tangents the same way.
  jvp: ([x, v], [tx, tv], params) => {
    const out = padP.bind1([x!, v!], params);
    if (tx === null && tv === null) return [[out], [null]];
    return [[out], [padP.bind1([instantiate(tx, x!.aval), instantiate(tv, v!.aval)], params)]];
  },
  // JAX's _pad_transpose: the operand's cotangent undoes lo/hi (negating them pads back the
  // cropped elements with zero cotangent) and then takes every (interior + 1)-th element;
  // the padding value's cotangent is the sum over the padded positions, sum(ct) - sum(ct_operand).
  transpose: ([ct], [x, v], { config }) => {
    if (ct === null) return [null, null];
    const shape = avalOf(x!).shape;
    const unpadded = padP.bind1([ct, zeroOf(ct.dtype)], { config: config.map(([lo, hi]) => [-lo, -hi, 0] as const) });
    const ctOperand = config.every(([, , interior]) => interior === 0) ? unpadded : sliceP.bind1([unpadded], {
      startIndices: shape.map(() => 0), limitIndices: unpadded.shape, strides: config.map(([, , interior]) => interior + 1),
    });
    const total = (a: NDArray) => reduceSumP.bind1([a], { axes: a.shape.map((_, i) => i) });
    const ctValue = isUndefined(v) ? subP.bind1([total(ct), total(ctOperand)], {}) : null;
    return [isUndefined(x) ? ctOperand : null, ctValue];
  },
  // A batched padding value (JAX's _pad_batch_rule): pad with zeros, then select the padded
  // positions (a mask padded the same way) from the per-example values.
  batch: ([x, v], [dx, dv], { config }) => {
    const size = batchSize([x!, v!], [dx ?? null, dv ?? null]);
    const xb = moveBatchAxis(x!, dx ?? null, 0, size);
    const cfg = [[0, 0, 0] as const, ...config];
    if (dv === null || dv === undefined) return [[padP.bind1([xb, v!], { config: cfg })], [0]];
    const padded = padP.bind1([xb, zeroOf(xb.dtype)], { config: cfg });
    const ones = broadcastInDimP.bind1([scalar(true, "bool")], { shape: xb.shape, broadcastDimensions: [] });
    const mask = padP.bind1([ones, scalar(false, "bool")], { config: cfg });
    const values = broadcastInDimP.bind1([v!], { shape: padded.shape, broadcastDimensions: [0] });
    return [[selectP.bind1([mask, padded, values], {})], [0]];
  },
} satisfies Partial<typeof padP.rules>);

// ---------------------------------------------------------------------------------------
// dynamic_slice and dynamic_update_slice

function checkStartIndices(prim: string, operand: ShapedArray, starts: readonly ShapedArray[]): void {
  if (starts.length !== operand.ndim) {
    throw new Error(`${prim}: needs one start index per dimension of operand ${operand.str()} (${operand.ndim}); got ${starts.length}`);
  }
  starts.forEach((s, d) => {
    if (s.ndim !== 0 || s.dtype !== "int32") {
      throw new TypeError(`${prim}: start index ${d} must be an int32 scalar; got ${s.str()}`);
    }
  });
}

/**
 * Parameters of `dynamic_slice`: the static size of the slice per dimension.
 * @example
 * const p: DynamicSliceParams = { sliceSizes: [2, 3] };
 */
export interface DynamicSliceParams { sliceSizes: readonly number[] }

/** Each start index clamped into [0, n - size] (XLA semantics), added to an iota, feeds a GatherV2 per sliced axis. */
function dynamicSliceImpl(x: Tensor, starts: readonly Tensor[], sliceSizes: readonly number[]): Tensor {
  // An empty slice: tfjs-wasm's GatherV2 with no indices returns a wrong shape and corrupts its heap.
  if (sliceSizes.some((s) => s === 0)) return tf.zeros([...sliceSizes], x.dtype);
  let out = x;
  sliceSizes.forEach((size, d) => {
    const n = x.shape[d]!;
    if (size === n) return; // the clamped start is 0
    const start = clampInt(starts[d]!, 0, n - size);
    out = tf.gather(out, tf.add(tf.range(0, size, 1, "int32"), start), d);
  });
  return out;
}

/**
 * A slice of `sliceSizes` starting at traced int32 scalar indices (one per dimension),
 * clamped into `[0, dim - size]`. Operands: `[operand, ...startIndices]`.
 * @example
 * dynamicSliceP.bind1([np.arange(5), np.array(3, { dtype: "int32" })], { sliceSizes: [3] })   // [2, 3, 4]
 */
export const dynamicSliceP = definePrimitive<DynamicSliceParams>("dynamic_slice", {
  impl: ([x, ...starts], { sliceSizes }) => [exactIntNeeded(x!, { with: starts }) ? exactDynamicSlice(x!, starts, sliceSizes) : dynamicSliceImpl(x!, starts, sliceSizes)],
  abstractEval: ([x, ...starts], { sliceSizes }) => {
    if (!x) throw new Error("dynamic_slice: takes an operand and one start index per dimension");
    checkStartIndices("dynamic_slice", x, starts);
    if (!Array.isArray(sliceSizes) || sliceSizes.length !== x.ndim) {
      throw new Error(`dynamic_slice: sliceSizes must have one entry per dimension of operand ${x.str()}; got ${Array.isArray(sliceSizes) ? fmtList(sliceSizes) : typeof sliceSizes}`);
    }
    sliceSizes.forEach((s, d) => {
      if (!isInt(s) || s < 0 || s > x.shape[d]!) {
        throw new RangeError(`dynamic_slice: sliceSizes[${d}] = ${s} must be an integer in [0, ${x.shape[d]}] for operand ${x.str()}`);
      }
    });
    return [x.withShape(sliceSizes)];
  },
});

const i32Scalar = (v: number): NDArray => scalar(v, "int32");

/** An int32 array clamped elementwise into [lo, hi] with min/max primitives. */
const clampArray = (x: NDArray, lo: number, hi: number): NDArray => minP.bind1([maxP.bind1([x, i32Scalar(lo)], {}), i32Scalar(hi)], {});

/** A batched start index (or an unbatched one, broadcast) as an int32 vector of the batch size. */
const startVector = (s: NDArray, d: number | null, size: number): NDArray => moveBatchAxis(s, d, 0, size);

/**
 * dynamic_slice under vmap. Unbatched start indices stay a dynamic_slice (the batch
 * dimension starts at 0 and is taken whole); each dimension with batched start indices
 * becomes a gather with batchDims 1 at indices clamp(start, 0, n - size) + iota(size)
 * (JAX reformulates the whole slice as one gather; tf.gather-style gathers take one axis
 * at a time). An unbatched operand is not broadcast: the first gather has batchDims 0 and
 * puts the batch axis where the sliced axis was, and it is then moved to the front.
 */
function dynamicSliceBatch(args: NDArray[], dims: (number | null)[], { sliceSizes }: DynamicSliceParams): [NDArray[], (number | null)[]] {
  const [x, ...starts] = args;
  const [dx, ...ds] = dims;
  const size = batchSize(args, dims);
  let batched = dx !== null;
  let y = batched ? moveBatchAxis(x!, dx!, 0, size) : x!;
  const shape = batched ? y.shape.slice(1) : y.shape;
  const isBatched = ds.map((d) => d !== null);
  if (sliceSizes.some((m, d) => !isBatched[d] && m < shape[d]!)) {
    const sizes = sliceSizes.map((m, d) => (isBatched[d] ? shape[d]! : m));
    const st = starts.map((s, d) => (isBatched[d] ? i32Scalar(0) : s));
    y = batched
      ? dynamicSliceP.bind1([y, i32Scalar(0), ...st], { sliceSizes: [size, ...sizes] })
      : dynamicSliceP.bind1([y, ...st], { sliceSizes: sizes });
  }
  sliceSizes.forEach((m, d) => {
    if (!isBatched[d]) return;
    const start = clampArray(startVector(starts[d]!, ds[d] ?? null, size), 0, shape[d]! - m);
    const indices = addP.bind1([
      broadcastInDimP.bind1([start], { shape: [size, m], broadcastDimensions: [0] }),
      iotaP.bind1([], { dtype: "int32", shape: [size, m], dimension: 1 }),
    ], {});
    if (batched) {
      y = gatherP.bind1([y, indices], { axis: d + 1, batchDims: 1 });
    } else {
      // gather(y, [size, m], axis d) has shape y.shape[:d] + [size, m] + y.shape[d+1:]: batch at d.
      y = moveBatchAxis(gatherP.bind1([y, indices], { axis: d, batchDims: 0 }), d, 0, size);
      batched = true;
    }
  });
  return [[y], [batched ? 0 : null]];
}

Object.assign(dynamicSliceP.rules, {
  jvp: ([x, ...starts], [tx], params) => {
    const out = dynamicSliceP.bind1([x!, ...starts], params);
    return [[out], [tx ? dynamicSliceP.bind1([tx, ...starts], params) : null]];
  },
  // The cotangent written into zeros at the same (clamped) start; indices get none.
  transpose: ([ct], [x, ...starts]) => {
    if (starts.some(isUndefined)) throw new Error("dynamic_slice: transpose needs defined start indices (it is linear in the operand only)");
    const ctOperand = ct && isUndefined(x) ? dynamicUpdateSliceP.bind1([zerosLikeAval(avalOf(x!)), ct, ...(starts as NDArray[])], {}) : null;
    return [ctOperand, ...starts.map(() => null)];
  },
  batch: dynamicSliceBatch,
} satisfies Partial<typeof dynamicSliceP.rules>);

function dynamicUpdateSliceImpl(x: Tensor, u: Tensor, starts: readonly Tensor[], dtype: string): Tensor {
  if (shapeEqual(x.shape, u.shape)) return u; // every start clamps to 0
  if (u.size === 0) return x;
  const r = x.rank;
  const N = u.size;
  const clamped = starts.map((s, d) => clampInt(s, 0, x.shape[d]! - u.shape[d]!));
  // Where the update lands: [N, r] int32 coordinates for ScatterNd (rank 2, so webgpu's rank limit holds).
  const columns = clamped.map((s, d) => {
    const line = tf.add(tf.range(0, u.shape[d]!, 1, "int32"), s);
    const shape = u.shape.map((_, e) => (e === d ? u.shape[d]! : 1));
    return tf.reshape(tf.broadcastTo(tf.reshape(line, shape), u.shape), [N, 1]);
  });
  const indices = r === 1 ? columns[0]! : tf.concat(columns, 1);
  const scattered = tf.scatterND(indices, tf.reshape(numeric(u), [N]), x.shape);
  // The box [start, start + size) per dimension, as a separable mask.
  let mask: Tensor | null = null;
  clamped.forEach((s, d) => {
    const n = x.shape[d]!;
    const size = u.shape[d]!;
    if (size === n) return;
    const iota = tf.range(0, n, 1, "int32");
    const inside = tf.logicalAnd(tf.greaterEqual(iota, s), tf.less(iota, tf.add(s, i32(size))));
    const m = tf.reshape(tf.cast(inside, "float32"), x.shape.map((_, e) => (e === d ? n : 1)));
    mask = mask === null ? m : tf.mul(mask, m);
  });
  return restore(tf.where(tf.greater(mask!, 0), scattered, numeric(x)), dtype);
}

/**
 * `operand` with `update` written at traced int32 scalar start indices, clamped so the
 * update fits. Operands: `[operand, update, ...startIndices]`.
 * @example
 * dynamicUpdateSliceP.bind1([np.zeros([3]), np.ones([1]), np.array(1, { dtype: "int32" })], {})   // [0, 1, 0]
 */
export const dynamicUpdateSliceP = definePrimitive("dynamic_update_slice", {
  impl: ([x, u, ...starts], _, avals) => [exactIntNeeded(x!, { alwaysGpu: true }) ? exactDynamicUpdateSlice(x!, u!, starts) : dynamicUpdateSliceImpl(x!, u!, starts, avals[0]!.dtype)],
  abstractEval: ([x, u, ...starts]) => {
    if (!x || !u) throw new Error("dynamic_update_slice: takes an operand, an update and one start index per dimension");
    if (u.dtype !== x.dtype) throw new TypeError(`dynamic_update_slice: update must have the operand's dtype; got operand ${x.str()}, update ${u.str()}`);
    if (u.ndim !== x.ndim || u.shape.some((n, d) => n > x.shape[d]!)) {
      throw new Error(`dynamic_update_slice: update must have the operand's rank and fit inside it; got operand ${x.str()}, update ${u.str()}`);
    }
    checkStartIndices("dynamic_update_slice", x, starts);
    return [x];
  },
});

/**
 * dynamic_update_slice under vmap with batched start indices, as a gather and a select
 * (JAX uses a scatter; ours adds rather than overwrites): along each dimension d, output
 * position j reads update element j - start (gather clamps it into range), and a mask
 * keeps those with 0 <= j - start < size; elsewhere the operand shows through. Linear in
 * operand and update, and built from primitives that transpose (gather, select).
 */
function dynamicUpdateSliceBatch(args: NDArray[], dims: (number | null)[]): [NDArray[], (number | null)[]] {
  const [x, u, ...starts] = args;
  const [dx, du, ...ds] = dims;
  const size = batchSize(args, dims);
  const xb = moveBatchAxis(x!, dx ?? null, 0, size);
  const ub = moveBatchAxis(u!, du ?? null, 0, size);
  const zero = i32Scalar(0);
  if (ds.every((d) => d === null)) return [[dynamicUpdateSliceP.bind1([xb, ub, zero, ...starts], {})], [0]];
  const shape = xb.shape.slice(1);
  const usize = ub.shape.slice(1);
  if (usize.some((m) => m === 0)) return [[xb], [0]];
  let values = ub;
  let mask: NDArray | null = null;
  shape.forEach((n, d) => {
    const m = usize[d]!;
    if (m === n) return; // the start clamps to 0 and the update spans the dimension
    const start = clampArray(startVector(starts[d]!, ds[d] ?? null, size), 0, n - m);
    const rel = subP.bind1([
      iotaP.bind1([], { dtype: "int32", shape: [size, n], dimension: 1 }),
      broadcastInDimP.bind1([start], { shape: [size, n], broadcastDimensions: [0] }),
    ], {});
    values = gatherP.bind1([values, rel], { axis: d + 1, batchDims: 1 });
    const inside = andP.bind1([geP.bind1([rel, zero], {}), ltP.bind1([rel, i32Scalar(m)], {})], {});
    const line = broadcastInDimP.bind1([inside], { shape: xb.shape, broadcastDimensions: [0, d + 1] });
    mask = mask === null ? line : andP.bind1([mask, line], {});
  });
  return [[mask === null ? values : selectP.bind1([mask, values, xb], {})], [0]];
}

Object.assign(dynamicUpdateSliceP.rules, {
  // Linear in operand and update jointly; start indices have no tangent.
  jvp: ([x, u, ...starts], [tx, tu], params) => {
    const out = dynamicUpdateSliceP.bind1([x!, u!, ...starts], params);
    if (tx === null && tu === null) return [[out], [null]];
    return [[out], [dynamicUpdateSliceP.bind1([instantiate(tx, x!.aval), instantiate(tu, u!.aval), ...starts], params)]];
  },
  // Operand: the cotangent with the updated window zeroed; update: the window's cotangent.
  transpose: ([ct], [x, u, ...starts]) => {
    if (starts.some(isUndefined)) throw new Error("dynamic_update_slice: transpose needs defined start indices (it is linear in operand and update only)");
    const idx = starts as NDArray[];
    const uAval = avalOf(u!);
    if (ct === null) return [null, null, ...idx.map(() => null)];
    return [
      isUndefined(x) ? dynamicUpdateSliceP.bind1([ct, zerosLikeAval(uAval), ...idx], {}) : null,
      isUndefined(u) ? dynamicSliceP.bind1([ct, ...idx], { sliceSizes: uAval.shape }) : null,
      ...idx.map(() => null),
    ];
  },
  batch: dynamicUpdateSliceBatch,
} satisfies Partial<typeof dynamicUpdateSliceP.rules>);

// ---------------------------------------------------------------------------------------
// gather and scatter_add

/**
 * Parameters of `gather` and `scatter_add` (tf.gather layout), both non-negative with
 * `batchDims <= axis`.
 * @example
 * const p: GatherParams = { axis: 1, batchDims: 1 };
 */
export interface GatherParams { axis: number; batchDims: number }

/** Output shape of gather: operand.shape[:axis] + indices.shape[batchDims:] + operand.shape[axis+1:]. */
function gatherShape(x: { readonly shape: readonly number[] }, indices: { readonly shape: readonly number[] }, { axis, batchDims }: GatherParams): number[] {
  return [...x.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...x.shape.slice(axis + 1)];
}

function checkGather(prim: string, x: ShapedArray, indices: ShapedArray, { axis, batchDims }: GatherParams): void {
  if (indices.dtype !== "int32") throw new TypeError(`${prim}: indices must be int32; got ${indices.str()}`);
  if (!isInt(batchDims) || batchDims < 0 || batchDims > indices.ndim) {
    throw new RangeError(`${prim}: batchDims must be an integer in [0, ${indices.ndim}] (the rank of indices ${indices.str()}); got ${batchDims}`);
  }
  if (!isInt(axis) || axis < batchDims || axis >= x.ndim) {
    throw new RangeError(`${prim}: axis must be an integer with batchDims (${batchDims}) <= axis < ${x.ndim} (the rank of operand ${x.str()}); got ${axis}`);
  }
  if (!shapeEqual(x.shape.slice(0, batchDims), indices.shape.slice(0, batchDims))) {
    throw new Error(`${prim}: the first batchDims = ${batchDims} dimensions of operand and indices must agree; got operand ${x.str()}, indices ${indices.str()}`);
  }
  if (x.shape[axis] === 0 && indices.size > 0) {
    throw new Error(`${prim}: cannot index the empty axis ${axis} of operand ${x.str()}`);
  }
}

/**
 * `tf.gather(x, indices, axis, batchDims)` for in-range indices (internal: sort uses it).
 * Batch dimensions are folded into the index (b * n + i) and run as a plain GatherV2:
 * tfjs-wasm's GatherV2 returns garbage for batchDims > 0.
 * @example
 * gatherTensor(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [0]], undefined, "int32"), 1, 1)   // [[2], [3]]
 * @internal
 */
export function gatherTensor(x: Tensor, indices: Tensor, axis: number, batchDims: number): Tensor {
  const outShape = gatherShape(x, indices, { axis, batchDims });
  if (indices.size === 0 || x.size === 0) return tf.zeros(outShape, x.dtype);
  if (batchDims === 0) return tf.gather(x, indices, axis);
  const B = shapeSize(x.shape.slice(0, batchDims));
  const P = shapeSize(x.shape.slice(batchDims, axis));
  const n = x.shape[axis]!;
  const C = shapeSize(x.shape.slice(axis + 1));
  const Q = indices.size / B;
  let view = tf.reshape(x, [B, P, n, C]);
  if (P > 1) view = tf.transpose(view, [0, 2, 1, 3]);
  const rows = tf.reshape(view, [B * n, P, C]);
  const flatIndex = tf.add(tf.reshape(indices, [B, Q]), tf.reshape(tf.range(0, B * n, n, "int32"), [B, 1]));
  let out = tf.reshape(tf.gather(rows, tf.reshape(flatIndex, [B * Q]), 0), [B, Q, P, C]);
  if (P > 1) out = tf.transpose(out, [0, 2, 1, 3]);
  return tf.reshape(out, outShape);
}

/**
 * `tf.gather` with the indices clamped into [0, n - 1] first. Operands: `[operand, indices]`.
 * @example
 * gatherP.bind1([np.array([10, 20, 30]), np.array([2, 9], { dtype: "int32" })], { axis: 0, batchDims: 0 })   // [30, 30]
 */
export const gatherP = definePrimitive<GatherParams>("gather", {
  impl: ([x, indices], { axis, batchDims }) => {
    if (exactIntNeeded(x!, { with: [indices!] })) return [exactGather(x!, indices!, axis, batchDims)];
    const n = x!.shape[axis]!;
    if (indices!.size === 0) return [gatherTensor(x!, indices!, axis, batchDims)];
    return [gatherTensor(x!, clampInt(indices!, 0, n - 1), axis, batchDims)];
  },
  abstractEval: ([x, indices], params) => {
    if (!x || !indices) throw new Error("gather: takes two operands (operand, indices)");
    checkGather("gather", x, indices, params);
    return [x.withShape(gatherShape(x, indices, params))];
  },
});

Object.assign(gatherP.rules, {
  jvp: ([x, indices], [tx], params) => {
    const out = gatherP.bind1([x!, indices!], params);
    return [[out], [tx ? gatherP.bind1([tx, indices!], params) : null]];
  },
  // gather's transpose is scatter_add into zeros at the same (identically clamped) indices.
  transpose: ([ct], [x, indices], params) => {
    if (isUndefined(indices)) throw new Error("gather: transpose needs defined indices (it is linear in the operand only)");
    return [ct && isUndefined(x) ? scatterAddP.bind1([zerosLikeAval(x.aval), indices as NDArray, ct], params) : null, null];
  },
  // Batch axes go first and become one more batch dimension; two cases avoid broadcasting:
  // a batched operand with unbatched indices and no batch dims gathers at axis + 1, and
  // batched indices into an unbatched operand (no batch dims) gather with the batch axis
  // landing at `axis` of the result.
  batch: ([x, indices], [dx, di], { axis, batchDims }) => {
    const size = batchSize([x!, indices!], [dx ?? null, di ?? null]);
    if (di === null && batchDims === 0) {
      return [[gatherP.bind1([moveBatchAxis(x!, dx ?? null, 0, size), indices!], { axis: axis + 1, batchDims: 0 })], [0]];
    }
    if (dx === null && batchDims === 0) {
      return [[gatherP.bind1([x!, moveBatchAxis(indices!, di ?? null, 0, size)], { axis, batchDims: 0 })], [axis]];
    }
    const xb = moveBatchAxis(x!, dx ?? null, 0, size);
    const ib = moveBatchAxis(indices!, di ?? null, 0, size);
    return [[gatherP.bind1([xb, ib], { axis: axis + 1, batchDims: batchDims + 1 })], [0]];
  },
} satisfies Partial<typeof gatherP.rules>);

/**
 * Adds `updates` into `operand` at the gathered positions: the transpose of gather. One
 * ScatterNd over the view [batch, outer, n, inner] (sizes from operand's dims before
 * batchDims, between batchDims and axis, at axis and after it); duplicates accumulate.
 */
function scatterAddImpl(x: Tensor, indices: Tensor, updates: Tensor, { axis, batchDims }: GatherParams): Tensor {
  if (updates.size === 0) return x;
  const B = shapeSize(x.shape.slice(0, batchDims));
  const P = shapeSize(x.shape.slice(batchDims, axis));
  const n = x.shape[axis]!;
  const C = shapeSize(x.shape.slice(axis + 1));
  const Q = indices.size / B;
  const M = B * P * Q;
  const grid = [B, P, Q];
  const column = (t: Tensor, shape: number[]) => tf.reshape(tf.broadcastTo(tf.reshape(t, shape), grid), [M, 1]);
  const columns: Tensor[] = [];
  const target: number[] = [];
  if (B > 1) { columns.push(column(tf.range(0, B, 1, "int32"), [B, 1, 1])); target.push(B); }
  if (P > 1) { columns.push(column(tf.range(0, P, 1, "int32"), [1, P, 1])); target.push(P); }
  columns.push(column(clampInt(indices, 0, n - 1), [B, 1, Q]));
  target.push(n);
  const coords = columns.length === 1 ? columns[0]! : tf.concat(columns, 1);
  const summed = tf.scatterND(coords, tf.reshape(updates, [M, C]), [...target, C]);
  return tf.add(x, tf.reshape(summed, x.shape));
}

/**
 * Adds `updates` into `operand` at `indices` along `axis` (tf.gather layout); the exact
 * transpose of gather. Operands: `[operand, indices, updates]`.
 * @example
 * scatterAddP.bind1([np.zeros([2]), np.array([1, 1], { dtype: "int32" }), np.array([1, 2])], { axis: 0, batchDims: 0 })   // [0, 3]
 */
export const scatterAddP = definePrimitive<GatherParams>("scatter_add", {
  impl: ([x, indices, updates], params) => [exactIntNeeded(x!, { alwaysGpu: true }) ? exactScatterAdd(x!, indices!, updates!, params.axis, params.batchDims) : scatterAddImpl(x!, indices!, updates!, params)],
  abstractEval: ([x, indices, updates], params) => {
    if (!x || !indices || !updates) throw new Error("scatter_add: takes three operands (operand, indices, updates)");
    if (x.dtype !== "float32" && x.dtype !== "int32") throw new TypeError(`scatter_add: operand must be float32 or int32; got ${x.str()}`);
    checkGather("scatter_add", x, indices, params);
    if (updates.dtype !== x.dtype) throw new TypeError(`scatter_add: updates must have the operand's dtype; got operand ${x.str()}, updates ${updates.str()}`);
    const expected = gatherShape(x, indices, params);
    if (!shapeEqual(updates.shape, expected)) {
      throw new Error(`scatter_add: updates must have shape ${fmtShape(expected)} (what gather(operand ${x.str()}, indices ${indices.str()}, axis ${params.axis}, batchDims ${params.batchDims}) returns); got updates ${updates.str()}`);
    }
    return [x];
  },
});

Object.assign(scatterAddP.rules, {
  // Linear in operand and updates jointly; indices have no tangent.
  jvp: ([x, indices, updates], [tx, , tu], params) => {
    const out = scatterAddP.bind1([x!, indices!, updates!], params);
    if (tu === null || tu === undefined) return [[out], [tx ?? null]];
    return [[out], [scatterAddP.bind1([instantiate(tx ?? null, x!.aval), indices!, tu], params)]];
  },
  // Operand: the cotangent itself; updates: the cotangent gathered at the indices.
  transpose: ([ct], [x, indices, updates], params) => {
    if (isUndefined(indices)) throw new Error("scatter_add: transpose needs defined indices (it is linear in operand and updates only)");
    if (ct === null) return [null, null, null];
    return [isUndefined(x) ? ct : null, null, isUndefined(updates) ? gatherP.bind1([ct, indices as NDArray], params) : null];
  },
  // All batch axes first, one more batch dimension; unbatched indices without batch dims
  // need no broadcast (the updates then have gather's batched shape with the batch axis first).
  batch: ([x, indices, updates], [dx, di, du], { axis, batchDims }) => {
    const size = batchSize([x!, indices!, updates!], [dx ?? null, di ?? null, du ?? null]);
    const xb = moveBatchAxis(x!, dx ?? null, 0, size);
    const ub = moveBatchAxis(updates!, du ?? null, 0, size);
    if (di === null && batchDims === 0) return [[scatterAddP.bind1([xb, indices!, ub], { axis: axis + 1, batchDims: 0 })], [0]];
    const ib = moveBatchAxis(indices!, di ?? null, 0, size);
    return [[scatterAddP.bind1([xb, ib, ub], { axis: axis + 1, batchDims: batchDims + 1 })], [0]];
  },
} satisfies Partial<typeof scatterAddP.rules>);

/**
 * Gathers `x` at `indices` along `axis`, elementwise: `out[..., j, ...] = x[..., indices[..., j, ...], ...]`
 * with `indices` of `x`'s shape except along `axis` (NumPy's take_along_axis), as a gather
 * with every other dimension a batch dimension. Used by the JVPs of sort and top_k.
 * @example
 * gatherAlongAxis(np.array([[10, 20, 30]]), np.array([[2, 0]], { dtype: "int32" }), 1)   // [[30, 10]]
 * @internal
 */
export function gatherAlongAxis(x: NDArray, indices: NDArray, axis: number): NDArray {
  const last = x.ndim - 1;
  if (axis === last) return gatherP.bind1([x, indices], { axis: last, batchDims: last });
  const perm = x.shape.map((_, i) => i).filter((i) => i !== axis);
  perm.push(axis);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const moved = gatherP.bind1([transposeP.bind1([x], { permutation: perm }), transposeP.bind1([indices], { permutation: perm })], { axis: last, batchDims: last });
  return transposeP.bind1([moved], { permutation: inverse });
}

// ---------------------------------------------------------------------------------------
// user-facing lax functions

/**
 * Runs a bind that uses constants made from JS values. When it ran eagerly (every result is
 * concrete) or failed, nothing holds the constants any more and they are released at once;
 * under a transformation they may be captured (e.g. by a jaxpr), so they are left to their owner.
 */
function withConstants(run: (temps: ConcreteArray[]) => NDArray[]): NDArray[] {
  const temps: ConcreteArray[] = [];
  let outs: NDArray[];
  try {
    outs = run(temps);
  } catch (e) {
    for (const t of temps) t.dispose();
    throw e;
  }
  if (outs.every((o) => o instanceof ConcreteArray) && temps.every((t) => !outs.includes(t))) {
    for (const t of temps) t.dispose();
  }
  return outs;
}

function indexScalar(v: NDArray | number, name: string, temps: ConcreteArray[]): NDArray {
  if (v instanceof NDArray) return v;
  if (!isInt(v)) throw new TypeError(`${name} must be an integer or an int32 scalar array; got ${String(v)}`);
  const c = fromFlat([v], [], "int32");
  temps.push(c);
  return c;
}

function indexArray(v: NDArray | NestedArray, name: string, temps: ConcreteArray[]): NDArray {
  if (v instanceof NDArray) return v;
  const c = fromNested(v, { dtype: "int32" }, name);
  temps.push(c);
  return c;
}

/**
 * Pads `operand` with `paddingValue`, as `jax.lax.pad`. `paddingConfig` has one
 * `[lo, hi, interior]` per dimension: `lo`/`hi` elements before/after (negative values
 * crop), `interior` elements between neighbours.
 *
 * @example
 * lax.pad(np.array([1, 2, 3]), 0, [[1, 2, 1]])   // [0, 1, 0, 2, 0, 3, 0, 0]
 * lax.pad(np.array([1, 2, 3]), 0, [[-1, 0, 0]])  // [2, 3]
 * @throws TypeError if `paddingValue` is not a scalar of the operand's dtype; RangeError for a bad config.
 */
export function pad(operand: NDArray, paddingValue: NDArray | number, paddingConfig: readonly PadDim[]): NDArray {
  return withConstants((temps) => {
    let value: NDArray;
    if (paddingValue instanceof NDArray) value = paddingValue;
    else { const c = fromFlat([paddingValue], [], operand.dtype); temps.push(c); value = c; }
    return padP.bind([operand, value], { config: paddingConfig.map((c) => [c[0], c[1], c[2]] as const) });
  })[0]!;
}

/**
 * The slice of `sliceSizes` elements starting at `startIndices`, which may be traced int32
 * scalars (or JS integers), as `jax.lax.dynamic_slice`. Start indices are clamped into
 * `[0, dim - size]` so the slice always lies inside the operand.
 *
 * @example
 * const x = np.array([0, 1, 2, 3, 4]);
 * lax.dynamicSlice(x, [1], [3])   // [1, 2, 3]
 * lax.dynamicSlice(x, [4], [3])   // [2, 3, 4]   (start clamped to 2)
 */
export function dynamicSlice(operand: NDArray, startIndices: readonly (NDArray | number)[], sliceSizes: readonly number[]): NDArray {
  return withConstants((temps) => {
    const starts = startIndices.map((s, i) => indexScalar(s, `dynamicSlice: startIndices[${i}]`, temps));
    return dynamicSliceP.bind([operand, ...starts], { sliceSizes: [...sliceSizes] });
  })[0]!;
}

/**
 * `operand` with `update` written at `startIndices` (traced int32 scalars or JS integers),
 * as `jax.lax.dynamic_update_slice`. Start indices are clamped so the update fits.
 *
 * @example
 * lax.dynamicUpdateSlice(np.zeros([5]), np.array([7, 8]), [1])   // [0, 7, 8, 0, 0]
 * lax.dynamicUpdateSlice(np.zeros([5]), np.array([7, 8]), [9])   // [0, 0, 0, 7, 8]
 */
export function dynamicUpdateSlice(operand: NDArray, update: NDArray, startIndices: readonly (NDArray | number)[]): NDArray {
  return withConstants((temps) => {
    const starts = startIndices.map((s, i) => indexScalar(s, `dynamicUpdateSlice: startIndices[${i}]`, temps));
    return dynamicUpdateSliceP.bind([operand, update, ...starts], {});
  })[0]!;
}

/**
 * Options of `gather` and `scatterAdd`.
 * @example
 * const x = np.array([[1, 2, 3], [4, 5, 6]]);
 * lax.gather(x, [[2], [0]], { axis: 1, batchDims: 1 } satisfies lax.GatherOptions)   // [[3], [4]]
 */
export interface GatherOptions {
  /** The operand axis that `indices` select along (negative counts from the end). Default 0. */
  axis?: number;
  /** Leading dimensions shared by operand and indices, gathered elementwise. Default 0. */
  batchDims?: number;
}

function gatherParams(operand: NDArray, indices: NDArray, { axis = 0, batchDims = 0 }: GatherOptions, name: string): GatherParams {
  const bd = isInt(batchDims) && batchDims < 0 ? batchDims + indices.ndim : batchDims;
  return { axis: normalizeAxis(axis, operand.ndim, `${name}: axis`), batchDims: bd };
}

/**
 * Selects slices of `operand` along `axis` at `indices`, with `tf.gather` semantics: the
 * result has shape `operand.shape[:axis] + indices.shape[batchDims:] + operand.shape[axis+1:]`.
 * Indices are int32; out-of-range indices clamp into `[0, n - 1]` (JAX's default for gather
 * in lax mode; negative indices are not wrapped, they clamp to 0).
 *
 * @example
 * const x = np.array([[1, 2, 3], [4, 5, 6]]);
 * lax.gather(x, [2, 0], { axis: 1 })                          // [[3, 1], [6, 4]]
 * lax.gather(x, [[2], [0]], { axis: 1, batchDims: 1 })        // [[3], [4]]
 * @throws TypeError if indices are not int32; Error if batch dimensions disagree.
 */
export function gather(operand: NDArray, indices: NDArray | NestedArray, options: GatherOptions = {}): NDArray {
  return withConstants((temps) => {
    const idx = indexArray(indices, "gather: indices", temps);
    return gatherP.bind([operand, idx], gatherParams(operand, idx, options, "gather"));
  })[0]!;
}

/**
 * Adds `updates` into `operand` at `indices` along `axis`: the transpose of `gather` with the
 * same options (updates have the shape gather would return). Repeated indices accumulate;
 * out-of-range indices clamp like gather's.
 *
 * @example
 * lax.scatterAdd(np.zeros([3]), [0, 2, 0], np.array([1, 2, 3]))   // [4, 0, 2]
 * @throws Error naming both shapes when `updates` does not have gather's output shape.
 */
export function scatterAdd(operand: NDArray, indices: NDArray | NestedArray, updates: NDArray, options: GatherOptions = {}): NDArray {
  return withConstants((temps) => {
    const idx = indexArray(indices, "scatterAdd: indices", temps);
    return scatterAddP.bind([operand, idx, updates], gatherParams(operand, idx, options, "scatterAdd"));
  })[0]!;
}
