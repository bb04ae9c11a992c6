/**
 * The model zoo: LeNet-5 (61,706 parameters, layer by layer), the VGG block, the ResNet
 * basic block (identity and projection shortcuts, state threading), GPT (parameter count
 * by formula, causality over tokens).
 */
import { describe, expect, test } from "vitest";
import { np, random } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray, rand } from "../helpers.ts";

const key = random.key(0);

describe("lenet5", () => {
  test("61,706 parameters for 28×28×1 and 10 classes, layer by layer", () => {
    const { params, state } = nn.lenet5().init(key);
    expect(state).toEqual({});
    expect(nn.countParams(params)).toBe(61706);
    const counts = params.map(nn.countParams).filter((n) => n > 0);
    expect(counts).toEqual([5 * 5 * 1 * 6 + 6, 5 * 5 * 6 * 16 + 16, 400 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10]);
    expect(counts).toEqual([156, 2416, 48120, 10164, 850]);
  });

  test("shapes through the network; other input sizes and class counts", () => {
    const net = nn.lenet5();
    const { params } = net.init(key);
    expect(nn.call(net, params, np.zeros([3, 28, 28, 1])).shape).toEqual([3, 10]);
    expect(nn.call(net, params, np.zeros([28, 28, 1])).shape).toEqual([10]);
    const classic = nn.lenet5({ inputShape: [32, 32, 3], classes: 5, activation: nn.relu, pool: "max" });
    const cp = classic.init(key).params;
    // 32 → SAME conv 32 → pool 16 → conv 12 → pool 6: 16·6·6 = 576 features
    expect(nn.countParams(cp)).toBe(5 * 5 * 3 * 6 + 6 + 2416 + 576 * 120 + 120 + 10164 + 84 * 5 + 5);
    expect(nn.call(classic, cp, np.zeros([2, 32, 32, 3])).shape).toEqual([2, 5]);
    expect(() => nn.lenet5({ inputShape: [8, 8, 1] })).toThrow(/too small/);
  });
});

describe("vggBlock", () => {
  test("convs × (conv 3×3 SAME → relu), then max pool: shapes and parameters", () => {
    const block = nn.vggBlock(3, 16, { convs: 2 });
    const { params } = block.init(key);
    expect(nn.countParams(params)).toBe(3 * 3 * 3 * 16 + 16 + 3 * 3 * 16 * 16 + 16);
    expect(nn.call(block, params, np.zeros([2, 32, 32, 3])).shape).toEqual([2, 16, 16, 16]);
    const bn = nn.vggBlock(3, 8, { convs: 1, batchNorm: true });
    const init = bn.init(key);
    expect(nn.countParams(init.params)).toBe(3 * 3 * 3 * 8 + 2 * 8);   // no conv bias before batchNorm
    const [y, s] = bn.apply(init.params, init.state, random.normal(key, [4, 8, 8, 3]), { train: true });
    expect(y.shape).toEqual([4, 4, 4, 8]);
    expect(Array.isArray(s)).toBe(true);
  });
});

describe("resnetBlock", () => {
  test("identity shortcut when the shape is kept: y = relu(bn2(conv2(relu(bn1(conv1 x)))) + x)", () => {
    const block = nn.resnetBlock(4, 4);
    const { params, state } = block.init(key);
    expect(params.proj).toBeUndefined();
    expect(nn.countParams(params)).toBe(2 * (3 * 3 * 4 * 4) + 2 * 2 * 4);
    const x = np.array(rand(2 * 6 * 6 * 4, 1)).reshape([2, 6, 6, 4]);
    const conv = nn.conv2d(4, 4, 3, { padding: "SAME", bias: false }), bn = nn.batchNorm(4);
    const h = nn.relu(nn.call(bn, params.bn1, nn.call(conv, params.conv1, x), { state: state.bn1 }));
    const main = nn.call(bn, params.bn2, nn.call(conv, params.conv2, h), { state: state.bn2 });
    expectArray(nn.call(block, params, x, { state }), nn.relu(main.add(x)).toArray() as number[][][][], { atol: 1e-5 });
  });

  test("projection shortcut (1×1 conv with stride, batchNorm) when the shape changes; state updates in training", () => {
    const block = nn.resnetBlock(4, 8, { stride: 2 });
    const { params, state } = block.init(key);
    expect(params.proj!.conv.w.shape).toEqual([1, 1, 4, 8]);
    expect(nn.countParams(params)).toBe(3 * 3 * 4 * 8 + 3 * 3 * 8 * 8 + 4 * 8 + 3 * 2 * 8);
    const x = random.normal(key, [2, 6, 6, 4]);
    const [y, s] = block.apply(params, state, x, { train: true });
    expect(y.shape).toEqual([2, 3, 3, 8]);
    expect(Math.abs((np.sum(np.abs(s.bn1.mean)).item() as number))).toBeGreaterThan(0);
    expect(np.sum(np.abs(s.proj!.bn.mean)).item()).toBeGreaterThan(0);
    expect(nn.call(block, params, x, { state: s }).shape).toEqual([2, 3, 3, 8]);
    expect((np.min(y).item() as number)).toBeGreaterThanOrEqual(0);   // ends with relu
  });
});

describe("gpt", () => {
  const opts = { vocab: 11, context: 8, layers: 2, heads: 2, dim: 16 };
  const model = nn.gpt(opts);
  const { params } = model.init(key);

  test("parameter count by formula: embeddings, layers·(12·dim² + 13·dim), final norm, head", () => {
    const { vocab, context, layers, dim } = opts;
    expect(nn.countParams(params)).toBe(vocab * dim + context * dim + layers * (12 * dim * dim + 13 * dim) + 2 * dim + dim * vocab + vocab);
  });

  test("next-token logits [..., T, vocab] for any T <= context; causal over tokens", () => {
    const ids = np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], { dtype: "int32" });
    const logits = nn.call(model, params, ids);
    expect(logits.shape).toEqual([2, 5, 11]);
    const changed = np.array([[1, 2, 3, 9, 9], [5, 4, 3, 2, 1]], { dtype: "int32" });
    const a = logits.toArray() as number[][][], b = nn.call(model, params, changed).toArray() as number[][][];
    for (let t = 0; t < 3; t++) expect(b[0]![t]).toEqual(a[0]![t]);
    expect(b[0]![3]).not.toEqual(a[0]![3]);
    expect(b[1]).toEqual(a[1]);
    expect(nn.call(model, params, np.array([3], { dtype: "int32" })).shape).toEqual([1, 11]);
  });

  test("initial loss is about log(vocab): the small init keeps predictions near uniform", () => {
    const ids = np.array([[1, 2, 3, 4, 5, 6, 7, 8]], { dtype: "int32" });
    const loss = nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, params, ids), np.array([[2, 3, 4, 5, 6, 7, 8, 9]], { dtype: "int32" }));
    expect(Math.abs((loss.item() as number) - Math.log(11))).toBeLessThan(0.05);
  });
});


