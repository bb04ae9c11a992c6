/**
 * batchNorm, layerNorm, dropout and embedding: forward values by hand, training versus
 * inference behaviour, state updates, dropout's rate and scaling, determinism in the key.
 *
 * Tolerances: normalized values are (x − mean)/√(var + eps) with eps = 1e-5 included in
 * the hand computation; float32 rounding through a mean, a variance and a square root
 * stays below 1e-5 absolute for O(1) data (expectArray default rtol 1e-5, atol 1e-5).
 * Dropout's keep fraction over n = 20,000 draws has a standard deviation of
 * √(p(1−p)/n) ≤ 0.0036, so ±0.02 is five and a half standard deviations.
 */
import { describe, expect, test } from "vitest";
import { jit, np, random, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray } from "../helpers.ts";

const key = random.key(0);
const eps = 1e-5;

describe("batchNorm", () => {
  // 4 examples × 2 features
  const x = np.array([[1, 10], [2, 20], [3, 30], [6, 0]]);
  const col = (j: number) => (x.toArray() as number[][]).map((r) => r[j]!);
  const stats = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length] as const;
  };

  test("training normalizes each feature with the batch statistics, then scale and bias", () => {
    const bn = nn.batchNorm(2);
    const { state } = bn.init(key);
    const params = { scale: np.array([2, 0.5]), bias: np.array([1, -1]) };
    const [y] = bn.apply(params, state, x, { train: true });
    const expected = [0, 1].map((j) => {
      const [m, v] = stats(col(j));
      return col(j).map((e) => ((e - m) / Math.sqrt(v + eps)) * [2, 0.5][j]! + [1, -1][j]!);
    });
    expectArray(y, expected[0]!.map((e0, i) => [e0, expected[1]![i]!]), { atol: 1e-5 });
    // with the default affine params (1, 0) each feature has mean 0 and variance ≈ 1
    const [z] = bn.apply(bn.init(key).params, state, x, { train: true });
    expectArray(np.mean(z, { axis: 0 }), [0, 0], { atol: 1e-6 });
    expectArray(np.var(z, { axis: 0 }), [0, 1].map((j) => stats(col(j))[1] / (stats(col(j))[1] + eps)), { atol: 1e-5 });
  });

  test("training moves the running averages by the momentum; inference uses them and leaves the state alone", () => {
    const bn = nn.batchNorm(2, { momentum: 0.9 });
    const { params, state } = bn.init(key);
    expectArray(state.mean, [0, 0]);
    expectArray(state.var, [1, 1]);
    const [, s1] = bn.apply(params, state, x, { train: true });
    const [m0, v0] = stats(col(0)), [m1, v1] = stats(col(1));
    expectArray(s1.mean, [0.1 * m0, 0.1 * m1], { atol: 1e-5 });
    expectArray(s1.var, [0.9 + 0.1 * v0, 0.9 + 0.1 * v1], { atol: 1e-4 });
    const [, s2] = bn.apply(params, s1, x, { train: true });
    expectArray(s2.mean, [0.19 * m0, 0.19 * m1], { atol: 1e-5 });
    // inference: (x − running mean) / √(running var + eps); the state is returned as is
    const [y, s3] = bn.apply(params, s2, x);
    expect(s3).toBe(s2);
    const rm = s2.mean.toArray() as number[], rv = s2.var.toArray() as number[];
    expectArray(y, (x.toArray() as number[][]).map((r) => r.map((e, j) => (e - rm[j]!) / Math.sqrt(rv[j]! + eps))), { atol: 1e-5 });
    // a single example works in inference (no batch statistics needed)
    expect(nn.call(bn, params, np.array([1, 2]), { state: s2 }).shape).toEqual([2]);
  });

  test("NHWC images: statistics per channel over batch, height and width", () => {
    const bn = nn.batchNorm(3);
    const { params, state } = bn.init(key);
    const img = random.normal(random.key(3), [4, 5, 5, 3]).mul(np.array([1, 2, 3])).add(np.array([0, 5, -5]));
    const [y, s] = bn.apply(params, state, img, { train: true });
    expectArray(np.mean(y, { axis: [0, 1, 2] }), [0, 0, 0], { atol: 1e-5 });
    expectArray(np.std(y, { axis: [0, 1, 2] }), [1, 1, 1], { atol: 1e-3 });
    expectArray(s.mean, np.mean(img, { axis: [0, 1, 2] }).mul(0.01).toArray() as number[], { atol: 1e-6 });
    expect(nn.countParams(params)).toBe(6);
  });

  test("the running statistics carry no gradient; under jit the whole train step works", () => {
    const bn = nn.batchNorm(2);
    const { params, state } = bn.init(key);
    const step = jit((p: nn.NormParams, s: nn.BatchNormState, v: NDArray) => bn.apply(p, s, v, { train: true }));
    const [y, s1] = step(params, state, x);
    expectArray(y, bn.apply(params, state, x, { train: true })[0].toArray() as number[][], { atol: 1e-6 });
    expect(s1.mean.shape).toEqual([2]);
  });
});

describe("layerNorm", () => {
  test("each example normalized over its trailing dimensions, by hand", () => {
    const ln = nn.layerNorm(3);
    const params = { scale: np.array([1, 2, 3]), bias: np.array([0, 0, 1]) };
    const rows = [[1, 2, 3], [10, 0, -4]];
    const expected = rows.map((r) => {
      const m = (r[0]! + r[1]! + r[2]!) / 3, v = r.reduce((a, b) => a + (b - m) ** 2, 0) / 3;
      return r.map((e, j) => ((e - m) / Math.sqrt(v + eps)) * [1, 2, 3][j]! + [0, 0, 1][j]!);
    });
    expectArray(nn.call(ln, params, np.array(rows)), expected, { atol: 1e-5 });
    // [1, 2, 3]: mean 2, var 2/3 → (−1, 0, 1)/0.8165
    expectArray(nn.call(ln, ln.init(key).params, np.array([1, 2, 3])), [-1.2247357, 0, 1.2247357], { atol: 1e-5 });
  });

  test("a multi-dimensional shape normalizes over all of it; the same in training and inference", () => {
    const ln = nn.layerNorm([2, 3]);
    const { params } = ln.init(key);
    expect(params.scale!.shape).toEqual([2, 3]);
    expect(nn.countParams(params)).toBe(12);
    const x = random.normal(random.key(1), [4, 2, 3]).mul(3).add(2);
    const y = nn.call(ln, params, x);
    expectArray(np.mean(y, { axis: [1, 2] }), [0, 0, 0, 0], { atol: 1e-5 });
    expectArray(y, ln.apply(params, {}, x, { train: true })[0].toArray() as number[][][]);
  });
});

describe("dropout", () => {
  const x = np.ones([20000]);

  test.each([0.1, 0.5, 0.8])("rate %d: drops that fraction and scales survivors by 1/(1 − rate)", (rate) => {
    const [y] = nn.dropout(rate).apply({}, {}, x, { key, train: true });
    const v = Array.from(y.dataSync() as Float32Array);
    const kept = v.filter((e) => e !== 0);
    expect(Math.abs(kept.length / v.length - (1 - rate))).toBeLessThan(0.02);
    expect(kept.every((e) => Math.abs(e - 1 / (1 - rate)) < 1e-6)).toBe(true);
    // the mean is preserved in expectation
    expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - 1)).toBeLessThan(0.1);
  });

  test("the same key gives the same mask; another key another", () => {
    const d = nn.dropout(0.5);
    const a = d.apply({}, {}, x, { key, train: true })[0].toArray();
    const b = d.apply({}, {}, x, { key, train: true })[0].toArray();
    const c = d.apply({}, {}, x, { key: random.key(1), train: true })[0].toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  test("identity in inference (and at rate 0); zeros at rate 1", () => {
    const y = np.array([[1, -2], [3, 4]]);
    expect(nn.call(nn.dropout(0.5), {}, y)).toBe(y);
    expect(nn.dropout(0.5).apply({}, {}, y, { key, train: false })[0]).toBe(y);
    expect(nn.dropout(0).apply({}, {}, y, { train: true })[0]).toBe(y);
    expectArray(nn.dropout(1).apply({}, {}, y, { key, train: true })[0], [[0, 0], [0, 0]]);
  });

  test("training without a key is an error that says how to pass one", () => {
    expect(() => nn.dropout(0.5).apply({}, {}, x, { train: true })).toThrow(/dropout\(0.5\): training needs a PRNG key for the dropout mask: model.apply\(params, state, x, \{ train: true, key: random.key\(0\) \}\)/);
    const model = nn.sequential([nn.linear(2, 2), nn.dropout(0.3)]);
    expect(() => model.apply(model.init(key).params, {}, np.ones([1, 2]), { train: true })).toThrow(/dropout\(0.3\): training needs a PRNG key/);
  });

  test("the gradient flows through the kept elements only, scaled", () => {
    const d = nn.dropout(0.5);
    const [y] = d.apply({}, {}, np.ones([8]), { key, train: true });
    const mask = (y.toArray() as number[]).map((e) => (e !== 0 ? 2 : 0));
    const g = jit((v: NDArray) => d.apply({}, {}, v, { key, train: true })[0]);
    expectArray(g(np.ones([8])), mask);
  });
});

describe("embedding", () => {
  test("looks up rows; count·dim parameters; any index shape", () => {
    const emb = nn.embedding(4, 2);
    const table = np.array([[0, 1], [10, 11], [20, 21], [30, 31]]);
    const ids = np.array([[3, 0], [1, 1]], { dtype: "int32" });
    expectArray(nn.call(emb, { table }, ids), [[[30, 31], [0, 1]], [[10, 11], [10, 11]]]);
    expect(nn.countParams(emb.init(key).params)).toBe(8);
  });
});
