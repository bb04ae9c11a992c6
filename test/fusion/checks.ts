/** Shared fusion checks: fused = unfused values, and the kernel counts issue 7 reports. */
import { expect } from "vitest";
import { dispose, jit, tree, type NDArray } from "../../src/index.ts";
import { countKernels } from "../../src/compiler/stats.ts";
import { PATTERNS, patternArgs } from "./patterns.ts";

/**
 * Kernels launched per call (tfjs dispatches + generated kernels), unfused and fused, as
 * counted by countKernels on every backend. Inputs are small (batch 16) so wasm takes its
 * JS-loop path too.
 */
export const EXPECTED_KERNELS: Record<string, { unfused: number; fused: number }> = {
  gelu: { unfused: 11, fused: 2 },
  layerNorm: { unfused: 13, fused: 6 },
  softmaxCrossEntropy: { unfused: 44, fused: 17 },
  adam: { unfused: 14, fused: 3 },
};

const leaves = (x: unknown) => tree.leaves(x) as NDArray[];

/**
 * Runs each pattern fused and unfused; values must agree within float32 roundoff of the
 * reordered arithmetic: the generated kernels evaluate the same expressions (WGSL in f32,
 * JS in f64 then rounded), so results differ by a few ULP of O(1) values: rtol 1e-5, atol 1e-6.
 */
export async function checkPatterns(): Promise<void> {
  const args = patternArgs(16);
  for (const [name, f] of Object.entries(PATTERNS)) {
    const fused = jit(f), unfused = jit(f, { fuse: false });
    const a = leaves(fused(...args[name]!)), b = leaves(unfused(...args[name]!));
    for (let i = 0; i < a.length; i++) {
      const x = (await a[i]!.data()) as Float32Array, y = (await b[i]!.data()) as Float32Array;
      x.forEach((v, k) => expect(Math.abs(v - y[k]!), `${name} output ${i} element ${k}: fused ${v} vs unfused ${y[k]}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(y[k]!)));
    }
    const u = countKernels(() => unfused(...args[name]!)), v = countKernels(() => fused(...args[name]!));
    dispose([a, b, u.result, v.result]);
    expect({ unfused: u.kernels, fused: v.kernels }, `${name} kernel counts`).toEqual(EXPECTED_KERNELS[name]);
  }
  dispose(args);
}
