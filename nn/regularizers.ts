/** Weight penalties to add to a loss: `l1` (sparsity) and `l2` (weight decay). */
import { NDArray, np, tree } from "../src/index.ts";

/**
 * Chooses which leaves a penalty covers, from their key path (e.g. `[0, "w"]`).
 * @example
 * const weightsOnly: LeafFilter = (path) => path.at(-1) === "w";
 */
export type LeafFilter = (path: readonly (string | number)[], leaf: NDArray) => boolean;

function penalty(params: unknown, filter: LeafFilter | undefined, term: (x: NDArray) => NDArray): NDArray {
  const terms = tree.leavesWithPath(params)
    .filter(([path, leaf]) => leaf instanceof NDArray && leaf.dtype === "float32" && (!filter || filter(path, leaf)))
    .map(([, leaf]) => np.sum(term(leaf as NDArray)));
  return terms.reduce((acc: NDArray, t) => acc.add(t), np.array(0));
}

/**
 * L1 penalty Σ|w| over the float32 arrays of a params tree (all of them, or those `only`
 * selects). Multiply by the strength yourself: `loss + λ·nn.l1(params)`.
 *
 * @example
 * const params = { w: np.array([1, -2]), b: np.array([3]) };
 * nn.l1(params)                                             // 6
 * nn.l1(params, { only: (path) => path.at(-1) === "w" })    // 3 (weights, not biases)
 */
export function l1(params: unknown, { only }: { only?: LeafFilter } = {}): NDArray {
  return penalty(params, only, np.abs);
}

/**
 * L2 penalty Σw² (the squared Euclidean norm) over the float32 arrays of a params tree (or
 * those `only` selects). `loss + (λ/2)·nn.l2(params)` gives SGD weight decay λ.
 *
 * @example
 * nn.l2({ w: np.array([1, -2]), b: np.array([3]) })   // 14
 */
export function l2(params: unknown, { only }: { only?: LeafFilter } = {}): NDArray {
  return penalty(params, only, np.square);
}
