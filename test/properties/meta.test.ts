/**
 * The checks can fail: rules that are deliberately wrong, injected here, are each caught by
 * the very properties the suite runs (checks.ts), with a small, readable counterexample
 * after shrinking and a message that shows the point, the direction, both values and the
 * tolerance. A suite that cannot fail proves nothing.
 */
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import * as fc from "fast-check";
import { customJvp, lax, np, setBackend, stopGradient, type NDArray } from "../../src/index.ts";
import { primitives, type PrimitiveRules } from "../../src/core/primitive.ts";
import { cumsumP } from "../../src/lax/reduce.ts";
import { arb } from "../../src/testing/index.ts";
import { firstOrder, secondOrder, vjpMatchesJvp, vmapMatchesLoop, cases, batchedCases, type Case } from "./checks.ts";
import { DOMAINS } from "./domains.ts";
import { smooth, type Domain } from "./spec.ts";
import { seedFor } from "./config.ts";

/** Runs a property the suite's way and returns fast-check's report (which must be a failure). */
function run<C>(arbitrary: fc.Arbitrary<C>, check: (c: C) => void, name: string, numRuns = 30): fc.RunDetails<[C]> {
  return fc.check(fc.property(arbitrary, (c) => { check(c); }), { seed: seedFor("meta", name), numRuns });
}

/** The failure is caught, shrunk to a short counterexample, and explained. */
function expectCaught<C>(r: fc.RunDetails<[C]>, fragments: string[]): { counterexample: string; message: string } {
  expect(r.failed, "the injected bug was not caught").toBe(true);
  const counterexample = fc.stringify(r.counterexample![0]);
  const message = String((r.errorInstance as Error)?.message ?? r.errorInstance);
  for (const f of fragments) expect(message).toContain(f);
  // Small and readable: shrinking leaves a few numbers, not a wall of them.
  expect(counterexample.length, counterexample).toBeLessThan(160);
  expect((counterexample.match(/-?\d+(\.\d+)?/g) ?? []).length, counterexample).toBeLessThan(24);
  return { counterexample, message };
}

/** Replaces some rules of a registered primitive until `restore()` (afterEach) puts them back. */
const saved: (() => void)[] = [];
function inject<P>(name: string, rules: Partial<PrimitiveRules<P>>): void {
  const p = primitives().get(name)!;
  const before = { ...p.rules };
  Object.assign(p.rules, rules);
  saved.push(() => { for (const k of Object.keys(rules)) (p.rules as unknown as Record<string, unknown>)[k] = (before as unknown as Record<string, unknown>)[k]; });
}
afterEach(() => { while (saved.length) saved.pop()!(); });

/** A domain for one custom function of x ∈ [-2, 2]. */
const customDomain = (label: string, f: (x: NDArray) => NDArray): Domain => ({
  family: "higher-order", domain: "[-2, 2]", grad: smooth({ M0: 2, M1: 2, M3: 2, M4: 2 }),
  structures: arb.shape({ maxRank: 2, maxDim: 3 }).map((shape) => ({ label, operands: [{ shape, min: -2, max: 2 }], f: (x: NDArray) => [f(x!)] })),
});

describe.each(["cpu", "wasm"] as const)("meta: injected bugs are caught on %s", (backend) => {
  beforeAll(() => setBackend(backend));

  test("a wrong customJvp rule (d/dx sin = sin) fails first order against central differences", () => {
    const wrongSin = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x!), t!.mul(np.sin(x!))]);
    const d = customDomain("wrongSin", wrongSin);
    const { counterexample, message } = expectCaught(run(cases(d, true), (c) => firstOrder(d, c), "customJvp"),
      ["forward mode (jvp) disagrees with central differences", "jvp:", "central difference:", "tolerance", "point:", "direction:", "eps:"]);
    expect(counterexample).toMatch(/^wrongSin\(np\.array\(/);
  });

  test("a customJvp rule right at first order but wrong at second (a stopped gradient) fails only the second-order check", () => {
    const frozenSin = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x!), t!.mul(stopGradient(np.cos(x!)))]);
    const d = customDomain("frozenSin", frozenSin);
    expect(run(cases(d, true), (c) => firstOrder(d, c), "frozen-first").failed).toBe(false);
    expect(run(cases(d, true), (c) => vjpMatchesJvp(d, c), "frozen-transpose").failed).toBe(false);
    expectCaught(run(cases(d, true), (c) => secondOrder(d, c), "frozen-second"), ["central difference", "point:", "direction:"]);
  });

  test("a wrong transpose rule (cumsum's transpose without flipping the direction) fails vjp vs jvp", () => {
    inject<{ axis: number; reverse: boolean }>("cumsum", { transpose: ([ct], _args, params) => [cumsumP.bind1([ct!], params)] });
    const { counterexample, message } = expectCaught(run(cases(DOMAINS.cumsum!, true), (c) => vjpMatchesJvp(DOMAINS.cumsum!, c), "transpose"),
      ["reverse mode is not the transpose of forward mode", "<u, jvp(v)>:", "<vjp(u), v>:", "tolerance", "point:", "direction v:", "cotangent u:"]);
    expect(counterexample).toMatch(/^cumsum\{axis=\d, reverse=(true|false)\}\(np\.array\(\[/);
    expect(message).not.toContain("NaN");
  });

  test("a wrong batching rule (cumsum under vmap without shifting its axis past the batch axis) fails vmap vs loop", () => {
    inject<{ axis: number; reverse: boolean }>("cumsum", {
      batch: ([x], [d], params) => {
        const moved = lax.transpose(x!, [d!, ...x!.shape.map((_, i) => i).filter((i) => i !== d)]);
        return [[cumsumP.bind1([moved], params)], [0]];
      },
    });
    const { counterexample } = expectCaught(run(batchedCases(DOMAINS.cumsum!), (c) => vmapMatchesLoop(DOMAINS.cumsum!, c), "batch"),
      ["vmap vs loop", "vmap:", "loop:", "tolerance", "batched arguments:", "inAxes:"]);
    expect(counterexample).toMatch(/^vmap\(cumsum\{axis=\d, reverse=(true|false)\}, inAxes=\[\d\], B=\d\)/);
  });

  test("a wrong JVP rule of a primitive (tanh' = 1 − x²) fails first order and names the primitive and point", () => {
    inject("tanh", {
      jvp: ([x], [t]) => [[lax.tanh(x!)], [t && t.mul(lax.sub(1, x!.mul(x!)))]],
    });
    const { counterexample } = expectCaught(run(cases(DOMAINS.tanh!, true), (c: Case) => firstOrder(DOMAINS.tanh!, c), "jvp"),
      ["forward mode (jvp) disagrees with central differences", "point:"]);
    expect(counterexample).toMatch(/^tanh\(np\.array\(/);
  });
});
