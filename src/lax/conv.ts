/**
 * conv_general_dilated: JAX's general convolution, for the layout
 * `dimension_numbers = ("NHWC", "HWIO", "NHWC")` (and its 1-D form ("NWC", "WIO", "NWC")).
 *
 * Lowering to tfjs kernels that cpu, wasm and webgpu all have (Conv2D, DepthwiseConv2dNative,
 * Pad, Slice, Reshape, Split, Concat):
 * - 1-D convolutions run as 2-D ones with a height of 1;
 * - non-negative padding goes to the kernel as explicit padding; negative padding (cropping)
 *   and lhs dilation (the transposed-convolution input, zeros between pixels) go through
 *   `padTensor` first and the kernel then runs "valid";
 * - tfjs refuses strides > 1 together with rhs dilation, so the kernel is then dilated
 *   explicitly (zeros between taps) and run with dilation 1;
 * - feature groups: a depthwise fast path when every group has one input channel,
 *   otherwise one convolution per group, concatenated along channels.
 *
 * Transform rules (JAX's): the JVP is bilinear, both transposes are again
 * conv_general_dilated (plus reshape/transpose/rev), so reverse mode needs no backprop
 * kernels (tfjs-wasm has no Conv2DBackpropFilter); vmap folds the batch into N (lhs), into
 * the output channels (rhs), or into the channels with more feature groups (both).
 */
import { tf } from "../backend/index.ts";
import type { Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive } from "../core/primitive.ts";
import type { NDArray } from "../array.ts";
import { padTensor, type PadDim } from "./indexing.ts";
import { reshapeP, revP, transposeP } from "./structural.ts";
import { addP } from "./elementwise.ts";
import { avalOf, isUndefined, moveBatchAxis, zerosLikeAval } from "./rules.ts";

/**
 * Parameters of `conv_general_dilated` (lists have one entry per spatial dimension).
 * @example
 * const p: ConvGeneralDilatedParams = {
 *   windowStrides: [1, 1], padding: [[1, 1], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], featureGroupCount: 1,
 * };
 */
export interface ConvGeneralDilatedParams {
  /** Stride of the window per spatial dimension (>= 1). */
  windowStrides: readonly number[];
  /** `[lo, hi]` per spatial dimension, applied to the (lhs-dilated) input; negative crops. */
  padding: readonly (readonly [number, number])[];
  /** Input dilation per spatial dimension: `d - 1` zeros between input pixels (>= 1). */
  lhsDilation: readonly number[];
  /** Kernel dilation per spatial dimension: `d - 1` gaps between kernel taps (>= 1). */
  rhsDilation: readonly number[];
  /** Input channels split into this many groups, each convolved with its share of the output channels. */
  featureGroupCount: number;
}

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const dilateDim = (n: number, d: number) => (n === 0 ? 0 : (n - 1) * d + 1);

/** Output spatial sizes; throws with the operand shapes when parameters are inconsistent. */
function convOutSpatial(lhs: ShapedArray, rhs: ShapedArray, p: ConvGeneralDilatedParams): number[] {
  const s = lhs.ndim - 2;
  const describe = `lhs ${lhs.str()}, rhs ${rhs.str()}`;
  const checkList = (name: string, xs: readonly unknown[], min: number) => {
    if (!Array.isArray(xs) || xs.length !== s || !xs.every((x) => isInt(x) && x >= min)) {
      throw new RangeError(`conv_general_dilated: ${name} must be ${s} integer(s) >= ${min}, one per spatial dimension; got ${JSON.stringify(xs)} (${describe})`);
    }
  };
  checkList("windowStrides", p.windowStrides, 1);
  checkList("lhsDilation", p.lhsDilation, 1);
  checkList("rhsDilation", p.rhsDilation, 1);
  if (!Array.isArray(p.padding) || p.padding.length !== s || !p.padding.every((lh) => Array.isArray(lh) && lh.length === 2 && lh.every(isInt))) {
    throw new RangeError(`conv_general_dilated: padding must be ${s} [lo, hi] integer pair(s), one per spatial dimension; got ${JSON.stringify(p.padding)} (${describe})`);
  }
  return Array.from({ length: s }, (_, i) => {
    const [lo, hi] = p.padding[i]!;
    const padded = dilateDim(lhs.shape[1 + i]!, p.lhsDilation[i]!) + lo + hi;
    if (padded < 0) {
      throw new RangeError(`conv_general_dilated: negative padding [${lo}, ${hi}] crops more than spatial dimension ${i} of lhs holds (${describe})`);
    }
    const window = dilateDim(rhs.shape[i]!, p.rhsDilation[i]!);
    return padded < window ? 0 : Math.floor((padded - window) / p.windowStrides[i]!) + 1;
  });
}

/** A 2-D NHWC x HWIO convolution with everything already in tfjs terms except grouping. */
function conv2dGrouped(x: Tensor4D, w: Tensor4D, strides: [number, number], pad: "valid" | [[number, number], [number, number], [number, number], [number, number]], dilations: [number, number], groups: number): Tensor {
  if (groups === 1) return tf.conv2d(x, w, strides, pad, "NHWC", dilations);
  const [kh, kw, inPerGroup, outChannels] = w.shape;
  if (inPerGroup === 1) {
    // Depthwise: output channel c * M + m reads input channel c, which is group c's channel m.
    const depthwise = tf.reshape(w, [kh, kw, groups, outChannels / groups]) as Tensor4D;
    return tf.depthwiseConv2d(x, depthwise, strides, pad, "NHWC", dilations);
  }
  const xs = tf.split(x, groups, 3) as Tensor4D[];
  const ws = tf.split(w, groups, 3) as Tensor4D[];
  return tf.concat(xs.map((xg, g) => tf.conv2d(xg, ws[g]!, strides, pad, "NHWC", dilations)), 3);
}

function conv2dGeneral(x: Tensor4D, w: Tensor4D, p: ConvGeneralDilatedParams): Tensor {
  const [sh, sw] = p.windowStrides as [number, number];
  const [[loH, hiH], [loW, hiW]] = p.padding as [[number, number], [number, number]];
  const [ldH, ldW] = p.lhsDilation as [number, number];
  let [rdH, rdW] = p.rhsDilation as [number, number];
  let input = x;
  let pad: "valid" | [[number, number], [number, number], [number, number], [number, number]];
  if (ldH > 1 || ldW > 1 || Math.min(loH, hiH, loW, hiW) < 0) {
    const config: PadDim[] = [[0, 0, 0], [loH, hiH, ldH - 1], [loW, hiW, ldW - 1], [0, 0, 0]];
    input = padTensor(x, config, 0) as Tensor4D;
    pad = "valid";
  } else {
    pad = [[0, 0], [loH, hiH], [loW, hiW], [0, 0]];
  }
  let kernel = w;
  if ((sh > 1 || sw > 1) && (rdH > 1 || rdW > 1)) {
    kernel = padTensor(w, [[0, 0, rdH - 1], [0, 0, rdW - 1], [0, 0, 0], [0, 0, 0]], 0) as Tensor4D;
    rdH = rdW = 1;
  }
  return conv2dGrouped(input, kernel, [sh, sw], pad, [rdH, rdW], p.featureGroupCount);
}

function convImpl(lhs: Tensor, rhs: Tensor, p: ConvGeneralDilatedParams, outShape: readonly number[]): Tensor {
  if (outShape.includes(0) || lhs.size === 0 || rhs.size === 0) return tf.zeros([...outShape], "float32");
  if (lhs.rank === 3) {
    const [n, w, c] = lhs.shape as [number, number, number];
    const [kw, i, o] = rhs.shape as [number, number, number];
    const out = conv2dGeneral(tf.reshape(lhs, [n, 1, w, c]) as Tensor4D, tf.reshape(rhs, [1, kw, i, o]) as Tensor4D, {
      windowStrides: [1, p.windowStrides[0]!],
      padding: [[0, 0], p.padding[0]!],
      lhsDilation: [1, p.lhsDilation[0]!],
      rhsDilation: [1, p.rhsDilation[0]!],
      featureGroupCount: p.featureGroupCount,
    });
    return tf.reshape(out, [...outShape]);
  }
  return conv2dGeneral(lhs as Tensor4D, rhs as Tensor4D, p);
}

function convAval(lhs: ShapedArray, rhs: ShapedArray, p: ConvGeneralDilatedParams): ShapedArray {
  const describe = `lhs ${lhs.str()}, rhs ${rhs.str()}`;
  if (lhs.dtype !== "float32") throw new TypeError(`conv_general_dilated: lhs must be float32; got ${describe}`);
  if (rhs.dtype !== "float32") throw new TypeError(`conv_general_dilated: rhs must be float32; got ${describe}`);
  if (lhs.ndim !== 3 && lhs.ndim !== 4) {
    throw new Error(`conv_general_dilated: lhs must be [N, W, C] (1-D) or [N, H, W, C] (2-D); got ${describe}`);
  }
  if (rhs.ndim !== lhs.ndim) {
    throw new Error(`conv_general_dilated: rhs must have lhs's rank: ${lhs.ndim === 3 ? "[KW, Cin/groups, Cout]" : "[KH, KW, Cin/groups, Cout]"} (HWIO); got ${describe}`);
  }
  const G = p.featureGroupCount;
  const cin = lhs.shape[lhs.ndim - 1]!;
  const inPerGroup = rhs.shape[rhs.ndim - 2]!;
  const cout = rhs.shape[rhs.ndim - 1]!;
  if (!isInt(G) || G < 1) throw new RangeError(`conv_general_dilated: featureGroupCount must be a positive integer; got ${G}`);
  if (cin % G !== 0) throw new Error(`conv_general_dilated: lhs's ${cin} input channels are not divisible by featureGroupCount ${G}; got ${describe}`);
  if (inPerGroup * G !== cin) {
    throw new Error(`conv_general_dilated: lhs has ${cin} input channels, so with featureGroupCount ${G} rhs's input-channel dimension must be ${cin / G}; got ${describe}`);
  }
  if (cout % G !== 0) throw new Error(`conv_general_dilated: rhs's output channels (${cout}) must be divisible by featureGroupCount ${G}; got ${describe}`);
  if (rhs.shape.slice(0, -2).some((k) => k === 0)) throw new Error(`conv_general_dilated: rhs has an empty spatial dimension; got ${describe}`);
  const spatial = convOutSpatial(lhs, rhs, p);
  return new ShapedArray([lhs.shape[0]!, ...spatial, cout], "float32", lhs.weakType && rhs.weakType);
}

/**
 * General dilated convolution of NHWC `lhs` with HWIO `rhs` (or NWC with WIO), as JAX's
 * `conv_general_dilated` with those dimension numbers. Operands: `[lhs, rhs]`.
 * @example
 * convGeneralDilatedP.bind1([np.ones([1, 3, 3, 1]), np.ones([2, 2, 1, 1])], {
 *   windowStrides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], featureGroupCount: 1,
 * }).shape   // [1, 2, 2, 1]
 */
export const convGeneralDilatedP = definePrimitive<ConvGeneralDilatedParams>("conv_general_dilated", {
  impl: ([lhs, rhs], params, [lhsAval, rhsAval]) => [convImpl(lhs!, rhs!, params, convAval(lhsAval!, rhsAval!, params).shape)],
  abstractEval: ([lhs, rhs], params) => {
    if (!lhs || !rhs) throw new Error("conv_general_dilated: takes two operands (lhs, rhs)");
    return [convAval(lhs, rhs, params)];
  },
});

const range = (a: number, b: number) => Array.from({ length: Math.max(b - a, 0) }, (_, i) => a + i);
const conv = (lhs: NDArray, rhs: NDArray, p: ConvGeneralDilatedParams) => convGeneralDilatedP.bind1([lhs, rhs], p);
const reshape = (x: NDArray, newSizes: readonly number[]) => reshapeP.bind1([x], { newSizes });
const transpose = (x: NDArray, permutation: readonly number[]) => (permutation.every((p, i) => p === i) ? x : transposeP.bind1([x], { permutation }));

/**
 * Cotangent of lhs (JAX's `_conv_general_dilated_transpose_lhs`): the cotangent convolved
 * with the spatially flipped kernel whose in/out channels are swapped, with strides and lhs
 * dilation exchanged and the padding of `_conv_general_vjp_lhs_padding`:
 * before = dilated window - lo - 1, after = dilated lhs + dilated window - 1 - dilated out - before
 * (so the result has lhs's spatial size even when the stride skips trailing pixels). With
 * feature groups, the group index moves from the kernel's output channels into its input
 * channels (G-major), so each group's cotangent maps back onto that group's input channels.
 */
function convTransposeLhs(g: NDArray, lhs: ShapedArray, rhs: NDArray, p: ConvGeneralDilatedParams): NDArray {
  const s = rhs.ndim - 2;
  const G = p.featureGroupCount;
  const ks = rhs.shape.slice(0, s);
  const ci = rhs.shape[s]!, co = rhs.shape[s + 1]!;
  let w = rhs;
  if (G > 1) {
    w = reshape(w, [...ks, ci, G, co / G]);
    w = transpose(w, [...range(0, s), s + 1, s, s + 2]);
    w = reshape(w, [...ks, G * ci, co / G]);
  }
  w = revP.bind1([transpose(w, [...range(0, s), s + 1, s])], { dimensions: range(0, s) });
  const padding = ks.map((k, i) => {
    const lhsDilated = dilateDim(lhs.shape[1 + i]!, p.lhsDilation[i]!);
    const window = dilateDim(k, p.rhsDilation[i]!);
    const outDilated = dilateDim(g.shape[1 + i]!, p.windowStrides[i]!);
    const before = window - p.padding[i]![0] - 1;
    return [before, lhsDilated + window - 1 - outDilated - before] as const;
  });
  return conv(g, w, { windowStrides: p.lhsDilation, padding, lhsDilation: p.windowStrides, rhsDilation: p.rhsDilation, featureGroupCount: G });
}

/**
 * Cotangent of rhs (JAX's `_conv_general_dilated_transpose_rhs`): lhs convolved with the
 * cotangent as the kernel, contracting over the batch. lhs becomes [Cin/G, spatial..., G*N]
 * (its channels act as the batch, its batch as the channels) and the cotangent becomes the
 * kernel [out spatial..., N, Cout]; strides and rhs dilation are exchanged, the padding is
 * `_conv_general_vjp_rhs_padding`'s: lo as in the forward conv, hi = (dilated out - dilated
 * lhs) + (dilated window - lo - 1). JAX sets batch_group_count = G for grouped convs; the
 * same contraction is a feature-grouped conv once lhs's channel groups are moved into its
 * channel dimension next to the batch (group-major), which is what the layout above does.
 */
function convTransposeRhs(g: NDArray, lhs: NDArray, rhs: ShapedArray, p: ConvGeneralDilatedParams): NDArray {
  const s = lhs.ndim - 2;
  const G = p.featureGroupCount;
  const n = lhs.shape[0]!, cin = lhs.shape[s + 1]!;
  const spatial = lhs.shape.slice(1, s + 1);
  const l = reshape(transpose(reshape(lhs, [n, ...spatial, G, cin / G]), [s + 2, ...range(1, s + 1), s + 1, 0]), [cin / G, ...spatial, G * n]);
  const kernel = transpose(g, [...range(1, s + 1), 0, s + 1]);
  const padding = spatial.map((size, i) => {
    const lo = p.padding[i]![0];
    const lhsDilated = dilateDim(size, p.lhsDilation[i]!);
    const window = dilateDim(rhs.shape[i]!, p.rhsDilation[i]!);
    const outDilated = dilateDim(g.shape[1 + i]!, p.windowStrides[i]!);
    return [lo, outDilated - lhsDilated + window - lo - 1] as const;
  });
  const out = conv(l, kernel, { windowStrides: p.rhsDilation, padding, lhsDilation: p.lhsDilation, rhsDilation: p.windowStrides, featureGroupCount: G });
  return transpose(out, [...range(1, s + 1), 0, s + 1]);
}

/**
 * vmap of conv_general_dilated, as JAX's `_conv_general_dilated_batch_rule` for these
 * layouts. lhs batched: the batch folds into N. rhs batched: it folds into the output
 * channels, inside each feature group ([G, B, Cout/G] group-major), and is split out of the
 * result's channels. Both batched: the batch folds into lhs's channels and rhs's output
 * channels (batch-major) with B * G feature groups, one independent conv per example and group.
 */
function convBatch([lhs, rhs]: NDArray[], [dl, dr]: (number | null)[], p: ConvGeneralDilatedParams): [NDArray[], (number | null)[]] {
  const G = p.featureGroupCount;
  if (dl !== null && dl !== undefined && (dr === null || dr === undefined)) {
    const x = moveBatchAxis(lhs!, dl, 0, lhs!.shape[dl]!);
    const [b, n, ...rest] = x.shape;
    const out = conv(reshape(x, [b! * n!, ...rest]), rhs!, p);
    return [[reshape(out, [b!, n!, ...out.shape.slice(1)])], [0]];
  }
  const B = rhs!.shape[dr!]!;
  const w = moveBatchAxis(rhs!, dr!, 0, B); // [B, ks..., ci, co]
  const r = w.ndim - 1; // unbatched rank
  const s = r - 2;
  const ks = w.shape.slice(1, s + 1);
  const ci = w.shape[s + 1]!, co = w.shape[s + 2]!;
  if (dl === null || dl === undefined) {
    // new output channel g * (B * M) + b * M + m  <-  rhs[b, ..., g * M + m]
    const M = co / G;
    const folded = reshape(transpose(reshape(w, [B, ...ks, ci, G, M]), [...range(1, s + 2), s + 2, 0, s + 3]), [...ks, ci, G * B * M]);
    const out = conv(lhs!, folded, p); // [N, spatial..., G * B * M]
    const head = out.shape.slice(0, s + 1);
    const split = transpose(reshape(out, [...head, G, B, M]), [...range(0, s + 1), s + 2, s + 1, s + 3]);
    return [[reshape(split, [...head, B, co])], [s + 1]];
  }
  const x = moveBatchAxis(lhs!, dl, 0, B); // [B, N, spatial..., cin]
  const cin = x.shape[s + 2]!;
  const xFolded = reshape(transpose(x, [...range(1, s + 2), 0, s + 2]), [...x.shape.slice(1, s + 2), B * cin]);
  const wFolded = reshape(transpose(w, [...range(1, s + 2), 0, s + 2]), [...ks, ci, B * co]);
  const out = conv(xFolded, wFolded, { ...p, featureGroupCount: B * G });
  return [[reshape(out, [...out.shape.slice(0, s + 1), B, co])], [s + 1]];
}

Object.assign(convGeneralDilatedP.rules, {
  // Bilinear: d(conv(l, r)) = conv(dl, r) + conv(l, dr).
  jvp: ([lhs, rhs], [tl, tr], p) => {
    const out = conv(lhs!, rhs!, p);
    const parts = [tl ? conv(tl, rhs!, p) : null, tr ? conv(lhs!, tr, p) : null].filter((t): t is NDArray => t !== null);
    return [[out], [parts.length === 0 ? null : parts.length === 1 ? parts[0]! : addP.bind1([parts[0]!, parts[1]!], {})]];
  },
  transpose: ([ct], [lhs, rhs], p) => {
    if (isUndefined(lhs) && isUndefined(rhs)) throw new Error("conv_general_dilated is bilinear: transpose needs one operand defined");
    if (ct === null) return [null, null];
    const lAval = avalOf(lhs!), rAval = avalOf(rhs!);
    if (ct.size === 0) return [isUndefined(lhs) ? zerosLikeAval(lAval) : null, isUndefined(rhs) ? zerosLikeAval(rAval) : null];
    return [
      isUndefined(lhs) ? convTransposeLhs(ct, lAval, rhs as NDArray, p) : null,
      isUndefined(rhs) ? convTransposeRhs(ct, lhs as NDArray, rAval, p) : null,
    ];
  },
  batch: convBatch,
} satisfies Partial<typeof convGeneralDilatedP.rules>);

/**
 * Padding of a convolution or window: `"VALID"`, `"SAME"` (extra on the high side),
 * `"SAME_LOWER"` or `[lo, hi]` per spatial dimension.
 * @example
 * const same: Padding = "SAME";
 * const explicit: Padding = [[1, 0], [2, 2]];
 */
export type Padding = "VALID" | "SAME" | "SAME_LOWER" | readonly (readonly [number, number])[];

/**
 * `[lo, hi]` pairs for a padding string, as JAX's `padtype_to_pads`: "SAME" pads so the
 * output has `ceil(in / stride)` elements, the odd element going high ("SAME_LOWER": low).
 * @example
 * padtypeToPads([5], [3], [2], "SAME")   // [[1, 1]]
 * @internal
 */
export function padtypeToPads(inShape: readonly number[], windowShape: readonly number[], strides: readonly number[], padding: Padding, where = "padding"): [number, number][] {
  if (typeof padding !== "string") return padding.map(([lo, hi]) => [lo, hi]);
  switch (padding) {
    case "VALID":
      return inShape.map(() => [0, 0]);
    case "SAME":
    case "SAME_LOWER":
      return inShape.map((n, i) => {
        const out = Math.ceil(n / strides[i]!);
        const total = Math.max(0, (out - 1) * strides[i]! + windowShape[i]! - n);
        const small = Math.floor(total / 2);
        return padding === "SAME" ? [small, total - small] : [total - small, small];
      });
    default:
      throw new TypeError(`${where} must be "VALID", "SAME", "SAME_LOWER" or a list of [lo, hi] pairs; got ${JSON.stringify(padding)}`);
  }
}

/**
 * Options of `convGeneralDilated`.
 * @example
 * const x = np.ones([1, 5, 5, 1]), k = np.ones([3, 3, 1, 2]);
 * lax.convGeneralDilated(x, k, [1, 1], "SAME", { rhsDilation: [2, 2], featureGroupCount: 1 } satisfies lax.ConvOptions).shape   // [1, 5, 5, 2]
 */
export interface ConvOptions {
  /** Input dilation per spatial dimension (transposed convolutions). Default 1s. */
  lhsDilation?: readonly number[];
  /** Kernel (atrous) dilation per spatial dimension. Default 1s. */
  rhsDilation?: readonly number[];
  /** Number of channel groups (depthwise: the number of input channels). Default 1. */
  featureGroupCount?: number;
}

/**
 * Convolution as `jax.lax.conv_general_dilated` with dimension numbers
 * `("NHWC", "HWIO", "NHWC")`: `lhs` is `[N, H, W, Cin]` (or `[N, W, Cin]` for 1-D), `rhs`
 * is `[KH, KW, Cin / groups, Cout]` (or `[KW, Cin / groups, Cout]`), the result is
 * `[N, H', W', Cout]`. Like JAX, the kernel is not flipped (cross-correlation).
 *
 * @example
 * const x = np.ones([1, 4, 4, 1]);
 * const k = np.ones([3, 3, 1, 2]);
 * lax.convGeneralDilated(x, k, [1, 1], "VALID").shape            // [1, 2, 2, 2]
 * lax.convGeneralDilated(x, k, [2, 2], [[1, 1], [1, 1]]).shape   // [1, 2, 2, 2]
 * lax.convGeneralDilated(x, k, [1, 1], "SAME", { rhsDilation: [2, 2] }).shape   // [1, 4, 4, 2]
 * @throws Error naming both operand shapes when channels, ranks or groups disagree.
 */
export function convGeneralDilated(lhs: NDArray, rhs: NDArray, windowStrides: readonly number[], padding: Padding, options: ConvOptions = {}): NDArray {
  const s = Math.max(lhs.ndim - 2, 0);
  const ones = Array.from({ length: s }, () => 1);
  const { lhsDilation = ones, rhsDilation = ones, featureGroupCount = 1 } = options;
  if (typeof padding === "string" && lhsDilation.some((d) => d !== 1)) {
    throw new Error("convGeneralDilated: string padding is not supported together with lhsDilation (as in JAX); give explicit [lo, hi] pairs");
  }
  const windowShape = rhs.shape.slice(0, s).map((k, i) => dilateDim(k, rhsDilation[i] ?? 1));
  const pads = padtypeToPads(lhs.shape.slice(1, 1 + s), windowShape, windowStrides, padding, "convGeneralDilated: padding");
  return convGeneralDilatedP.bind1([lhs, rhs], {
    windowStrides: [...windowStrides],
    padding: pads,
    lhsDilation: [...lhsDilation],
    rhsDilation: [...rhsDilation],
    featureGroupCount,
  });
}

