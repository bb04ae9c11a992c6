/** Padding arguments of convolution and pooling layers, normalized to `lax` padding. */
import type { lax } from "../../src/index.ts";

/**
 * Padding of a convolution or pooling layer: `"VALID"` (none), `"SAME"` (output size
 * ⌈in / stride⌉, the odd element on the high side), a symmetric amount for every spatial
 * dimension (`1`), one per dimension (`[1, 2]`), or `[lo, hi]` pairs (`[[1, 0], [2, 2]]`).
 * @example
 * const p: LayerPadding = [[1, 0], [1, 0]];
 */
export type LayerPadding = "VALID" | "SAME" | number | readonly number[] | readonly (readonly [number, number])[];

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);

/**
 * Layer padding as `lax` padding for `n` spatial dimensions.
 * @example
 * normalizePadding("conv2d", 1, 2)   // [[1, 1], [1, 1]]
 * @throws RangeError naming the layer when the padding has the wrong form.
 */
export function normalizePadding(layer: string, padding: LayerPadding, n: number): lax.Padding {
  if (padding === "VALID" || padding === "SAME") return padding;
  if (isInt(padding) && padding >= 0) return Array.from({ length: n }, () => [padding, padding] as [number, number]);
  if (Array.isArray(padding) && padding.length === n) {
    if (padding.every((p) => isInt(p) && p >= 0)) return (padding as number[]).map((p) => [p, p] as [number, number]);
    if (padding.every((p) => Array.isArray(p) && p.length === 2 && p.every((q) => isInt(q) && q >= 0))) {
      return (padding as [number, number][]).map(([lo, hi]) => [lo, hi] as [number, number]);
    }
  }
  throw new RangeError(`${layer}: padding must be "VALID", "SAME", a non-negative integer, ${n} of them, or ${n} [lo, hi] pairs; got ${JSON.stringify(padding)}`);
}

/**
 * `n` copies of a number, or the list itself after checking it has `n` integers >= `min`.
 * @example
 * perDim("conv2d", "stride", 2, 2)   // [2, 2]
 * @throws RangeError naming the layer and the argument.
 */
export function perDim(layer: string, what: string, v: number | readonly number[], n: number, min = 1): number[] {
  const list = typeof v === "number" ? Array.from({ length: n }, () => v) : Array.isArray(v) ? [...v] : [];
  if (list.length !== n || !list.every((d) => isInt(d) && d >= min)) {
    throw new RangeError(`${layer}: ${what} must be an integer >= ${min} or a list of ${n} of them; got ${JSON.stringify(v)}`);
  }
  return list;
}
