/**
 * Exact data movement of int32 storage (int32 and uint32) on webgpu.
 *
 * tfjs-webgpu's data-moving kernels (Slice, StridedSlice, Concat, Transpose, GatherV2, Tile
 * and so broadcastTo, Select, Reverse, PadV2, ScatterNd) read every input through an `f32`
 * getter and write through an `f32` setter, so an int32 value above 2^24 in magnitude is
 * rounded on the GPU (2000000001 comes back as 2000000000), and uint32 PRNG key bits are
 * corrupted. Slice, Concat, Transpose, GatherV2 and Tile forward small (< 1000 elements)
 * CPU-resident inputs to exact CPU code; the others always run on the GPU.
 *
 * The programs here read and write `i32` storage raw. One generic program covers every
 * *strided view*: output element `coords` reads input flat index
 * `offset + Σ coords[d] · stride[d]` (strides 0 broadcast, negative strides reverse), which is
 * transpose, broadcast_in_dim, slice (strided too) and rev. Small dedicated programs cover
 * concatenate, gather (clamped indices), select, pad, dynamic_slice, dynamic_update_slice
 * and an int32 scatter_add (atomicAdd, which wraps mod 2^32 as the cpu backend's Int32Array
 * does). Sizes travel as uniforms, so a shader is compiled once per structure (rank, number
 * of operands), never per size.
 */
import type { Tensor } from "@tensorflow/tfjs-core";
import { tf } from "./index.ts";
import { coordWgsl, maxProgramInputs, runElementwiseProgram, runProgram, webgpuBackend, type GpuDtype, type IntUniform, type WebGPUBackendLike } from "./webgpu_program.ts";
import { broadcastShapes, shapeSize } from "../core/shape.ts";

/**
 * Options of `exactIntNeeded`.
 *
 * @example
 * exactIntNeeded(x, { with: [indices] } satisfies ExactIntOptions)
 */
export interface ExactIntOptions {
  /** Other inputs of the tfjs kernels (indices, predicates): they decide where tfjs runs but are not moved data. */
  with?: readonly Tensor[];
  /** The primitive's tfjs kernels run on the GPU whatever the size (Reverse, Select, PadV2, ScatterNd, chains of several kernels). */
  alwaysGpu?: boolean;
}

/**
 * Whether a data-moving primitive over `data` must take its exact WGSL path: the backend is
 * webgpu, the data is int32 storage (int32 or uint32), and tfjs would run its kernel on the
 * GPU, where it rounds through f32 (always with `alwaysGpu`; otherwise unless every input is
 * small and still in CPU memory, which tfjs forwards to exact CPU code).
 *
 * @example
 * if (exactIntNeeded(x)) return [exactTranspose(x, permutation)];
 * if (exactIntNeeded([t, f], { with: [pred], alwaysGpu: true })) return [exactSelect(pred, t, f)];
 */
export function exactIntNeeded(data: Tensor | readonly Tensor[], options: ExactIntOptions = {}): boolean {
  const moved = Array.isArray(data) ? (data as readonly Tensor[]) : [data as Tensor];
  const backend = webgpuBackend();
  if (!backend || !moved.some((t) => t.dtype === "int32")) return false;
  return options.alwaysGpu === true || !backend.shouldExecuteOnCPU([...moved, ...(options.with ?? [])]);
}

function gpu(): WebGPUBackendLike {
  const backend = webgpuBackend();
  if (!backend) throw new Error("gradus internal error: an exact webgpu kernel ran on another backend (check exactIntNeeded first)");
  return backend;
}

/** Row-major element strides of a shape. */
function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
}

const flat = (t: Tensor): Tensor => (t.rank === 1 ? t : tf.reshape(t, [t.size]));
const dtypeOf = (t: Tensor): GpuDtype => t.dtype as GpuDtype;
const empty = (shape: readonly number[], dtype: GpuDtype): Tensor => tf.zeros([...shape], dtype);
const perDim = (rank: number, line: (d: number) => string): string => Array.from({ length: rank }, (_, d) => line(d)).join("\n          ");
const uniformsPerDim = (names: Record<string, readonly number[]>): IntUniform[] =>
  Object.entries(names).flatMap(([name, values]) => values.map((v, d) => [`${name}${d}`, v] as const));

// ---------------------------------------------------------------------------------------
// The generic strided view

/**
 * The strided view of `x` (read as its flat row-major storage) with shape `outShape`: output
 * element `c` is `x.flat[offset + Σ c[d] · strides[d]]`, copied raw. Strides may be 0
 * (broadcast) or negative (reverse); every index read must lie inside `x`.
 *
 * @example
 * exactStridedView(x, [3], 2, [-1])   // x.flat[2], x.flat[1], x.flat[0]
 * exactStridedView(x, [2, 4], 0, [0, 1])   // 4-element x repeated as two rows
 */
export function exactStridedView(x: Tensor, outShape: readonly number[], offset: number, strides: readonly number[]): Tensor {
  if (shapeSize(outShape) === 0) return empty(outShape, dtypeOf(x));
  const rank = outShape.length;
  const terms = strides.map((_, d) => ` + ${coordWgsl(rank, d)} * uniforms.st${d}`).join("");
  return runProgram(gpu(), {
    key: `strided_view_${rank}`, names: ["X"], inputs: [flat(x)], outShape, dtype: dtypeOf(x),
    uniforms: [["offset", offset], ...uniformsPerDim({ st: strides })],
    body: `result[index] = X[uniforms.offset${terms}];`,
  });
}

/**
 * `tf.transpose(x, permutation)` through the exact strided view.
 *
 * @example
 * exactTranspose(x, [1, 0])   // x.T, int32 bits preserved
 */
export function exactTranspose(x: Tensor, permutation: readonly number[]): Tensor {
  const xs = rowMajorStrides(x.shape);
  return exactStridedView(x, permutation.map((p) => x.shape[p]!), 0, permutation.map((p) => xs[p]!));
}

/**
 * XLA's broadcast_in_dim: operand dimension i becomes output dimension
 * `broadcastDimensions[i]` (size 1 or the output's), the others are broadcast.
 *
 * @example
 * exactBroadcastInDim(row, [5000, 3], [1])   // the 3-vector row repeated 5000 times
 */
export function exactBroadcastInDim(x: Tensor, shape: readonly number[], broadcastDimensions: readonly number[]): Tensor {
  const xs = rowMajorStrides(x.shape);
  const strides = shape.map(() => 0);
  broadcastDimensions.forEach((d, i) => { if (x.shape[i] !== 1) strides[d] = xs[i]!; });
  return exactStridedView(x, shape, 0, strides);
}

/**
 * XLA's slice: `[start, limit)` per dimension taking every `strides[d]`-th element (all 1
 * when `strides` is null).
 *
 * @example
 * exactSlice(x, [1], [9], [2])   // x[1], x[3], x[5], x[7]
 */
export function exactSlice(x: Tensor, startIndices: readonly number[], limitIndices: readonly number[], strides: readonly number[] | null): Tensor {
  const xs = rowMajorStrides(x.shape);
  const steps = startIndices.map((_, d) => strides?.[d] ?? 1);
  const outShape = startIndices.map((s, d) => Math.max(0, Math.ceil((limitIndices[d]! - s) / steps[d]!)));
  const offset = startIndices.reduce((acc, s, d) => acc + s * xs[d]!, 0);
  return exactStridedView(x, outShape, offset, steps.map((st, d) => st * xs[d]!));
}

/**
 * Reverses `x` along `dimensions` (XLA's rev).
 *
 * @example
 * exactRev(x, [0])   // x[n-1], ..., x[0]
 */
export function exactRev(x: Tensor, dimensions: readonly number[]): Tensor {
  const xs = rowMajorStrides(x.shape);
  const reversed = (d: number) => dimensions.includes(d) && x.shape[d]! > 0;
  const offset = x.shape.reduce((acc, n, d) => acc + (reversed(d) ? (n - 1) * xs[d]! : 0), 0);
  return exactStridedView(x, x.shape, offset, xs.map((s, d) => (reversed(d) ? -s : s)));
}

// ---------------------------------------------------------------------------------------
// Dedicated programs

/**
 * Concatenates `xs` (same dtype, equal but for `dimension`) along `dimension`: each output
 * element picks its operand by its coordinate along the axis. More operands than one program
 * can bind are joined in groups first.
 *
 * @example
 * exactConcatenate([a, b, c], 0)   // int32 bits preserved
 */
export function exactConcatenate(xs: readonly Tensor[], dimension: number): Tensor {
  const first = xs[0]!;
  const outShape = [...first.shape];
  outShape[dimension] = xs.reduce((s, x) => s + x.shape[dimension]!, 0);
  const parts = xs.filter((x) => x.size > 0);
  if (parts.length === 0) return empty(outShape, dtypeOf(first));
  if (parts.length === 1) return parts[0]!;
  const backend = gpu();
  const most = maxProgramInputs(backend);
  if (parts.length > most) {
    const groups: Tensor[] = [];
    for (let i = 0; i < parts.length; i += most) groups.push(exactConcatenate(parts.slice(i, i + most), dimension));
    return exactConcatenate(groups, dimension);
  }
  const outer = shapeSize(first.shape.slice(0, dimension));
  const lengths = parts.map((x) => x.size / outer);
  const ends = lengths.map((_, k) => lengths.slice(0, k + 1).reduce((a, b) => a + b, 0));
  const names = parts.map((_, k) => `X${k}`);
  const read = (k: number) => `X${k}[o * uniforms.len${k} + j${k === 0 ? "" : ` - uniforms.end${k - 1}`}]`;
  const branches = parts.map((_, k) => {
    if (k === parts.length - 1) return `{ result[index] = ${read(k)}; }`;
    return `if (j < uniforms.end${k}) { result[index] = ${read(k)}; }`;
  }).join(" else ");
  const out = runProgram(backend, {
    key: `concatenate_${parts.length}`, names, inputs: parts.map((x) => tf.reshape(x, [outer, x.size / outer])),
    outShape: [outer, ends.at(-1)!], dtype: dtypeOf(first),
    uniforms: [...uniformsPerDim({ len: lengths }), ...uniformsPerDim({ end: ends.slice(0, -1) })],
    body: `let o = coords.x;
          let j = coords.y;
          ${branches}`,
  });
  return tf.reshape(out, outShape);
}

/** WGSL splitting a flat index over [B, P, Q, C] into b, p, q, c (uniforms gP, gQ, gC). */
const BPQC_WGSL = `
          let c = index % uniforms.gC;
          let bpq = index / uniforms.gC;
          let q = bpq % uniforms.gQ;
          let bp = bpq / uniforms.gQ;
          let p = bp % uniforms.gP;
          let b = bp / uniforms.gP;
          let i = clamp(I[b * uniforms.gQ + q], 0, uniforms.gN - 1);`;

/** Sizes of the [B, P, n, C] view of the operand and the [B, Q] view of the indices. */
function gatherSizes(x: Tensor, indices: Tensor, axis: number, batchDims: number): IntUniform[] {
  const B = shapeSize(x.shape.slice(0, batchDims));
  return [
    ["gP", shapeSize(x.shape.slice(batchDims, axis))],
    ["gQ", indices.size / B],
    ["gN", x.shape[axis]!],
    ["gC", shapeSize(x.shape.slice(axis + 1))],
  ];
}

/**
 * `tf.gather(x, indices, axis, batchDims)` with each index clamped into `[0, n - 1]` on the
 * device (gradus's gather semantics), copying raw.
 *
 * @example
 * exactGather(x, idx, 0, 0)   // rows of int32 x at idx
 */
export function exactGather(x: Tensor, indices: Tensor, axis: number, batchDims: number): Tensor {
  const outShape = [...x.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...x.shape.slice(axis + 1)];
  if (shapeSize(outShape) === 0) return empty(outShape, dtypeOf(x));
  const out = runProgram(gpu(), {
    key: "gather", names: ["X", "I"], inputs: [flat(x), flat(indices)], outShape: [shapeSize(outShape)],
    dtype: dtypeOf(x), uniforms: gatherSizes(x, indices, axis, batchDims), needCoords: false,
    body: `${BPQC_WGSL}
          result[index] = X[((b * uniforms.gP + p) * uniforms.gN + i) * uniforms.gC + c];`,
  });
  return tf.reshape(out, outShape);
}

/**
 * int32 `x` plus `updates` summed in at the gathered positions (the transpose of
 * `exactGather`, same clamping): a raw copy of `x`, then one `atomicAdd` per update, which
 * wraps mod 2^32 exactly as the cpu backend's int32 arithmetic does.
 *
 * @example
 * exactScatterAdd(counts, idx, ones, 0, 0)   // counts[idx[k]] += 1 for every k
 */
export function exactScatterAdd(x: Tensor, indices: Tensor, updates: Tensor, axis: number, batchDims: number): Tensor {
  if (updates.size === 0) return x;
  const copy = exactStridedView(x, [x.size], 0, [1]);
  runProgram(gpu(), {
    key: "scatter_add", names: ["U", "I"], inputs: [flat(updates), flat(indices)], outShape: [x.size],
    dtype: "int32", uniforms: gatherSizes(x, indices, axis, batchDims), needCoords: false,
    threads: updates.size, atomicInto: copy,
    body: `${BPQC_WGSL}
          atomicAdd(&result[((b * uniforms.gP + p) * uniforms.gN + i) * uniforms.gC + c], U[index]);`,
  });
  return tf.reshape(copy, x.shape);
}

/**
 * `pred ? onTrue : onFalse` elementwise with NumPy broadcasting of all three, copying raw.
 *
 * @example
 * exactSelect(mask, keysA, keysB)   // uint32 key bits preserved
 */
export function exactSelect(pred: Tensor, onTrue: Tensor, onFalse: Tensor): Tensor {
  const outShape = broadcastShapes([pred.shape, onTrue.shape, onFalse.shape]);
  if (shapeSize(outShape) === 0) return empty(outShape, dtypeOf(onTrue));
  return runElementwiseProgram(gpu(), "select", ["Cond", "T", "E"], [pred, onTrue, onFalse], outShape, dtypeOf(onTrue),
    "if (Cond[iCond] != 0) { result[index] = T[iT]; } else { result[index] = E[iE]; }");
}

/**
 * XLA's Pad with `[lo, hi, interior]` per dimension (negative lo/hi crop) and a scalar
 * tensor `value`, copying raw: output coordinate `c` reads operand element
 * `(c - lo) / (interior + 1)` where that divides evenly and lies inside, else `value`.
 *
 * @example
 * exactPad(x, zero, [[1, 2, 1]])   // [0, x0, 0, x1, ..., 0, 0]
 */
export function exactPad(x: Tensor, value: Tensor, config: readonly (readonly [number, number, number])[]): Tensor {
  const outShape = x.shape.map((n, d) => {
    const [lo, hi, interior] = config[d]!;
    return lo + hi + n + Math.max(n - 1, 0) * interior;
  });
  if (x.rank === 0) return x;
  if (x.size === 0) return exactBroadcastInDim(value, outShape, []);
  if (shapeSize(outShape) === 0) return empty(outShape, dtypeOf(x));
  const rank = x.rank;
  const lines = perDim(rank, (d) => `{
            let j = ${coordWgsl(rank, d)} - uniforms.lo${d};
            if (j < 0 || j % uniforms.step${d} != 0 || j / uniforms.step${d} >= uniforms.n${d}) { inside = false; }
            else { src = src + (j / uniforms.step${d}) * uniforms.xs${d}; }
          }`);
  return runProgram(gpu(), {
    key: `pad_${rank}`, names: ["X", "V"], inputs: [flat(x), value], outShape, dtype: dtypeOf(x),
    uniforms: uniformsPerDim({ lo: config.map((c) => c[0]), step: config.map((c) => c[2] + 1), n: x.shape, xs: rowMajorStrides(x.shape) }),
    body: `var inside = true;
          var src = 0;
          ${lines}
          if (inside) { result[index] = X[src]; } else { result[index] = V[0]; }`,
  });
}

/** The int32 scalars `starts` as one [k] int32 tensor, copied raw (k <= 6: webgpu's rank limit). */
function stackStarts(starts: readonly Tensor[]): Tensor {
  const names = starts.map((_, k) => `S${k}`);
  const branches = starts.map((_, k) => `if (index == ${k}) { result[index] = S${k}[0]; }`).join(" else ");
  return runProgram(gpu(), { key: `stack_scalars_${starts.length}`, names, inputs: starts, outShape: [starts.length], dtype: "int32", body: branches, needCoords: false });
}

/**
 * XLA's dynamic_slice: a `sliceSizes` box of `x` whose start per dimension is an int32 scalar
 * tensor, clamped into `[0, n - size]` on the device, copying raw.
 *
 * @example
 * exactDynamicSlice(x, [start], [3])   // x[s], x[s + 1], x[s + 2] with s = clamp(start, 0, n - 3)
 */
export function exactDynamicSlice(x: Tensor, starts: readonly Tensor[], sliceSizes: readonly number[]): Tensor {
  if (x.rank === 0) return x;
  if (shapeSize(sliceSizes) === 0) return empty(sliceSizes, dtypeOf(x));
  const rank = x.rank;
  return runProgram(gpu(), {
    key: `dynamic_slice_${rank}`, names: ["X", "S"], inputs: [flat(x), stackStarts(starts)], outShape: sliceSizes, dtype: dtypeOf(x),
    uniforms: uniformsPerDim({ m: x.shape.map((n, d) => n - sliceSizes[d]!), xs: rowMajorStrides(x.shape) }),
    body: `var src = 0;
          ${perDim(rank, (d) => `src = src + (${coordWgsl(rank, d)} + clamp(S[${d}], 0, uniforms.m${d})) * uniforms.xs${d};`)}
          result[index] = X[src];`,
  });
}

/**
 * XLA's dynamic_update_slice: `x` with `update` written at int32 scalar start tensors, each
 * clamped into `[0, n - size]` on the device, copying raw.
 *
 * @example
 * exactDynamicUpdateSlice(x, u, [start])   // x with u at clamp(start, 0, n - u.size)
 */
export function exactDynamicUpdateSlice(x: Tensor, update: Tensor, starts: readonly Tensor[]): Tensor {
  if (x.shape.every((n, d) => n === update.shape[d])) return update;
  if (update.size === 0) return x;
  const rank = x.rank;
  return runProgram(gpu(), {
    key: `dynamic_update_slice_${rank}`, names: ["X", "U", "S"], inputs: [flat(x), flat(update), stackStarts(starts)],
    outShape: x.shape, dtype: dtypeOf(x),
    uniforms: uniformsPerDim({ m: x.shape.map((n, d) => n - update.shape[d]!), us: rowMajorStrides(update.shape), un: update.shape }),
    body: `var inside = true;
          var src = 0;
          ${perDim(rank, (d) => `{
            let j = ${coordWgsl(rank, d)} - clamp(S[${d}], 0, uniforms.m${d});
            if (j < 0 || j >= uniforms.un${d}) { inside = false; }
            src = src + j * uniforms.us${d};
          }`)}
          if (inside) { result[index] = U[src]; } else { result[index] = X[index]; }`,
  });
}
