/**
 * Attention: `scaledDotProductAttention` (the function), `causalMask`, and the
 * `multiHeadAttention` layer (Vaswani et al.).
 */
import { np, type NDArray } from "../../src/index.ts";
import { softmax } from "../activations.ts";
import { checkInput, checkPositiveInt, LayerInputError } from "../errors.ts";
import { glorotUniform, zeros, type Initializer } from "../initializers.ts";
import { splitKey, stateless, type EmptyState, type Module } from "../module.ts";
import { dense, type LinearParams } from "./linear.ts";

/**
 * Added to the scores of masked keys: exp(−1e30 − max) is exactly 0 in float32, so their
 * softmax weight (and every gradient through them) is exactly 0, and a fully masked row
 * stays finite (uniform). An additive bias computed on the small [T, S] mask broadcasts
 * natively, where a select would first tile the mask to the scores' full shape.
 */
const MASKED = -1e30;

/**
 * A lower-triangular bool mask `[t, s]`: query i may attend to keys j <= i.
 * @example
 * nn.causalMask(3).toArray()   // [[true, false, false], [true, true, false], [true, true, true]]
 */
export function causalMask(t: number, s = t): NDArray {
  checkPositiveInt("causalMask", "t", t, { min: 0 });
  checkPositiveInt("causalMask", "s", s, { min: 0 });
  return np.arange(t, undefined, 1, { dtype: "int32" }).reshape([t, 1]).ge(np.arange(s, undefined, 1, { dtype: "int32" }));
}

/**
 * softmax(q·kᵀ / √d + mask)·v over the last two axes: `q` `[..., T, d]`, `k` `[..., S, d]`,
 * `v` `[..., S, dv]` → `[..., T, dv]`. `mask` (bool, broadcastable to `[..., T, S]`, true =
 * may attend) and `causal` exclude keys: their weight is exactly 0 (so is the gradient
 * through them).
 *
 * @example
 * const [q, k, v] = [random.normal(random.key(1), [4, 8]), random.normal(random.key(2), [4, 8]), random.normal(random.key(3), [4, 2])];
 * nn.scaledDotProductAttention(q, k, v, { causal: true }).shape   // [4, 2]
 * nn.scaledDotProductAttention(np.array([[1, 1]]), np.array([[1, 0], [0, 0]]), np.array([[10], [20]]))   // [[13.3]]
 * @throws Error when the shapes disagree (naming them).
 */
export function scaledDotProductAttention(q: NDArray, k: NDArray, v: NDArray, { mask, causal = false }: { mask?: NDArray | undefined; causal?: boolean } = {}): NDArray {
  const d = q.shape[q.ndim - 1]!;
  if (k.shape[k.ndim - 1] !== d || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new Error(`scaledDotProductAttention: q [..., T, d], k [..., S, d] and v [..., S, dv] must agree; got q [${q.shape.join(", ")}], k [${k.shape.join(", ")}], v [${v.shape.join(", ")}]`);
  }
  let scores = np.matmul(q, np.swapaxes(k, -1, -2)).mul(1 / Math.sqrt(d));
  let keep = mask;
  if (causal) {
    const c = causalMask(q.shape[q.ndim - 2]!, k.shape[k.ndim - 2]!);
    keep = keep ? np.logicalAnd(keep, c) : c;
  }
  if (keep) {
    if (keep.dtype !== "bool") throw new TypeError(`scaledDotProductAttention: mask must be bool (true = may attend); got ${keep.aval.str()}`);
    scores = scores.add(np.where(keep, 0, MASKED));
  }
  return np.matmul(softmax(scores), v);
}

/**
 * Parameters of `multiHeadAttention`: the query, key, value and output projections.
 * @example
 * const mha = nn.multiHeadAttention({ numHeads: 2, dim: 8 });
 * const p: MultiHeadAttentionParams = mha.init(key).params;
 * p.q.w.shape   // [8, 8]
 */
export interface MultiHeadAttentionParams {
  /** Query projection `[dim, dim]`. */
  q: LinearParams;
  /** Key projection `[kvDim, dim]`. */
  k: LinearParams;
  /** Value projection `[kvDim, dim]`. */
  v: LinearParams;
  /** Output projection `[dim, dim]`. */
  o: LinearParams;
}

/**
 * Options of `multiHeadAttention`.
 * @example
 * nn.multiHeadAttention({ numHeads: 4, dim: 64, causal: true } satisfies MultiHeadAttentionOptions);
 */
export interface MultiHeadAttentionOptions {
  /** Number of heads; must divide `dim`. */
  numHeads: number;
  /** Model dimension (queries' last axis and the output's). */
  dim: number;
  /** Last axis of the cross-attention source `kv`. Default `dim`. */
  kvDim?: number;
  /** Query i attends only to keys j <= i. Default false. */
  causal?: boolean;
  /** Biases in the four projections. Default true. */
  bias?: boolean;
  /** Initializer of the projection weights. Default glorotUniform. */
  wInit?: Initializer;
}

/**
 * Multi-head attention: queries from `x` `[..., T, dim]`; keys and values from `x`
 * (self-attention) or from `options.kv` `[..., S, kvDim]` (cross-attention), each projected
 * and split into `numHeads` heads of `dim / numHeads`; scaled dot-product attention per
 * head, heads concatenated and projected back to `dim`. `causal` and `options.mask` (bool,
 * broadcastable to `[..., T, S]`, e.g. a key padding mask `[B, 1, S]`) restrict attention.
 *
 * Returns a module with params `{ q, k, v, o }` (each `{ w, b }`): 2·dim² + 2·dim·kvDim + 4·dim
 * parameters with biases.
 *
 * @example
 * const mha = nn.multiHeadAttention({ numHeads: 2, dim: 8, causal: true });
 * const { params } = mha.init(random.key(0));
 * const x = random.normal(random.key(1), [3, 5, 8]), encoderOut = random.normal(random.key(2), [3, 7, 8]);
 * nn.call(mha, params, x).shape                              // [3, 5, 8]
 * mha.apply(params, {}, x, { kv: encoderOut })[0].shape      // [3, 5, 8] (cross-attention)
 * @throws LayerInputError when `x` or `kv` have the wrong last axis; RangeError if numHeads does not divide dim.
 */
export function multiHeadAttention({ numHeads, dim, kvDim = dim, causal = false, bias = true, wInit = glorotUniform }: MultiHeadAttentionOptions): Module<MultiHeadAttentionParams, EmptyState> {
  checkPositiveInt("multiHeadAttention", "numHeads", numHeads);
  checkPositiveInt("multiHeadAttention", "dim", dim);
  checkPositiveInt("multiHeadAttention", "kvDim", kvDim);
  if (dim % numHeads !== 0) throw new RangeError(`multiHeadAttention: numHeads (${numHeads}) must divide dim (${dim})`);
  const headDim = dim / numHeads;
  const name = `multiHeadAttention(${numHeads} heads, dim ${dim}${causal ? ", causal" : ""})`;
  const proj = (key: NDArray | undefined, inDim: number): LinearParams => ({ w: wInit(key!, [inDim, dim]), b: bias ? zeros(key!, [dim]) : null });
  // [..., T, dim] → [..., heads, T, headDim]
  const heads = (y: NDArray) => np.swapaxes(y.reshape([...y.shape.slice(0, -1), numHeads, headDim]), -2, -3);
  return stateless({
    name,
    init: (key) => {
      const [kq, kk, kv, ko] = splitKey(key, 4);
      return { q: proj(kq, dim), k: proj(kk, kvDim), v: proj(kv, kvDim), o: proj(ko, dim) };
    },
    apply: (p, x, { kv, mask }) => {
      checkInput(name, x, [null, dim], { labels: ["T", String(dim)] });
      const src = kv ?? x;
      if (kv !== undefined) {
        try {
          checkInput(name, kv, [null, kvDim], { labels: ["S", String(kvDim)] });
        } catch (e) {
          if (e instanceof LayerInputError) throw new LayerInputError(`${name} (kv)`, e.expected, e.actual);
          throw e;
        }
      }
      const q = heads(dense(x, p.q.w, p.q.b));
      const k = heads(dense(src, p.k.w, p.k.b));
      const v = heads(dense(src, p.v.w, p.v.b));
      // The mask is [..., T, S]: insert the heads axis so it broadcasts over heads.
      const m = mask === undefined ? undefined : mask.ndim >= 2 ? np.expandDims(mask, mask.ndim - 2) : mask;
      const out = scaledDotProductAttention(q, k, v, { mask: m, causal });
      const merged = np.swapaxes(out, -2, -3);
      return dense(merged.reshape([...merged.shape.slice(0, -2), dim]), p.o.w, p.o.b);
    },
  });
}
