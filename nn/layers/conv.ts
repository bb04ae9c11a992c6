/**
 * Convolutions over NHWC images (channels last) and NWC sequences, with leading batch
 * dimensions: `conv1d`, `conv2d` and `convTranspose2d`. Kernels are HWIO
 * (`[KH, KW, in / groups, out]`), as `lax.convGeneralDilated`; like JAX and PyTorch these
 * are cross-correlations (the kernel is not flipped).
 */
import { lax, np, type NDArray } from "../../src/index.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { heUniform, zeros, type Initializer } from "../initializers.ts";
import { splitKey, stateless, type EmptyState, type Module } from "../module.ts";
import { normalizePadding, perDim, type LayerPadding } from "./padding.ts";

/**
 * Parameters of a convolution: `w` HWIO (`[KH, KW, in / groups, out]`, or `[K, in / groups,
 * out]` in 1-D; `[KH, KW, in, out]` for convTranspose2d), `b` `[out]` (null without bias).
 * @example
 * const p: ConvParams = { w: np.ones([3, 3, 1, 8]), b: np.zeros([8]) };
 */
export interface ConvParams {
  /** The kernel, HWIO. */
  w: NDArray;
  /** The bias `[out]`, or null without bias. */
  b: NDArray | null;
}

/**
 * Options of `conv1d` / `conv2d` (a number applies to every spatial dimension).
 * @example
 * nn.conv2d(3, 16, 3, { stride: 2, padding: "SAME", dilation: 1, groups: 1 } satisfies ConvLayerOptions);
 */
export interface ConvLayerOptions {
  /** Window stride. Default 1. */
  stride?: number | readonly number[];
  /** `"VALID"` (default), `"SAME"`, a symmetric amount per dimension, or `[lo, hi]` pairs. */
  padding?: LayerPadding;
  /** Kernel dilation (atrous convolution). Default 1. */
  dilation?: number | readonly number[];
  /** Channel groups: in and out channels are split into `groups` independent convolutions. Default 1; `groups = in` is depthwise. */
  groups?: number;
  /** Add a bias. Default true. */
  bias?: boolean;
  /** Kernel initializer. Default `heUniform`. */
  wInit?: Initializer;
  /** Bias initializer. Default `zeros`. */
  bInit?: Initializer;
}

const addBias = (y: NDArray, b: NDArray | null): NDArray => (b ? y.add(b) : y);

/**
 * Runs `f` on `x` with every dimension before the last `keep` folded into one leading
 * batch axis (added when there is none), and restores the leading dimensions afterwards.
 */
function foldLeading(x: NDArray, keep: number, f: (x: NDArray) => NDArray): NDArray {
  const lead = x.shape.slice(0, x.ndim - keep);
  const y = f(x.reshape([lead.reduce((a, b) => a * b, 1), ...x.shape.slice(x.ndim - keep)]));
  return y.reshape([...lead, ...y.shape.slice(1)]);
}

function convN(spatialRank: 1 | 2, what: string, inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvLayerOptions): Module<ConvParams, EmptyState> {
  const { stride = 1, padding = "VALID", dilation = 1, groups = 1, bias = true, wInit = heUniform, bInit = zeros } = opts;
  checkPositiveInt(what, "inChannels", inChannels);
  checkPositiveInt(what, "outChannels", outChannels);
  checkPositiveInt(what, "groups", groups);
  const k = perDim(what, "kernelSize", kernelSize, spatialRank);
  const strides = perDim(what, "stride", stride, spatialRank);
  const rhsDilation = perDim(what, "dilation", dilation, spatialRank);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new RangeError(`${what}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
  }
  const pad = normalizePadding(what, padding, spatialRank);
  const name = `${what}(${inChannels} → ${outChannels}, ${k.join("×")}${groups > 1 ? `, groups ${groups}` : ""})`;
  const labels = spatialRank === 2 ? ["H", "W", String(inChannels)] : ["W", String(inChannels)];
  const hint = spatialRank === 2 ? "images are NHWC: channels last" : "sequences are NWC: channels last";
  return stateless({
    name,
    init: (key) => {
      const [kw, kb] = splitKey(key, 2);
      return { w: wInit(kw!, [...k, inChannels / groups, outChannels]), b: bias ? bInit(kb!, [outChannels]) : null };
    },
    apply: ({ w, b }, x) => {
      checkInput(name, x, [...k.map(() => null), inChannels], { labels, hint, dtype: "float32" });
      const y = foldLeading(x, spatialRank + 1, (xb) =>
        lax.convGeneralDilated(xb, w, strides, pad, { rhsDilation, featureGroupCount: groups }));
      return addBias(y, b);
    },
  });
}

/**
 * 2-D convolution over NHWC images `[..., H, W, inChannels]` → `[..., H', W', outChannels]`,
 * with H' = ⌊(H + padLo + padHi − dilation·(k − 1) − 1) / stride⌋ + 1 ("SAME": ⌈H / stride⌉).
 *
 * Arguments: `inChannels`, `outChannels`, `kernelSize` (number or `[kh, kw]`); options
 * `stride`, `padding` ("VALID" default, "SAME", amounts or pairs), `dilation`, `groups`,
 * `bias`, `wInit` (heUniform), `bInit` (zeros).
 * Returns a module with params `{ w: [kh, kw, in / groups, out], b: [out] }`:
 * kh·kw·(in / groups)·out + out parameters.
 *
 * @example
 * const conv = nn.conv2d(1, 6, 5, { padding: "SAME" });
 * const { params } = conv.init(random.key(0));
 * nn.call(conv, params, np.ones([2, 28, 28, 1])).shape   // [2, 28, 28, 6]
 * @throws LayerInputError when the input is not `[..., H, W, inChannels]`; RangeError for bad hyperparameters.
 */
export function conv2d(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options: ConvLayerOptions = {}): Module<ConvParams, EmptyState> {
  return convN(2, "conv2d", inChannels, outChannels, kernelSize, options);
}

/**
 * 1-D convolution over NWC sequences `[..., W, inChannels]` → `[..., W', outChannels]`
 * (same options and output-size formula as `conv2d`).
 *
 * @example
 * const conv = nn.conv1d(4, 8, 3, { padding: "SAME" });
 * nn.call(conv, conv.init(random.key(0)).params, np.ones([2, 10, 4])).shape   // [2, 10, 8]
 * @throws LayerInputError when the input is not `[..., W, inChannels]`.
 */
export function conv1d(inChannels: number, outChannels: number, kernelSize: number, options: ConvLayerOptions = {}): Module<ConvParams, EmptyState> {
  return convN(1, "conv1d", inChannels, outChannels, kernelSize, options);
}

/**
 * Options of `convTranspose2d`.
 * @example
 * nn.convTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 } satisfies ConvTransposeOptions);
 */
export interface ConvTransposeOptions {
  /** Stride (the upsampling factor). Default 1. */
  stride?: number | readonly [number, number];
  /**
   * `"VALID"` (default: nothing cropped), `"SAME"` (output H·stride: the exact transpose of a
   * "SAME" `conv2d` on an input of that size) or PyTorch's amount `p` cropped from both
   * sides (one number or `[ph, pw]`).
   */
  padding?: "VALID" | "SAME" | number | readonly [number, number];
  /** Extra rows/columns added on the high side (PyTorch's output_padding, < stride). Default 0. */
  outputPadding?: number | readonly [number, number];
  /** Kernel dilation. Default 1. */
  dilation?: number | readonly [number, number];
  /** Add a bias. Default true. */
  bias?: boolean;
  /** Kernel initializer. Default `heUniform`. */
  wInit?: Initializer;
  /** Bias initializer. Default `zeros`. */
  bInit?: Initializer;
}

/**
 * Transposed ("fractionally strided") 2-D convolution over NHWC images: each input pixel
 * scatters `x[i, j, :] · w[a, b, :, :]` to output pixel `(i·stride + a·dilation − padLo,
 * j·stride + b·dilation − padLo)`. It is the transpose (the input gradient) of the
 * `conv2d` with the same stride, padding and dilation whose kernel is `w` with its last
 * two axes swapped. Output size (PyTorch's formula): H' = (H − 1)·stride − 2·padding +
 * dilation·(k − 1) + outputPadding + 1; with "SAME", H' = H·stride.
 *
 * Arguments: `inChannels`, `outChannels`, `kernelSize`; options `stride`, `padding`,
 * `outputPadding`, `dilation`, `bias`, `wInit`, `bInit`.
 * Returns a module with params `{ w: [kh, kw, in, out], b: [out] }`: kh·kw·in·out + out parameters.
 *
 * @example
 * const up = nn.convTranspose2d(8, 4, 2, { stride: 2 });
 * nn.call(up, up.init(random.key(0)).params, np.ones([1, 7, 7, 8])).shape   // [1, 14, 14, 4]
 * @throws LayerInputError when the input is not `[..., H, W, inChannels]`.
 */
export function convTranspose2d(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options: ConvTransposeOptions = {}): Module<ConvParams, EmptyState> {
  const what = "convTranspose2d";
  const { stride = 1, padding = "VALID", outputPadding = 0, dilation = 1, bias = true, wInit = heUniform, bInit = zeros } = options;
  checkPositiveInt(what, "inChannels", inChannels);
  checkPositiveInt(what, "outChannels", outChannels);
  const k = perDim(what, "kernelSize", kernelSize, 2);
  const s = perDim(what, "stride", stride, 2);
  const d = perDim(what, "dilation", dilation, 2);
  const op = perDim(what, "outputPadding", outputPadding, 2, 0);
  if (op.some((o, i) => o >= Math.max(s[i]!, d[i]!))) {
    throw new RangeError(`${what}: outputPadding ${JSON.stringify(outputPadding)} must be smaller than the stride or the dilation`);
  }
  const span = k.map((ki, i) => d[i]! * (ki - 1) + 1);
  // [lo, hi] cropped from the full transposed output ((H − 1)·s + span); negative pads.
  let crop: [number, number][];
  if (padding === "SAME") {
    crop = span.map((w, i) => {
      const lo = Math.floor(Math.max(0, w - s[i]!) / 2);
      return [lo, w - s[i]! - lo];
    });
  } else {
    const p = padding === "VALID" ? [0, 0] : perDim(what, "padding", padding as number | readonly number[], 2, 0);
    crop = p.map((pi, i) => [pi, pi - op[i]!]);
  }
  if (padding === "SAME" && op.some((o) => o !== 0)) throw new RangeError(`${what}: outputPadding cannot be combined with padding "SAME"`);
  const pads = crop.map(([lo, hi], i) => [span[i]! - 1 - lo, span[i]! - 1 - hi] as [number, number]);
  const name = `${what}(${inChannels} → ${outChannels}, ${k.join("×")})`;
  return stateless({
    name,
    init: (key) => {
      const [kw, kb] = splitKey(key, 2);
      return { w: wInit(kw!, [...k, inChannels, outChannels]), b: bias ? bInit(kb!, [outChannels]) : null };
    },
    apply: ({ w, b }, x) => {
      checkInput(name, x, [null, null, inChannels], { labels: ["H", "W", String(inChannels)], hint: "images are NHWC: channels last", dtype: "float32" });
      const flipped = np.flip(w, { axis: [0, 1] });
      const y = foldLeading(x, 3, (xb) =>
        lax.convGeneralDilated(xb, flipped, [1, 1], pads, { lhsDilation: s, rhsDilation: d }));
      return addBias(y, b);
    },
  });
}
