/**
 * gradus/testing itself: checkGrads has jax.test_util.check_grads's semantics (passes on
 * correct derivatives, fails on wrong ones with the point, direction, values and tolerance
 * in the message, recurses for higher orders), the equivalence checks catch what they
 * claim to, and the arbitraries generate what their options say and shrink to small,
 * readable counterexamples.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { test as propTest } from "@fast-check/vitest";
import * as fc from "fast-check";
import { customJvp, customVjp, jit, lax, np, stopGradient, vmap, type NDArray } from "../src/index.ts";
import {
  arb, checkGrads, checkJit, checkJvp, checkVjp, checkVjpAgainstJvp, checkVmap, CheckError, DEFAULTS, HostArray, numericalJvp,
} from "../src/testing/index.ts";
import { primitives } from "../src/core/primitive.ts";
import { CPU_BACKENDS, useBackend } from "./helpers.ts";

const wrongSin = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x!), t!.mul(np.sin(x!))]);
/** Right first derivative, wrong second (the derivative's dependence on x is cut). */
const frozenSin = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x!), t!.mul(stopGradient(np.cos(x!)))]);
/** Reverse mode off by a factor 2. */
const doubledBwd = customVjp((x: NDArray) => np.sin(x)).defvjp((x: NDArray) => [np.sin(x), x], (x: NDArray, g: NDArray) => [g.mul(np.cos(x)).mul(2)]);

const caught = (fn: () => void): string => {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(CheckError); return (e as Error).message; }
  throw new Error("expected a CheckError");
};

describe.each(CPU_BACKENDS)("checkGrads on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("passes on correct derivatives, to order 3, for several arguments and pytrees", () => {
    checkGrads(np.tanh, [np.array([0.5, -1, 2])], { order: 3 });
    checkGrads((a: NDArray, b: NDArray) => np.sin(a).mul(b).sum(), [np.array([0.5, 1]), np.array([2, -1])], { order: 2 });
    checkGrads((p: { w: NDArray; b: NDArray[] }) => np.tanh(np.matmul(p.w, p.b[0]!)).add(p.b[1]!), [{ w: np.array([[0.5, -0.25], [1, 0.75]]), b: [np.array([1, -1]), np.array([0.1, 0.2])] }]);
    checkGrads((x: NDArray) => lax.scan((c: NDArray, y: NDArray): [NDArray, NDArray] => [np.tanh(c.mul(y)), c], x, np.ones([3, 2])), [np.array([0.3, -0.7])]);
  });

  test("integer and bool leaves are held fixed, as in JAX", () => {
    checkGrads((x: NDArray, n: NDArray, m: NDArray) => np.where(m, x.mul(n.astype("float32")), x.neg()),
      [np.array([0.5, 1]), np.array([3, 4], { dtype: "int32" }), np.array([true, false])]);
  });

  test("a wrong JVP rule fails forward mode with the point, the direction, both values and the tolerance", () => {
    const msg = caught(() => checkGrads(wrongSin, [np.array([0.5, -1])], { order: 1, modes: ["fwd"] }));
    expect(msg).toMatch(/^JVP: forward mode \(jvp\) disagrees with central differences at output leaf 0/);
    for (const s of ["at element [", "jvp:", "central difference:", "tolerance", "atol 0.002 + rtol 0.002", "point:     [np.array([0.5, -1])]", "direction:", "eps:       0.001 (seed 0)"]) {
      expect(msg).toContain(s);
    }
  });

  test("a wrong VJP fails reverse mode by the cotangent projection, showing both projections", () => {
    const msg = caught(() => checkGrads(doubledBwd, [np.array([0.5, -1, 2])], { order: 1, modes: ["rev"] }));
    expect(msg).toMatch(/^VJP: reverse mode \(vjp\) disagrees with central differences: <vjp\(u\), v> ≠ <u, J v>/);
    for (const s of ["<vjp(u), v>:", "<u, central difference>:", "direction v:", "cotangent u:", "Σ|u|"]) expect(msg).toContain(s);
    // Forward mode is not defined for custom_vjp; reverse mode alone checks it at order 2 too.
    const sinV = customVjp((x: NDArray) => np.sin(x)).defvjp((x: NDArray) => [np.sin(x), x], (x: NDArray, g: NDArray) => [g.mul(np.cos(x))]);
    checkGrads(sinV, [np.array([0.5, -1, 2])], { order: 2, modes: ["rev"] });
  });

  test("order 2 recurses: a rule wrong only at second order fails 'JVP of JVP' / 'VJP of VJP'", () => {
    checkGrads(frozenSin, [np.array([0.5, -1])], { order: 1 });
    expect(caught(() => checkGrads(frozenSin, [np.array([0.5, -1])], { order: 2, modes: ["fwd"] }))).toMatch(/^JVP of JVP: /);
    expect(caught(() => checkGrads(frozenSin, [np.array([0.5, -1])], { order: 2, modes: ["rev"] }))).toMatch(/^VJP of VJP: /);
  });

  test("the seed chooses the direction; eps and tolerances are honoured; bad options are rejected", () => {
    const m0 = caught(() => checkJvp(wrongSin, [np.array([0.5])], { seed: 0 }));
    const m1 = caught(() => checkJvp(wrongSin, [np.array([0.5])], { seed: 1 }));
    expect(m0).not.toEqual(m1);
    // A loose enough tolerance lets even the wrong rule pass: the tolerance is what is checked.
    checkJvp(wrongSin, [np.array([0.5])], { atol: 10, rtol: 0 });
    expect(caught(() => checkJvp(wrongSin, [np.array([0.5])], { eps: 0.01 }))).toContain("eps:       0.01");
    expect(() => checkGrads(np.sin, [np.array(1)], { order: 0 })).toThrow(/order must be a positive integer/);
    expect(() => checkGrads(np.sin, [np.array(1)], { modes: ["sideways" as never] })).toThrow(/modes must be/);
    expect(DEFAULTS).toEqual({ eps: 1e-3, atol: 2e-3, rtol: 2e-3, seed: 0 });
  });

  test("a value that stays infinite along the step has a zero difference (not ∞ − ∞)", () => {
    checkGrads((x: NDArray) => lax.reduceMax(x, [1]), [np.zeros([2, 0])], { order: 1 });
    const [d] = numericalJvp((x: NDArray) => np.log(x.mul(0)), [np.array([1, 2])], [np.array([1, 1])]);
    expect(d).toEqual([0, 0]);
  });

  test("numericalJvp gives central differences along the tangent", () => {
    const [d] = numericalJvp((x: NDArray) => np.exp(x), [np.array([0, 1])], [np.array([1, 2])], 1e-2);
    expect(d![0]).toBeCloseTo(1, 3);
    expect(d![1]).toBeCloseTo(2 * Math.E, 2);
    checkVjp(np.exp, [np.array([0, 1])]);
  });
});

describe.each(CPU_BACKENDS)("equivalence checks on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("checkVjpAgainstJvp passes on matmul and catches a reverse mode that is not forward mode's transpose", () => {
    checkVjpAgainstJvp((a: NDArray, b: NDArray) => np.matmul(a, b), [np.ones([2, 3]), np.array([[1, 2], [3, 4], [5, 6]])]);
    // A transpose rule that forgets the sign: forward mode stays right, reverse mode does not.
    const neg = primitives().get("neg")!;
    const transpose = neg.rules.transpose;
    neg.rules.transpose = ([ct]) => [ct!];
    try {
      const msg = caught(() => checkVjpAgainstJvp((x: NDArray) => np.sin(x).neg(), [np.array([0.5, 1])]));
      for (const s of ["<u, jvp(v)>:", "<vjp(u), v>:", "rtol 0.0001", "point:", "direction v:", "cotangent u:"]) expect(msg).toContain(s);
    } finally {
      neg.rules.transpose = transpose;
    }
  });

  test("checkVmap compares with a loop, with per-argument axes, and reports the differing element", () => {
    checkVmap((x: NDArray, w: NDArray) => np.matmul(w, x), [np.ones([3, 4]), np.array([[1, 2, 3], [4, 5, 6]])], { inAxes: [1, null] });
    checkVmap((x: NDArray) => x.sum(), [np.array([[1, 2], [3, 4]])], { inAxes: -1 });
    // An impure function: vmap calls it once, the loop once per example, so they differ.
    let calls = 0;
    const f = (x: NDArray) => x.mul(++calls);
    const msg = caught(() => checkVmap(f, [np.array([[1, 2], [3, 4], [5, 6]])], { inAxes: 1 }));
    for (const s of ["vmap vs loop: output leaf 0 differs", "vmap:", "loop:", "batched arguments:", "inAxes:"]) expect(msg).toContain(s);
    expect(() => checkVmap(f, [np.ones([2])], { inAxes: [0, 1] })).toThrow(/inAxes has 2 entries for 1 arguments/);
  });

  test("checkJit compares jit with eager evaluation", () => {
    checkJit((x: NDArray) => np.tanh(x).mul(2).sum(), [np.array([0.5, 1])]);
    let calls = 0;
    // A function that (wrongly) depends on being traced: its value changes under jit.
    const impure = (x: NDArray) => { calls++; return x.mul(calls); };
    expect(caught(() => checkJit(impure, [np.array([1, 2])]))).toMatch(/^jit vs eager: output leaf 0 differs/);
  });
});

describe("arbitraries", () => {
  beforeAll(() => useBackend("cpu"));

  propTest.prop([arb.shape({ minRank: 1, maxRank: 3, minDim: 2, maxDim: 5 })])("shape respects its bounds", (s) => {
    expect(s.length).toBeGreaterThanOrEqual(1);
    expect(s.length).toBeLessThanOrEqual(3);
    for (const d of s) expect(d >= 2 && d <= 5).toBe(true);
  });

  propTest.prop([arb.array({ shape: arb.shape({ maxRank: 2 }), min: -2, max: 2, exclude: [[-0.5, 0.5]] })])("array values lie in [min, max], outside exclude, on the grid", (x) => {
    for (const v of x.dataSync()) {
      expect(v >= -2 && v <= 2 && Math.abs(v) >= 0.5).toBe(true);
      expect(v * 64).toBe(Math.round(v * 64));
    }
  });

  propTest.prop([arb.arrayData({ shape: [12], distinct: 0.25, min: -3, max: 3 })])("distinct values are at least that far apart", (h) => {
    const s = [...h.data].sort((a, b) => a - b);
    for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!).toBeGreaterThanOrEqual(0.25);
  });

  propTest.prop([arb.array({ shape: [3], dtype: "int32", min: -1, max: 4 }), arb.array({ shape: [2, 2], dtype: "bool" }), arb.array({ shape: [2], dtype: "uint32" })])(
    "int32, bool and uint32 arrays", (i, b, u) => {
      expect(i.dtype).toBe("int32");
      for (const v of i.dataSync()) expect(v >= -1 && v <= 4).toBe(true);
      expect(b.dtype).toBe("bool");
      expect(u.dtype).toBe("uint32");
    },
  );

  propTest.prop([arb.broadcastablePair({ maxRank: 3 })])("broadcastablePair shapes broadcast (NumPy rules)", ([a, b]) => {
    np.add(np.zeros(a), np.zeros(b));
  });

  propTest.prop([arb.pytree(arb.array({ shape: [2] }), { maxDepth: 2 })])("pytrees of arrays flatten to their leaves", (t) => {
    const leaves = JSON.stringify(t, (_, v) => (v && typeof v === "object" && "aval" in v ? "leaf" : v));
    expect(leaves).not.toContain("null");
  });

  test("arrays print as the code that builds them", () => {
    expect(String(new HostArray([2, 2], "float32", [0.5, -1, 2, 0.25]))).toBe("np.array([[0.5, -1], [2, 0.25]])");
    expect(String(new HostArray([], "int32", [3]))).toBe('np.array(3, { dtype: "int32" })');
    expect(fc.stringify(new HostArray([2], "float32", [1, 2]).toNDArray())).toBe("np.array([1, 2])");
    expect(String(new HostArray([0, 3], "bool", []))).toBe('np.zeros([0, 3], { dtype: "bool" })');
  });

  test("shrinking gives small, readable counterexamples", () => {
    const r = fc.check(fc.property(arb.array({ shape: arb.shape({ maxRank: 3 }), min: -3, max: 3 }), (x) => x.dataSync().every((v) => v < 1)), { seed: 42 });
    expect(r.failed).toBe(true);
    expect(fc.stringify(r.counterexample![0])).toMatch(/^np\.array\(\[?1\]?\)$/);
    const r2 = fc.check(fc.property(arb.array({ shape: arb.shape(), min: -2, max: 2, exclude: [[-0.5, 0.5]] }), (x) => {
      checkGrads(wrongSin, [x], { order: 1 });
    }), { seed: 1 });
    expect(r2.failed).toBe(true);
    expect(fc.stringify(r2.counterexample![0])).toMatch(/^np\.array\(-?0\.5\)$|^np\.array\(\[-?0\.5\]\)$/);
  });

  test("bad options say what is wrong", () => {
    expect(() => arb.shape({ minRank: 3, maxRank: 1 })).toThrow(/minRank <= maxRank/);
    expect(() => fc.sample(arb.array({ shape: [2], min: 0, max: 1, exclude: [[-1, 2]] }), 1)).toThrow(/leaves no value/);
    expect(() => fc.sample(arb.array({ shape: [100], min: 0, max: 1, distinct: 0.5 }), 1)).toThrow(/cannot draw 100 values/);
  });
});

describe("checks compose with transforms in user code", () => {
  beforeAll(() => useBackend("wasm"));
  test("checkGrads of a jitted, vmapped function", () => {
    checkGrads(jit(vmap((x: NDArray) => np.sin(x).mul(x))), [np.array([[0.5, -1], [0.25, 2]])], { order: 2 });
  });
});
