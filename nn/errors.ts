/**
 * Input validation shared by the layers: a wrong input names the layer, the shape it
 * expects and the shape it got.
 */
import { NDArray } from "../src/index.ts";

const fmt = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * Thrown when a layer receives an input of the wrong shape or dtype. The message names the
 * layer (and, inside composites, where it sits), the expected shape and the actual one.
 *
 * @example
 * try { nn.call(nn.linear(3, 4), params, np.ones([2, 5])); }
 * catch (e) { (e as LayerInputError).message }
 * // "linear(3 → 4): expected input of shape [..., 3], got [2, 5]"
 */
export class LayerInputError extends TypeError {
  constructor(
    /** The layer, e.g. `linear(3 → 4)`; inside composites prefixed by its place: `sequential layer 2: linear(3 → 4)`. */
    readonly layer: string,
    /** The expected shape in words, e.g. `[..., 3]`. */
    readonly expected: string,
    /** The shape that came. */
    readonly actual: readonly number[],
    /** Extra explanation appended to the message. */
    readonly hint = "",
  ) {
    super(`${layer}: expected input of shape ${expected}, got ${fmt(actual)}${hint ? ` (${hint})` : ""}`);
    this.name = "LayerInputError";
  }

  /**
   * The same error with `where` prefixed to the layer name.
   * @example
   * const e = new nn.LayerInputError("linear(3 → 4)", "[..., 3]", [2, 5]);
   * e.within("sequential layer 2").message   // "sequential layer 2: linear(3 → 4): expected input of shape [..., 3], got [2, 5]"
   */
  within(where: string): LayerInputError {
    return new LayerInputError(`${where}: ${this.layer}`, this.expected, this.actual, this.hint);
  }
}

/**
 * Checks that `x` is an array of rank >= `trailing.length` whose trailing dimensions are
 * `trailing` (null = any size) and, if given, of `dtype`.
 *
 * Arguments: `layer` name for the message; `x`; `trailing` sizes with their names for the
 * message (`labels`, e.g. `["H", "W", "3"]`).
 *
 * @example
 * checkInput("linear(3 → 4)", x, [3]);
 * checkInput("conv2d(3 → 8, 3×3)", x, [null, null, 3], { labels: ["H", "W", "3"], hint: "images are NHWC" });
 * @throws LayerInputError naming the layer, the expected and the actual shape.
 */
export function checkInput(
  layer: string,
  x: unknown,
  trailing: readonly (number | null)[],
  { labels, hint = "", dtype, leading = true }: { labels?: readonly string[]; hint?: string; dtype?: "float32" | "int32"; leading?: boolean } = {},
): NDArray {
  const names = labels ?? trailing.map((d, i) => (d === null ? `d${i}` : String(d)));
  const expected = `[${leading ? "..., " : ""}${names.join(", ")}]`;
  if (!(x instanceof NDArray)) throw new TypeError(`${layer}: expected an NDArray of shape ${expected}; got ${x === null ? "null" : typeof x}`);
  const n = trailing.length;
  const ok = (leading ? x.ndim >= n : x.ndim === n) && trailing.every((d, i) => d === null || x.shape[x.ndim - n + i] === d);
  if (!ok) throw new LayerInputError(layer, expected, x.shape, hint);
  if (dtype === "float32" && x.dtype !== "float32") {
    throw new TypeError(`${layer}: expected a float32 input; got ${x.aval.str()} (convert with x.astype("float32"))`);
  }
  if (dtype === "int32" && x.dtype !== "int32" && x.dtype !== "uint32") {
    throw new TypeError(`${layer}: expected int32 indices; got ${x.aval.str()} (convert with x.astype("int32"))`);
  }
  return x;
}

/**
 * Validates a hyperparameter: a positive integer (or non-negative with `min: 0`).
 * @example
 * checkPositiveInt("linear", "inFeatures", 3);
 * @throws RangeError naming the layer and the argument.
 */
export function checkPositiveInt(layer: string, argName: string, v: unknown, { min = 1 }: { min?: number } = {}): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${layer}: ${argName} must be an integer >= ${min}; got ${JSON.stringify(v)}`);
  }
  return v;
}
