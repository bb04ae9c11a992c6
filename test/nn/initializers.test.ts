/**
 * Initializers: fans, the variance each one promises (from many samples), bounds,
 * orthogonality, determinism in the key.
 *
 * Tolerances: a sample variance of n = 65,536 draws has a relative standard error of
 * √(2/n) ≈ 0.55% for a normal and ≈ 0.47% for a uniform, so 5% (about ten standard errors)
 * cannot fail by chance yet catches any wrong constant (the nearest wrong ones differ by
 * factors like 2, 3 or the 0.88 truncation correction, i.e. 12% or more). Orthogonality is
 * checked to 1e-5: the QR runs in float64 and the result is rounded once to float32.
 */
import { describe, expect, test } from "vitest";
import { np, random, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { expectArray } from "../helpers.ts";

const key = random.key(42);

function moments(x: NDArray): { mean: number; variance: number; min: number; max: number } {
  const v = Array.from(x.dataSync() as Float32Array);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return { mean, variance, min: Math.min(...v), max: Math.max(...v) };
}

describe("initializers", () => {
  test("fans of dense and HWIO kernels", () => {
    expect(nn.computeFans([784, 256])).toEqual([784, 256]);
    expect(nn.computeFans([5, 5, 1, 6])).toEqual([25, 150]);
    expect(nn.computeFans([3, 16, 32])).toEqual([48, 96]);
    expect(nn.computeFans([10])).toEqual([10, 10]);
  });

  // shape [256, 256]: 65,536 samples; fanIn = fanOut = 256. As HWIO [4, 4, 64, 64]: fans 1024.
  const cases: [string, nn.Initializer, number[], number, "uniform" | "normal"][] = [
    ["glorotUniform", nn.glorotUniform, [256, 256], 2 / 512, "uniform"],
    ["glorotNormal", nn.glorotNormal, [256, 256], 2 / 512, "normal"],
    ["heUniform", nn.heUniform, [4, 4, 64, 64], 2 / 1024, "uniform"],
    ["heNormal", nn.heNormal, [4, 4, 64, 64], 2 / 1024, "normal"],
    ["lecunUniform", nn.lecunUniform, [256, 256], 1 / 256, "uniform"],
    ["lecunNormal", nn.lecunNormal, [256, 256], 1 / 256, "normal"],
  ];

  test.each(cases)("%s has the promised variance and support", (_name, init, shape, variance, dist) => {
    const x = init(key, shape);
    expect(x.shape).toEqual(shape);
    const m = moments(x);
    expect(Math.abs(m.mean)).toBeLessThan(0.02 * Math.sqrt(variance) * 5);
    expect(m.variance / variance).toBeGreaterThan(0.95);
    expect(m.variance / variance).toBeLessThan(1.05);
    const sd = Math.sqrt(variance);
    if (dist === "uniform") {
      // U(−l, l) with l = √(3·variance): the extremes come within 0.1% of l.
      expect(m.max).toBeLessThanOrEqual(Math.sqrt(3) * sd * (1 + 1e-6));
      expect(m.max).toBeGreaterThan(Math.sqrt(3) * sd * 0.999);
      expect(m.min).toBeGreaterThanOrEqual(-Math.sqrt(3) * sd * (1 + 1e-6));
    } else {
      // truncated at two standard deviations of the untruncated normal (σ/0.8796)
      expect(Math.max(m.max, -m.min)).toBeLessThanOrEqual((2 * sd) / 0.87962566103423978 * (1 + 1e-5));
    }
  });

  test("deterministic in the key, different across keys", () => {
    expect(nn.heNormal(key, [3, 3]).toArray()).toEqual(nn.heNormal(key, [3, 3]).toArray());
    expect(nn.heNormal(key, [3, 3]).toArray()).not.toEqual(nn.heNormal(random.key(1), [3, 3]).toArray());
  });

  test("zeros, ones, constant, normal, uniform", () => {
    expectArray(nn.zeros(key, [2]), [0, 0]);
    expectArray(nn.ones(key, [2]), [1, 1]);
    expectArray(nn.constant(0.5)(key, [2]), [0.5, 0.5]);
    const n = moments(nn.normal(0.02)(key, [65536]));
    expect(Math.sqrt(n.variance) / 0.02).toBeCloseTo(1, 1);
    const u = moments(nn.uniform(0.1)(key, [4096]));
    expect(u.max).toBeLessThanOrEqual(0.1);
    expect(u.min).toBeGreaterThanOrEqual(-0.1);
  });

  test.each([[[6, 6]], [[8, 3]], [[3, 8]], [[3, 3, 2, 4]]])("orthogonal %j: orthonormal columns (or rows when wide)", (shape) => {
    const q = nn.orthogonal(2)(key, shape);
    expect(q.shape).toEqual(shape);
    const cols = shape.at(-1)!, rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const m = q.reshape([rows, cols]);
    const gram = rows >= cols ? np.matmul(m.T, m) : np.matmul(m, m.T);
    expectArray(gram, np.eye(Math.min(rows, cols)).mul(4).toArray() as number[][], { atol: 1e-5 });
    expect(() => nn.orthogonal()(key, [3])).toThrow("orthogonal: shape must have rank >= 2; got [3]");
  });

  test("bad shapes are rejected with the initializer's name", () => {
    expect(() => nn.glorotUniform(key, [2, -1])).toThrow("varianceScaling: shape must be a list of non-negative integers; got [2,-1]");
    expect(() => nn.varianceScaling(1, "fanSum" as never, "uniform")).toThrow(/mode must be "fanIn", "fanOut" or "fanAvg"/);
  });
});
