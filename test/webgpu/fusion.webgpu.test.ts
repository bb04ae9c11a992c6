/** Fused WGSL kernels on webgpu (Dawn; SwiftShader without a GPU). */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dispose, jit, keep, np, setBackend, valueAndGrad, type NDArray } from "../../src/index.ts";
import { tf } from "../../src/backend/index.ts";
import { checkPatterns } from "../fusion/checks.ts";
import { settleGarbage } from "../helpers.ts";

describe("fusion on webgpu", () => {
  beforeAll(async () => { await setBackend("webgpu"); }, 120_000);
  afterAll(async () => { await setBackend("wasm"); });

  test("1000 jitted training steps leave tensors, bytes and GPU bytes flat", async () => {
    const loss = (w: NDArray, x: NDArray, y: NDArray) => np.mean(np.tanh(np.matmul(x, w)).sub(y).square());
    const step = jit((w: NDArray, x: NDArray, y: NDArray) => {
      const [l, g] = valueAndGrad(loss)(w, x, y);
      return { w: w.sub(g.mul(0.1)), l };
    });
    const x = keep(np.linspace(-1, 1, 32 * 8).reshape([32, 8])), y = keep(np.linspace(0, 1, 32 * 4).reshape([32, 4]));
    let w = keep(np.zeros([8, 4]));
    const run = (n: number) => { for (let i = 0; i < n; i++) { const o = step(w, x, y); dispose([w, o.l]); w = o.w; } };
    run(3);
    await w.data();
    await settleGarbage();
    const before = tf.memory() as { numTensors: number; numBytes: number; numBytesInGPU?: number };
    run(1000);
    const last = (await w.data())[0]!;
    await settleGarbage();
    const after = tf.memory() as typeof before;
    expect(Number.isFinite(last)).toBe(true);
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numBytesInGPU!).toBeLessThanOrEqual(before.numBytesInGPU!);
    dispose([w, x, y]);
  }, 300_000);

  test("gelu, layerNorm, softmax cross-entropy and Adam: fused = unfused, with fewer kernels", async () => {
    await checkPatterns();
  });
});

describe("fused WGSL with non-finite constants", () => {
  beforeAll(async () => { await setBackend("webgpu"); }, 120_000);
  afterAll(async () => { await setBackend("wasm"); });

  test("max-reductions start from -inf and infinite literals compile", async () => {
    const f = (x: NDArray) => np.max(np.where(x.gt(0), x, -Infinity), { axis: -1 }).add(np.min(x.mul(2), { axis: -1 }));
    const x = np.linspace(-1, 1, 64 * 40).reshape([64, 40]);
    expect(jit(f).lower(x).kernels().some((k) => k.startsWith("fused"))).toBe(true);
    const a = (await jit(f)(x).data()) as Float32Array, b = (await jit(f, { fuse: false })(x).data()) as Float32Array;
    a.forEach((v, i) => expect(v === b[i] || Math.abs(v - b[i]!) <= 1e-6, `element ${i}: ${v} vs ${b[i]}`).toBe(true));
    expect(a.some((v) => v === -Infinity)).toBe(true);
  });
});
