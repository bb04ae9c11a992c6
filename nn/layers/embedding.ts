/** `embedding`: a learned lookup table from integer ids to vectors. */
import { np, type NDArray } from "../../src/index.ts";
import { checkInput, checkPositiveInt } from "../errors.ts";
import { normal, type Initializer } from "../initializers.ts";
import { stateless, type EmptyState, type Module } from "../module.ts";

/**
 * Parameters of `embedding`: one row per id.
 * @example
 * const p: EmbeddingParams = { table: np.zeros([100, 16]) };
 */
export interface EmbeddingParams {
  /** The vectors `[count, dim]`, one row per id. */
  table: NDArray;
}

/**
 * Embedding layer: int32 ids of any shape `[...]` → vectors `[..., dim]` (row `id` of the
 * table). Its gradient reaches only the rows that were looked up.
 *
 * Arguments: `count` (number of ids), `dim`; option `init` (default N(0, 1), as PyTorch).
 * Returns a module with params `{ table: [count, dim] }`: count·dim parameters.
 *
 * @example
 * const emb = nn.embedding(10, 4);
 * nn.call(emb, emb.init(random.key(0)).params, np.array([[1, 2, 3]], { dtype: "int32" })).shape   // [1, 3, 4]
 * @throws TypeError for non-integer ids.
 */
export function embedding(count: number, dim: number, { init = normal(1) }: { init?: Initializer } = {}): Module<EmbeddingParams, EmptyState> {
  checkPositiveInt("embedding", "count", count);
  checkPositiveInt("embedding", "dim", dim);
  const name = `embedding(${count}, ${dim})`;
  return stateless({
    name,
    init: (key) => ({ table: init(key, [count, dim]) }),
    apply: ({ table }, ids) => np.take(table, checkInput(name, ids, [], { dtype: "int32" }), { axis: 0 }),
  });
}
