/**
 * Custom differentiation rules (customJvp, customVjp) and rematerialization (checkpoint):
 * the rules are what differentiation sees, evaluation runs the function, everything
 * composes with jit, vmap and higher-order differentiation, errors are JAX's, and repeated
 * calls leak no tensors. Run on cpu and wasm.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  checkpoint, checkpointPolicies, customJvp, customVjp, dispose, grad, jit, jvp, lax, linearize, makeJaxpr, np, remat, scope, vjp, vmap,
  type NDArray,
} from "../src/index.ts";
import { tf } from "../src/backend/index.ts";
import { Tracer } from "../src/core/trace.ts";
import type { ClosedJaxpr, Jaxpr } from "../src/core/jaxpr.ts";
import { evalClosedJaxpr } from "../src/core/jaxpr.ts";
import { linearizeFlat } from "../transforms/grad.ts";
import { stageFlat } from "../transforms/staging.ts";
import { transposeClosed } from "../transforms/transpose.ts";
import { vmapFlat } from "../transforms/vmap.ts";
import { CPU_BACKENDS, expectArray, rand, useBackend } from "./helpers.ts";

// ---------------------------------------------------------------------------------------
// Functions under test (module level, as users define them)

/** JAX's example: log(1 + e^x), whose autodiff derivative is NaN for large x. */
const log1pexpRaw = (x: NDArray) => np.log(np.exp(x).add(1));
let ruleCalls = 0;
const log1pexp = customJvp(function log1pexp(x: NDArray): NDArray { return log1pexpRaw(x); })
  .defjvp(([x]: NDArray[], [t]: NDArray[]) => {
    ruleCalls++;
    return [log1pexp(x), np.subtract(1, np.divide(1, np.exp(x).add(1))).mul(t)];
  });

/** Identity forward, cotangent clipped to [-1, 1] backward. */
const clipGradient = customVjp(function clipGradient(x: NDArray): NDArray { return x; })
  .defvjp((x: NDArray) => [x, null], (_res: null, g: NDArray) => [np.clip(g, -1, 1)]);

/** sin with the derivative supplied through residuals (a pytree). */
const vjpSin = customVjp(function vjpSin(x: NDArray): NDArray { return np.sin(x); })
  .defvjp((x: NDArray) => [np.sin(x), { cos: np.cos(x) }], (res: { cos: NDArray }, g: NDArray) => [g.mul(res.cos)]);

const sinsin = (x: NDArray) => np.sum(np.sin(np.sin(x)));
const mlp = (p: { w: NDArray; b: NDArray }, x: NDArray) => np.sum(np.tanh(np.matmul(np.tanh(np.matmul(x, p.w).add(p.b)), p.w)));

const mat = (rows: number, cols: number, seed: number) => np.array(rand(rows * cols, seed)).reshape([rows, cols]);

/** Primitive names of a jaxpr's top-level equations. */
const prims = (j: Jaxpr | ClosedJaxpr) => ("jaxpr" in j ? j.jaxpr : j).eqns.map((e) => e.primitive.name);
/** Primitive names inside the `checkpoint` equations of a jaxpr (the backward pass). */
const insideCheckpoints = (j: ClosedJaxpr) =>
  j.jaxpr.eqns.filter((e) => e.primitive.name === "checkpoint").flatMap((e) => prims(e.params.jaxpr as Jaxpr));

describe.each(CPU_BACKENDS)("customJvp on %s", (backend) => {
  beforeAll(async () => { await useBackend(backend); });

  test("log1pexp: grad uses the rule, so it is 1 at x = 100 where autodiff gives NaN", () => {
    expect(Number.isNaN(grad(log1pexpRaw)(np.array(100)).item())).toBe(true);
    expectArray(grad(log1pexp)(np.array(100)), 1);
    expectArray(grad(log1pexp)(np.array(0)), 0.5);
    expectArray(log1pexp(np.array([0, 3])), [Math.log(2), Math.log(1 + Math.exp(3))]);
  });

  test("evaluation runs the function; JVP and reverse mode run the rule", () => {
    const fakeSin = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x), t.mul(3)]);
    const x = np.array([0.5, 1]);
    ruleCalls = 0;
    log1pexp(x);
    jit(log1pexp)(x);
    expect(ruleCalls).toBe(0);
    expectArray(fakeSin(x), [Math.sin(0.5), Math.sin(1)]);
    expectArray(jvp(fakeSin, [x], [np.array([1, 2])])[1], [3, 6]);
    expectArray(grad((y: NDArray) => np.sum(fakeSin(y)))(x), [3, 3]);
    expectArray(vjp(fakeSin, x)[1](np.array([1, -1]))[0], [3, -3]);
  });

  test("composes with jit and vmap in every order", () => {
    const xs = np.array([0, 100, -3]);
    const expected = [0.5, 1, 1 / (1 + Math.exp(3))];
    const g = grad(log1pexp);
    expectArray(jit(g)(np.array(100)), 1);
    expectArray(grad(jit(log1pexp))(np.array(100)), 1);
    expectArray(vmap(g)(xs), expected);
    expectArray(jit(vmap(g))(xs), expected);
    expectArray(vmap(jit(g))(xs), expected);
    expectArray(grad((x: NDArray) => np.sum(vmap(log1pexp)(x)))(xs), expected);
    expectArray(jvp(vmap(log1pexp), [xs], [np.array([1, 2, 3])])[1], [0.5, 2, 3 * expected[2]!]);
    expectArray(vmap((x: NDArray, t: NDArray) => jvp(log1pexp, [x], [t])[1])(xs, np.array([1, 2, 3])), [0.5, 2, 3 * expected[2]!]);
  });

  test("higher order: grad of grad differentiates the rule's tangent", () => {
    // d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    expectArray(grad(grad(log1pexp))(np.array(0)), 0.25);
    expectArray(grad(grad(log1pexp))(np.array(2)), s(2) * (1 - s(2)), { rtol: 1e-4 });
  });

  test("pytree arguments and outputs; symbolic-zero tangents reach the rule as zeros", () => {
    const seen: number[][] = [];
    const f = customJvp((p: { a: NDArray; b: NDArray }, c: NDArray) => [p.a.mul(p.b), np.sum(c)])
      .defjvp(([p, c]: [{ a: NDArray; b: NDArray }, NDArray], [tp, tc]: [{ a: NDArray; b: NDArray }, NDArray]) => {
        if (!(tp.a instanceof Tracer)) seen.push(tp.a.toArray() as number[]);
        return [[p.a.mul(p.b), np.sum(c)], [tp.a.mul(p.b).add(p.a.mul(tp.b)), np.sum(tc).mul(2)]];
      });
    const p = { a: np.array([1, 2]), b: np.array([3, 4]) };
    const c = np.array([1, 1, 1]);
    const loss = (q: typeof p, d: NDArray) => { const [u, v] = f(q, d) as [NDArray, NDArray]; return np.sum(u).add(v); };
    expectArray(grad(loss, { argnums: 1 })(p, c), [2, 2, 2]);
    expect(seen.at(-1)).toEqual([0, 0]);
    const gp = grad(loss)(p, c) as { a: NDArray; b: NDArray };
    expectArray(gp.a, [3, 4]);
    expectArray(gp.b, [1, 2]);
  });

  test("nondiffArgnums pass static values first to the rule; defjvps sums per-argument rules", () => {
    const scaled = customJvp((k: number, x: NDArray) => x.mul(k), { nondiffArgnums: [0] })
      .defjvp((k: number, [x]: NDArray[], [t]: NDArray[]) => [x.mul(k), t.mul(10 * k)]);
    expectArray(grad((x: NDArray) => np.sum(scaled(2, x)))(np.array([1, 2])), [20, 20]);
    expectArray(scaled(3, np.array([1, 2])), [3, 6]);
    const prod = customJvp((x: NDArray, y: NDArray) => x.mul(y)).defjvps(
      (t: NDArray, _o: NDArray, _x: NDArray, y: NDArray) => t.mul(y),
      (t: NDArray, _o: NDArray, x: NDArray) => t.mul(x),
    );
    const [gx, gy] = grad((x: NDArray, y: NDArray) => np.sum(prod(x, y)), { argnums: [0, 1] })(np.array([1, 2]), np.array([3, 4])) as NDArray[];
    expectArray(gx!, [3, 4]);
    expectArray(gy!, [1, 2]);
  });

  test("makeJaxpr shows custom_jvp_call holding the function's jaxpr", () => {
    const text = makeJaxpr(log1pexp)(np.array(1)).toString();
    expect(text).toContain("custom_jvp_call[jaxpr=");
    expect(text).toContain("jvp=log1pexp_jvp");
    expect(text).toMatch(/exp a[\s\S]*log/);
  });

  test("clear errors", () => {
    const noRule = customJvp(function noRule(x: NDArray) { return x; });
    expect(() => noRule(np.array(1))).toThrow("customJvp(noRule): no JVP rule defined; call .defjvp(rule)");
    const badShape = customJvp(function badShape(x: NDArray) { return x; }).defjvp(([x]: NDArray[]) => [x, np.zeros([5])]);
    expect(() => grad((x: NDArray) => np.sum(badShape(x)))(np.array([1, 2]))).toThrow(
      "customJvp(badShape): the JVP rule returned a f32[5] tangent for output leaf 0, whose primal is f32[2]");
    const notPair = customJvp(function notPair(x: NDArray) { return x; }).defjvp(((x: NDArray[]) => x[0]) as never);
    expect(() => jvp(notPair, [np.array(1)], [np.array(1)])).toThrow("the JVP rule must return [primalOut, tangentOut]");
    const closure = (w: NDArray) => customJvp((x: NDArray) => x.mul(w)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [x.mul(w), t.mul(w)])(np.array(2));
    expect(() => grad(closure)(np.array(3))).toThrow("differentiation with respect to a value the function closes over");
    expect(() => customJvp((k: number, x: NDArray) => x, { nondiffArgnums: [0] }).defjvp((() => null) as never)(np.array(1) as never, np.array(1)))
      .toThrow("argument 0 is in nondiffArgnums, so it must be a plain JS value");
  });
});

describe.each(CPU_BACKENDS)("customVjp on %s", (backend) => {
  beforeAll(async () => { await useBackend(backend); });

  test("gradient clipping: identity forward, clipped cotangent", () => {
    const x = np.array([1, -2, 3]);
    expectArray(clipGradient(x), [1, -2, 3]);
    expectArray(grad((y: NDArray) => np.sum(clipGradient(y).mul(5)))(x), [1, 1, 1]);
    expectArray(grad((y: NDArray) => np.sum(clipGradient(y).mul(-5)))(x), [-1, -1, -1]);
    expectArray(grad((y: NDArray) => np.sum(clipGradient(y).mul(0.5)))(x), [0.5, 0.5, 0.5]);
    expectArray(grad((y: NDArray) => np.sum(clipGradient(y.mul(y))))(x), [2, -4, 6]); // clipped ct 1, times 2y
  });

  test("residuals (pytrees) carry what bwd needs; second order differentiates fwd and bwd", () => {
    const x = np.array([0.3, 1.2]);
    expectArray(grad((y: NDArray) => np.sum(vjpSin(y)))(x), [Math.cos(0.3), Math.cos(1.2)]);
    expectArray(grad((y: NDArray) => np.sum(grad((z: NDArray) => np.sum(vjpSin(z)))(y)))(x), [-Math.sin(0.3), -Math.sin(1.2)], { rtol: 1e-4 });
    const [out, pull] = vjp(vjpSin, x);
    expectArray(out, [Math.sin(0.3), Math.sin(1.2)]);
    expectArray(pull(np.array([2, 3]))[0], [2 * Math.cos(0.3), 3 * Math.cos(1.2)]);
  });

  test("composes with jit and vmap", () => {
    const loss = (y: NDArray) => np.sum(clipGradient(y).mul(np.array([5, 0.5])));
    const x = np.array([1, 2]);
    const xs = np.array([[1, 2], [3, 4], [5, 6]]);
    expectArray(jit(clipGradient)(x), [1, 2]);
    expectArray(vmap(clipGradient)(xs), [[1, 2], [3, 4], [5, 6]]);
    expectArray(jit(grad(loss))(x), [1, 0.5]);
    expectArray(grad(jit(loss))(x), [1, 0.5]);
    expectArray(vmap(grad(loss))(xs), [[1, 0.5], [1, 0.5], [1, 0.5]]);
    expectArray(jit(vmap(grad(loss)))(xs), [[1, 0.5], [1, 0.5], [1, 0.5]]);
    expectArray(grad((y: NDArray) => np.sum(vmap(loss)(y)))(xs), [[1, 0.5], [1, 0.5], [1, 0.5]]);
    // vmap with an unbatched argument: its cotangent sums over the batch (then is clipped per example).
    const two = customVjp((a: NDArray, b: NDArray) => a.mul(b)).defvjp(
      (a: NDArray, b: NDArray) => [a.mul(b), [a, b]],
      ([a, b]: NDArray[], g: NDArray) => [np.clip(g.mul(b), -1, 1), g.mul(a)],
    );
    const gb = grad((b: NDArray) => np.sum(vmap(two, { inAxes: [0, null] })(xs, b)))(np.array([1, 1]));
    expectArray(gb, [9, 12]);
    const ga = grad((a: NDArray) => np.sum(vmap(two, { inAxes: [0, null] })(a, np.array([3, 0.1]))))(xs);
    expectArray(ga, [[1, 0.1], [1, 0.1], [1, 0.1]]);
  });

  test("several pytree arguments, null cotangents, int arguments and nondiffArgnums", () => {
    const f = customVjp((p: { a: NDArray; b: NDArray }, n: NDArray) => np.sum(p.a.mul(p.b)).mul(n.astype("float32")))
      .defvjp(
        (p: { a: NDArray; b: NDArray }, n: NDArray) => [np.sum(p.a.mul(p.b)).mul(n.astype("float32")), { p, n }],
        (r: { p: { a: NDArray; b: NDArray }; n: NDArray }, g: NDArray) => [{ a: r.p.b.mul(g), b: null }, null],
      );
    const p = { a: np.array([1, 2]), b: np.array([3, 4]) };
    const n = np.array(2, { dtype: "int32" });
    const gp = grad((q: typeof p) => f(q, n))(p) as { a: NDArray; b: NDArray };
    expectArray(gp.a, [3, 4]);
    expectArray(gp.b, [0, 0]);
    // JAX's clip_gradient(lo, hi, x) with static bounds.
    const clip = customVjp((lo: number, hi: number, x: NDArray) => x, { nondiffArgnums: [0, 1] })
      .defvjp((_lo: number, _hi: number, x: NDArray) => [x, null], (lo: number, hi: number, _r: null, g: NDArray) => [np.clip(g, lo, hi)]);
    expectArray(grad((x: NDArray) => np.sum(clip(-0.5, 0.25, x).mul(np.array([1, -1]))))(np.array([1, 2])), [0.25, -0.5]);
  });

  test("forward mode raises JAX's error, eagerly, under jit and through linearize", () => {
    const msg = "can't apply forward-mode autodiff (jvp) to a custom_vjp function";
    const x = np.array([1, 2]);
    expect(() => jvp(clipGradient, [x], [x])).toThrow(msg);
    expect(() => jit((a: NDArray, t: NDArray) => jvp(clipGradient, [a], [t])[1])(x, x)).toThrow(msg);
    expect(() => jvp(jit(clipGradient), [x], [x])).toThrow(msg);
    const [, fJvp] = linearize(clipGradient, x);
    expect(() => fJvp(x)).toThrow(msg);
  });

  test("clear errors for missing or malformed rules and closed-over differentiated values", () => {
    const none = customVjp(function none(x: NDArray) { return x; });
    expect(() => none(np.array(1))).toThrow("customVjp(none): no VJP rule defined; call .defvjp(fwd, bwd)");
    const badBwd = customVjp(function badBwd(x: NDArray) { return x; }).defvjp((x: NDArray) => [x, null], (_r: null, g: NDArray) => g as never);
    expect(() => grad((x: NDArray) => np.sum(badBwd(x)))(np.array([1, 2]))).toThrow(
      "customVjp(badBwd): bwd must return an array with one cotangent per argument (1; e.g. [ct] for one argument)");
    const badShape = customVjp(function badShape(x: NDArray) { return x; }).defvjp((x: NDArray) => [x, null], () => [np.zeros([3])]);
    expect(() => grad((x: NDArray) => np.sum(badShape(x)))(np.array([1, 2]))).toThrow(
      "customVjp(badShape): bwd returned a f32[3] cotangent for leaf 0 of argument 0, which is f32[2]");
    const badFwd = customVjp(function badFwd(x: NDArray) { return x; }).defvjp((x: NDArray) => [[x], null], () => [null]);
    expect(() => grad((x: NDArray) => np.sum(badFwd(x)))(np.array([1, 2]))).toThrow("customVjp(badFwd): fwd returned a primal output of structure");
    const closure = (w: NDArray) => customVjp((x: NDArray) => x.mul(w)).defvjp((x: NDArray) => [x.mul(w), null], (_r: null, g: NDArray) => [g])(np.array(2));
    expect(() => grad(closure)(np.array(3))).toThrow("differentiation with respect to a value the function closes over");
  });

  test("custom_lin's batching rule: the transposed vmap of the linear map uses the batched bwd", () => {
    const f = (x: NDArray) => [clipGradient(x).mul(5)];
    const x = np.array([1, 2]);
    const lin = linearizeFlat(f, [x]);
    expect(prims(lin.jaxpr)).toContain("custom_lin");
    const batched = stageFlat((t: NDArray) => vmapFlat((u) => evalClosedJaxpr(lin.jaxpr, [u]), [t], [0], 3, () => 0), [np.zeros([3, 2]).aval]).closed;
    expect(prims(batched)).toContain("custom_lin");
    const [ct] = transposeClosed(batched, [np.array([[0.1, 0.1], [1, -1], [0.05, 0.3]])]);
    expectArray(ct!, [[0.5, 0.5], [1, -1], [0.25, 1]]);
    dispose(lin.jaxpr.consts);
  });
});

describe.each(CPU_BACKENDS)("checkpoint on %s", (backend) => {
  beforeAll(async () => { await useBackend(backend); });

  test("values and gradients equal those without checkpoint", () => {
    const x = np.array(rand(6, 1, -2, 2)).reshape([2, 3]);
    const c = checkpoint(sinsin);
    expectArray(c(x), sinsin(x).item() as number, { rtol: 1e-5 });
    expectArray(grad(c)(x), grad(sinsin)(x).toArray());
    const p = { w: mat(3, 3, 2), b: np.array(rand(3, 3)) };
    const gRef = grad(mlp)(p, x) as { w: NDArray; b: NDArray };
    const gRemat = grad(checkpoint(mlp))(p, x) as { w: NDArray; b: NDArray };
    expectArray(gRemat.w, gRef.w.toArray(), { rtol: 1e-5, atol: 1e-6 });
    expectArray(gRemat.b, gRef.b.toArray(), { rtol: 1e-5, atol: 1e-6 });
    expect(remat).toBe(checkpoint);
  });

  test("grad's jaxpr recomputes the forward in the backward pass instead of saving it", () => {
    const x = np.array([1, 2]);
    const plain = makeJaxpr(grad(sinsin))(x);
    const rematted = makeJaxpr(grad(checkpoint(sinsin)))(x);
    // Without checkpoint the forward pass saves cos(x) and cos(sin(x)) as residuals.
    expect(prims(plain)).toContain("cos");
    expect(prims(plain)).not.toContain("checkpoint");
    // With it, the forward pass computes only the value; the backward checkpoint equation
    // takes x and reruns sin (and the cos it needs) before the cotangent products.
    expect(prims(rematted).filter((p) => p === "sin")).toHaveLength(2);
    expect(prims(rematted)).not.toContain("cos");
    const inner = insideCheckpoints(rematted);
    expect(inner).toContain("sin");
    expect(inner).toContain("cos");
    expect(rematted.toString()).toMatch(/checkpoint\[jaxpr=\{[\s\S]*sin[\s\S]*\} name=transpose\(jvp\(sinsin\)\) policy=nothingSaveable\] a/);
    expectArray(evalClosedJaxpr(rematted, [x])[0]!, grad(sinsin)(x).toArray());
  });

  test("policies choose what is saved: everything, nothing, or matmul results", () => {
    const x = mat(2, 3, 5);
    const p = { w: mat(3, 3, 6), b: np.array(rand(3, 7)) };
    const ref = grad(mlp)(p, x) as { w: NDArray };
    const count = (names: string[], n: string) => names.filter((m) => m === n).length;
    const nothing = makeJaxpr(grad(checkpoint(mlp)))(p, x);
    const dots = makeJaxpr(grad(checkpoint(mlp, { policy: checkpointPolicies.dotsSaveable })))(p, x);
    const everything = makeJaxpr(grad(checkpoint(sinsin, { policy: checkpointPolicies.everythingSaveable })))(np.array([1, 2]));
    // dotsSaveable: the two forward matmuls are saved, so the backward pass has two fewer;
    // tanh is still recomputed.
    expect(count(insideCheckpoints(dots), "dot_general")).toBe(count(insideCheckpoints(nothing), "dot_general") - 2);
    expect(insideCheckpoints(dots)).toContain("tanh");
    expect(insideCheckpoints(everything)).not.toContain("sin");
    expect(prims(everything)).toContain("cos");
    for (const policy of Object.values(checkpointPolicies)) {
      expectArray((grad(checkpoint(mlp, { policy }))(p, x) as { w: NDArray }).w, ref.w.toArray(), { rtol: 1e-5, atol: 1e-6 });
    }
  });

  test("composes with jit, vmap, jvp, higher order, closures and nesting", () => {
    const c = checkpoint(sinsin);
    const x = np.array([0.4, -1.3]);
    const xs = np.array([[0.4, -1.3], [2, 0.1]]);
    const g = grad(sinsin)(x).toArray();
    expectArray(jit(grad(c))(x), g);
    expectArray(grad(jit(c))(x), g);
    expectArray(grad(checkpoint(jit(sinsin)))(x), g);
    expectArray(grad(checkpoint((y: NDArray) => checkpoint(sinsin)(np.sin(y).add(0))))(x), grad((y: NDArray) => sinsin(np.sin(y)))(x).toArray());
    expectArray(vmap(grad(c))(xs), vmap(grad(sinsin))(xs).toArray());
    expectArray(grad((y: NDArray) => np.sum(vmap(c)(y)))(xs), vmap(grad(sinsin))(xs).toArray());
    expectArray(jvp(c, [x], [np.array([1, 2])])[1], jvp(sinsin, [x], [np.array([1, 2])])[1].item() as number);
    const gg = (f: (y: NDArray) => NDArray) => grad((y: NDArray) => np.sum(grad(f)(y)))(x);
    expectArray(gg(c), gg(sinsin).toArray(), { rtol: 1e-5, atol: 1e-6 });
    // Closing over a differentiated value is fine for checkpoint: it is just another input.
    const byW = (w: NDArray) => checkpoint((y: NDArray) => np.sum(np.sin(y.mul(w))))(x);
    expectArray(grad(byW)(np.array(1.5)), grad((w: NDArray) => np.sum(np.sin(x.mul(w))))(np.array(1.5)).item() as number, { rtol: 1e-5 });
    // staticArgnums
    const powSum = checkpoint((k: number, y: NDArray) => np.sum(np.power(y, k)), { staticArgnums: [0] });
    expectArray(grad((y: NDArray) => powSum(3, y))(np.array([1, 2])), [3, 12]);
  });
});

describe.each(CPU_BACKENDS)("custom rules and checkpoint inside each other and inside control flow on %s", (backend) => {
  beforeAll(async () => { await useBackend(backend); });

  test("custom rules inside checkpoint (and jit) keep their rules", () => {
    const x = np.array([100, 0.3]);
    const viaRule = (y: NDArray) => np.sum(log1pexp(y.mul(2)));
    expectArray(grad(checkpoint(viaRule))(x), [2, 2 / (1 + Math.exp(-0.6))]);
    const clipped = (y: NDArray) => np.sum(clipGradient(np.sin(y).mul(3)));
    const ref = grad(clipped)(x).toArray();
    expectArray(grad(checkpoint(clipped))(x), ref);
    expectArray(grad(checkpoint(jit(clipped)))(x), ref);
    expectArray(jit(grad(checkpoint(jit(clipped))))(x), ref);
    expectArray(vmap(grad(checkpoint(clipped)))(np.array([[100, 0.3], [1, 2]])), vmap(grad(clipped))(np.array([[100, 0.3], [1, 2]])).toArray());
  });

  test("custom functions applied linearly (to tangents, inside another rule) transpose their body", () => {
    const double = customJvp((x: NDArray) => x.mul(2)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [x.mul(2), t.mul(2)]);
    const viaDouble = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x), double(t).mul(np.cos(x))]);
    const viaClip = customJvp((x: NDArray) => np.sin(x)).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.sin(x), clipGradient(t.mul(3)).mul(np.cos(x))]);
    const x = np.array([0.2, 1]);
    const lin = linearizeFlat((y) => [viaDouble(y)], [x]);
    expect(prims(lin.jaxpr)).toContain("custom_jvp_call");
    dispose(lin.jaxpr.consts);
    expectArray(grad((y: NDArray) => np.sum(viaDouble(y)))(x), [2 * Math.cos(0.2), 2 * Math.cos(1)]);
    expectArray(jit(grad((y: NDArray) => np.sum(viaDouble(y))))(x), [2 * Math.cos(0.2), 2 * Math.cos(1)]);
    // The body (identity) is transposed, not bwd: bwd needs residuals of a primal that a tangent does not have.
    expectArray(grad((y: NDArray) => np.sum(viaClip(y)))(x), [3 * Math.cos(0.2), 3 * Math.cos(1)]);
  });

  test("lax.scan and lax.cond bodies may use them, and they may contain control flow", () => {
    const xs = np.array([[1, 2], [3, 4], [0.5, 0.1]]);
    const body = (c: NDArray, x: NDArray): [NDArray, NDArray] => { const n = np.sin(c.mul(x)); return [n, n.sum()]; };
    const run = (b: typeof body) => (c: NDArray) => { const [cf, ys] = lax.scan(b, c, xs); return np.sum(cf).add(np.sum(ys)); };
    const c0 = np.array([0.3, 0.7]);
    const ref = grad(run(body))(c0).toArray();
    expectArray(grad(run(checkpoint(body)))(c0), ref, { rtol: 1e-5, atol: 1e-6 });
    expectArray(grad(checkpoint(run(body)))(c0), ref, { rtol: 1e-5, atol: 1e-6 });
    // c_{k+1} = log1pexp(c_k x_k): the rule keeps the large-argument steps finite.
    const soft = (c: NDArray) => np.sum(lax.scan((k: NDArray, x: NDArray): [NDArray, NDArray] => [log1pexp(k.mul(x)), k], c, np.array([[100, 2], [3, 4]]))[0]);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const c1 = Math.log1p(Math.exp(1.4));
    expectArray(grad(soft)(c0), [300, 8 * sig(1.4) * sig(4 * c1)], { rtol: 1e-4 });
    const clippedCond = (c: NDArray) => np.sum(lax.cond(np.array(true), (a: NDArray) => clipGradient(a.mul(5)), (a: NDArray) => a, c));
    expectArray(grad(clippedCond)(c0), [5, 5]);
    expectArray(grad(checkpoint((c: NDArray) => np.sum(lax.cond(np.array(true), (a: NDArray) => np.sin(a), (a: NDArray) => a, c))))(c0), [Math.cos(0.3), Math.cos(0.7)]);
  });
});

describe.each(CPU_BACKENDS)("memory on %s", (backend) => {
  beforeAll(async () => { await useBackend(backend); });

  test("no tensors leak across repeated calls (after warm-up)", () => {
    const x = np.array([0.5, -1]);
    const xs = np.array([[0.5, -1], [2, 3], [0, 1]]);
    const w = np.array([1.5, 2]);
    const sumClip = (y: NDArray) => np.sum(clipGradient(y).mul(5));
    const c = checkpoint(sinsin);
    const jitJvp = jit(grad((y: NDArray) => np.sum(log1pexp(y))));
    const jitVjp = jit(grad(sumClip));
    const jitRemat = jit(grad(c));
    const runs: Record<string, () => unknown> = {
      customJvp: () => [log1pexp(x), grad((y: NDArray) => np.sum(log1pexp(y)))(x), vmap(grad(log1pexp))(x), jvp(log1pexp, [x], [x])],
      customJvpJit: () => jitJvp(x),
      customVjp: () => [clipGradient(x), grad(sumClip)(x), vmap(grad(sumClip))(xs), grad((y: NDArray) => np.sum(vjpSin(y)))(x)],
      customVjpJit: () => jitVjp(x),
      customVjpError: () => { try { jvp(clipGradient, [x], [x]); } catch { /* expected */ } },
      checkpoint: () => [c(x), grad(c)(x), vmap(grad(c))(xs), jvp(c, [x], [x])],
      checkpointJit: () => jitRemat(x),
      // A fresh checkpointed lambda per call, closing over a traced value and creating constants.
      checkpointInline: () => grad((v: NDArray) => checkpoint((y: NDArray) => np.sum(y.mul(v).mul(np.array([3, 4])).add(1)))(x))(w),
    };
    for (const [name, run] of Object.entries(runs)) {
      const once = () => dispose(scope(() => run()));
      once(); once();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) once();
      expect(tf.memory().numTensors - before, name).toBe(0);
    }
  });
});
