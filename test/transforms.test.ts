import { beforeAll, describe, expect, test } from "vitest";
import {
  ConcretizationError, dispose, grad, random, hessian, jacfwd, jacrev, jit, jvp, keep, linearize, makeJaxpr, np, evalShape,
  scope, valueAndGrad, vjp, vmap, type NDArray,
} from "../src/index.ts";
import { tf } from "../src/backend/index.ts";
import { CPU_BACKENDS, expectArray, useBackend } from "./helpers.ts";

const values = (x: NDArray) => x.toArray();

describe.each(CPU_BACKENDS)("transforms on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  describe("known derivatives", () => {
    test("d⁴/dx⁴ sin = sin, d²/dx² exp = exp, d/dx tanh = 1 - tanh²", () => {
      const x = np.array([-1, 0.3, 2]);
      const d = (f: (x: NDArray) => NDArray) => (y: NDArray) => grad((z: NDArray) => np.sum(f(z)))(y);
      expectArray(d(d(d(d(np.sin))))(x), values(np.sin(x)), { rtol: 1e-5, atol: 1e-6 });
      expectArray(d(d(np.exp))(x), values(np.exp(x)));
      expectArray(d(np.tanh)(x), values(np.tanh(x).square().neg().add(1)));
      expectArray(d((z) => np.log(z.add(3)))(x), values(np.reciprocal(x.add(3))));
    });

    test("jvp and linearize give directional derivatives", () => {
      const [y, dy] = jvp((x: NDArray) => np.exp(x), [np.array(1)], [np.array(2)]);
      expect(y.item()).toBeCloseTo(Math.E, 5);
      expect(dy.item()).toBeCloseTo(2 * Math.E, 5);
      const [out, fJvp] = linearize((x: NDArray) => np.sin(x).mul(x), np.array(0.5));
      expect(out.item()).toBeCloseTo(Math.sin(0.5) * 0.5, 6);
      expect(fJvp(np.array(2)).item()).toBeCloseTo(2 * (Math.cos(0.5) * 0.5 + Math.sin(0.5)), 5);
    });

    test("vjp pulls back to every argument; unused arguments get zeros", () => {
      const [y, pull] = vjp((a: NDArray, b: NDArray, _c: NDArray) => a.mul(b), np.array([1, 2]), np.array([3, 4]), np.array([9]));
      expect(values(y)).toEqual([3, 8]);
      const [ga, gb, gc] = pull(np.array([1, 10]));
      expect(values(ga)).toEqual([3, 40]);
      expect(values(gb)).toEqual([1, 20]);
      expect(values(gc)).toEqual([0]);
    });

    test("hessian of xᵀAx is A + Aᵀ", () => {
      const A = np.array([[1, 2, 0], [3, 4, -1], [0.5, 0, 2]]);
      const H = hessian((x: NDArray) => np.dot(x, np.matmul(A, x)))(np.array([0.3, -1, 2]));
      expectArray(H, values(A.add(A.T)));
    });

    test("jacfwd equals jacrev on a nonlinear map R² → R³", () => {
      const f = (x: NDArray) => np.stack([x.get(0).mul(x.get(1)), np.sin(x.get(0)), np.exp(x.get(1)).mul(x.get(0).square())]);
      const x = np.array([0.7, -0.4]);
      const Jf = jacfwd(f)(x), Jr = jacrev(f)(x);
      expect(Jf.shape).toEqual([3, 2]);
      expectArray(Jf, values(Jr));
      const [a, b] = [0.7, -0.4];
      expectArray(Jf, [[b, a], [Math.cos(a), 0], [2 * a * Math.exp(b), a * a * Math.exp(b)]], { rtol: 1e-5, atol: 1e-6 });
    });

    test("grad with argnums, hasAux and pytrees", () => {
      const loss = (p: { w: NDArray; b: NDArray }, x: NDArray) => np.sum(np.matmul(x, p.w).add(p.b).square());
      const p = { w: np.array([[1], [2]]), b: np.array([0.5]) };
      const x = np.array([[1, 1], [0, 2]]);
      const g = grad(loss)(p, x);
      // y = [3.5, 4.5]; dL/dy = 2y; dL/dw = xᵀ 2y, dL/db = Σ 2y
      expect(values(g.w)).toEqual([[7], [25]]);
      expect(values(g.b)).toEqual([16]);
      const gx = grad(loss, { argnums: 1 })(p, x);
      expect(gx.shape).toEqual([2, 2]);
      const [[v, aux], g2] = valueAndGrad((w: NDArray) => [np.sum(w.square()), { norm: np.sqrt(np.sum(w.square())) }], { hasAux: true })(np.array([3, 4]));
      expect(v.item()).toBe(25);
      expect((aux as { norm: NDArray }).norm.item()).toBe(5);
      expect(values(g2)).toEqual([6, 8]);
    });

    test("control flow in JS on concrete values works under grad", () => {
      const f = (x: NDArray) => ((x.item() as number) > 0 ? x.square() : x.neg());
      expect(grad(f)(np.array(3)).item()).toBe(6);
      expect(grad(f)(np.array(-3)).item()).toBe(-1);
    });
  });

  describe("vmap", () => {
    test("per-example gradients equal a loop", () => {
      const loss = (w: NDArray, x: NDArray) => np.sum(np.tanh(np.matmul(x, w)));
      const w = np.array([[0.5], [-1], [0.25]]);
      const xs = np.array([[1, 2, 3], [0, -1, 1], [2, 0, -2], [0.5, 0.5, 0.5]]);
      const batched = vmap(grad(loss), { inAxes: [null, 0] })(w, xs);
      expect(batched.shape).toEqual([4, 3, 1]);
      for (let i = 0; i < 4; i++) expectArray(batched.get(i), values(grad(loss)(w, xs.get(i))));
    });

    test("nested vmap is an outer product", () => {
      const outer = vmap(vmap((a: NDArray, b: NDArray) => a.mul(b), { inAxes: [null, 0] }), { inAxes: [0, null] });
      expect(values(outer(np.array([1, 2, 3]), np.array([10, 20])))).toEqual([[10, 20], [20, 40], [30, 60]]);
    });

    test("inAxes and outAxes at other positions, pytree prefixes, axisSize", () => {
      const f = (d: { a: NDArray; b: NDArray }) => d.a.add(d.b);
      const out = vmap(f, { inAxes: [{ a: 1, b: null }], outAxes: 1 })({ a: np.ones([2, 3]), b: np.array([10, 20]) });
      expect(values(out)).toEqual([[11, 11, 11], [21, 21, 21]]);
      const c = vmap(() => np.array(1), { inAxes: [], axisSize: 3 })();
      expect(values(c)).toEqual([1, 1, 1]);
    });

    test("vmap of random functions over a batch of keys equals a loop", () => {
      const keys = random.split(random.key(7), 3);
      const batched = vmap((k: NDArray) => random.normal(k, [4]))(keys);
      expect(batched.shape).toEqual([3, 4]);
      for (let i = 0; i < 3; i++) expectArray(batched.get(i), values(random.normal(keys.get(i), [4])));
      const u = jit(vmap((k: NDArray) => random.uniform(k, [2])))(keys);
      for (let i = 0; i < 3; i++) expectArray(u.get(i), values(random.uniform(keys.get(i), [2])));
    });

    test("vmap of reductions, matmul and indexing equals a loop", () => {
      const f = (x: NDArray) => np.matmul(x.T, x).sum({ axis: 0 }).add(np.max(x)).add(x.get(0).sum());
      const xs = np.linspace(-1, 1, 24).reshape([4, 3, 2]);
      const batched = vmap(f)(xs);
      for (let i = 0; i < 4; i++) expectArray(batched.get(i), values(f(xs.get(i))));
      const moved = vmap(f, { inAxes: 2 })(np.moveaxis(xs, 0, 2));
      expectArray(moved, values(batched));
    });
  });

  describe("jit", () => {
    test("grad(jit(f)) = grad(f) and jit(vmap(grad(f))) = loop", () => {
      const f = (x: NDArray) => np.sum(np.sin(x).mul(x).add(np.exp(x.mul(0.1))));
      const x = np.array([0.5, 1, 2]);
      expectArray(grad(jit(f))(x), values(grad(f)(x)));
      expectArray(jit(grad(f))(x), values(grad(f)(x)));
      const xs = np.stack([x, x.mul(2), x.neg()]);
      const b = jit(vmap(grad(f)))(xs);
      for (let i = 0; i < 3; i++) expectArray(b.get(i), values(grad(f)(xs.get(i))));
      expectArray(vmap(jit(f))(xs), [0, 1, 2].map((i) => f(xs.get(i)).item() as number));
    });

    test("one trace per signature; retrace on new shape, dtype or static value; none on new values", () => {
      let traces = 0;
      const f = jit((x: NDArray, scale: number) => { traces++; return x.mul(scale); }, { staticArgnums: [1] });
      f(np.ones([3]), 2); f(np.zeros([3]), 2); f(np.array([5, 6, 7]), 2);
      expect(traces).toBe(1);
      f(np.ones([4]), 2);
      expect(traces).toBe(2);
      f(np.ones([4], { dtype: "int32" }), 2);
      expect(traces).toBe(3);
      expect(values(f(np.ones([4]), 3))).toEqual([3, 3, 3, 3]);
      expect(traces).toBe(4);
      f(np.ones([4]), 3);
      expect(traces).toBe(4);
      expect(f.cacheSize).toBe(4);
    });

    test("pytrees in and out", () => {
      const f = jit((p: { w: NDArray; b: NDArray[] }) => ({ s: p.w.sum(), t: [p.b[0]!.mul(2)] }));
      const out = f({ w: np.ones([2]), b: [np.array([3])] });
      expect(out.s.item()).toBe(2);
      expect(values(out.t[0]!)).toEqual([6]);
    });

    test("makeJaxpr prints like JAX; lower lists the kernels after DCE and CSE", () => {
      const text = makeJaxpr((x: NDArray) => np.sin(x).mul(2))(np.ones([3])).toString();
      expect(text).toBe("{ lambda ; a:f32[3]. let\n    b:f32[3] = sin a\n    c:f32[3] = mul b 2.0\n  in (c,) }");
      const g = (x: NDArray) => { np.cos(x); const s = np.sin(x); return s.add(np.sin(x)); };
      const f = jit(g);
      expect(jit(g, { fuse: false }).lower(np.ones([3])).kernels()).toEqual(["sin", "add"]);
      expect(f.lower(np.ones([3])).kernels()).toEqual(["fused[sin, add → 1]"]);
      expect(evalShape((x: NDArray) => np.matmul(x, x.T))(np.zeros([4, 3])).str()).toBe("f32[4,4]");
    });

    test("comparing a traced value in a JS if fails loudly; concrete scalars convert", () => {
      expect(() => jit((x: NDArray) => ((x as unknown as number) > 0 ? x : x.neg()))(np.array(1))).toThrow(/conversion to a JS number \(e.g. x > 0\) needs a concrete value, but this is a traced f32\[\]/);
      expect((np.array(3) as unknown as number) > 2).toBe(true);
      expect(() => (np.ones([2]) as unknown as number) > 0).toThrow(/only one-element arrays can be converted/);
      expect(`${np.array([1, 2])}`).toBe("[1. 2.]");
    });

    test("reading a traced value inside jit says what to do", () => {
      const f = jit((x: NDArray) => ((x.item() as number) > 0 ? x : x.neg()));
      expect(() => f(np.array(1))).toThrow(ConcretizationError);
      expect(() => f(np.array(1))).toThrow(/item\(\) needs a concrete value, but this is a traced f32\[\].*staticArgnums.*lax.cond/s);
      expect(() => jit((x: NDArray) => x.toArray())(np.ones([2]))).toThrow(/toArray\(\) needs a concrete value/);
    });
  });

  describe("errors", () => {
    test("grad of a non-scalar output shows its shape", () => {
      expect(() => grad((x: NDArray) => x.mul(2))(np.ones([3]))).toThrow(/grad requires a scalar float32 output; f returned f32\[3\] \(shape \[3\]\)/);
      expect(() => grad((x: NDArray) => x.sum())(np.ones([3], { dtype: "int32" }))).toThrow(/grad requires float32 inputs; differentiated argument leaf 0 is i32\[3\]/);
      expect(() => grad((x: NDArray) => x.sum(), { argnums: 2 })(np.ones([3]))).toThrow(/argnums 2 is out of range/);
    });
    test("vmap with mismatched axis sizes lists every size", () => {
      expect(() => vmap((a: NDArray, b: NDArray) => a.add(b))(np.ones([3, 2]), np.ones([4, 2])))
        .toThrow(/vmap got inconsistent sizes for the mapped axis:\n  argument leaf 0 of shape \[3, 2\] has size 3 on axis 0\n  argument leaf 1 of shape \[4, 2\] has size 4 on axis 0/);
    });
    test("structure mismatches print both trees", () => {
      expect(() => jvp((x: NDArray) => x, [np.ones([2])], [[np.ones([2])]])).toThrow(/same structure/);
      expect(() => vmap((d: { a: NDArray }) => d.a, { inAxes: [{ b: 0 }] })({ a: np.ones([2]) })).toThrow(/inAxes must be a prefix/);
    });
    test("a tracer that escapes its transformation is reported", () => {
      let leaked: NDArray | null = null;
      jit((x: NDArray) => { leaked = x; return x; })(np.ones([2]));
      expect(() => np.sin(leaked!)).toThrow(/escaped the transformation/);
    });
  });

  describe("memory", () => {
    test("1000 calls of jit(valueAndGrad(loss)) and of eager grad leave tensor count and bytes flat", () => {
      const loss = (w: NDArray, x: NDArray, y: NDArray) => np.mean(np.matmul(x, w).sub(y).square());
      const step = jit((w: NDArray, x: NDArray, y: NDArray) => {
        const [l, g] = valueAndGrad(loss)(w, x, y);
        return { w: w.sub(g.mul(0.01)), l };
      });
      const x = keep(np.linspace(-1, 1, 32).reshape([8, 4])), y = keep(np.ones([8, 1]));
      let w = keep(np.zeros([4, 1]));
      const run = (n: number) => {
        for (let i = 0; i < n; i++) {
          const out = step(w, x, y);
          dispose([w, out.l]);
          w = out.w;
        }
      };
      run(2); // warm-up: trace, compile, constants
      const before = tf.memory();
      run(1000);
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);

      const eagerBefore = tf.memory();
      for (let i = 0; i < 1000; i++) dispose(grad(loss)(w, x, y));
      expect(tf.memory().numTensors).toBe(eagerBefore.numTensors);
      expect(tf.memory().numBytes).toBe(eagerBefore.numBytes);
      dispose([w, x, y]);
    });

    test("scopes around transforms release everything", () => {
      const before = tf.memory().numTensors;
      scope(() => { grad((x: NDArray) => np.sum(np.tanh(x)))(np.ones([5])); vmap(np.sin)(np.ones([3, 2])); return null; });
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
