/**
 * checkGrads on every layer's apply, with respect to the parameters and the inputs
 * together: forward mode (jvp against central differences along a random direction) and
 * reverse mode (the cotangent projection <u, J v> = <Jᵀu, v> against central differences),
 * as jax.test_util.check_grads.
 *
 * Tolerances: checkGrads' defaults (eps 1e-3, atol = rtol = 2e-3, JAX's float32 gradient
 * tolerance; see DEFAULTS in src/testing/check_grads.ts) for small layers. Composite
 * models sum many more float32 terms per output, so the rounding of f grows to ~1e-6·|f|
 * and its share of the difference quotient to ~1e-3 at eps 1e-3; for the smooth ones
 * (tanh, gelu, average pooling) eps = 3e-3 brings that share to ~3e-4 while the truncation
 * eps²/6·|f'''| stays ~1.5e-4 even for |f'''| ~ 100 (a layer norm over 4 features); at
 * eps = 1e-2 that truncation term already fails the pre-norm encoder (1% off). Layer norm's
 * derivatives grow like 1/σ, 1/σ², 1/σ³ of its input, so GPT is checked with embeddings of
 * size O(1) instead of its N(0, 0.02²) init (there |f'''| ~ 2e4: the error grows as eps²,
 * 0.004 at 1e-3, 0.035 at 3e-3). Models with relu
 * or max pooling keep eps = 1e-3: a step of 1e-2 can cross a kink or change which element
 * of a pooling window is the maximum (two post-relu values 0.0283 and 0.0303 in one window
 * of the vggBlock case do), and the difference quotient then measures the jump. Inputs
 * are small random values, away from kinks and ties by more than 1e-3 with these seeds.
 */
import { describe, expect, test } from "vitest";
import { grad, np, random, type NDArray } from "../../src/index.ts";
import { checkGrads } from "../../src/testing/index.ts";
import * as nn from "../../nn/index.ts";
import { rand } from "../helpers.ts";

const key = random.key(3);
const arr = (shape: number[], seed: number, scale = 1) => np.array(rand(shape.reduce((a, b) => a * b, 1), seed, -scale, scale)).reshape(shape);

/** checkGrads of (params, x) ↦ apply(params, state, x, options)[0]. */
function checkModule(model: nn.Module, x: NDArray, { options = {}, state, eps, order = 1 }: { options?: nn.ApplyOptions; state?: unknown; eps?: number; order?: number } = {}): void {
  const init = model.init(key);
  const s = state ?? init.state;
  checkGrads((p: unknown, v: NDArray) => model.apply(p, s, v, options)[0], [init.params, x], { order, ...(eps ? { eps } : {}) });
}

describe("checkGrads on every layer (params and inputs)", () => {
  test("linear (to second order), with and without bias", () => {
    checkModule(nn.linear(3, 4), arr([2, 3], 1), { order: 2 });
    checkModule(nn.linear(3, 2, { bias: false }), arr([5, 3], 2));
  });

  test("conv1d and conv2d: stride, padding, dilation, groups", () => {
    checkModule(nn.conv1d(2, 3, 3, { stride: 2, padding: "SAME" }), arr([2, 7, 2], 3));
    checkModule(nn.conv2d(2, 3, 3), arr([1, 5, 5, 2], 4));
    checkModule(nn.conv2d(4, 4, 3, { stride: 2, padding: "SAME", groups: 2 }), arr([1, 5, 6, 4], 5));
    checkModule(nn.conv2d(2, 2, 2, { dilation: 2, padding: [[1, 0], [0, 1]] }), arr([1, 5, 5, 2], 6));
  });

  test("convTranspose2d", () => {
    checkModule(nn.convTranspose2d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }), arr([1, 3, 3, 2], 7));
  });

  test("pooling and flatten", () => {
    // distinct values in every window: max pooling is differentiable there
    checkModule(nn.maxPool2d(2), arr([1, 4, 4, 2], 8));
    checkModule(nn.maxPool2d(3, { stride: 2, padding: "SAME" }), arr([1, 5, 5, 1], 9));
    checkModule(nn.avgPool2d(2, { stride: 1, padding: 1, countIncludePad: false }), arr([1, 3, 3, 2], 10));
    checkModule(nn.globalAvgPool(), arr([2, 3, 3, 2], 11));
    checkModule(nn.flatten(), arr([2, 2, 2, 2], 12));
  });

  test("batchNorm in training (batch statistics) and in inference (running statistics)", () => {
    const bn = nn.batchNorm(3);
    checkModule(bn, arr([4, 3], 13), { options: { train: true } });
    checkModule(bn, arr([2, 2, 2, 3], 14), { options: { train: true } });
    checkModule(bn, arr([4, 3], 15), { state: { mean: np.array([0.1, -0.2, 0.3]), var: np.array([0.5, 1, 2]) } });
    // the running averages are state, not a function to differentiate: no gradient flows into them
    const gMean = grad((v: NDArray) => np.sum(bn.apply(bn.init(key).params, bn.init(key).state, v, { train: true })[1].mean))(arr([4, 3], 16));
    expect((gMean.toArray() as number[][]).flat().every((g) => g === 0)).toBe(true);
  });

  test("layerNorm (to second order)", () => {
    checkModule(nn.layerNorm(4), arr([3, 4], 17), { order: 2 });
    checkModule(nn.layerNorm([2, 3]), arr([2, 2, 3], 18));
  });

  test("dropout in training with a fixed key, and embedding (params only: ids are integers)", () => {
    checkModule(nn.dropout(0.3), arr([3, 5], 19), { options: { train: true, key } });
    const emb = nn.embedding(5, 3);
    checkGrads((p: nn.EmbeddingParams) => nn.call(emb, p, np.array([[0, 3], [3, 4]], { dtype: "int32" })), [emb.init(key).params]);
  });

  test("recurrent cells: one step, with respect to params, carry and input", () => {
    for (const cell of [nn.rnnCell(3, 4), nn.lstmCell(3, 4), nn.gruCell(3, 4)] as nn.Cell[]) {
      const { params } = cell.init(key);
      const carry = cell.initialCarry([2]);
      const c0 = Array.isArray(carry) || carry instanceof Object && !("h" in carry) ? arr([2, 4], 20) : { h: arr([2, 4], 20), c: arr([2, 4], 21) };
      checkGrads((p: unknown, c: unknown, v: NDArray) => cell.step(p, c, v), [params, c0, arr([2, 3], 22)]);
    }
  });

  test("rnn over lax.scan (backpropagation through time): lstm, gru reversed with sequences", () => {
    checkModule(nn.rnn(nn.lstmCell(2, 3)), arr([2, 4, 2], 23));
    checkModule(nn.rnn(nn.gruCell(2, 3), { reverse: true, returnSequences: true }), arr([2, 4, 2], 24));
    checkModule(nn.rnn(nn.rnnCell(2, 3), { returnSequences: true }), arr([3, 2], 25));
  });

  test("multiHeadAttention: self, causal, cross-attention with a mask", () => {
    checkModule(nn.multiHeadAttention({ numHeads: 2, dim: 4 }), arr([2, 3, 4], 26));
    checkModule(nn.multiHeadAttention({ numHeads: 2, dim: 4, causal: true }), arr([1, 4, 4], 27));
    const cross = nn.multiHeadAttention({ numHeads: 1, dim: 4, kvDim: 3 });
    const mask = np.array([[[true, false, true]]]);
    checkGrads((p: nn.MultiHeadAttentionParams, v: NDArray, kv: NDArray) => cross.apply(p, {}, v, { kv, mask })[0],
      [cross.init(key).params, arr([1, 2, 4], 28), arr([1, 3, 3], 29)]);
  });

  test("positionalEncoding and transformer encoder/decoder layers (pre- and post-norm)", () => {
    checkModule(nn.positionalEncoding(4), arr([2, 3, 4], 30));
    checkModule(nn.transformerEncoderLayer({ dim: 4, numHeads: 2, ffDim: 8 }), arr([1, 3, 4], 31));   // relu: eps 1e-3
    checkModule(nn.transformerEncoderLayer({ dim: 4, numHeads: 2, ffDim: 8, norm: "pre", causal: true, activation: nn.gelu }), arr([1, 3, 4], 32), { eps: 3e-3 });
    const dec = nn.transformerDecoderLayer({ dim: 4, numHeads: 2, ffDim: 8, norm: "pre", activation: nn.tanh });
    checkGrads((p: nn.DecoderLayerParams, v: NDArray, m: NDArray) => dec.apply(p, {}, v, { memory: m })[0],
      [dec.init(key).params, arr([1, 3, 4], 33), arr([1, 2, 4], 34)], { eps: 3e-3 });
  });

  test("composites: sequential, residual, mlp", () => {
    checkModule(nn.sequential([nn.linear(3, 4), nn.tanh, nn.linear(4, 2)]), arr([2, 3], 35));
    checkModule(nn.residual(nn.sequential([nn.linear(3, 3), nn.silu])), arr([2, 3], 36));
    checkModule(nn.mlp([3, 5, 2], { activation: nn.gelu }), arr([2, 3], 37));
  });

  test("model zoo: lenet5, vggBlock, resnetBlock in training, gpt", () => {
    checkModule(nn.lenet5({ inputShape: [12, 12, 1], classes: 3 }), arr([1, 12, 12, 1], 38), { eps: 3e-3 });
    checkModule(nn.vggBlock(2, 3, { convs: 1 }), arr([1, 4, 4, 2], 39));
    checkModule(nn.resnetBlock(2, 3, { stride: 2 }), arr([2, 4, 4, 2], 40), { options: { train: true } });
    const g = nn.gpt({ vocab: 5, context: 4, layers: 1, heads: 2, dim: 4 });
    const p0 = g.init(key).params;
    const p = { ...p0, tokens: { table: arr([5, 4], 41) }, positions: { table: arr([4, 4], 42) }, head: { w: arr([4, 5], 43), b: p0.head.b } };
    checkGrads((q: nn.GPTParams) => nn.call(g, q, np.array([[1, 4, 0]], { dtype: "int32" })), [p], { eps: 3e-3 });
  });
});
