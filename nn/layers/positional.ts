/** Sinusoidal positional encodings (Vaswani et al., section 3.5). */
import { np, type NDArray } from "../../src/index.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { stateless, type EmptyState, type Module } from "../module.ts";

/**
 * The sinusoidal table `[length, dim]`: PE[p, 2i] = sin(p / 10000^(2i/dim)) and
 * PE[p, 2i+1] = cos(p / 10000^(2i/dim)). Computed on the host in float64, then rounded.
 *
 * @example
 * nn.sinusoidalEncoding(2, 4).toArray()   // [[0, 1, 0, 1], [0.8415, 0.5403, 0.0100, 1.0000]]
 */
export function sinusoidalEncoding(length: number, dim: number, { base = 10000 }: { base?: number } = {}): NDArray {
  checkPositiveInt("sinusoidalEncoding", "length", length, { min: 0 });
  checkPositiveInt("sinusoidalEncoding", "dim", dim);
  const rows: number[][] = [];
  for (let p = 0; p < length; p++) {
    const row: number[] = [];
    for (let j = 0; j < dim; j++) {
      const angle = p / base ** ((2 * Math.floor(j / 2)) / dim);
      row.push(j % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
    }
    rows.push(row);
  }
  return length === 0 ? np.zeros([0, dim]) : np.array(rows);
}

/**
 * Adds the sinusoidal positional encoding to `[..., T, dim]` inputs (position t gets row t
 * of `sinusoidalEncoding(T, dim)`). No parameters.
 *
 * Arguments: `dim`; option `base` (10000).
 *
 * @example
 * const pe = nn.positionalEncoding(16);
 * nn.call(pe, {}, np.zeros([2, 10, 16])).shape   // [2, 10, 16]
 * @throws LayerInputError when the last axis is not `dim`.
 */
export function positionalEncoding(dim: number, { base = 10000 }: { base?: number } = {}): Module<EmptyState, EmptyState> {
  checkPositiveInt("positionalEncoding", "dim", dim);
  const name = `positionalEncoding(${dim})`;
  return stateless({
    name,
    init: () => ({}),
    apply: (_p, x) => {
      checkInput(name, x, [null, dim], { labels: ["T", String(dim)] });
      return x.add(sinusoidalEncoding(x.shape[x.ndim - 2]!, dim, { base }));
    },
  });
}
