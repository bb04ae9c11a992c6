/** Products: matmul, dot, tensordot, einsum, outer. All lower to dot_general. */
import type { NDArray, ArrayLike } from "../array.ts";
import { broadcastShapes, fmtShape, normalizeAxis } from "../core/shape.ts";
import { dotGeneralP } from "../lax/dot.ts";
import { mulP } from "../lax/elementwise.ts";
import { reduceSumP } from "../lax/reduce.ts";
import { expandDimsP, squeezeP, transposeP } from "../lax/structural.ts";
import { promote, scoped } from "./promote.ts";
import { broadcastTo, reshape } from "./shaping.ts";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

/**
 * Matrix product with NumPy semantics: 1-D operands are promoted to matrices and the
 * added axis removed afterwards; leading (batch) dimensions broadcast.
 *
 * @example
 * np.matmul(np.ones([2, 3]), np.ones([3, 4])).shape      // [2, 4]
 * np.matmul(np.ones([5, 2, 3]), np.ones([3, 4])).shape   // [5, 2, 4]
 * @throws Error naming both shapes when the inner dimensions differ.
 */
export const matmul = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  let [a, b] = promote([x, y], ["x", "y"]);
  const shapes = `x has shape ${fmtShape(a!.shape)}, y has shape ${fmtShape(b!.shape)}`;
  if (a!.ndim === 0 || b!.ndim === 0) throw new Error(`matmul: operands must have rank >= 1; got shapes ${fmtShape(a!.shape)} and ${fmtShape(b!.shape)}`);
  const aVec = a!.ndim === 1, bVec = b!.ndim === 1;
  if (aVec) a = expandDimsP.bind1([a!], { dimensions: [0] });
  if (bVec) b = expandDimsP.bind1([b!], { dimensions: [1] });
  const k1 = a!.shape[a!.ndim - 1], k2 = b!.shape[b!.ndim - 2];
  if (k1 !== k2) {
    throw new Error(`matmul: inner dimensions differ (${k1} vs ${k2}): ${shapes}`);
  }
  let out: NDArray;
  if (b!.ndim === 2) {
    // x[..., M, K] @ w[K, N]: one contraction, no broadcast of the weights.
    out = dotGeneralP.bind1([a!, b!], { dimensionNumbers: [[[a!.ndim - 1], [0]], [[], []]] });
  } else {
    const batch = broadcastShapes([a!.shape.slice(0, -2), b!.shape.slice(0, -2)], ["x batch", "y batch"]);
    a = broadcastTo(a!, [...batch, ...a!.shape.slice(-2)]);
    b = broadcastTo(b!, [...batch, ...b!.shape.slice(-2)]);
    const nb = batch.length;
    out = dotGeneralP.bind1([a, b], { dimensionNumbers: [[[nb + 1], [nb]], [range(nb), range(nb)]] });
  }
  const drop = [...(aVec ? [out.ndim - 2] : []), ...(bVec ? [out.ndim - 1] : [])];
  return drop.length ? squeezeP.bind1([out], { dimensions: drop }) : out;
});

/**
 * NumPy's dot: inner product for vectors, matmul for matrices, and for N-D a sum over the
 * last axis of `x` and the second-to-last of `y`.
 * @example np.dot(np.array([1, 2]), np.array([3, 4]))   // 11
 */
export const dot = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"]);
  if (a!.ndim === 0 || b!.ndim === 0) return mulP.bind1([a!, b!], {});
  const ca = a!.ndim - 1, cb = Math.max(0, b!.ndim - 2);
  if (a!.shape[ca] !== b!.shape[cb]) {
    throw new Error(`dot: shapes ${fmtShape(a!.shape)} and ${fmtShape(b!.shape)} not aligned: ${a!.shape[ca]} (dim ${ca}) != ${b!.shape[cb]} (dim ${cb})`);
  }
  return dotGeneralP.bind1([a!, b!], { dimensionNumbers: [[[ca], [cb]], [[], []]] });
});

/** Inner product over the last axes. @example np.inner(np.array([1, 2]), np.array([3, 4]))   // 11 */
export const inner = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"]);
  return tensordot(a!, b!, [[a!.ndim - 1], [b!.ndim - 1]]);
});

/** Outer product of the flattened inputs. @example np.outer(np.array([1, 2]), np.array([1, 2, 3])).shape   // [2, 3] */
export const outer = scoped((x: ArrayLike, y: ArrayLike): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"]);
  return mulP.bind1([reshape(a!, [-1, 1]), reshape(b!, [1, -1])], {});
});

/**
 * Sum of products over the given axes (`axes` = n: the last n of x with the first n of y).
 * @example np.tensordot(np.ones([2, 3]), np.ones([3, 4]), 1).shape   // [2, 4]
 */
export const tensordot = scoped((x: ArrayLike, y: ArrayLike, axes: number | [number[], number[]] = 2): NDArray => {
  const [a, b] = promote([x, y], ["x", "y"]);
  const [ax, bx] = typeof axes === "number"
    ? [range(axes, a!.ndim - axes), range(axes)]
    : [axes[0].map((d) => normalizeAxis(d, a!.ndim, "tensordot: axes[0]")), axes[1].map((d) => normalizeAxis(d, b!.ndim, "tensordot: axes[1]"))];
  return dotGeneralP.bind1([a!, b!], { dimensionNumbers: [[ax, bx], [[], []]] });
});

function parseEinsum(subscripts: string, ranks: number[]): { inputs: string[]; output: string } {
  const spec = subscripts.replace(/\s+/g, "");
  const [lhs, rhs] = spec.split("->") as [string, string | undefined];
  const terms = lhs.split(",");
  if (terms.length !== ranks.length) throw new Error(`einsum: "${subscripts}" names ${terms.length} operands but ${ranks.length} were given`);
  // "..." becomes fresh capital letters, right-aligned like broadcasting.
  const ellRank = Math.max(0, ...terms.map((t, i) => (t.includes("...") ? ranks[i]! - (t.length - 3) : 0)));
  const ell = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, ellRank);
  const inputs = terms.map((t, i) => (t.includes("...") ? t.replace("...", ell.slice(ellRank - (ranks[i]! - (t.length - 3)))) : t));
  inputs.forEach((t, i) => {
    if (t.length !== ranks[i]) throw new Error(`einsum: operand ${i} has rank ${ranks[i]} but its subscripts "${terms[i]}" name ${t.length} axes`);
    if (new Set(t).size !== t.length) throw new Error(`einsum: repeated index in "${terms[i]}" (diagonals) is not supported`);
  });
  let output: string;
  if (rhs !== undefined) output = rhs.replace("...", ell);
  else {
    const counts = new Map<string, number>();
    for (const c of inputs.join("")) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = ell + [...counts].filter(([c, n]) => n === 1 && !ell.includes(c)).map(([c]) => c).sort().join("");
  }
  return { inputs, output };
}

/** Contracts two operands given their index strings, keeping the indices in `keep`. */
function contractPair(a: NDArray, ia: string, b: NDArray, ib: string, keep: Set<string>): [NDArray, string] {
  // Sum out indices that appear in only one operand and are not kept.
  const sumOut = (x: NDArray, ix: string, other: string): [NDArray, string] => {
    const axes = [...ix].flatMap((c, i) => (!other.includes(c) && !keep.has(c) ? [i] : []));
    if (!axes.length) return [x, ix];
    return [reduceSumP.bind1([x], { axes }), [...ix].filter((_, i) => !axes.includes(i)).join("")];
  };
  [a, ia] = sumOut(a, ia, ib);
  [b, ib] = sumOut(b, ib, ia);
  const shared = [...ia].filter((c) => ib.includes(c));
  const batch = shared.filter((c) => keep.has(c));
  const contract = shared.filter((c) => !keep.has(c));
  for (const c of shared) {
    if (a.shape[ia.indexOf(c)] !== b.shape[ib.indexOf(c)]) {
      throw new Error(`einsum: index "${c}" has size ${a.shape[ia.indexOf(c)]} in one operand and ${b.shape[ib.indexOf(c)]} in another`);
    }
  }
  const out = dotGeneralP.bind1([a, b], {
    dimensionNumbers: [[contract.map((c) => ia.indexOf(c)), contract.map((c) => ib.indexOf(c))], [batch.map((c) => ia.indexOf(c)), batch.map((c) => ib.indexOf(c))]],
  });
  const outIdx = batch.join("") + [...ia].filter((c) => !shared.includes(c)).join("") + [...ib].filter((c) => !shared.includes(c)).join("");
  return [out, outIdx];
}

/**
 * Einstein summation over one or more operands, contracted left to right with dot_general.
 * Supports "..." and implicit output; repeated indices within one operand (diagonals) are not supported.
 *
 * @example
 * const a = np.ones([2, 3]), b = np.ones([3, 4]);
 * np.einsum("ij,jk->ik", a, b).shape                                  // [2, 4] (matmul)
 * np.einsum("bij,bjk->bik", np.ones([5, 2, 3]), np.ones([5, 3, 4])).shape   // [5, 2, 4] (batched matmul)
 * np.einsum("i,i->", np.array([1, 2]), np.array([3, 4]))                 // 11 (inner product)
 */
export const einsum = scoped((subscripts: string, ...operands: ArrayLike[]): NDArray => {
  if (operands.length === 0) throw new Error("einsum: needs at least one operand");
  const arrays = promote(operands, operands.map((_, i) => `operands[${i}]`));
  const { inputs, output } = parseEinsum(subscripts, arrays.map((a) => a.ndim));
  let acc = arrays[0]!;
  let idx = inputs[0]!;
  for (let i = 1; i < arrays.length; i++) {
    const rest = new Set([...output, ...inputs.slice(i + 1).join("")]);
    [acc, idx] = contractPair(acc, idx, arrays[i]!, inputs[i]!, rest);
  }
  const drop = [...idx].flatMap((c, i) => (output.includes(c) ? [] : [i]));
  if (drop.length) {
    acc = reduceSumP.bind1([acc], { axes: drop });
    idx = [...idx].filter((_, i) => !drop.includes(i)).join("");
  }
  for (const c of output) if (!idx.includes(c)) throw new Error(`einsum: output index "${c}" does not appear in any input`);
  const perm = [...output].map((c) => idx.indexOf(c));
  return perm.every((p, i) => p === i) ? acc : transposeP.bind1([acc], { permutation: perm });
});
