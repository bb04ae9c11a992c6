/** Schedules at chosen steps, worked out by hand, eagerly and under jit with an int32 step. */
import { describe, expect, test } from "vitest";
import { jit, np, type NDArray } from "../../src/index.ts";
import * as optim from "../../optim/index.ts";

const { schedules } = optim;
const at = (s: optim.Schedule, step: number) => s(step).item() as number;
const atInt = (s: optim.Schedule, step: number) => s(np.array(step, { dtype: "int32" })).item() as number;

describe("schedules", () => {
  test("exponentialDecay(1, 10, 0.5): 0.25 at 20; staircase 0.5 at 15", () => {
    expect(at(schedules.exponentialDecay(1, 10, 0.5), 20)).toBeCloseTo(0.25, 7);
    expect(at(schedules.exponentialDecay(1, 10, 0.5), 15)).toBeCloseTo(0.5 ** 1.5, 6);
    expect(at(schedules.exponentialDecay(1, 10, 0.5, { staircase: true }), 15)).toBeCloseTo(0.5, 7);
    expect(at(schedules.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5, staircase: true }), 15)).toBeCloseTo(0.5, 7);
  });

  test("exponentialDecay with transitionBegin and endValue", () => {
    const s = schedules.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5, transitionBegin: 5, endValue: 0.3 });
    expect(at(s, 0)).toBe(1);
    expect(at(s, 5)).toBe(1);
    expect(at(s, 15)).toBeCloseTo(0.5, 7);
    expect(at(s, 100)).toBeCloseTo(0.3, 7);
  });

  test("cosineDecay(1, 100): 1 at 0, 0.5 at 50, 0 at and after 100; alpha is the floor", () => {
    const s = schedules.cosineDecay(1, 100);
    expect(at(s, 0)).toBeCloseTo(1, 7);
    expect(at(s, 50)).toBeCloseTo(0.5, 6);
    expect(at(s, 100)).toBeCloseTo(0, 6);
    expect(at(s, 500)).toBeCloseTo(0, 6);
    expect(at(schedules.cosineDecay({ initValue: 2, decaySteps: 100, alpha: 0.1 }), 100)).toBeCloseTo(0.2, 6);
  });

  test("warmupCosineDecay: linear up, cosine down", () => {
    const s = schedules.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110, endValue: 0.1 });
    expect(at(s, 0)).toBeCloseTo(0, 7);
    expect(at(s, 5)).toBeCloseTo(0.5, 6);
    expect(at(s, 10)).toBeCloseTo(1, 6);
    expect(at(s, 60)).toBeCloseTo(0.55, 5);
    expect(at(s, 110)).toBeCloseTo(0.1, 6);
  });

  test("piecewiseConstant scales from each boundary on", () => {
    const s = schedules.piecewiseConstant(0.1, { 100: 0.1, 200: 0.5 });
    expect(at(s, 99)).toBeCloseTo(0.1, 7);
    expect(at(s, 100)).toBeCloseTo(0.01, 7);
    expect(at(s, 250)).toBeCloseTo(0.005, 7);
    expect(at(schedules.piecewiseConstant(1, [[200, 0.5], [100, 0.1]]), 250)).toBeCloseTo(0.05, 7);
  });

  test("linear ramps and then holds", () => {
    const s = schedules.linear(0, 1e-3, 100, { transitionBegin: 10 });
    expect(at(s, 0)).toBe(0);
    expect(at(s, 60)).toBeCloseTo(5e-4, 9);
    expect(at(s, 1000)).toBeCloseTo(1e-3, 9);
    expect(at(schedules.constant(0.3), 12345)).toBeCloseTo(0.3, 7);
  });

  test("cyclic: triangular cycles, halved in triangular2", () => {
    const s = schedules.cyclic({ baseValue: 0, maxValue: 1, stepSize: 10 });
    expect([0, 5, 10, 15, 20, 30].map((k) => at(s, k))).toEqual([0, 0.5, 1, 0.5, 0, 1]);
    const s2 = schedules.cyclic({ baseValue: 0, maxValue: 1, stepSize: 10, mode: "triangular2" });
    expect([10, 30, 50].map((k) => at(s2, k))).toEqual([1, 0.5, 0.25]);
    const s3 = schedules.cyclic({ baseValue: 0, maxValue: 1, stepSize: 10, mode: "expRange", gamma: 0.99 });
    expect(at(s3, 10)).toBeCloseTo(0.99 ** 10, 5);
  });

  test("oneCycle: from peak/div up to peak, then down to peak/(div·finalDiv)", () => {
    const s = schedules.oneCycle({ transitionSteps: 100, peakValue: 1, pctStart: 0.5, divFactor: 10 });
    expect(at(s, 0)).toBeCloseTo(0.1, 6);
    expect(at(s, 25)).toBeCloseTo(0.55, 5);
    expect(at(s, 50)).toBeCloseTo(1, 6);
    expect(at(s, 100)).toBeCloseTo(1e-5, 8);
    expect(at(s, 200)).toBeCloseTo(1e-5, 8);
    const lin = schedules.oneCycle({ transitionSteps: 100, peakValue: 1, pctStart: 0.5, divFactor: 10, finalDivFactor: 1, anneal: "linear" });
    expect(at(lin, 75)).toBeCloseTo(0.55, 5);
  });

  test("join restarts each schedule's step at its boundary", () => {
    const s = schedules.join([schedules.linear(0, 1, 10), schedules.exponentialDecay(1, 10, 0.5)], [10]);
    expect(at(s, 5)).toBeCloseTo(0.5, 6);
    expect(at(s, 10)).toBeCloseTo(1, 6);
    expect(at(s, 30)).toBeCloseTo(0.25, 6);
    expect(() => schedules.join([schedules.constant(1)], [5])).toThrow(/1 schedules need 0 boundaries/);
  });

  test("int32 steps give the same values, and schedules trace under jit", () => {
    const all: optim.Schedule[] = [
      schedules.exponentialDecay(1, 10, 0.5), schedules.cosineDecay(1, 100),
      schedules.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110 }),
      schedules.piecewiseConstant(1, { 10: 0.1 }), schedules.linear(1, 0, 50),
      schedules.cyclic({ baseValue: 0, maxValue: 1, stepSize: 7 }), schedules.oneCycle({ transitionSteps: 100, peakValue: 1 }),
    ];
    for (const s of all) {
      const f = jit((step: NDArray) => s(step));
      for (const k of [0, 3, 15, 42, 77]) {
        expect(atInt(s, k)).toBeCloseTo(at(s, k), 5);
        expect(f(np.array(k, { dtype: "int32" })).item() as number).toBeCloseTo(at(s, k), 5);
      }
      expect(f.cacheSize).toBe(1);
    }
  });

  test("bad arguments say what is wrong", () => {
    expect(() => schedules.exponentialDecay(1, 0, 0.5)).toThrow(/transitionSteps must be a positive integer/);
    expect(() => schedules.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 5 })).toThrow(/must exceed warmupSteps/);
    expect(() => schedules.cosineDecay(1, 10)(np.ones([2]))).toThrow(/scalar array/);
    expect(() => optim.sgd("fast" as never)).toThrow(/learningRate must be a number/);
  });
});
