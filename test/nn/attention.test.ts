/**
 * Attention and Transformers: scaled dot-product attention by hand, multi-head attention
 * against a per-head computation, causal masking with an exactly zero gradient from the
 * future, padding masks, sinusoidal encodings, encoder/decoder layers (parameter counts,
 * pre/post norm, causality of the decoder, dependence on the memory).
 *
 * Tolerances: outputs are softmax-weighted sums of O(1) values over <= 8 keys through
 * two projections of size <= 8: float32 error ~1e-6, so atol 1e-5. Causality is checked
 * for exact zeros, with no tolerance: a masked score gets softmax weight exactly 0.
 */
import { describe, expect, test } from "vitest";
import { grad, np, random, vjp, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray, rand } from "../helpers.ts";

const key = random.key(0);
const arr = (n: number, shape: number[], seed: number) => np.array(rand(n, seed)).reshape(shape);

/** softmax(q kᵀ/√d) v on host arrays, with an optional keep-mask. */
function hostAttention(q: number[][], k: number[][], v: number[][], keep?: (i: number, j: number) => boolean): number[][] {
  const d = q[0]!.length;
  return q.map((qi, i) => {
    const s = k.map((kj, j) => (keep && !keep(i, j) ? -Infinity : qi.reduce((a, x, c) => a + x * kj[c]!, 0) / Math.sqrt(d)));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    return v[0]!.map((_, c) => e.reduce((a, w, j) => a + (w / z) * v[j]![c]!, 0));
  });
}

describe("scaledDotProductAttention", () => {
  const q = arr(3 * 4, [3, 4], 1), k = arr(5 * 4, [5, 4], 2), v = arr(5 * 2, [5, 2], 3);
  const H = (x: NDArray) => x.toArray() as number[][];

  test("softmax(q·kᵀ/√d)·v by hand, with and without masks", () => {
    expectArray(nn.scaledDotProductAttention(q, k, v), hostAttention(H(q), H(k), H(v)), { atol: 1e-5 });
    expectArray(nn.scaledDotProductAttention(q, k, v, { causal: true }), hostAttention(H(q), H(k), H(v), (i, j) => j <= i), { atol: 1e-5 });
    const keep = np.array([true, false, true, true, false]);
    expectArray(nn.scaledDotProductAttention(q, k, v, { mask: keep }), hostAttention(H(q), H(k), H(v), (_i, j) => [0, 2, 3].includes(j)), { atol: 1e-5 });
  });

  test("one query, two keys: weights are the softmax of the scaled scores", () => {
    const out = nn.scaledDotProductAttention(np.array([[1, 1]]), np.array([[1, 0], [0, 0]]), np.array([[10], [20]]));
    const w = 1 / (1 + Math.exp(-1 / Math.SQRT2));   // scores 1/√2 and 0
    expectArray(out, [[10 * w + 20 * (1 - w)]], { atol: 1e-5 });
  });

  test("the mask bias is a float: JS numbers beyond int32 (−1e30) enter as weak float32, not as a wrapped int32", () => {
    const bias = np.where(np.array([true, false]), 0, -1e30);
    expect(bias.dtype).toBe("float32");
    expectArray(bias, [0, -1e30], { rtol: 1e-6 });
  });

  test("causalMask is lower triangular", () => {
    expect(nn.causalMask(3).toArray()).toEqual([[true, false, false], [true, true, false], [true, true, true]]);
    expect(nn.causalMask(2, 3).toArray()).toEqual([[true, false, false], [true, true, false]]);
  });
});

describe("multiHeadAttention", () => {
  const [B, T, D, heads] = [2, 5, 8, 2];
  const x = arr(B * T * D, [B, T, D], 4);

  test("Q/K/V projections, attention per head, concatenation, output projection (by hand)", () => {
    const mha = nn.multiHeadAttention({ numHeads: heads, dim: D });
    const { params } = mha.init(key);
    const proj = (v: NDArray, p: nn.LinearParams) => np.matmul(v, p.w).add(p.b!);
    const xb = x.get(1);
    const q = proj(xb, params.q), k = proj(xb, params.k), v = proj(xb, params.v);
    const hd = D / heads;
    const perHead = Array.from({ length: heads }, (_, hh) => {
      const sl = (m: NDArray) => (m.toArray() as number[][]).map((r) => r.slice(hh * hd, (hh + 1) * hd));
      return hostAttention(sl(q), sl(k), sl(v));
    });
    const concat = perHead[0]!.map((r, t) => [...r, ...perHead[1]![t]!]);
    const expected = proj(np.array(concat), params.o);
    const out = nn.call(mha, params, x);
    expect(out.shape).toEqual([B, T, D]);
    expectArray(out.get(1), expected.toArray() as number[][], { atol: 1e-5 });
    // parameters: 4 projections dim×dim + dim
    expect(nn.countParams(params)).toBe(4 * (D * D + D));
  });

  test("causal: the gradient of output t with respect to inputs after t is exactly 0", () => {
    const mha = nn.multiHeadAttention({ numHeads: heads, dim: D, causal: true });
    const { params } = mha.init(key);
    const [out, pullback] = vjp((v: NDArray) => nn.call(mha, params, v), x);
    for (let t = 0; t < T; t++) {
      const ct = np.zeros(out.shape).add(np.oneHot(np.array(t, { dtype: "int32" }), T).reshape([1, T, 1]));
      const gx = (pullback(ct)[0] as NDArray).toArray() as number[][][];
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < T; s++) {
          const row = gx[b]![s]!;
          if (s > t) expect(row.every((g) => g === 0), `d out[${t}] / d x[${s}] must be exactly 0; got ${row}`).toBe(true);
          else if (s === t) expect(row.some((g) => g !== 0)).toBe(true);
        }
      }
    }
  });

  test("causal: changing the future does not change the past", () => {
    const mha = nn.multiHeadAttention({ numHeads: heads, dim: D, causal: true });
    const { params } = mha.init(key);
    const changed = np.concatenate([np.slice(x, [null, 0], [null, 3]), np.slice(x, [null, 3]).mul(-7)], { axis: 1 });
    const a = nn.call(mha, params, x).toArray() as number[][][], b = nn.call(mha, params, changed).toArray() as number[][][];
    for (let t = 0; t < 3; t++) expect(b[0]![t]).toEqual(a[0]![t]);
    expect(b[0]![4]).not.toEqual(a[0]![4]);
  });

  test("a padding mask [B, 1, S] removes those keys: their values have no influence and no gradient", () => {
    const mha = nn.multiHeadAttention({ numHeads: heads, dim: D });
    const { params } = mha.init(key);
    // example 0 attends to all 5 positions; example 1 only to the first 3
    const mask = np.array([[[true, true, true, true, true]], [[true, true, true, false, false]]]);
    const run = (v: NDArray) => mha.apply(params, {}, v, { mask })[0];
    const y = run(x);
    const truncated = nn.call(mha, params, np.slice(x, [1, 0], [2, 3]));   // example 1 with only 3 positions
    expectArray(np.slice(y, [1, 0], [2, 3]), truncated.toArray() as number[][][], { atol: 1e-5 });
    const g = grad((v: NDArray) => np.sum(np.slice(run(v), [1, 0], [2, 3])))(x).toArray() as number[][][];
    expect(g[1]![3]!.every((e) => e === 0) && g[1]![4]!.every((e) => e === 0)).toBe(true);
  });

  test("cross-attention: queries from x, keys and values from kv of another length and width", () => {
    const mha = nn.multiHeadAttention({ numHeads: heads, dim: D, kvDim: 6 });
    const { params } = mha.init(key);
    expect(params.k.w.shape).toEqual([6, D]);
    expect(nn.countParams(params)).toBe(2 * (D * D + D) + 2 * (6 * D + D));
    const kv = arr(B * 7 * 6, [B, 7, 6], 5);
    const y = mha.apply(params, {}, x, { kv })[0];
    expect(y.shape).toEqual([B, T, D]);
    // the output at one query depends on kv: perturbing kv changes it
    expect(mha.apply(params, {}, x, { kv: kv.mul(2) })[0].toArray()).not.toEqual(y.toArray());
  });
});

describe("positional encoding", () => {
  test("sin/cos table by the formula, added to the input", () => {
    const pe = nn.sinusoidalEncoding(4, 6);
    const expected = Array.from({ length: 4 }, (_, p) => Array.from({ length: 6 }, (_, j) => {
      const a = p / 10000 ** ((2 * Math.floor(j / 2)) / 6);
      return j % 2 === 0 ? Math.sin(a) : Math.cos(a);
    }));
    expectArray(pe, expected, { atol: 1e-6 });
    const x = arr(2 * 4 * 6, [2, 4, 6], 6);
    expectArray(nn.call(nn.positionalEncoding(6), {}, x), x.add(pe).toArray() as number[][][]);
    expect(nn.countParams(nn.positionalEncoding(6).init(key).params)).toBe(0);
  });
});

describe("transformer layers", () => {
  const [B, T, D, heads, ff] = [2, 4, 8, 2, 16];
  const x = arr(B * T * D, [B, T, D], 7);

  test("encoder: parameter count; pre- and post-norm differ; post-norm output is normalized", () => {
    const post = nn.transformerEncoderLayer({ dim: D, numHeads: heads, ffDim: ff });
    const pre = nn.transformerEncoderLayer({ dim: D, numHeads: heads, ffDim: ff, norm: "pre" });
    const { params } = post.init(key);
    expect(nn.countParams(params)).toBe(4 * (D * D + D) + (D * ff + ff) + (ff * D + D) + 4 * D);
    const yPost = nn.call(post, params, x), yPre = nn.call(pre, params, x);
    expect(yPost.shape).toEqual([B, T, D]);
    expect(yPre.toArray()).not.toEqual(yPost.toArray());
    expectArray(np.mean(yPost, { axis: -1 }), np.zeros([B, T]).toArray() as number[][], { atol: 1e-5 });
  });

  test("encoder by hand: post-norm x1 = LN(x + MHA(x)), y = LN(x1 + FF(x1))", () => {
    const layer = nn.transformerEncoderLayer({ dim: D, numHeads: heads, ffDim: ff });
    const { params } = layer.init(key);
    const mha = nn.multiHeadAttention({ numHeads: heads, dim: D }), ln = nn.layerNorm(D);
    const ffn = (v: NDArray) => np.matmul(nn.relu(np.matmul(v, params.ff1.w).add(params.ff1.b!)), params.ff2.w).add(params.ff2.b!);
    const x1 = nn.call(ln, params.norm1, x.add(nn.call(mha, params.attn, x)));
    const y = nn.call(ln, params.norm2, x1.add(ffn(x1)));
    expectArray(nn.call(layer, params, x), y.toArray() as number[][][], { atol: 1e-5 });
    // pre-norm: x1 = x + MHA(LN(x)), y = x1 + FF(LN(x1))
    const pre = nn.transformerEncoderLayer({ dim: D, numHeads: heads, ffDim: ff, norm: "pre" });
    const p1 = x.add(nn.call(mha, params.attn, nn.call(ln, params.norm1, x)));
    expectArray(nn.call(pre, params, x), p1.add(ffn(nn.call(ln, params.norm2, p1))).toArray() as number[][][], { atol: 1e-5 });
  });

  test("decoder: causal self-attention, cross-attention on memory, parameter count", () => {
    const dec = nn.transformerDecoderLayer({ dim: D, numHeads: heads, ffDim: ff, norm: "pre" });
    const { params } = dec.init(key);
    expect(nn.countParams(params)).toBe(2 * 4 * (D * D + D) + (D * ff + ff) + (ff * D + D) + 6 * D);
    const memory = arr(B * 6 * D, [B, 6, D], 8);
    const run = (v: NDArray, m = memory) => dec.apply(params, {}, v, { memory: m })[0];
    const y = run(x);
    expect(y.shape).toEqual([B, T, D]);
    // causal: gradient of output 1 w.r.t. inputs 2 and 3 is exactly 0
    const g = grad((v: NDArray) => np.sum(np.slice(run(v), [null, 1], [null, 2])))(x).toArray() as number[][][];
    expect([2, 3].every((s) => g[0]![s]!.every((e) => e === 0))).toBe(true);
    expect(g[0]![1]!.some((e) => e !== 0)).toBe(true);
    // every output depends on the memory
    expect(run(x, memory.mul(-1)).toArray()).not.toEqual(y.toArray());
    expect(() => nn.call(dec, params, x)).toThrow(/cross-attention needs the encoder output: layer.apply\(params, state, x, \{ memory \}\)/);
  });

  test("dropout inside the layer needs a key in training and is the identity in inference", () => {
    const layer = nn.transformerEncoderLayer({ dim: D, numHeads: heads, dropout: 0.5 });
    const { params } = layer.init(key);
    expect(() => layer.apply(params, {}, x, { train: true })).toThrow(/training needs a PRNG key/);
    const a = layer.apply(params, {}, x, { train: true, key })[0];
    expect(a.toArray()).not.toEqual(nn.call(layer, params, x).toArray());
    expect(nn.call(layer, params, x).toArray()).toEqual(nn.call(nn.transformerEncoderLayer({ dim: D, numHeads: heads }), params, x).toArray());
  });
});
