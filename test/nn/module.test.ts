/**
 * The module protocol: init/apply/call, params and state as plain pytrees that grad,
 * tree.map and jit take as they are, composition (sequential, residual, mlp) threading
 * state and splitting keys, and input errors that name the layer, the expected and the
 * actual shapes.
 *
 * Tolerances: values built from a few float32 operations use expectArray's default
 * (rtol 1e-5, atol 1e-6).
 */
import { describe, expect, test } from "vitest";
import { dispose, grad, jit, np, random, scope, tree, valueAndGrad, vmap, type NDArray } from "../../src/index.ts";
import { tf } from "../../src/backend/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray } from "../helpers.ts";

const key = random.key(0);

describe("module protocol", () => {
  test("init gives plain nested objects of NDArrays, deterministic in the key", () => {
    const model = nn.sequential([nn.linear(3, 4), nn.relu, nn.linear(4, 2)]);
    const a = model.init(key), b = model.init(key), c = model.init(random.key(1));
    expect(Array.isArray(a.params)).toBe(true);
    expect(Object.getPrototypeOf(a.params[0])).toBe(Object.prototype);
    expect(a.state).toEqual({});
    expect(tree.leaves(a.params).every((l) => l instanceof Object && (l as NDArray).dtype === "float32")).toBe(true);
    expect(tree.structure(a.params).toString()).toBe(tree.structure(b.params).toString());
    const p0 = a.params[0] as nn.LinearParams, q0 = b.params[0] as nn.LinearParams, r0 = c.params[0] as nn.LinearParams;
    expect(p0.w.toArray()).toEqual(q0.w.toArray());
    expect(p0.w.toArray()).not.toEqual(r0.w.toArray());
    // layers get different keys: the two linear layers are not initialized alike
    expect((a.params[2] as nn.LinearParams).w.shape).toEqual([4, 2]);
  });

  test("apply returns [y, state]; nn.call is apply in inference with state {}", () => {
    const model = nn.linear(2, 2);
    const { params, state } = model.init(key);
    const x = np.array([[1, 2], [3, 4]]);
    const [y, s] = model.apply(params, state, x);
    expect(s).toBe(state);
    expectArray(nn.call(model, params, x), y.toArray() as number[][]);
  });

  test("grad, tree.map and jit take params as they are", () => {
    const model = nn.mlp([3, 5, 1], { activation: nn.tanh });
    const { params } = model.init(key);
    const x = np.array([[0.5, -1, 2], [1, 0, -0.5]]);
    const loss = (p: typeof params) => np.mean(np.square(nn.call(model, p, x)));
    const g = grad(loss)(params);
    expect(tree.structure(g).toString()).toBe(tree.structure(params).toString());
    const stepped = tree.map((p: NDArray, d: NDArray) => p.sub(d.mul(0.1)), params, g);
    expect((loss(stepped).item() as number)).toBeLessThan(loss(params).item() as number);
    const jitted = jit(loss);
    expect(jitted(params).item()).toBeCloseTo(loss(params).item() as number, 5);
  });

  test("vmap: a model over single examples equals the batched model; per-example gradients", () => {
    const net = nn.lenet5();
    const { params } = net.init(key);
    const imgs = random.normal(random.key(2), [3, 28, 28, 1]);
    expectArray(vmap((xi: NDArray) => nn.call(net, params, xi))(imgs), nn.call(net, params, imgs).toArray() as number[][], { atol: 1e-5 });
    const mlp = nn.mlp([3, 4, 1]);
    const mp = mlp.init(key).params;
    const xs = random.normal(key, [5, 3]);
    const lossOne = (p: typeof mp, xi: NDArray) => np.sum(np.square(nn.call(mlp, p, xi)));
    const perExample = vmap(grad(lossOne), { inAxes: [null, 0] })(mp, xs);
    expect(perExample[0]!.w.shape).toEqual([5, 3, 4]);
    expectArray(perExample[0]!.w.get(2), grad(lossOne)(mp, xs.get(2))[0]!.w.toArray() as number[][], { atol: 1e-5 });
  });

  test("plain functions stand in a sequential; their params are {}", () => {
    const model = nn.sequential([nn.linear(2, 2), (x: NDArray) => x.mul(2)]);
    const { params } = model.init(key);
    expect(params[1]).toEqual({});
    const p0 = params[0] as nn.LinearParams;
    const x = np.array([[1, -1]]);
    expectArray(nn.call(model, params, x), np.matmul(x, p0.w).add(p0.b!).mul(2).toArray() as number[][]);
  });

  test("defineModule / stateless build user modules that compose", () => {
    const scale = nn.stateless({ name: "scale", init: () => ({ a: np.array(3) }), apply: ({ a }, x) => x.mul(a) });
    const counter = nn.defineModule<Record<string, never>, { n: NDArray }>({
      name: "counter",
      init: () => ({ params: {}, state: { n: np.array(0) } }),
      apply: (_p, s, x) => [x, { n: s.n.add(1) }],
    });
    const model = nn.sequential([scale, counter, counter]);
    const { params, state } = model.init(key);
    const [y, s] = model.apply(params, state, np.array([1, 2]));
    expectArray(y, [3, 6]);
    const st = s as { n: NDArray }[];
    expect(st.map((e) => e.n?.item())).toEqual([undefined, 1, 1]);
  });
});

describe("training with state and randomness", () => {
  test("a jitted step: batchNorm state through hasAux, a fresh dropout key per step (foldIn)", () => {
    const model = nn.sequential([nn.linear(3, 8), nn.batchNorm(8, { momentum: 0.5 }), nn.relu, nn.dropout(0.25), nn.linear(8, 1)]);
    const init = model.init(key);
    const x = random.normal(random.key(5), [16, 3]);
    const y = np.sum(x, { axis: 1, keepdims: true });
    const lossFn = (p: unknown[], s: unknown, k: NDArray) => {
      const [out, s2] = model.apply(p, s as never, x, { key: k, train: true });
      return [nn.losses.mse(out, y), s2] as const;
    };
    const step = jit((p: unknown[], s: unknown, k: NDArray) => {
      const [[l, s2], g] = valueAndGrad(lossFn, { hasAux: true })(p, s, k);
      return [l, tree.map((a: NDArray, b: NDArray) => a.sub(b.mul(0.05)), p, g), s2] as const;
    });
    let params = init.params, state: unknown = init.state;
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const [l, p2, s2] = step(params, state, random.foldIn(key, i));
      losses.push(l.item() as number);
      params = p2 as unknown[];
      state = s2;
    }
    expect(step.cacheSize).toBe(1);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
    const bn = (state as nn.BatchNormState[])[1]!;
    expect(np.sum(np.abs(bn.mean)).item()).toBeGreaterThan(0);
    // inference: no key needed, running statistics used, deterministic
    const a = nn.call(model, params, x, { state }), b = nn.call(model, params, x, { state });
    expect(a.toArray()).toEqual(b.toArray());
  });

  test("eager apply releases its intermediates (live tensors stay flat)", () => {
    const model = nn.sequential([nn.conv2d(1, 4, 3), nn.relu, nn.maxPool2d(2), nn.flatten(), nn.linear(36, 2)]);
    const { params } = model.init(key);
    const x = np.ones([2, 8, 8, 1]);
    dispose(nn.call(model, params, x));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) dispose(nn.call(model, params, x));
    expect(tf.memory().numTensors).toBe(before);
    const lossBefore = tf.memory().numTensors;
    dispose(scope(() => grad((p: typeof params) => np.sum(nn.call(model, p, x)))(params)));
    expect(tf.memory().numTensors).toBe(lossBefore);
  });
});

describe("composition threads state and splits keys", () => {
  test("sequential: state is {} for stateless layers and an array with batchNorm; train updates it", () => {
    const model = nn.sequential([nn.linear(2, 3), nn.batchNorm(3, { momentum: 0.5 }), nn.relu]);
    const { params, state } = model.init(key);
    expect(Array.isArray(state)).toBe(true);
    const st = state as [object, nn.BatchNormState, object];
    expect(st[0]).toEqual({});
    const x = np.array([[1, 2], [3, 5], [-1, 0]]);
    const [, s1] = model.apply(params, state, x, { train: true });
    const h = np.matmul(x, (params[0] as nn.LinearParams).w);   // bias 0 at init
    expectArray((s1 as typeof st)[1].mean, np.mean(h, { axis: 0 }).mul(0.5).toArray() as number[], { atol: 1e-5 });
    const [, s2] = model.apply(params, state, x);   // inference: unchanged
    expect((s2 as typeof st)[1]).toBe(st[1]);
  });

  test("sequential splits the key: two dropouts in a row draw different masks", () => {
    const model = nn.sequential([nn.dropout(0.5), nn.dropout(0.5)]);
    const { params, state } = model.init(key);
    const x = np.ones([200]);
    const once = nn.dropout(0.5).apply({}, {}, x, { key, train: true })[0];
    const [y] = model.apply(params, state, x, { key, train: true });
    // Keeping survives both masks: about a quarter of the elements, scaled by 4.
    const kept = (y.toArray() as number[]).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 4) < 1e-6)).toBe(true);
    expect(kept.length).toBeGreaterThan(25);
    expect(kept.length).toBeLessThan(80);
    expect(y.toArray()).not.toEqual(once.mul(2).toArray());
  });

  test("residual adds the identity or a projection shortcut", () => {
    const body = nn.linear(2, 2);
    const res = nn.residual(body);
    const { params, state } = res.init(key);
    expect(state).toEqual({});
    const bnRes = nn.residual(nn.batchNorm(2));
    const bnInit = bnRes.init(key);
    expect(Object.keys(bnInit.state)).toEqual(["body", "shortcut"]);
    const [, bnState] = bnRes.apply(bnInit.params, bnInit.state, np.array([[1, 2], [3, 6]]), { train: true });
    expect(((bnState as { body: nn.BatchNormState }).body.mean.toArray() as number[])[1]).toBeCloseTo(0.04, 5);
    const x = np.array([[1, 2]]);
    const pb = params.body as nn.LinearParams;
    expectArray(nn.call(res, params, x), np.matmul(x, pb.w).add(pb.b!).add(x).toArray() as number[][]);
    const proj = nn.residual(nn.linear(2, 3), { shortcut: nn.linear(2, 3, { bias: false }) });
    const pp = proj.init(key).params;
    const expected = np.matmul(x, (pp.body as nn.LinearParams).w).add(np.matmul(x, (pp.shortcut as nn.LinearParams).w));
    expectArray(nn.call(proj, pp, x), expected.toArray() as number[][], { atol: 1e-5 });
    expect(() => nn.call(nn.residual(nn.linear(2, 3)), nn.residual(nn.linear(2, 3)).init(key).params, x)).toThrow(/body's output \[1, 3\] and the shortcut's \[1, 2\]/);
  });

  test("mlp: params are one { w, b } per linear layer; activation between, not after", () => {
    const net = nn.mlp([2, 4, 3], { activation: nn.tanh });
    const { params } = net.init(key);
    expect(params.map((p) => p.w.shape)).toEqual([[2, 4], [4, 3]]);
    expect(nn.countParams(params)).toBe(2 * 4 + 4 + 4 * 3 + 3);
    const x = np.array([[0.3, -0.7]]);
    const h = np.tanh(np.matmul(x, params[0]!.w).add(params[0]!.b!));
    expectArray(nn.call(net, params, x), np.matmul(h, params[1]!.w).add(params[1]!.b!).toArray() as number[][], { atol: 1e-5 });
  });
});

describe("bad input names the layer, the expected and the actual shape", () => {
  const p = (m: nn.Module) => m.init(key).params;

  test("linear", () => {
    const m = nn.linear(3, 4);
    expect(() => nn.call(m, p(m), np.ones([2, 5]))).toThrow("linear(3 → 4): expected input of shape [..., 3], got [2, 5]");
  });

  test("inside a sequential, the layer's position is named", () => {
    const m = nn.sequential([nn.linear(3, 4), nn.relu, nn.linear(5, 2)]);
    expect(() => nn.call(m, p(m), np.ones([2, 3]))).toThrow("sequential layer 2: linear(5 → 2): expected input of shape [..., 5], got [2, 4]");
  });

  test("conv2d says images are NHWC", () => {
    const m = nn.conv2d(3, 8, 3);
    let err: unknown;
    try { nn.call(m, p(m), np.ones([2, 3, 32, 32])); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(nn.LayerInputError);
    expect((err as Error).message).toBe("conv2d(3 → 8, 3×3): expected input of shape [..., H, W, 3], got [2, 3, 32, 32] (images are NHWC: channels last)");
    expect((err as nn.LayerInputError).actual).toEqual([2, 3, 32, 32]);
  });

  test("lenet5 on a wrong image size names the first layer that cannot take it", () => {
    const m = nn.lenet5();
    expect(() => nn.call(m, p(m), np.ones([1, 28, 28, 3]))).toThrow("sequential layer 0: conv2d(1 → 6, 5×5): expected input of shape [..., H, W, 1], got [1, 28, 28, 3]");
    expect(() => nn.call(m, p(m), np.ones([1, 32, 32, 1]))).toThrow("sequential layer 7: linear(400 → 120): expected input of shape [..., 400], got [1, 576]");
  });

  test("recurrent, attention, norm, embedding and pooling layers", () => {
    const lstm = nn.rnn(nn.lstmCell(3, 4));
    expect(() => nn.call(lstm, p(lstm), np.ones([2, 5, 2]))).toThrow("rnn(lstmCell(3 → 4)): expected input of shape [..., T, 3], got [2, 5, 2]");
    const mha = nn.multiHeadAttention({ numHeads: 2, dim: 8 });
    expect(() => nn.call(mha, p(mha), np.ones([2, 5, 6]))).toThrow("multiHeadAttention(2 heads, dim 8): expected input of shape [..., T, 8], got [2, 5, 6]");
    expect(() => mha.apply(p(mha), {}, np.ones([2, 5, 8]), { kv: np.ones([2, 3, 4]) })).toThrow("multiHeadAttention(2 heads, dim 8) (kv): expected input of shape [..., S, 8], got [2, 3, 4]");
    const ln = nn.layerNorm([4, 5]);
    expect(() => nn.call(ln, p(ln), np.ones([2, 5, 4]))).toThrow("layerNorm([4, 5]): expected input of shape [..., 4, 5], got [2, 5, 4]");
    const bn = nn.batchNorm(4);
    expect(() => bn.apply(p(bn), bn.init(key).state, np.ones([2, 3]))).toThrow("batchNorm(4): expected input of shape [..., 4], got [2, 3]");
    expect(() => nn.call(bn, p(bn), np.ones([2, 4]))).toThrow(/batchNorm\(4\): the state has no running statistics/);
    const emb = nn.embedding(10, 4);
    expect(() => nn.call(emb, p(emb), np.ones([2]))).toThrow(/embedding\(10, 4\): expected int32 indices; got f32\[2\]/);
    expect(() => nn.call(nn.maxPool2d(2), {}, np.ones([4, 4]))).toThrow("maxPool2d(2×2): expected input of shape [..., H, W, C], got [4, 4] (images are NHWC: channels last)");
    const g = nn.gpt({ vocab: 5, context: 4, layers: 1, heads: 1, dim: 4 });
    expect(() => nn.call(g, p(g), np.zeros([1, 6], { dtype: "int32" }))).toThrow(/the sequence has 6 tokens but the context holds 4/);
  });

  test("bad hyperparameters are rejected at construction, naming the argument", () => {
    expect(() => nn.linear(0, 3)).toThrow("linear: inFeatures must be an integer >= 1; got 0");
    expect(() => nn.conv2d(3, 8, 3, { groups: 2 })).toThrow("conv2d: inChannels (3) and outChannels (8) must both be divisible by groups (2)");
    expect(() => nn.multiHeadAttention({ numHeads: 3, dim: 8 })).toThrow("multiHeadAttention: numHeads (3) must divide dim (8)");
    expect(() => nn.dropout(1.5)).toThrow("dropout: rate must be in [0, 1]; got 1.5");
    expect(() => nn.sequential([nn.linear(2, 2), 3 as never])).toThrow(/sequential: layer 1: expected a module/);
  });
});
