/**
 * Control flow: lax.cond / switch, scan, map, whileLoop, foriLoop, under every transform.
 *
 * Tolerances: values built from a handful of float32 operations use expectArray's default
 * (rtol 1e-5, atol 1e-6). Gradients checked against central differences use eps = 1e-2 on
 * smooth functions of O(1) values: the truncation error is O(eps²·f''') ≈ 1e-4 and float32
 * roundoff in the difference quotient is about 2^-24·|f| / eps ≈ 1e-5·|f|, so 2e-3 absolute
 * plus 2e-3 relative is a safe bound.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dispose, grad, jit, scope, jvp, lax, linearize, makeJaxpr, np, valueAndGrad, vmap, type NDArray } from "../src/index.ts";
import { tf } from "../src/backend/index.ts";
import { CPU_BACKENDS, expectArray, rand, useBackend } from "./helpers.ts";

type Pair = [NDArray, NDArray];

/** Central differences of a scalar function of a flat float32 array. */
function numericGrad(f: (x: NDArray) => NDArray, x: number[], shape: number[], eps = 1e-2): number[] {
  return x.map((_, i) => {
    const plus = [...x], minus = [...x];
    plus[i]! += eps;
    minus[i]! -= eps;
    const fp = f(np.array(plus).reshape(shape)).item() as number, fm = f(np.array(minus).reshape(shape)).item() as number;
    return (fp - fm) / (2 * eps);
  });
}

/** Live tensors stay flat across repeated calls (after a warm-up call); the caller's own temporaries are scoped. */
function expectNoLeak(fn: () => unknown, calls = 4): void {
  dispose(scope(fn));
  const before = tf.memory().numTensors;
  for (let i = 0; i < calls; i++) dispose(scope(fn));
  expect(tf.memory().numTensors, "live tensors after repeated calls").toBe(before);
}

const cumsumScan = (xs: NDArray): Pair => lax.scan((c: NDArray, x: NDArray): Pair => { const s = c.add(x); return [s, s]; }, np.array(0), xs);

describe.each(CPU_BACKENDS)("lax control flow on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  describe("cond and switch", () => {
    const pick = (p: NDArray | boolean, x: NDArray) => lax.cond(p, (y: NDArray) => y.mul(2), (y: NDArray) => y.neg(), x);

    test("chooses the branch by the predicate (array, JS boolean, integer)", () => {
      const x = np.array([1, 2, 3]);
      expectArray(pick(np.array(true), x), [2, 4, 6]);
      expectArray(pick(false, x), [-1, -2, -3]);
      expectArray(pick(np.array(5, { dtype: "int32" }), x), [2, 4, 6]);
      expectArray(pick(np.array(0, { dtype: "int32" }), x), [-1, -2, -3]);
    });

    test("operands and results are pytrees; branches may close over arrays", () => {
      const w = np.array([10, 20]);
      const out = lax.cond(np.array(true),
        (a: { u: NDArray; v: NDArray[] }, s: NDArray) => ({ sum: a.u.add(a.v[0]!).mul(w), n: s }),
        (a: { u: NDArray; v: NDArray[] }, s: NDArray) => ({ sum: a.u.sub(a.v[0]!), n: s.add(1) }),
        { u: np.array([1, 2]), v: [np.array([3, 4])] }, np.array(7));
      expectArray(out.sum, [40, 120]);
      expectArray(out.n, 7);
    });

    test("mismatched branch outputs are an error that shows both", () => {
      const x = np.array([1, 2, 3]);
      expect(() => lax.cond<unknown>(true, (y: NDArray) => [y, y], (y: NDArray) => y, x))
        .toThrow(/lax\.cond: the branches must return the same structure[\s\S]*falseFn returns PyTreeDef\(\*\) with types \(f32\[3\]\)[\s\S]*trueFn returns PyTreeDef\(\[\*, \*\]\) with types \(f32\[3\], f32\[3\]\)/);
      expect(() => lax.cond(true, (y: NDArray) => y.sum(), (y: NDArray) => y, x))
        .toThrow(/falseFn returns PyTreeDef\(\*\) with types \(f32\[3\]\)\n\s+trueFn returns PyTreeDef\(\*\) with types \(f32\[\]\)/);
      expect(() => lax.cond(true, (y: NDArray) => y.astype("int32"), (y: NDArray) => y, x)).toThrow(/with types \(i32\[3\]\)/);
      expect(() => lax.cond(np.array([true, false]), (y: NDArray) => y, (y: NDArray) => y, x)).toThrow(/pred must be a scalar, got bool\[2\].*np\.where/);
      expect(() => lax.cond(np.array(1.5), (y: NDArray) => y, (y: NDArray) => y, x)).toThrow(/pred must be a bool or integer scalar; got f32\[\]/);
    });

    test("switch clamps the index; JS numbers and traced indices both work", () => {
      const branches = [(y: NDArray) => y.add(1), (y: NDArray) => y.mul(10), (y: NDArray) => y.neg()];
      const x = np.array([1, 2]);
      const at = (i: number) => np.array(i, { dtype: "int32" });
      expectArray(lax.switch(at(0), branches, x), [2, 3]);
      expectArray(lax.switch(at(1), branches, x), [10, 20]);
      expectArray(lax.switch(at(7), branches, x), [-1, -2]);
      expectArray(lax.switch(at(-3), branches, x), [2, 3]);
      expectArray(lax.switch(2, branches, x), [-1, -2]);
      const f = jit((i: NDArray, y: NDArray) => lax.switch(i, branches, y));
      expectArray(f(at(1), x), [10, 20]);
      expectArray(f(at(2), x), [-1, -2]);
      expect(f.cacheSize).toBe(1);
      expect(() => lax.switch(np.array(1), branches, x)).toThrow(/index must be an int32 scalar; got f32\[\]\. Convert it/);
      expect(() => lax.switch(0, [], x)).toThrow(/non-empty array/);
    });

    test("grad through cond follows the taken branch, for operands and closed-over values", () => {
      const w = np.array([1, 2, 3]);
      const loss = (p: NDArray, x: NDArray, v: NDArray) =>
        lax.cond(p, (a: NDArray, b: NDArray) => np.sum(a.mul(a).mul(v)).add(np.sum(b)), (a: NDArray, b: NDArray) => np.sum(np.sin(a).mul(b)), x, w);
      const x = np.array([0.5, -1, 2]), v = np.array([3, 1, 0.5]);
      const [gx, gv] = grad(loss, { argnums: [1, 2] })(np.array(true), x, v);
      expectArray(gx, [3, -2, 2]);            // 2·a·v
      expectArray(gv, [0.25, 1, 4]);          // a²
      const [fx, fv] = grad(loss, { argnums: [1, 2] })(np.array(false), x, v);
      expectArray(fx, [Math.cos(0.5) * 1, Math.cos(-1) * 2, Math.cos(2) * 3]);
      expectArray(fv, [0, 0, 0]);
      // only some operands differentiated (the others stay known in the cond)
      expectArray(grad((b: NDArray) => lax.cond(true, (a: NDArray, c: NDArray) => np.sum(a.mul(c)), (a: NDArray, c: NDArray) => np.sum(c), x, b))(w), [0.5, -1, 2]);
      // gradient of a value only one branch uses, under jit, and of its second derivative
      const f = (y: NDArray) => lax.cond(y.gt(0), (z: NDArray) => z.mul(z).mul(z), (z: NDArray) => z.mul(2), y);
      expectArray(jit(grad(f))(np.array(2)), 12);
      expectArray(grad(jit(f))(np.array(-2)), 2);
      expectArray(grad(grad(f))(np.array(2)), 12);
    });

    test("jvp and linearize of cond", () => {
      const f = (y: NDArray) => lax.cond(y.sum().gt(0), (z: NDArray) => np.exp(z), (z: NDArray) => z.square(), y);
      const [out, dout] = jvp(f, [np.array([1, 2])], [np.array([1, 0.5])]);
      expectArray(out, [Math.E, Math.exp(2)]);
      expectArray(dout, [Math.E, 0.5 * Math.exp(2)]);
      const [y, fjvp] = linearize(f, np.array([-1, -2]));
      expectArray(y, [1, 4]);
      expectArray(fjvp(np.array([1, 1])), [-2, -4]);
    });

    test("vmap with a batched predicate selects per example (and matches a loop)", () => {
      const f = (p: NDArray, x: NDArray) => lax.cond(p, (y: NDArray) => np.sin(y).mul(2), (y: NDArray) => y.square(), x);
      const ps = np.array([true, false, true]), xs = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]);
      const out = vmap(f)(ps, xs);
      const rows = (ps.toArray() as boolean[]).map((p, i) => f(np.array(p), xs.get(i)).toArray());
      expectArray(out, rows as number[][]);
      const text = makeJaxpr(vmap(f))(ps, xs).toString();
      expect(text).toContain("select");
      expect(text).not.toContain("cond[");
      // an unbatched predicate keeps the cond, batching the branches
      const g = vmap((x: NDArray) => f(np.array(false), x));
      expectArray(g(xs), [[0.01, 0.04], [0.09, 0.16], [0.25, 0.36]]);
      expect(makeJaxpr(g)(xs).toString()).toContain("cond[");
      // a batched switch index
      const h = vmap((i: NDArray, x: NDArray) => lax.switch(i, [(y: NDArray) => y, (y: NDArray) => y.neg(), (y: NDArray) => y.mul(10)], x));
      expectArray(h(np.array([2, 0, 1], { dtype: "int32" }), np.array([1, 2, 3])), [10, 2, -3]);
      // grad of the vmapped cond
      expectArray(grad((x: NDArray) => np.sum(vmap(f)(ps, x)))(xs), [[2 * Math.cos(0.1), 2 * Math.cos(0.2)], [0.6, 0.8], [2 * Math.cos(0.5), 2 * Math.cos(0.6)]]);
    });

    test("jit of cond; makeJaxpr shows the cond equation with its branches", () => {
      const f = jit((x: NDArray) => lax.cond(x.sum().gt(0), (y: NDArray) => y.mul(2), (y: NDArray) => y.neg(), x));
      expectArray(f(np.array([1, 2])), [2, 4]);
      expectArray(f(np.array([-1, -2])), [1, 2]);
      const text = makeJaxpr((x: NDArray) => lax.cond(x.sum().gt(0), (y: NDArray) => y.mul(2), (y: NDArray) => y.neg(), x))(np.array([1, 2])).toString();
      expect(text).toMatch(/cond\[branches=\(\{ \{ lambda ; a:f32\[\] b:f32\[2\]\. let\s+c:f32\[2\] = neg b/);
      expect(text).toMatch(/c:f32\[2\] = mul b a/);
    });
  });

  describe("scan and map", () => {
    test("cumulative sum equals np.cumsum, and its gradient the reversed cumsum", () => {
      const data = rand(6, 1);
      const xs = np.array(data);
      const [total, partial] = cumsumScan(xs);
      expectArray(partial, np.cumsum(xs).toArray());
      expectArray(total, data.reduce((a, b) => a + b, 0), { atol: 1e-5 });
      const w = np.array([1, 2, 3, 4, 5, 6]);
      const viaScan = grad((x: NDArray) => np.sum(cumsumScan(x)[1].mul(w)))(xs);
      const viaNp = grad((x: NDArray) => np.sum(np.cumsum(x).mul(w)))(xs);
      expectArray(viaScan, viaNp.toArray());
      expectArray(viaScan, [21, 20, 18, 15, 11, 6]);
    });

    test("reverse, length without xs, pytree carry and xs, ys null", () => {
      const [, rev] = lax.scan((c: NDArray, x: NDArray): Pair => { const s = c.add(x); return [s, s]; }, np.array(0), np.array([1, 2, 3]), { reverse: true });
      expectArray(rev, [6, 5, 3]);
      const [count, ys] = lax.scan((c: NDArray, _x: null): Pair => [c.add(1), c.mul(c)], np.array(0, { dtype: "int32" }), null, { length: 4 });
      expectArray(count, 4);
      expectArray(ys, [0, 1, 4, 9]);
      const [carry, out] = lax.scan(
        (c: { a: NDArray; b: NDArray }, x: [NDArray, NDArray]) => [{ a: c.a.add(x[0]), b: c.b.mul(x[1]) }, null] as [{ a: NDArray; b: NDArray }, null],
        { a: np.zeros([2]), b: np.array(1) }, [np.array([[1, 2], [3, 4]]), np.array([2, 3])]);
      expectArray(carry.a, [4, 6]);
      expectArray(carry.b, 6);
      expect(out).toBeNull();
      const [c0, ys0] = lax.scan((c: NDArray, x: NDArray): Pair => [c.add(x), x], np.array(1), np.zeros([0]));
      expectArray(c0, 1);
      expect(ys0.shape).toEqual([0]);
    });

    test("a weakly typed initial carry (a JS number) takes the body's dtype, as in JAX", () => {
      const [c] = lax.scan((c: NDArray, x: NDArray): [NDArray, null] => [c.add(x), null], 0 as unknown as NDArray, np.array([0.5, 0.25]));
      expect(c.dtype).toBe("float32");
      expectArray(c, 0.75);
    });

    test("errors name the problem: carry changes, ragged lengths, scalars, missing length", () => {
      expect(() => lax.scan((c: NDArray, x: NDArray): Pair => [c.sum(), x], np.zeros([2]), np.zeros([3])))
        .toThrow(/lax\.scan: the body function must return a carry of the same shapes and dtypes as the initial carry, but carry leaf \(root\) is f32\[2\] initially and f32\[\] after the body \(the shapes differ\)/);
      expect(() => lax.scan((c: NDArray[], x: NDArray): [NDArray[], NDArray] => [[c[0]!], x], [np.zeros([2]), np.zeros([2])], np.zeros([3])))
        .toThrow(/same structure as the initial carry; the initial carry is PyTreeDef\(\[\*, \*\]\) but the body returned PyTreeDef\(\[\*\]\)/);
      expect(() => lax.scan((c: { w: NDArray }, x: NDArray): [{ w: NDArray }, NDArray] => [{ w: c.w.astype("int32") }, x], { w: np.zeros([2]) }, np.zeros([3])))
        .toThrow(/carry leaf \.w is f32\[2\] initially and i32\[2\] after the body \(the dtypes differ\)/);
      expect(() => lax.scan((c: NDArray, x: NDArray[]): Pair => [c, x[0]!], np.zeros([]), [np.zeros([3]), np.zeros([4])]))
        .toThrow(/every xs leaf must have the same leading axis size; got \[0\]: \[3\], \[1\]: \[4\]/);
      expect(() => lax.scan((c: NDArray, x: NDArray): Pair => [c, x], np.zeros([]), np.zeros([3]), { length: 5 })).toThrow(/as length=5/);
      expect(() => lax.scan((c: NDArray, x: NDArray): Pair => [c, x], np.zeros([]), np.array(1))).toThrow(/xs leaf \(root\) is a scalar \(f32\[\]\)/);
      expect(() => lax.scan((c: NDArray, x: null): Pair => [c, c], np.zeros([]), null)).toThrow(/pass \{ length \}/);
      expect(() => lax.scan(((c: NDArray) => c) as never, np.zeros([]), np.zeros([3]))).toThrow(/f must return a pair \[carry, y\]/);
    });

    test("an RNN-like tanh recurrence: grad matches central differences (weights, initial state, inputs)", () => {
      const H = 3, T = 5;
      const wData = rand(H * H, 7, -0.8, 0.8), hData = rand(H, 8), xData = rand(T * H, 9);
      const rnn = (w: NDArray, h0: NDArray, xs: NDArray) => {
        const [h, hs] = lax.scan((h: NDArray, x: NDArray): Pair => {
          const n = np.tanh(np.matmul(w, h).add(x));
          return [n, n.sum()];
        }, h0, xs);
        return h.sum().add(hs.square().sum());
      };
      const w = np.array(wData).reshape([H, H]), h0 = np.array(hData), xs = np.array(xData).reshape([T, H]);
      const [gw, gh, gx] = grad(rnn, { argnums: [0, 1, 2] })(w, h0, xs) as NDArray[];
      const tol = { atol: 2e-3, rtol: 2e-3 };
      expectArray(gw!.reshape([-1]), numericGrad((v) => rnn(v, h0, xs), wData, [H, H]), tol);
      expectArray(gh!, numericGrad((v) => rnn(w, v, xs), hData, [H]), tol);
      expectArray(gx!.reshape([-1]), numericGrad((v) => rnn(w, h0, v), xData, [T, H]), tol);
      // compiled: same gradients, and the backward pass is one reversed scan
      expectArray(jit(grad(rnn))(w, h0, xs), gw!.toArray(), { atol: 1e-5 });
      const text = makeJaxpr((v: NDArray) => grad(rnn)(v, h0, xs))(w).toString();
      expect(text.match(/= scan\[/g)?.length).toBe(2);
      expect(text).toContain("reverse=True");
    });

    test("grad of grad through scan, and valueAndGrad", () => {
      const f = (a: NDArray) => lax.scan((c: NDArray, x: NDArray): [NDArray, null] => [c.mul(a).add(x), null], np.array(1), np.array([1, 2]))[0];
      // c = a²+a+2
      expectArray(f(np.array(3)), 14);
      expectArray(grad(f)(np.array(3)), 7);
      expectArray(grad(grad(f))(np.array(3)), 2);
      const [v, g] = valueAndGrad(f)(np.array(2));
      expectArray(v, 8);
      expectArray(g, 5);
    });

    test("jvp of scan: a carry with a zero initial tangent gets one after a step", () => {
      const f = (a: NDArray) => lax.scan((c: NDArray, x: NDArray): Pair => [c.mul(a).add(x), c], np.array(1), np.array([1, 2, 3]));
      const [[c, ys], [dc, dys]] = jvp(f, [np.array(2)], [np.array(1)]);
      // c: 1 → 3 → 8 → 19;  dc/da: 0 → 1 → 2·1+3 = 5 → 2·5+8 = 18
      expectArray(c, 19);
      expectArray(ys, [1, 3, 8]);
      expectArray(dc, 18);
      expectArray(dys, [0, 1, 5]);
      // linearize: the known scan runs now, the linear scan on each call
      const [, fjvp] = linearize((a: NDArray) => f(a)[1], np.array(2));
      expectArray(fjvp(np.array(2)), [0, 2, 10]);
    });

    test("vmap of scan equals a loop, batching consts, carry or xs", () => {
      const step = (w: NDArray) => (c: NDArray, x: NDArray): Pair => { const n = np.tanh(c.mul(w).add(x)); return [n, n.mul(2)]; };
      const run = (w: NDArray, c0: NDArray, xs: NDArray) => lax.scan(step(w), c0, xs);
      const ws = np.array([0.5, -1, 2]), c0s = np.array([[0.1, 0.2], [0.3, -0.4], [1, 0]]), xss = np.array(rand(3 * 4 * 2, 3)).reshape([3, 4, 2]);
      const [cb, yb] = vmap(run)(ws, c0s, xss) as Pair;
      for (let i = 0; i < 3; i++) {
        const [c, y] = run(ws.get(i), c0s.get(i), xss.get(i));
        expectArray(cb.get(i), c.toArray());
        expectArray(yb.get(i), y.toArray());
      }
      // only xs batched, on axis 1: the carry becomes batched after one step
      const [cx] = vmap((xs: NDArray) => run(np.array(0.5), np.zeros([2]), xs), { inAxes: 1 })(xss.transpose([1, 0, 2])) as Pair;
      for (let i = 0; i < 3; i++) expectArray(cx.get(i), run(np.array(0.5), np.zeros([2]), xss.get(i))[0].toArray());
      // only a closed-over constant batched
      const [cw] = vmap((w: NDArray) => run(w, np.zeros([2]), xss.get(0)))(ws) as Pair;
      for (let i = 0; i < 3; i++) expectArray(cw.get(i), run(ws.get(i), np.zeros([2]), xss.get(0))[0].toArray());
    });

    test("jit of scan; makeJaxpr shows the scan equation", () => {
      const f = jit((xs: NDArray) => cumsumScan(xs));
      expectArray(f(np.array([1, 2, 3]))[1], [1, 3, 6]);
      expectArray(f(np.array([4, 5, 6]))[1], [4, 9, 15]);
      expect(f.cacheSize).toBe(1);
      const text = makeJaxpr(cumsumScan)(np.array([1, 2, 3])).toString();
      expect(text).toMatch(/b:f32\[\] c:f32\[3\] = scan\[jaxpr=\{ \{ lambda ; a:f32\[\] b:f32\[\]\. let\s+c:f32\[\] = add a b\s+in \(c c\) \} \} numConsts=0 numCarry=1 length=3 reverse=False\] 0\.0 a/);
    });

    test("map applies f to each slice, composes with grad and jit", () => {
      expectArray(lax.map((x: NDArray) => x.sum(), np.ones([3, 4])), [4, 4, 4]);
      const out = lax.map((p: { a: NDArray; b: NDArray }) => p.a.mul(p.b), { a: np.array([1, 2]), b: np.array([3, 4]) });
      expectArray(out, [3, 8]);
      expectArray(grad((x: NDArray) => np.sum(lax.map((r: NDArray) => np.sin(r), x)))(np.array([0, 1])), [1, Math.cos(1)]);
      expectArray(jit((x: NDArray) => lax.map((r: NDArray) => r.mul(r), x))(np.array([1, 2, 3])), [1, 4, 9]);
    });
  });

  describe("whileLoop and foriLoop", () => {
    const newton = (a: NDArray) => lax.whileLoop(
      (x: NDArray) => x.square().sub(a).abs().gt(1e-5),
      (x: NDArray) => x.sub(x.square().sub(a).div(x.mul(2))),
      np.array(1),
    );

    test("counting and Newton's method", () => {
      const [i, s] = lax.whileLoop(([i]: Pair) => i.lt(10), ([i, s]: Pair): Pair => [i.add(1), s.add(i)], [np.array(0, { dtype: "int32" }), np.array(0, { dtype: "int32" })]);
      expectArray(i, 10);
      expectArray(s, 45);
      expectArray(newton(np.array(2)), Math.SQRT2, { rtol: 1e-5 });
      // zero iterations return the initial carry
      expectArray(lax.whileLoop((x: NDArray) => x.gt(5), (x: NDArray) => x.add(1), np.array(1)), 1);
    });

    test("condFn must return a bool scalar; the body must keep the carry's types", () => {
      expect(() => lax.whileLoop((x: NDArray) => x, (x: NDArray) => x, np.array(1))).toThrow(/condFn must return a bool scalar; got f32\[\]\. Compare it/);
      expect(() => lax.whileLoop((x: NDArray) => x.gt(0), (x: NDArray) => x.reshape([1]), np.array(1))).toThrow(/carry leaf \(root\) is f32\[\] initially and f32\[1\] after the body/);
    });

    test("jvp (forward mode) goes through the loop", () => {
      const [y, dy] = jvp(newton, [np.array(4)], [np.array(1)]);
      expectArray(y, 2, { rtol: 1e-5 });
      expectArray(dy, 0.25, { rtol: 1e-3 });          // d√a/da = 1/(2√a)
      const [, fjvp] = linearize(newton, np.array(9));
      expectArray(fjvp(np.array(6)), 1, { rtol: 1e-3 });
    });

    test("reverse mode raises a clear error", () => {
      expect(() => grad(newton)(np.array(2))).toThrow(/Reverse-mode differentiation does not work for lax\.whileLoop.*Use lax\.scan, or lax\.foriLoop with static JS-number bounds/);
      expect(() => grad((x: NDArray) => lax.foriLoop(0, np.array(3, { dtype: "int32" }), (_i: NDArray, y: NDArray) => y.mul(x), np.array(1)))(np.array(2)))
        .toThrow(/Reverse-mode differentiation does not work for lax\.whileLoop/);
    });

    test("vmap with a batched predicate runs until every example is done", () => {
      const out = vmap(newton)(np.array([2, 9, 16, 0.25]));
      expectArray(out, [Math.SQRT2, 3, 4, 0.5], { rtol: 1e-5 });
      const steps = vmap((n: NDArray) => lax.whileLoop(([i]: Pair) => i.lt(n), ([i, s]: Pair): Pair => [i.add(1), s.add(2)], [np.array(0), np.array(0)])[1]);
      expectArray(steps(np.array([0, 3, 1])), [0, 6, 2]);
      // an unbatched predicate with a batched carry
      const scaled = vmap((x: NDArray) => lax.whileLoop(([i]: Pair) => i.lt(3), ([i, y]: Pair): Pair => [i.add(1), y.mul(2)], [np.array(0), x])[1]);
      expectArray(scaled(np.array([1, 2])), [8, 16]);
    });

    test("jit of whileLoop; makeJaxpr shows the while equation", () => {
      const f = jit(newton);
      expectArray(f(np.array(9)), 3, { rtol: 1e-5 });
      expectArray(f(np.array(16)), 4, { rtol: 1e-5 });
      const text = makeJaxpr(newton)(np.array(2)).toString();
      expect(text).toMatch(/b:f32\[\] = while\[condJaxpr=\{ \{ lambda ; a:f32\[\] b:f32\[\] c:f32\[\]\. let/);
      expect(text).toMatch(/g:bool\[\] = gt f b/);
      expect(text).toMatch(/condNumConsts=2 bodyNumConsts=2\]/);
    });

    test("foriLoop with JS-number bounds is a scan (reverse-differentiable); with array bounds a while", () => {
      const sum = (lo: number | NDArray, hi: number | NDArray) => lax.foriLoop(lo, hi, (i: NDArray, acc: NDArray) => acc.add(i), np.array(0, { dtype: "int32" }));
      expectArray(sum(0, 5), 10);
      expectArray(sum(3, 1), 0);
      expectArray(sum(np.array(1, { dtype: "int32" }), 5), 10);
      expect(makeJaxpr(() => sum(0, 5))().toString()).toContain("scan[");
      expect(makeJaxpr((hi: NDArray) => sum(0, hi))(np.array(5, { dtype: "int32" })).toString()).toContain("while[");
      const cube = (x: NDArray) => lax.foriLoop(0, 3, (_i: NDArray, y: NDArray) => y.mul(x), np.array(1));
      expectArray(grad(cube)(np.array(2)), 12);
      expectArray(jit(grad(cube))(np.array(3)), 27);
      const poly = (x: NDArray) => lax.foriLoop(1, 4, (i: NDArray, y: NDArray) => y.add(x.mul(i.astype("float32"))), np.array(0));
      expectArray(grad(poly)(np.array(5)), 6);
    });
  });

  describe("memory", () => {
    test("no tensors leak across repeated eager, jitted and differentiated calls", () => {
      const x = np.array([0.5, -1, 2]);
      const xs = np.array([[1, 2], [0.5, -1], [0.3, 0.3]]);
      const w = np.array([[0.5, -0.3], [0.2, 0.4]]);
      const rnn = (v: NDArray) => lax.scan((h: NDArray, r: NDArray): Pair => { const n = np.tanh(np.matmul(v, h).add(r)); return [n, n]; }, np.zeros([2]), xs)[1].sum();
      const branchy = (y: NDArray) => lax.cond(y.sum().gt(0), (z: NDArray) => np.sin(z).mul(2), (z: NDArray) => z.square(), y);
      const loop = (a: NDArray) => lax.whileLoop((v: NDArray) => v.square().sub(a).abs().gt(1e-4), (v: NDArray) => v.sub(v.square().sub(a).div(v.mul(2))), np.array(1));
      const jitted = jit(rnn), jittedGrad = jit(grad(rnn));
      expectNoLeak(() => branchy(x));
      expectNoLeak(() => grad((y: NDArray) => branchy(y).sum())(x));
      expectNoLeak(() => vmap(branchy)(xs));
      expectNoLeak(() => rnn(w));
      expectNoLeak(() => grad(rnn)(w));
      expectNoLeak(() => jitted(w));
      expectNoLeak(() => jittedGrad(w));
      expectNoLeak(() => vmap(rnn)(np.stack([w, w])));
      expectNoLeak(() => loop(np.array(2)));
      expectNoLeak(() => jvp(loop, [np.array(2)], [np.array(1)]));
      expectNoLeak(() => vmap(loop)(x.abs()));
      expectNoLeak(() => lax.foriLoop(0, 3, (_i: NDArray, y: NDArray) => y.mul(x), np.ones([3])));
    });
  });
});

describe("lax control flow on webgpu (Dawn; SwiftShader without a GPU)", () => {
  beforeAll(() => useBackend("webgpu"), 120_000);
  afterAll(() => useBackend("wasm"));

  test("cond and switch run every branch and select (values cannot be read synchronously)", async () => {
    const f = (x: NDArray) => lax.cond(x.sum().gt(0), (y: NDArray) => y.mul(2), (y: NDArray) => y.neg(), x);
    expect(await f(np.array([1, 2])).toArrayAsync()).toEqual([2, 4]);
    expect(await f(np.array([-1, -2])).toArrayAsync()).toEqual([1, 2]);
    const big = np.linspace(-1, 1, 2048);             // in GPU memory once used by a kernel
    expect(await f(big.mul(3)).sum().itemAsync()).toBeCloseTo(0, 3);
    const branches = [(y: NDArray) => y.add(1), (y: NDArray) => y.mul(10), (y: NDArray) => y.neg()];
    expect(await lax.switch(np.array(1, { dtype: "int32" }), branches, np.array([1, 2], { dtype: "int32" })).toArrayAsync()).toEqual([10, 20]);
    expect(await grad((x: NDArray) => f(x).sum())(np.array([1, 2])).toArrayAsync()).toEqual([2, 2]);
  });

  test("scan and foriLoop with number bounds need no reads", async () => {
    const [, partial] = cumsumScan(np.array([1, 2, 3]));
    expect(await partial.toArrayAsync()).toEqual([1, 3, 6]);
    const w = np.array([1, 10, 100]);
    expect(await grad((x: NDArray) => np.sum(cumsumScan(x)[1].mul(w)))(np.array([1, 2, 3])).toArrayAsync()).toEqual([111, 110, 100]);
    const m = np.eye(64).mul(0.5);
    const out = lax.foriLoop(0, 3, (_i: NDArray, v: NDArray) => np.matmul(m, v), np.ones([64]));
    expect(await out.sum().itemAsync()).toBeCloseTo(8, 4);
  });

  test("whileLoop reads a predicate in CPU memory; one in GPU memory is a clear error", async () => {
    const count = (n: NDArray) => lax.whileLoop((c: NDArray) => c.lt(n), (c: NDArray) => c.add(1), np.array(0));
    expect(await count(np.array(5)).itemAsync()).toBe(5);
    const m = np.eye(64).mul(2);
    const grow = () => lax.whileLoop(([v]: NDArray[]) => v!.sum().lt(1e4), ([v]: NDArray[]) => [np.matmul(m, v!)], [np.ones([64])]);
    expect(grow).toThrow(/lax\.whileLoop: the webgpu backend cannot read the loop predicate synchronously in Node.*Use lax\.foriLoop with JS-number bounds or lax\.scan/);
  });
});
