/**
 * Pooling over NHWC images with leading batch dimensions (`maxPool2d`, `avgPool2d`,
 * `globalAvgPool`) and `flatten`. None has parameters.
 */
import { lax, np, type NDArray } from "../../src/index.ts";
import { checkInput, LayerInputError } from "../errors.ts";
import { stateless, type EmptyState, type Module } from "../module.ts";
import { normalizePadding, perDim, type LayerPadding } from "./padding.ts";

/**
 * Options of `maxPool2d` / `avgPool2d`.
 * @example
 * nn.maxPool2d(3, { stride: 2, padding: "SAME" } satisfies PoolOptions);
 */
export interface PoolOptions {
  /** Window stride. Default: the window size (non-overlapping windows). */
  stride?: number | readonly [number, number];
  /** `"VALID"` (default), `"SAME"`, amounts, or `[lo, hi]` pairs (see `LayerPadding`). */
  padding?: LayerPadding;
}

type Pool = (x: NDArray, window: number[], strides: number[], padding: lax.Padding) => NDArray;

function pool2d(what: string, windowSize: number | readonly [number, number], options: PoolOptions, reduce: Pool): Module<EmptyState, EmptyState> {
  const window = perDim(what, "window", windowSize, 2);
  const strides = perDim(what, "stride", options.stride ?? window, 2);
  const pad = normalizePadding(what, options.padding ?? "VALID", 2);
  const name = `${what}(${window.join("×")}${strides.some((s, i) => s !== window[i]) ? `, stride ${strides.join("×")}` : ""})`;
  return stateless({
    name,
    init: () => ({}),
    apply: (_p, x) => {
      checkInput(name, x, [null, null, null], { labels: ["H", "W", "C"], hint: "images are NHWC: channels last" });
      const lead = Array.from({ length: x.ndim - 3 }, () => 1);
      const full = [...lead, ...window, 1];
      const fullStrides = [...lead, ...strides, 1];
      const fullPad: lax.Padding = typeof pad === "string" ? pad : [...lead.map(() => [0, 0] as [number, number]), ...pad, [0, 0]];
      return reduce(x, full, fullStrides, fullPad);
    },
  });
}

/**
 * Max pooling over `[..., H, W, C]`: the maximum of each window (padding counts as −∞).
 * Output H' = ⌊(H + padLo + padHi − window) / stride⌋ + 1 ("SAME": ⌈H / stride⌉).
 *
 * Arguments: `window` (number or `[wh, ww]`); options `stride` (default `window`), `padding`.
 *
 * @example
 * const pool = nn.maxPool2d(2);
 * nn.call(pool, {}, np.ones([1, 28, 28, 6])).shape   // [1, 14, 14, 6]
 * @throws LayerInputError for inputs of rank < 3.
 */
export function maxPool2d(window: number | readonly [number, number], options: PoolOptions = {}): Module<EmptyState, EmptyState> {
  return pool2d("maxPool2d", window, options, (x, w, s, p) => lax.reduceWindowMax(x, w, s, p));
}

/**
 * Average pooling over `[..., H, W, C]`: the mean of each window. Padded positions count
 * as zeros in the mean (PyTorch's and Flax's default, `countIncludePad: true`); with
 * `countIncludePad: false` they are left out of the count.
 *
 * @example
 * const pool = nn.avgPool2d(2);
 * nn.call(pool, {}, np.ones([1, 4, 4, 1])).shape   // [1, 2, 2, 1]
 * @throws LayerInputError for inputs of rank < 3.
 */
export function avgPool2d(window: number | readonly [number, number], options: PoolOptions & { countIncludePad?: boolean } = {}): Module<EmptyState, EmptyState> {
  const { countIncludePad = true } = options;
  return pool2d("avgPool2d", window, options, (x, w, s, p) => {
    const sums = lax.reduceWindowSum(x, w, s, p);
    if (countIncludePad) return sums.div(w.reduce((a, b) => a * b, 1));
    const counts = lax.reduceWindowSum(np.ones(x.shape.slice(-3)), w.slice(-3), s.slice(-3), typeof p === "string" ? p : p.slice(-3));
    return sums.div(counts);
  });
}

/**
 * Global average pooling: the mean over H and W, `[..., H, W, C]` → `[..., C]`.
 * @example
 * nn.call(nn.globalAvgPool(), {}, np.ones([2, 7, 7, 64])).shape   // [2, 64]
 * @throws LayerInputError for inputs of rank < 3.
 */
export function globalAvgPool(): Module<EmptyState, EmptyState> {
  const name = "globalAvgPool";
  return stateless({
    name,
    init: () => ({}),
    apply: (_p, x) => np.mean(checkInput(name, x, [null, null, null], { labels: ["H", "W", "C"], hint: "images are NHWC: channels last" }), { axis: [-3, -2] }),
  });
}

/**
 * Flattens dimensions `startAxis` .. `endAxis` (inclusive; negative counts from the end)
 * into one, as PyTorch's `nn.Flatten` (default: everything after the batch axis). Use a
 * negative `startAxis` to work with any number of leading batch dimensions:
 * `flatten({ startAxis: -3 })` turns `[..., H, W, C]` into `[..., H·W·C]`.
 *
 * @example
 * nn.call(nn.flatten(), {}, np.ones([8, 5, 5, 16])).shape                    // [8, 400]
 * nn.call(nn.flatten({ startAxis: -3 }), {}, np.ones([2, 8, 5, 5, 16])).shape   // [2, 8, 400]
 * @throws LayerInputError when the input has too few dimensions for the axes.
 */
export function flatten({ startAxis = 1, endAxis = -1 }: { startAxis?: number; endAxis?: number } = {}): Module<EmptyState, EmptyState> {
  const name = `flatten(${startAxis}, ${endAxis})`;
  return stateless({
    name,
    init: () => ({}),
    apply: (_p, x) => {
      const n = x.ndim;
      const s = startAxis < 0 ? startAxis + n : startAxis;
      const e = endAxis < 0 ? endAxis + n : endAxis;
      if (s < 0 || e >= n || s > e) {
        const need = Math.max(startAxis < 0 ? -startAxis : startAxis + 1, endAxis < 0 ? -endAxis : endAxis + 1);
        throw new LayerInputError(name, `with at least ${need} dimensions`, x.shape, `cannot flatten axes ${startAxis} .. ${endAxis}`);
      }
      const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
      return x.reshape([...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
    },
  });
}
