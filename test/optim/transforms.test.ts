/**
 * Gradient transformations against steps worked out by hand (w² has gradient 2w), and the
 * laws of chain (a monoid with identity).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { concatAll } from "fp-ts/lib/Monoid.js";
import { grad, np, tree, type NDArray } from "../../src/index.ts";
import * as optim from "../../optim/index.ts";
import { CPU_BACKENDS, expectArray, useBackend } from "../helpers.ts";

const square = (w: NDArray) => np.sum(w.square());

/** Runs `steps` updates of `tx` on Σw² from `w0`; returns the parameter values after each step. */
function descend(tx: optim.GradientTransformation<any>, w0: number[], steps: number): number[][] {
  let params = { w: np.array(w0) };
  let state = tx.init(params);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const g = { w: grad(square)(params.w) };
    const [u, s] = tx.update(g, state, params);
    params = optim.applyUpdates(params, u);
    state = s;
    out.push(params.w.toArray() as number[]);
  }
  return out;
}

describe.each(CPU_BACKENDS)("optimizers by hand on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("sgd 0.1 on w² from 1 gives 0.8", () => {
    expect(descend(optim.sgd(0.1), [1], 1)[0]![0]).toBeCloseTo(0.8, 6);
  });

  test("sgd with momentum 0.9: 0.8, then 0.46", () => {
    const ws = descend(optim.sgd(0.1, { momentum: 0.9 }), [1], 2);
    expect(ws[0]![0]).toBeCloseTo(0.8, 6);
    expect(ws[1]![0]).toBeCloseTo(0.46, 6);   // g = 1.6, trace = 1.6 + 0.9·2 = 3.4, w = 0.8 − 0.34
  });

  test("nesterov momentum: updates g + decay·trace", () => {
    const tx = optim.trace({ decay: 0.9, nesterov: true });
    let s = tx.init({ w: np.zeros([1]) });
    const g = { w: np.ones([1]) };
    const [u1, s1] = tx.update(g, s);
    expectArray(u1.w, [1.9]);
    s = s1;
    const [u2] = tx.update(g, s);
    expectArray(u2.w, [2.71]);   // trace 1.9, update 1 + 0.9·1.9
  });

  test("adam's first step is w − lr·sign(g), whatever the gradient's size", () => {
    const [ws] = descend(optim.adam(0.1), [3, -0.001, 50], 1);
    expectArray(np.array(ws!), [2.9, 0.099, 49.9], { atol: 1e-5 });
  });

  test("adam's second step follows the bias-corrected moments", () => {
    // w=1: g1 = 2, w1 = 0.9, g2 = 1.8. m = 0.19 + 0.18 = 0.37 → m̂ = 0.37/0.19; v = 0.001999·... by the formula:
    const b1 = 0.9, b2 = 0.999, lr = 0.1;
    let m = 0, v = 0, w = 1;
    for (let t = 1; t <= 2; t++) {
      const g = 2 * w;
      m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g * g;
      w -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + 1e-8);
    }
    expect(descend(optim.adam(lr), [1], 2)[1]![0]).toBeCloseTo(w, 5);
  });

  test("adamw decays with a zero gradient: 1 → 0.999 at lr 0.1, wd 0.01", () => {
    const tx = optim.adamw(0.1, { weightDecay: 0.01 });
    const params = { w: np.array([1]) };
    const [u] = tx.update({ w: np.zeros([1]) }, tx.init(params), params);
    expectArray(optim.applyUpdates(params, u).w, [0.999]);
  });

  test("adamw's mask exempts leaves from the decay", () => {
    const tx = optim.adamw(0.1, { weightDecay: 0.01, mask: { w: true, b: false } });
    const params = { w: np.array([1]), b: np.array([1]) };
    const [u] = tx.update({ w: np.zeros([1]), b: np.zeros([1]) }, tx.init(params), params);
    const next = optim.applyUpdates(params, u);
    expectArray(next.w, [0.999]);
    expectArray(next.b, [1]);
  });

  test("rmsprop: g / √(0.1 g² + eps) on the first step", () => {
    expect(descend(optim.rmsprop(0.1), [1], 1)[0]![0]).toBeCloseTo(1 - 0.1 * 2 / Math.sqrt(0.4), 5);
  });

  test("rmsprop centered and with momentum runs the chain Optax builds", () => {
    const tx = optim.rmsprop(0.1, { centered: true, momentum: 0.9 });
    const state = tx.init({ w: np.zeros([1]) }) as unknown[];
    expect(state).toHaveLength(3);   // stddev, lr (empty), trace
    // first step: mu = 0.2, nu = 0.4, std = √(0.4 − 0.04)
    expect(descend(tx, [1], 1)[0]![0]).toBeCloseTo(1 - 0.1 * 2 / Math.sqrt(0.36), 4);
  });

  test("adagrad: g / √(0.1 + g²) on the first step", () => {
    expect(descend(optim.adagrad(0.1), [1], 1)[0]![0]).toBeCloseTo(1 - 0.1 * 2 / Math.sqrt(4.1), 5);
  });

  test("lion moves every coordinate by lr·sign(g)", () => {
    const [ws] = descend(optim.lion(0.1, { weightDecay: 0 }), [3, -0.5], 1);
    expectArray(np.array(ws!), [2.9, -0.4]);
  });

  test("lamb scales adam's step by ‖w‖ / ‖update‖ per leaf", () => {
    const tx = optim.lamb(0.1);
    const params = { w: np.array([3, 4]) };
    const [u] = tx.update({ w: np.array([1, -1]) }, tx.init(params), params);
    const r = 0.1 * 5 / Math.SQRT2;
    expectArray(optim.applyUpdates(params, u).w, [3 - r, 4 + r], { atol: 1e-5 });
  });

  test("clipByGlobalNorm of {3, 4} to 1 gives {0.6, 0.8}; below the norm it is the identity", () => {
    const [u] = optim.clipByGlobalNorm(1).update({ a: np.array(3), b: np.array(4) }, {});
    expectArray(u.a, 0.6);
    expectArray(u.b, 0.8);
    const [v] = optim.clipByGlobalNorm(10).update({ a: np.array(3), b: np.array(4) }, {});
    expectArray(v.a, 3);
    expectArray(v.b, 4);
    expectArray(optim.globalNorm({ a: np.array([3]), b: [np.array([4])] }), 5);
  });

  test("clip bounds each element", () => {
    const [u] = optim.clip(1).update({ w: np.array([-3, 0.5, 2]) }, {});
    expectArray(u.w, [-1, 0.5, 1]);
  });

  test("chain(scale(2), scale(3)) = scale(6)", () => {
    const g = { w: np.array([1, -2]) };
    const [a] = optim.chain(optim.scale(2), optim.scale(3)).update(g, optim.chain(optim.scale(2), optim.scale(3)).init(g));
    const [b] = optim.scale(6).update(g, {});
    expectArray(a.w, b.w.toArray());
    expectArray(a.w, [6, -12]);
  });

  test("masked leaves pass through untouched", () => {
    const tx = optim.masked(optim.sgd(0.1, { momentum: 0.9 }), { w: true, frozen: false });
    const params = { w: np.array([1]), frozen: np.array([5]) };
    const g = { w: np.array([2]), frozen: np.array([7]) };
    const state = tx.init(params);
    expect((state.inner as [{ trace: { frozen: unknown } }, unknown])[0].trace.frozen).toBeNull();   // no state for masked-out leaves
    const [u] = tx.update(g, state, params);
    expectArray(u.w, [-0.2]);
    expectArray(u.frozen, [7]);   // unchanged, as optax.masked
  });

  test("masked with a function mask and a prefix mask", () => {
    const params = { layer: { w: np.ones([2, 2]), b: np.ones([2]) }, head: { w: np.ones([2, 1]) } };
    const g = tree.map((p: NDArray) => np.onesLike(p), params);
    const byRank = optim.masked(optim.scale(0), (p: typeof params) => tree.map((x: NDArray) => x.ndim > 1, p));
    const [u] = byRank.update(g, byRank.init(params));
    expectArray(u.layer.w, [[0, 0], [0, 0]]);
    expectArray(u.layer.b, [1, 1]);
    const prefix = optim.masked(optim.scale(0), { layer: false, head: true });
    const [v] = prefix.update(g, prefix.init(params));
    expectArray(v.layer.w, [[1, 1], [1, 1]]);
    expectArray(v.head.w, [[0], [0]]);
    expect(() => optim.masked(optim.scale(0), { layer: 1, head: true }).init(params)).toThrow(/mask leaves must be booleans/);
  });

  test("multiTransform applies each label's transformation to its leaves", () => {
    const tx = optim.multiTransform({ slow: optim.sgd(0.01), fast: optim.sgd(1) }, { a: "slow", b: "fast" });
    const params = { a: np.array([1]), b: np.array([1]) };
    const [u] = tx.update({ a: np.array([1]), b: np.array([1]) }, tx.init(params), params);
    expectArray(u.a, [-0.01]);
    expectArray(u.b, [-1]);
    expect(() => optim.multiTransform({ slow: optim.sgd(0.01) }, { a: "slow", b: "fast" }).init(params)).toThrow(/label "fast" has no transformation/);
  });

  test("multiSteps applies the mean gradient every k steps, zeros in between", () => {
    const tx = optim.multiSteps(optim.sgd(1), { everyK: 3 });
    let state = tx.init({ w: np.zeros([1]) });
    const updates: number[] = [];
    const flags: boolean[] = [];
    for (const g of [1, 2, 6, 10, 20, 30]) {
      const [u, s] = tx.update({ w: np.array([g]) }, state);
      state = s;
      updates.push((u.w.toArray() as number[])[0]!);
      flags.push(tx.hasUpdated(state).item() as boolean);
    }
    expect(updates[0]).toBe(0);
    expect(updates[1]).toBe(0);
    expect(updates[2]).toBeCloseTo(-3, 5);    // −mean(1, 2, 6)
    expect(updates.slice(3, 5)).toEqual([0, 0]);
    expect(updates[5]).toBeCloseTo(-20, 5);   // −mean(10, 20, 30)
    expect(flags).toEqual([false, false, true, false, false, true]);
    expect(state.gradientStep.item()).toBe(2);
  });

  test("multiSteps with sums instead of means", () => {
    const tx = optim.multiSteps(optim.sgd(1), { everyK: 2, useGradMean: false });
    let state = tx.init({ w: np.zeros([1]) });
    let last: NDArray | null = null;
    for (const g of [1, 2]) { const [u, s] = tx.update({ w: np.array([g]) }, state); state = s; last = u.w; }
    expectArray(last!, [-3]);
  });

  test("applyIfFinite skips a NaN step and keeps the inner state", () => {
    const tx = optim.applyIfFinite(optim.sgd(0.1, { momentum: 0.9 }));
    let state = tx.init({ w: np.zeros([1]) });
    const [u1, s1] = tx.update({ w: np.array([1]) }, state);
    expectArray(u1.w, [-0.1]);
    const [u2, s2] = tx.update({ w: np.array([NaN]) }, s1);
    expectArray(u2.w, [0]);
    expect(s2.lastFinite.item()).toBe(false);
    expect(s2.totalNotfinite.item()).toBe(1);
    const [u3, s3] = tx.update({ w: np.array([1]) }, s2);
    expectArray(u3.w, [-0.19]);   // the momentum of step 1 survived the NaN step
    expect(s3.notfiniteCount.item()).toBe(0);
    state = s3;
    const [u4] = tx.update({ w: np.array([Infinity]) }, state);
    expectArray(u4.w, [0]);
  });

  test("applyIfFinite gives up after maxConsecutiveErrors", () => {
    const tx = optim.applyIfFinite(optim.sgd(1), { maxConsecutiveErrors: 1 });
    let state = tx.init({ w: np.zeros([1]) });
    const out: number[] = [];
    for (let i = 0; i < 2; i++) { const [u, s] = tx.update({ w: np.array([NaN]) }, state); state = s; out.push((u.w.toArray() as number[])[0]!); }
    expect(out[0]).toBe(0);
    expect(Number.isNaN(out[1])).toBe(true);
  });

  test("addDecayedWeights needs params and says so", () => {
    expect(() => optim.addDecayedWeights(0.1).update({ w: np.ones([1]) }, {})).toThrow(/needs the parameters/);
  });

  test("applyUpdates keeps parameter dtypes and skips null updates", () => {
    const p = optim.applyUpdates({ a: np.array([1]), b: np.array([2]) }, { a: np.array([0.5]), b: null });
    expectArray(p.a, [1.5]);
    expectArray(p.b, [2]);
  });
});

describe("chain is a monoid with identity", () => {
  const g = () => ({ w: np.array([1, -2, 3]) });
  const run = (tx: optim.GradientTransformation<any>) => {
    let s = tx.init(g());
    const outs: number[][] = [];
    for (let i = 0; i < 3; i++) { const [u, next] = tx.update(g(), s); s = next; outs.push(u.w.toArray() as number[]); }
    return { outs, structure: tree.structure(s).toString() };
  };
  const a = optim.sgd(0.1, { momentum: 0.9 }), b = optim.clip(0.15), c = optim.scale(2);

  test("identity is a unit on both sides (same updates, same state structure)", () => {
    expect(run(optim.monoid.concat(optim.monoid.empty, a))).toEqual(run(a));
    expect(run(optim.monoid.concat(a, optim.monoid.empty))).toEqual(run(a));
    expect(optim.chain(c)).toBe(c);
  });

  test("chain is associative", () => {
    const left = optim.monoid.concat(optim.monoid.concat(a, b), c);
    const right = optim.monoid.concat(a, optim.monoid.concat(b, c));
    expect(run(left)).toEqual(run(right));
    expect(run(left)).toEqual(run(optim.chain(a, b, c)));
  });

  test("concatAll folds a list of transformations", () => {
    expect(run(concatAll(optim.monoid)([a, b, c]))).toEqual(run(optim.chain(a, b, c)));
    expect(run(concatAll(optim.monoid)([]))).toEqual(run(optim.identity()));
  });

  test("chain rejects what is not a transformation, and a foreign state", () => {
    expect(() => optim.chain(a, 3 as never)).toThrow(/argument 1 must be a GradientTransformation/);
    expect(() => optim.chain(a, b).update(g(), [{}])).toThrow(/expected the state of a chain of/);
  });
});

describe("injectHyperparams", () => {
  test("hyperparameters live in the state: read them, change them", () => {
    const tx = optim.injectHyperparams((h) => optim.sgd(h.learningRate!), { learningRate: 0.1 });
    const params = { w: np.array([1]) };
    let state = tx.init(params);
    expect(state.hyperparams.learningRate.item()).toBeCloseTo(0.1, 7);
    const [u1, s1] = tx.update({ w: np.array([1]) }, state, params);
    expectArray(u1.w, [-0.1]);
    state = optim.setHyperparams(s1, { learningRate: 0.5 });
    const [u2, s2] = tx.update({ w: np.array([1]) }, state, params);
    expectArray(u2.w, [-0.5]);
    expect(s2.count.item()).toBe(2);
    expect(() => optim.setHyperparams(s2, { momentum: 1 })).toThrow(/no injectHyperparams state holds "momentum"/);
  });

  test("scheduled hyperparameters are evaluated at the step count and stored", () => {
    const tx = optim.injectHyperparams((h) => optim.adam(h.lr!, { b1: h.b1! }), { lr: optim.schedules.exponentialDecay(1, 1, 0.5), b1: 0.9 });
    const params = { w: np.array([1]) };
    let state = tx.init(params);
    const lrs: number[] = [];
    for (let i = 0; i < 3; i++) { const [, s] = tx.update({ w: np.array([1]) }, state, params); state = s; lrs.push(state.hyperparams.lr.item() as number); }
    expect(lrs).toEqual([1, 0.5, 0.25]);
  });

  test("setHyperparams finds the state inside a chain", () => {
    const tx = optim.chain(optim.clipByGlobalNorm(1), optim.injectHyperparams((h) => optim.sgd(h.lr!), { lr: 0.1 }));
    const state = optim.setHyperparams(tx.init({ w: np.zeros([1]) }), { lr: 0.3 }) as [unknown, optim.InjectState<"lr">];
    expect(state[1].hyperparams.lr.item()).toBeCloseTo(0.3, 7);
  });
});

describe("learning rates as schedules inside optimizers", () => {
  test("scaleByLearningRate with a schedule counts steps", () => {
    const tx = optim.sgd(optim.schedules.piecewiseConstant(1, { 2: 0.1 }));
    let state = tx.init({ w: np.zeros([1]) });
    const us: number[] = [];
    for (let i = 0; i < 3; i++) { const [u, s] = tx.update({ w: np.ones([1]) }, state); state = s; us.push((u.w.toArray() as number[])[0]!); }
    expect(us[0]).toBeCloseTo(-1, 6);
    expect(us[1]).toBeCloseTo(-1, 6);
    expect(us[2]).toBeCloseTo(-0.1, 6);
  });
});
