/** Metrics against the examples in scikit-learn's documentation, and by hand. */
import { describe, expect, test } from "vitest";
import { jit, np, type NDArray } from "../../src/index.ts";
import * as metrics from "../../src/metrics/index.ts";
import { expectArray } from "../helpers.ts";

const v = (x: NDArray) => x.item() as number;

describe("classification (scikit-learn's documented examples)", () => {
  const yTrue = [0, 1, 2, 0, 1, 2], yPred = [0, 2, 1, 0, 0, 1];

  test("accuracy_score([0, 2, 1, 3], [0, 1, 2, 3]) = 0.5, normalize=False = 2", () => {
    expect(v(metrics.accuracy([0, 2, 1, 3], [0, 1, 2, 3]))).toBe(0.5);
    expect(v(metrics.accuracy([0, 2, 1, 3], [0, 1, 2, 3], { normalize: false }))).toBe(2);
  });

  test("accuracy takes scores and int32 arrays", () => {
    const scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]);
    expect(v(metrics.accuracy(np.array([0, 1, 1], { dtype: "int32" }), scores))).toBeCloseTo(2 / 3, 6);
  });

  test("precision_score: macro 0.22, micro 0.33, weighted 0.22, none [0.67, 0, 0]", () => {
    expect(v(metrics.precision(yTrue, yPred, { average: "macro" }))).toBeCloseTo(0.2222222, 6);
    expect(v(metrics.precision(yTrue, yPred, { average: "micro" }))).toBeCloseTo(0.3333333, 6);
    expect(v(metrics.precision(yTrue, yPred, { average: "weighted" }))).toBeCloseTo(0.2222222, 6);
    expectArray(metrics.precision(yTrue, yPred, { average: "none" }), [0.6666667, 0, 0]);
  });

  test("recall_score: macro 0.33, micro 0.33, weighted 0.33, none [1, 0, 0]", () => {
    expect(v(metrics.recall(yTrue, yPred, { average: "macro" }))).toBeCloseTo(0.3333333, 6);
    expect(v(metrics.recall(yTrue, yPred, { average: "micro" }))).toBeCloseTo(0.3333333, 6);
    expect(v(metrics.recall(yTrue, yPred, { average: "weighted" }))).toBeCloseTo(0.3333333, 6);
    expectArray(metrics.recall(yTrue, yPred, { average: "none" }), [1, 0, 0]);
  });

  test("f1_score: macro 0.27, micro 0.33, weighted 0.27, none [0.8, 0, 0]", () => {
    expect(v(metrics.f1(yTrue, yPred, { average: "macro" }))).toBeCloseTo(0.2666667, 6);
    expect(v(metrics.f1(yTrue, yPred, { average: "micro" }))).toBeCloseTo(0.3333333, 6);
    expect(v(metrics.f1(yTrue, yPred, { average: "weighted" }))).toBeCloseTo(0.2666667, 6);
    expectArray(metrics.f1(yTrue, yPred, { average: "none" }), [0.8, 0, 0]);
  });

  test("binary precision, recall and F1 by hand; posLabel; zero division gives 0", () => {
    // tp = 2 (idx 1, 4), fp = 1 (idx 2), fn = 1 (idx 3)
    const t = [0, 1, 0, 1, 1, 0], p = [0, 1, 1, 0, 1, 0];
    expect(v(metrics.precision(t, p))).toBeCloseTo(2 / 3, 6);
    expect(v(metrics.recall(t, p))).toBeCloseTo(2 / 3, 6);
    expect(v(metrics.f1(t, p))).toBeCloseTo(2 / 3, 6);
    expect(v(metrics.precision(t, p, { posLabel: 0 }))).toBeCloseTo(2 / 3, 6);   // tp 2 (idx 0, 5) of 3 predicted 0
    expect(v(metrics.precision([1, 1], [0, 0]))).toBe(0);
    expect(v(metrics.f1([0, 0], [0, 0]))).toBe(0);
  });

  test("macro averages over the labels present in yTrue or yPred, as scikit-learn", () => {
    // classes 0 and 2 present; with numClasses 4, classes 1 and 3 are absent and do not count
    expect(v(metrics.recall([0, 2, 2], [0, 2, 0], { average: "macro", numClasses: 4 }))).toBeCloseTo(0.75, 6);
  });

  test("confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])", () => {
    const cm = metrics.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]);
    expect(cm.dtype).toBe("int32");
    expect(cm.toArray()).toEqual([[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
    expect(metrics.confusionMatrix([0, 1], [1, 1], { numClasses: 3 }).toArray()).toEqual([[0, 1, 0], [0, 1, 0], [0, 0, 0]]);
    expectArray(metrics.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], { normalize: "true" }), [[1, 0, 0], [0, 0, 1], [1 / 3, 0, 2 / 3]]);
  });

  test("metrics trace under jit with numClasses given; without it they say what to pass", () => {
    const f = jit((t: NDArray, p: NDArray) => metrics.f1(t, p, { average: "macro", numClasses: 3 }));
    expect(v(f(np.array(yTrue), np.array(yPred)))).toBeCloseTo(0.2666667, 6);
    const g = jit((t: NDArray, p: NDArray) => metrics.f1(t, p, { average: "macro" }));
    expect(() => g(np.array(yTrue), np.array(yPred))).toThrow(/pass \{ numClasses \}/);
  });
});

describe("rocAuc", () => {
  test("roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75", () => {
    expect(v(metrics.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))).toBeCloseTo(0.75, 6);
  });

  test("ties count one half (the trapezoidal ROC area)", () => {
    // positives {0.2, 0.3, 0.9}, negatives {0.2, 0.3}: (0.5 + 0) + (1 + 0.5) + 2 = 4 of 6 pairs
    expect(v(metrics.rocAuc([0, 1, 0, 1, 1], [0.2, 0.2, 0.3, 0.3, 0.9]))).toBeCloseTo(4 / 6, 6);
    expect(v(metrics.rocAuc([0, 1], [0.5, 0.5]))).toBeCloseTo(0.5, 6);
    expect(v(metrics.rocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]))).toBe(1);
    expect(v(metrics.rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]))).toBe(0);
  });

  test("agrees with the pairwise definition on random data", () => {
    let s = 7;
    const r = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
    const y = Array.from({ length: 200 }, () => (r() < 0.4 ? 1 : 0));
    const score = y.map((l) => Math.round((r() + 0.3 * l) * 20) / 20);   // coarse: many ties
    let u = 0, pairs = 0;
    y.forEach((a, i) => y.forEach((b, j) => { if (a === 1 && b === 0) { pairs++; u += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0; } }));
    expect(v(metrics.rocAuc(y, score))).toBeCloseTo(u / pairs, 5);
  });

  test("one-vs-rest for [n, classes] scores; one class only gives NaN", () => {
    const scores = [[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6]];
    expect(v(metrics.rocAuc([0, 1, 2, 2], scores))).toBe(1);
    const scores2 = [[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]];
    // class 0: 1; class 1: the positive 0.5 beats 0.2 and 0.2, not 0.6 → 2/3; class 2: 0.3 and 0.6 beat 0.1 and 0.2 → 1
    expect(v(metrics.rocAuc([0, 1, 2, 2], scores2))).toBeCloseTo((1 + 2 / 3 + 1) / 3, 5);
    expect(Number.isNaN(v(metrics.rocAuc([1, 1], [0.2, 0.3])))).toBe(true);
  });
});

describe("regression (scikit-learn's documented examples)", () => {
  const t = [3, -0.5, 2, 7], p = [2.5, 0.0, 2, 8];
  const t2 = [[0.5, 1], [-1, 1], [7, -6]], p2 = [[0, 2], [-1, 2], [8, -5]];

  test("mean_squared_error 0.375 and 0.708", () => {
    expect(v(metrics.mse(t, p))).toBeCloseTo(0.375, 6);
    expect(v(metrics.mse(t2, p2))).toBeCloseTo(0.7083333, 6);
  });

  test("mean_absolute_error 0.5 and 0.75", () => {
    expect(v(metrics.mae(t, p))).toBeCloseTo(0.5, 6);
    expect(v(metrics.mae(t2, p2))).toBeCloseTo(0.75, 6);
  });

  test("r2_score 0.948 and 0.938 (uniform average over outputs); constants", () => {
    expect(v(metrics.r2(t, p))).toBeCloseTo(0.9486081, 5);
    expect(v(metrics.r2(t2, p2))).toBeCloseTo(0.9368005, 5);
    expect(v(metrics.r2([1, 2, 3], [1, 2, 3]))).toBe(1);
    expect(v(metrics.r2([1, 2, 3], [2, 2, 2]))).toBe(0);
    expect(v(metrics.r2([1, 2, 3], [3, 2, 1]))).toBeCloseTo(-3, 5);
    expect(v(metrics.r2([2, 2, 2], [2, 2, 2]))).toBe(1);
    expect(v(metrics.r2([2, 2, 2], [2, 2, 3]))).toBe(0);
  });

  test("shape mismatches are errors that show both shapes", () => {
    expect(() => metrics.mse([1, 2], [1, 2, 3])).toThrow(/f32\[2\] and f32\[3\]/);
  });
});
