/** Shape-changing primitives that move data without arithmetic. */
import { getBackend, tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import type { DType } from "../core/dtype.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import type { NDArray } from "../array.ts";
import { scalar } from "../core/constant.ts";
import { padP } from "./indexing.ts";
import { reduceSumP } from "./reduce.ts";
import { avalOf, isUndefined, moveBatchAxis, batchSize } from "./rules.ts";
import { viaInt32 } from "./elementwise.ts";
import { exactBroadcastInDim, exactConcatenate, exactIntNeeded, exactRev, exactSlice, exactTranspose } from "../backend/webgpu_exact.ts";
import { fmtShape, isPermutation, shapeSize } from "../core/shape.ts";

/**
 * Broadcasts a tensor (already of the output's rank) to `shape`. tfjs's broadcastTo runs
 * the Tile kernel, which on wasm takes ~2 ms for a 128x256 result; adding to zeros lets the
 * broadcasting Add kernel do it in ~0.13 ms (bench/README.md), exactly.
 */
export function broadcastTensor(x: Tensor, shape: readonly number[]): Tensor {
  if (x.shape.every((d, i) => d === shape[i])) return x;
  // wasm's (XNNPACK's) binary kernels take at most 6 dimensions and return garbage beyond
  // (np.tile of a rank-4 array broadcasts at rank 8), so broadcast on the fewest dimensions
  // that say the same: drop size-1 output dimensions, merge neighbours both copied or both new.
  const inDims: number[] = [], outDims: number[] = [];
  let last: "copy" | "new" | null = null;
  shape.forEach((n, i) => {
    if (n === 1) return;
    const kind = x.shape[i] === n ? "copy" : "new";
    if (kind === last) {
      outDims[outDims.length - 1]! *= n;
      if (kind === "copy") inDims[inDims.length - 1]! *= n;
    } else {
      outDims.push(n);
      inDims.push(kind === "copy" ? n : 1);
      last = kind;
    }
  });
  const reduced = tf.reshape(x, inDims);
  const out = x.dtype === "bool" ? tf.logicalOr(tf.zeros(outDims, "bool"), reduced) : tf.add(tf.zeros(outDims, x.dtype), reduced);
  return tf.reshape(out, [...shape]);
}

/** The JVP of a primitive that is linear in its (only) operand: apply it to the tangent. */
function linearJvp<P>(prim: Primitive<P>) {
  return ([x]: NDArray[], [t]: (NDArray | null)[], params: P): [NDArray[], (NDArray | null)[]] =>
    [[prim.bind1([x!], params)], [t && prim.bind1([t], params)]];
}

/** Batching that moves the batch axis first and rewrites the params for the extra leading axis. */
function batchFirst<P>(prim: Primitive<P>, shift: (p: P, size: number) => P) {
  return (args: NDArray[], dims: (number | null)[], params: P): [NDArray[], (number | null)[]] => {
    const size = batchSize(args, dims);
    const moved = args.map((a, i) => moveBatchAxis(a, dims[i]!, 0, size));
    return [[prim.bind1(moved, shift(params, size))], [0]];
  };
}
const plusOne = (ds: readonly number[]) => ds.map((d) => d + 1);

export interface BroadcastInDimParams { shape: readonly number[]; broadcastDimensions: readonly number[] }

/** Places operand dimension i at output dimension `broadcastDimensions[i]` and broadcasts the rest. */
export const broadcastInDimP = definePrimitive<BroadcastInDimParams>("broadcast_in_dim", {
  impl: ([x], { shape, broadcastDimensions }) => {
    if (exactIntNeeded(x!)) return [exactBroadcastInDim(x!, shape, broadcastDimensions)];
    if (shapeSize(shape) === 0) return [tf.zeros([...shape], x!.dtype)];
    const expanded = shape.map(() => 1);
    broadcastDimensions.forEach((d, i) => { expanded[d] = x!.shape[i]!; });
    return [broadcastTensor(tf.reshape(x!, expanded), shape)];
  },
  abstractEval: ([x], { shape, broadcastDimensions }) => {
    const bad = () => new Error(`broadcast_in_dim: cannot broadcast ${x!.str()} to ${fmtShape(shape)} with broadcastDimensions [${broadcastDimensions.join(", ")}]`);
    if (broadcastDimensions.length !== x!.ndim) throw bad();
    let last = -1;
    broadcastDimensions.forEach((d, i) => {
      if (d <= last || d >= shape.length) throw bad();
      const n = x!.shape[i]!;
      if (n !== 1 && n !== shape[d]) throw bad();
      last = d;
    });
    return [x!.withShape(shape)];
  },
});
Object.assign(broadcastInDimP.rules, {
  jvp: linearJvp(broadcastInDimP),
  // Sum over the new dimensions and over dimensions broadcast from size 1.
  transpose: ([ct], [x], { shape, broadcastDimensions }) => {
    const operand = avalOf(x!).shape;
    const axes = shape.map((_, i) => i).filter((i) => !broadcastDimensions.includes(i) || (operand[broadcastDimensions.indexOf(i)] === 1 && shape[i] !== 1));
    const summed = axes.length ? reduceSumP.bind1([ct!], { axes }) : ct!;
    return [reshapeP.bind1([summed], { newSizes: operand })];
  },
  batch: batchFirst(broadcastInDimP, (p, n) => ({ shape: [n, ...p.shape], broadcastDimensions: [0, ...plusOne(p.broadcastDimensions)] })),
} satisfies Partial<typeof broadcastInDimP.rules>);

export interface ReshapeParams { newSizes: readonly number[] }

export const reshapeP = definePrimitive<ReshapeParams>("reshape", {
  impl: ([x], { newSizes }) => [tf.reshape(x!, [...newSizes])],
  abstractEval: ([x], { newSizes }) => {
    if (newSizes.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(newSizes) !== x!.size) {
      throw new Error(`reshape: cannot reshape ${x!.str()} (${x!.size} elements) to ${fmtShape(newSizes)} (${shapeSize(newSizes)} elements)`);
    }
    return [x!.withShape(newSizes)];
  },
});
Object.assign(reshapeP.rules, {
  jvp: linearJvp(reshapeP),
  transpose: ([ct], [x]) => [reshapeP.bind1([ct!], { newSizes: avalOf(x!).shape })],
  batch: batchFirst(reshapeP, (p, n) => ({ newSizes: [n, ...p.newSizes] })),
} satisfies Partial<typeof reshapeP.rules>);

export interface TransposeParams { permutation: readonly number[] }

export const transposeP = definePrimitive<TransposeParams>("transpose", {
  // An empty operand needs no kernel (tfjs-wasm's Transpose traps "divide by zero" on [3, 0, 3, 4] with [0, 1, 3, 2]).
  impl: ([x], { permutation }) => [x!.size === 0 ? tf.zeros(permutation.map((p) => x!.shape[p]!), x!.dtype) : exactIntNeeded(x!) ? exactTranspose(x!, permutation) : tf.transpose(x!, [...permutation])],
  abstractEval: ([x], { permutation }) => {
    if (!isPermutation(permutation, x!.ndim)) {
      throw new Error(`transpose: permutation [${permutation.join(", ")}] is not a permutation of the ${x!.ndim} axes of ${x!.str()}`);
    }
    return [x!.withShape(permutation.map((p) => x!.shape[p]!))];
  },
});
Object.assign(transposeP.rules, {
  jvp: linearJvp(transposeP),
  transpose: ([ct], _, { permutation }) => {
    const inverse = permutation.map((_, i) => permutation.indexOf(i));
    return [transposeP.bind1([ct!], { permutation: inverse })];
  },
  batch: batchFirst(transposeP, (p) => ({ permutation: [0, ...plusOne(p.permutation)] })),
} satisfies Partial<typeof transposeP.rules>);

export interface DimensionsParams { dimensions: readonly number[] }

/** Removes the listed size-1 dimensions. */
export const squeezeP = definePrimitive<DimensionsParams>("squeeze", {
  impl: ([x], { dimensions }) => [tf.reshape(x!, x!.shape.filter((_, i) => !dimensions.includes(i)))],
  abstractEval: ([x], { dimensions }) => {
    for (const d of dimensions) {
      if (!Number.isInteger(d) || d < 0 || d >= x!.ndim || x!.shape[d] !== 1) {
        throw new Error(`squeeze: dimension ${d} of ${x!.str()} is not a size-1 dimension`);
      }
    }
    return [x!.withShape(x!.shape.filter((_, i) => !dimensions.includes(i)))];
  },
});
Object.assign(squeezeP.rules, {
  jvp: linearJvp(squeezeP),
  transpose: ([ct], [x]) => [reshapeP.bind1([ct!], { newSizes: avalOf(x!).shape })],
  batch: batchFirst(squeezeP, (p) => ({ dimensions: plusOne(p.dimensions) })),
} satisfies Partial<typeof squeezeP.rules>);

function expandedShape(shape: readonly number[], dimensions: readonly number[]): number[] {
  const out: number[] = [];
  const rank = shape.length + dimensions.length;
  let src = 0;
  for (let i = 0; i < rank; i++) out.push(dimensions.includes(i) ? 1 : shape[src++]!);
  return out;
}

/** Inserts size-1 dimensions at the listed output positions. */
export const expandDimsP = definePrimitive<DimensionsParams>("expand_dims", {
  impl: ([x], { dimensions }) => [tf.reshape(x!, expandedShape(x!.shape, dimensions))],
  abstractEval: ([x], { dimensions }) => {
    const rank = x!.ndim + dimensions.length;
    if (dimensions.some((d) => !Number.isInteger(d) || d < 0 || d >= rank) || new Set(dimensions).size !== dimensions.length) {
      throw new Error(`expand_dims: dimensions [${dimensions.join(", ")}] are invalid for a result of rank ${rank}`);
    }
    return [x!.withShape(expandedShape(x!.shape, dimensions))];
  },
});
Object.assign(expandDimsP.rules, {
  jvp: linearJvp(expandDimsP),
  transpose: ([ct], [x]) => [reshapeP.bind1([ct!], { newSizes: avalOf(x!).shape })],
  batch: batchFirst(expandDimsP, (p) => ({ dimensions: plusOne(p.dimensions) })),
} satisfies Partial<typeof expandDimsP.rules>);

/** Reverses the order of elements along the listed dimensions. */
export const revP = definePrimitive<DimensionsParams>("rev", {
  impl: ([x], { dimensions }) => {
    if (!dimensions.length) return [x!];
    if (exactIntNeeded(x!, { alwaysGpu: true })) return [exactRev(x!, dimensions)];
    const reverse = (t: Tensor) => tf.reverse(t, [...dimensions]);
    return [x!.dtype === "bool" ? viaInt32(reverse, x!) : reverse(x!)];
  },
  abstractEval: ([x], { dimensions }) => {
    if (dimensions.some((d) => d < 0 || d >= x!.ndim)) throw new Error(`rev: dimensions [${dimensions.join(", ")}] out of range for ${x!.str()}`);
    return [x!];
  },
});
Object.assign(revP.rules, {
  jvp: linearJvp(revP),
  transpose: ([ct], _, params) => [revP.bind1([ct!], params)],
  batch: batchFirst(revP, (p) => ({ dimensions: plusOne(p.dimensions) })),
} satisfies Partial<typeof revP.rules>);

/**
 * Every `strides[d]`-th element from the start of each dimension, with Slice, Pad and
 * Reshape only: tfjs-wasm's StridedSlice returns float32 for int32 input.
 */
function stridedFromStart(x: Tensor, strides: readonly number[]): Tensor {
  let out = x;
  strides.forEach((s, d) => {
    if (s === 1) return;
    const len = out.shape[d]!;
    const n = Math.ceil(len / s);
    if (n * s > len) out = tf.pad(out, out.shape.map((_, k) => [0, k === d ? n * s - len : 0] as [number, number]));
    const split = [...out.shape.slice(0, d), n, s, ...out.shape.slice(d + 1)];
    const picked = tf.slice(tf.reshape(out, split), split.map(() => 0), split.map((v, k) => (k === d + 1 ? 1 : v)));
    out = tf.reshape(picked, [...out.shape.slice(0, d), n, ...out.shape.slice(d + 1)]);
  });
  return out;
}

export interface SliceParams { startIndices: readonly number[]; limitIndices: readonly number[]; strides: readonly number[] | null }

export const sliceP = definePrimitive<SliceParams>("slice", {
  impl: ([x], { startIndices, limitIndices, strides }) => {
    if (exactIntNeeded(x!, { alwaysGpu: !!strides?.some((s) => s !== 1) })) return [exactSlice(x!, startIndices, limitIndices, strides)];
    const strided = !!strides && strides.some((s) => s !== 1);
    // tfjs's StridedSlice is exact and 10-15× faster than the reshape-and-slice below on cpu
    // and wasm (the strided slices of max pooling's gradient); float32 only (wasm's returns
    // float32 for int32 input); webgpu keeps the old path.
    if (strided && x!.dtype === "float32" && getBackend() !== "webgpu") return [tf.stridedSlice(x!, [...startIndices], [...limitIndices], [...strides!])];
    const contiguous = tf.slice(x!, [...startIndices], limitIndices.map((l, i) => l - startIndices[i]!));
    if (!strided) return [contiguous];
    return [x!.dtype === "bool" ? viaInt32((t) => stridedFromStart(t, strides), contiguous) : stridedFromStart(contiguous, strides)];
  },
  abstractEval: ([x], { startIndices, limitIndices, strides }) => {
    const n = x!.ndim;
    const bad = (why: string) => new Error(`slice: ${why} for operand ${x!.str()} (start [${startIndices.join(", ")}], limit [${limitIndices.join(", ")}]${strides ? `, strides [${strides.join(", ")}]` : ""})`);
    if (startIndices.length !== n || limitIndices.length !== n || (strides && strides.length !== n)) throw bad(`expected ${n} indices per argument`);
    const shape = startIndices.map((s, i) => {
      const l = limitIndices[i]!;
      const st = strides?.[i] ?? 1;
      if (s < 0 || l > x!.shape[i]! || s > l) throw bad(`dimension ${i} needs 0 <= start <= limit <= ${x!.shape[i]}`);
      if (!(st >= 1)) throw bad("strides must be positive");
      return Math.ceil((l - s) / st);
    });
    return [x!.withShape(shape)];
  },
});
Object.assign(sliceP.rules, {
  jvp: linearJvp(sliceP),
  // Zeros around (and, with strides, between) the cotangent: a pad with interior padding.
  transpose: ([ct], [x], { startIndices, strides }) => {
    const shape = avalOf(x!).shape;
    const config = shape.map((d, i) => {
      const st = strides?.[i] ?? 1;
      const n = ct!.shape[i]!;
      const lastRead = n === 0 ? startIndices[i]! : startIndices[i]! + (n - 1) * st + 1;
      return [startIndices[i]!, d - lastRead, n === 0 ? 0 : st - 1] as const;
    });
    return [padP.bind1([ct!, scalar(0, ct!.dtype)], { config })];
  },
  batch: batchFirst(sliceP, (p, n) => ({
    startIndices: [0, ...p.startIndices], limitIndices: [n, ...p.limitIndices], strides: p.strides ? [1, ...p.strides] : null,
  })),
} satisfies Partial<typeof sliceP.rules>);

export interface ConcatenateParams { dimension: number }

export const concatenateP = definePrimitive<ConcatenateParams>("concatenate", {
  impl: (xs, { dimension }) => [xs.length === 1 ? xs[0]! : exactIntNeeded(xs) ? exactConcatenate(xs, dimension) : tf.concat(xs, dimension)],
  abstractEval: (xs, { dimension }) => {
    if (xs.length === 0) throw new Error("concatenate: needs at least one operand");
    const first = xs[0]!;
    if (dimension < 0 || dimension >= first.ndim) throw new RangeError(`concatenate: dimension ${dimension} out of range for rank ${first.ndim}`);
    for (const x of xs) {
      const sameOther = x.ndim === first.ndim && x.shape.every((d, i) => i === dimension || d === first.shape[i]);
      if (x.dtype !== first.dtype || !sameOther) {
        throw new Error(`concatenate: operands must share dtype and all dimensions but ${dimension}; got ${xs.map((a) => a.str()).join(", ")}`);
      }
    }
    const shape = [...first.shape];
    shape[dimension] = xs.reduce((s, x) => s + x.shape[dimension]!, 0);
    return [new ShapedArray(shape, first.dtype, xs.every((x) => x.weakType))];
  },
});
Object.assign(concatenateP.rules, {
  jvp: (xs, ts, params) => {
    const out = concatenateP.bind1(xs, params);
    if (ts.every((t) => t === null)) return [[out], [null]];
    const full = ts.map((t, i) => t ?? broadcastInDimP.bind1([scalar(0, xs[i]!.dtype)], { shape: xs[i]!.shape, broadcastDimensions: [] }));
    return [[out], [concatenateP.bind1(full, params)]];
  },
  transpose: ([ct], xs, { dimension }) => {
    let offset = 0;
    return xs.map((x) => {
      const shape = avalOf(x).shape;
      const start = offset;
      offset += shape[dimension]!;
      if (!isUndefined(x)) return null;
      return sliceP.bind1([ct!], {
        startIndices: shape.map((_, i) => (i === dimension ? start : 0)),
        limitIndices: ct!.shape.map((d, i) => (i === dimension ? start + shape[dimension]! : d)),
        strides: null,
      });
    });
  },
  batch: batchFirst(concatenateP, (p) => ({ dimension: p.dimension + 1 })),
} satisfies Partial<typeof concatenateP.rules>);

export interface IotaParams { dtype: DType; shape: readonly number[]; dimension: number }

/** Counts 0, 1, 2, ... along `dimension` of an array of `shape`. */
export const iotaP = definePrimitive<IotaParams>("iota", {
  impl: (_, { dtype, shape, dimension }) => {
    const n = shape[dimension]!;
    const storage = dtype === "float32" ? "float32" : "int32";
    const line = tf.range(0, n, 1, storage);
    const expanded = shape.map((d, i) => (i === dimension ? d : 1));
    return [broadcastTensor(tf.reshape(line, expanded), shape)];
  },
  abstractEval: (args, { dtype, shape, dimension }) => {
    if (args.length) throw new Error("iota takes no operands");
    if (dtype === "bool") throw new TypeError("iota: dtype must be numeric; got bool");
    if (dimension < 0 || dimension >= shape.length) throw new RangeError(`iota: dimension ${dimension} out of range for shape ${fmtShape(shape)}`);
    return [new ShapedArray(shape, dtype)];
  },
});
Object.assign(iotaP.rules, {
  // iota has no operands, so transforms never see it with tracers; these rules complete the set.
  jvp: (_, __, params) => [[iotaP.bind1([], params)], [null]],
  batch: (_, __, params) => [[iotaP.bind1([], params)], [null]],
} satisfies Partial<typeof iotaP.rules>);
