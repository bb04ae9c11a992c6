/** Shared test helpers: backends to run on and approximate comparison of nested values. */
import { expect } from "vitest";
import { setBackend, type BackendName } from "../src/backend/index.ts";
import type { NDArray, NestedArray } from "../src/array.ts";

/** The backends every core test runs on in Node (webgpu has its own suite under test/webgpu). */
export const CPU_BACKENDS: BackendName[] = ["cpu", "wasm"];

export async function useBackend(name: BackendName): Promise<void> {
  await setBackend(name);
}

function flat(x: NestedArray): (number | boolean)[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

/**
 * Checks an array against expected nested values. float32 results are compared with a
 * relative tolerance of 1e-5 plus an absolute 1e-6: float32 has a 2^-24 ≈ 6e-8 unit
 * roundoff and the kernels under test chain at most a few dozen roundings.
 */
export function expectArray(x: NDArray, expected: NestedArray, { rtol = 1e-5, atol = 1e-6 } = {}): void {
  const actual = x.toArray();
  const a = flat(actual), e = flat(expected);
  expect(a.length, `size of ${x.aval.str()}`).toBe(e.length);
  a.forEach((v, i) => {
    const w = e[i]!;
    if (typeof w === "boolean" || typeof v === "boolean") { expect(v, `element ${i}`).toBe(w); return; }
    if (Number.isNaN(w)) { expect(Number.isNaN(v as number), `element ${i} is NaN`).toBe(true); return; }
    if (!Number.isFinite(w)) { expect(v, `element ${i}`).toBe(w); return; }
    expect(Math.abs((v as number) - w), `element ${i}: ${v} vs ${w}`).toBeLessThanOrEqual(atol + rtol * Math.abs(w));
  });
}

/** Number of elements of a shape. */
export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Deterministic pseudo-random numbers in [lo, hi) (an LCG, so failures reproduce). */
export function rand(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  });
}

/** Row-major flat index → multi-index. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]!; i = Math.floor(i / shape[d]!); }
  return idx;
}

/** Multi-index → row-major flat index. */
export const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((acc, v, d) => acc * shape[d]! + v, 0);

/**
 * Collects garbage and lets FinalizationRegistry callbacks run, so that arrays dropped by
 * earlier tests are freed before a memory test takes its baseline (vitest runs with --expose-gc).
 */
export async function settleGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 0));
  }
}
