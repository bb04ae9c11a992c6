/**
 * Activations, losses and regularizers: values against the formulas computed in float64
 * on the host, stability at ±1000 (values and gradients finite), derivatives against
 * central differences with `checkGrads`.
 *
 * Tolerances: the formulas are evaluated in float64 and the arrays in float32 through a
 * handful of operations (exp, log1p, tanh: a few ulps each), so rtol 1e-5 / atol 1e-6
 * (expectArray's default) holds except where a formula subtracts nearly equal numbers;
 * those comparisons use atol 1e-5. Gradient checks use checkGrads' defaults (eps 1e-3,
 * atol = rtol = 2e-3, JAX's float32 gradient tolerance) on points away from kinks.
 */
import { describe, expect, test } from "vitest";
import { grad, jit, makeJaxpr, np, vmap, type NDArray } from "../../src/index.ts";
import { checkGrads } from "../../src/testing/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray } from "../helpers.ts";

const xs = [-3, -1.5, -0.2, 0.3, 1, 2.5];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const erf = (v: number) => {   // Abramowitz–Stegun 7.1.26 is too coarse; use a series for |v| < 3
  let sum = 0, term = v, n = 0;
  while (Math.abs(term) > 1e-17 && n < 200) { sum += term / (2 * n + 1); n++; term *= -v * v / n; }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

const reference: Record<string, [(x: NDArray) => NDArray, (v: number) => number]> = {
  sigmoid: [nn.sigmoid, sig],
  tanh: [nn.tanh, Math.tanh],
  relu: [nn.relu, (v) => Math.max(v, 0)],
  leakyRelu: [(x) => nn.leakyRelu(x), (v) => (v >= 0 ? v : 0.01 * v)],
  elu: [(x) => nn.elu(x), (v) => (v > 0 ? v : Math.expm1(v))],
  gelu: [(x) => nn.gelu(x), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  geluExact: [(x) => nn.gelu(x, { approximate: false }), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
  silu: [nn.silu, (v) => v * sig(v)],
  softplus: [nn.softplus, (v) => Math.log1p(Math.exp(v))],
};

describe("activations", () => {
  test.each(Object.keys(reference))("%s: values match the formula", (name) => {
    const [f, ref] = reference[name]!;
    expectArray(f(np.array(xs)), xs.map(ref), { atol: 1e-5 });
  });

  test.each(Object.keys(reference))("%s: derivatives match central differences (to second order)", (name) => {
    const [f] = reference[name]!;
    // Second order checks the derivative's derivative; relu-like kinks are avoided by the points.
    checkGrads(f, [np.array(xs)], { order: 2 });
  });

  test.each([...Object.keys(reference), "softmax", "logSoftmax"])("%s: finite values and gradients at ±1000", (name) => {
    const f = name === "softmax" ? (x: NDArray) => nn.softmax(x) : name === "logSoftmax" ? (x: NDArray) => nn.logSoftmax(x) : reference[name]![0];
    const x = np.array([-1000, -30, 0, 30, 1000]);
    const y = f(x).toArray() as number[];
    expect(y.every(Number.isFinite), `${name}(x) = ${y}`).toBe(true);
    const g = grad((v: NDArray) => np.sum(f(v).mul(np.array([1, 2, 3, 4, 5]))))(x).toArray() as number[];
    expect(g.every(Number.isFinite), `${name}'(x) = ${g}`).toBe(true);
  });

  test("saturated values are exact", () => {
    expectArray(nn.sigmoid(np.array([-1000, 1000])), [0, 1]);
    expectArray(nn.softplus(np.array([-1000, 1000])), [0, 1000]);
    expectArray(nn.elu(np.array([-1000])), [-1]);
    expectArray(nn.gelu(np.array([-1000, 1000])), [0, 1000]);
    expectArray(nn.softmax(np.array([1000, 1000, -1000])), [0.5, 0.5, 0]);
    expectArray(nn.logSoftmax(np.array([0, 1000])), [-1000, 0]);
  });

  test("relu's derivative is the step x > 0 (0 at 0), through a mask multiply, not max's balanced rule", () => {
    expectArray(grad((x: NDArray) => np.sum(nn.relu(x)))(np.array([-1, 0, 2])), [0, 0, 1]);
    expectArray(grad((x: NDArray) => np.sum(nn.leakyRelu(x, 0.1)))(np.array([-1, 0, 2])), [0.1, 1, 1]);
    const jaxpr = makeJaxpr(jit(grad((x: NDArray) => np.sum(nn.relu(x)))))(np.array([1, -1])).toString();
    expect(jaxpr).not.toMatch(/\beq\b/);   // max's balanced derivative compares x with the output
    // second derivative is 0 (the mask is constant in x)
    expectArray(grad((x: NDArray) => np.sum(grad((y: NDArray) => np.sum(nn.relu(y).mul(y)))(x)))(np.array([-1, 2])), [0, 2]);
  });

  test("activations work under vmap and jit, and take numbers and int arrays", () => {
    const x = np.array([[-1, 0.5], [2, -3]]);
    for (const f of [nn.relu, (v: NDArray) => nn.leakyRelu(v, 0.2), nn.gelu, nn.softplus, (v: NDArray) => nn.softmax(v)]) {
      expectArray(vmap(f)(x), f(x).toArray() as number[][], { atol: 1e-6 });
      expectArray(jit(f)(x), f(x).toArray() as number[][], { atol: 1e-6 });
    }
    expectArray(nn.relu(-2), 0);
    expectArray(nn.sigmoid(np.array([0], { dtype: "int32" })), [0.5]);
  });

  test("softmax / logSoftmax: rows sum to 1, any axis, and agree with log", () => {
    const x = np.array([[1, 2, 3], [-1, 0, 5]]);
    expectArray(np.sum(nn.softmax(x), { axis: -1 }), [1, 1]);
    expectArray(np.sum(nn.softmax(x, { axis: 0 }), { axis: 0 }), [1, 1, 1]);
    expectArray(nn.logSoftmax(x), np.log(nn.softmax(x)).toArray() as number[][], { atol: 1e-6 });
    const e = [1, 2, 3].map(Math.exp), s = e.reduce((a, b) => a + b);
    expectArray(nn.softmax(np.array([1, 2, 3])), e.map((v) => v / s));
    checkGrads((v: NDArray) => nn.softmax(v), [x], { order: 2 });
    checkGrads((v: NDArray) => nn.logSoftmax(v, { axis: 0 }), [x], { order: 1 });
  });
});

describe("losses", () => {
  const p = np.array([[0.5, -1], [2, 0]]), t = np.array([[1, -1], [0, 0.5]]);

  test("mse, mae, huber against hand computation; reductions", () => {
    // differences: [-0.5, 0, 2, -0.5]
    expectArray(nn.losses.mse(p, t), (0.25 + 0 + 4 + 0.25) / 4);
    expectArray(nn.losses.mse(p, t, { reduction: "sum" }), 4.5);
    expectArray(nn.losses.mse(p, t, { reduction: "none" }), [[0.25, 0], [4, 0.25]]);
    expectArray(nn.losses.mae(p, t), (0.5 + 0 + 2 + 0.5) / 4);
    // huber δ=1: 0.5·0.25, 0, 1·(2 − 0.5), 0.5·0.25
    expectArray(nn.losses.huber(p, t), (0.125 + 0 + 1.5 + 0.125) / 4);
    expectArray(nn.losses.huber(p, t, { delta: 3, reduction: "sum" }), 0.125 + 2 + 0.125);
    expect(() => nn.losses.mse(p, np.ones([2]))).toThrow("losses.mse: predictions [2, 2] and targets [2] must have the same shape");
  });

  test("cross-entropies against hand computation", () => {
    const logits = np.array([[2, 1, 0], [0, 0, 3]]);
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    const l0 = lse([2, 1, 0]) - 2, l1 = lse([0, 0, 3]) - 0;   // labels 0 and 1
    expectArray(nn.losses.sparseSoftmaxCrossEntropy(logits, np.array([0, 1], { dtype: "int32" })), (l0 + l1) / 2);
    expectArray(nn.losses.softmaxCrossEntropy(logits, np.array([[1, 0, 0], [0, 1, 0]])), (l0 + l1) / 2);
    // soft targets
    expectArray(nn.losses.softmaxCrossEntropy(logits, np.array([[0.5, 0.5, 0], [0, 0, 1]]), { reduction: "none" }),
      [0.5 * (lse([2, 1, 0]) - 2) + 0.5 * (lse([2, 1, 0]) - 1), lse([0, 0, 3]) - 3]);
    const probs = np.array([0.9, 0.2, 0.5]), y = np.array([1, 0, 1]);
    expectArray(nn.losses.binaryCrossEntropy(probs, y, { reduction: "none" }), [-Math.log(0.9), -Math.log(0.8), -Math.log(0.5)]);
    const z = np.array([2, -1, 0]);
    expectArray(nn.losses.sigmoidBinaryCrossEntropy(z, y, { reduction: "none" }), [-Math.log(sig(2)), -Math.log(1 - sig(-1)), Math.log(2)]);
    expect(() => nn.losses.sparseSoftmaxCrossEntropy(logits, np.array([0, 1, 2], { dtype: "int32" }))).toThrow(/labels \[3\] must have the shape of logits \[2, 3\] without its last/);
    expect(() => nn.losses.sparseSoftmaxCrossEntropy(logits, np.array([0, 1]))).toThrow(/labels must be int32/);
  });

  test("stable in log space: finite at logits ±1000 and probabilities 0 and 1, with finite gradients", () => {
    const big = np.array([[1000, -1000, 0]]);
    expectArray(nn.losses.sparseSoftmaxCrossEntropy(big, np.array([1], { dtype: "int32" })), 2000);
    expectArray(nn.losses.sigmoidBinaryCrossEntropy(np.array([1000, -1000, 1000]), np.array([1, 0, 0]), { reduction: "none" }), [0, 0, 1000]);
    expectArray(nn.losses.binaryCrossEntropy(np.array([0, 1]), np.array([1, 1]), { reduction: "none" }), [100, 0]);
    const finite = (g: NDArray) => (g.toArray() as number[] | number[][]).flat().every(Number.isFinite);
    expect(finite(grad((l: NDArray) => nn.losses.sparseSoftmaxCrossEntropy(l, np.array([1], { dtype: "int32" })))(big))).toBe(true);
    expect(finite(grad((l: NDArray) => nn.losses.sigmoidBinaryCrossEntropy(l, np.array([1, 0, 0])))(np.array([1000, -1000, 1000])))).toBe(true);
    expect(finite(grad((q: NDArray) => nn.losses.binaryCrossEntropy(q, np.array([1, 0])))(np.array([0, 1])))).toBe(true);
  });

  test("gradients match central differences", () => {
    const logits = np.array([[0.2, -0.4, 1.1], [0.5, 0.1, -0.3]]);
    checkGrads((l: NDArray) => nn.losses.sparseSoftmaxCrossEntropy(l, np.array([2, 0], { dtype: "int32" })), [logits], { order: 2 });
    checkGrads((l: NDArray, q: NDArray) => nn.losses.softmaxCrossEntropy(l, q), [logits, np.array([[0.2, 0.3, 0.5], [1, 0, 0]])], { order: 2 });
    checkGrads((a: NDArray) => nn.losses.sigmoidBinaryCrossEntropy(a, np.array([1, 0, 0.3])), [np.array([0.4, -1.2, 2])], { order: 2 });
    checkGrads((a: NDArray) => nn.losses.binaryCrossEntropy(a, np.array([1, 0, 0.3])), [np.array([0.4, 0.7, 0.2])], { order: 2 });
    checkGrads((a: NDArray, b: NDArray) => nn.losses.mse(a, b), [p, t], { order: 2 });
    checkGrads((a: NDArray) => nn.losses.huber(a, t), [np.array([[0.6, -1.3], [2, 0.1]])], { order: 1 });
    checkGrads((a: NDArray) => nn.losses.mae(a, t), [np.array([[0.6, -1.3], [2, 0.1]])], { order: 1 });
  });
});

describe("regularizers", () => {
  const params = { layers: [{ w: np.array([[1, -2], [0.5, 0]]), b: np.array([3]) }], ids: np.array([5], { dtype: "int32" }) };

  test("l1 = Σ|w| and l2 = Σw² over the float arrays; `only` selects leaves by path", () => {
    expectArray(nn.l1(params), 1 + 2 + 0.5 + 3);
    expectArray(nn.l2(params), 1 + 4 + 0.25 + 9);
    expectArray(nn.l2(params, { only: (path) => path.at(-1) === "w" }), 5.25);
  });

  test("their gradients are sign(w) and 2w", () => {
    const floats = { layers: params.layers };
    const g1 = grad((p: typeof floats) => nn.l1(p))(floats);
    expectArray(g1.layers[0]!.w, [[1, -1], [1, 0]]);
    const g2 = grad((p: typeof floats) => nn.l2(p))(floats);
    expectArray(g2.layers[0]!.w, [[2, -4], [1, 0]]);
    expectArray(g2.layers[0]!.b, [6]);
  });
});
