import { beforeAll, describe, expect, test } from "vitest";
import { jit, lax, np, type NDArray } from "../../src/index.ts";
import { planFusion } from "../../src/compiler/fusion.ts";
import { kernelCode, WGSL } from "../../src/compiler/codegen.ts";
import { CPU_BACKENDS, expectArray, useBackend } from "../helpers.ts";
import { checkPatterns } from "./checks.ts";

describe.each(CPU_BACKENDS)("fusion on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test("gelu, layerNorm, softmax cross-entropy and Adam: fused = unfused, with fewer kernels", async () => {
    await checkPatterns();
  });

  test("lower() shows the fused groups", () => {
    const f = jit((x: NDArray, w: NDArray) => np.tanh(np.matmul(x, w)).mul(2).add(1));
    expect(f.lower(np.ones([4, 3]), np.ones([3, 2])).kernels()).toEqual(["dot_general", "fused[tanh, mul, add → 1]"]);
  });

  test("a reduction ends a group; its result feeds the next group", () => {
    const f = jit((x: NDArray) => np.exp(x.sub(np.max(x, { axis: -1, keepdims: true }))).sum({ axis: -1 }));
    const k = f.lower(np.ones([4, 8])).kernels();
    expect(k[0]).toBe("reduce_max");
    expect(k.some((s) => /^fused\[.*sub, exp, reduce_sum → 1\]$/.test(s))).toBe(true);
  });

  test("no group is formed across an unfused dependency (no cycles)", () => {
    // b depends on the matmul of a; fusing a with c would need the matmul inside the group.
    const f = (x: NDArray, w: NDArray) => { const a = np.sin(x); const m = np.matmul(a, w); return a.mul(2).add(np.sum(m)); };
    const jf = jit(f);
    const x = np.linspace(-1, 1, 12).reshape([4, 3]), w = np.linspace(0, 1, 6).reshape([3, 2]);
    expectArray(jf(x, w), jit(f, { fuse: false })(x, w).toArray());
    const plan = planFusion(jf.lower(x, w).jaxpr.jaxpr);
    expect(plan.length).toBeGreaterThan(1);
  });

  test("generated WGSL is keyed by structure: sizes travel as uniforms", () => {
    const f = jit((x: NDArray) => np.exp(x.sub(np.max(x, { axis: -1, keepdims: true }))).sum({ axis: -1 }));
    const code = (rows: number, cols: number) => {
      const jaxpr = f.lower(np.ones([rows, cols])).jaxpr.jaxpr;
      const cluster = planFusion(jaxpr).flatMap((p) => ("cluster" in p ? [p.cluster] : []))[0]!;
      return kernelCode(WGSL, cluster, cluster.outputs[0]!);
    };
    const a = code(4, 8), b = code(16, 32);
    expect(a.body).toBe(b.body);
    expect(a.sizes).not.toEqual(b.sizes);
  });

  test("GRADUS_LOG_KERNELS logs each kernel a compiled call runs", () => {
    const f = jit((x: NDArray, w: NDArray) => np.tanh(np.matmul(x, w)).mul(2));
    const args = [np.ones([2, 3]), np.ones([3, 2])] as const;
    f(...args);
    const lines: string[] = [];
    const original = console.error;
    process.env.GRADUS_LOG_KERNELS = "1";
    console.error = (...a: unknown[]) => { lines.push(a.join(" ")); };
    try { f(...args); } finally { console.error = original; delete process.env.GRADUS_LOG_KERNELS; }
    expect(lines).toEqual(["[gradus] dot_general", `[gradus] js fused[tanh, mul → 1]`]);
  });

  test("clusters count as one node in the cycle check (a view shared by two clusters)", () => {
    // l is a view read by clusters {m, s, z} and {t, u, v, sum}; the second feeds z back
    // through a matmul. Node-level paths see no cycle (u does not reach the sum), but the
    // clusters, run as units, would wait on each other.
    const f = (a: NDArray, b: NDArray, w: NDArray) => {
      const l = lax.reshape(np.matmul(a, w), [2, 3]);
      const s = l.mul(b).neg();
      const t = np.exp(a);
      const u = l.mul(t);
      const back = np.matmul(t.mul(b).sum({ axis: 1 }), np.ones([2, 3]));
      return [s.add(lax.reshape(back, [1, 3])), u];
    };
    const a = np.linspace(-1, 1, 6).reshape([2, 3]), b = np.linspace(0, 2, 6).reshape([2, 3]), w = np.linspace(-0.5, 0.5, 9).reshape([3, 3]);
    const fused = jit(f)(a, b, w) as NDArray[], plain = jit(f, { fuse: false })(a, b, w) as NDArray[];
    fused.forEach((x, i) => expectArray(x, plain[i]!.toArray()));
  });

  test("bool intermediates, selects and comparisons fuse", () => {
    const f = (x: NDArray) => np.where(x.gt(0), x.square(), x.neg().mul(0.5)).add(x.lt(-1).astype("float32"));
    const x = np.linspace(-2, 2, 9);
    expect(jit(f).lower(x).kernels()).toHaveLength(1);
    expectArray(jit(f)(x), jit(f, { fuse: false })(x).toArray());
  });
});
