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
 */
import { tf } from "../backend/index.ts";
import type { Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive } from "../core/primitive.ts";
import type { NDArray } from "../array.ts";
import { padTensor, type PadDim } from "./indexing.ts";

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
 * lax.convGeneralDilated(x, k, [1, 1], "SAME", { rhsDilation: [2, 2], featureGroupCount: 1 } satisfies ConvOptions)
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

