/** Building blocks of the domain declarations. */
import * as fc from "fast-check";
import type { NDArray } from "../../../src/index.ts";
import { primitives } from "../../../src/core/primitive.ts";
import { ShapedArray } from "../../../src/core/aval.ts";
import { arb } from "../../../src/testing/index.ts";
import type { Operand, Structure } from "../spec.ts";

/** Binds a registered primitive by name. */
export function bindPrim(name: string, params: object = {}): (...xs: NDArray[]) => NDArray[] {
  const p = primitives().get(name);
  if (!p) throw new Error(`no primitive "${name}" is registered`);
  return (...xs: NDArray[]) => p.bind(xs, params as never);
}

/** Shapes of rank at least 1 whose dimensions may be 0 (empty arrays). */
export const SHAPE1_EMPTY = arb.shape({ minRank: 1, maxRank: 3, minDim: 0, maxDim: 4 });

/** Default operand shapes: rank 0–3, dimensions 1–4, and one time in six an empty array. */
export const SHAPE = fc.oneof({ arbitrary: arb.shape({ maxRank: 3, maxDim: 4 }), weight: 5 }, { arbitrary: arb.shape({ maxRank: 3, minDim: 0, maxDim: 4 }), weight: 1 });

/** Shapes of rank at least 1, sometimes empty. */
export const SHAPE1 = fc.oneof({ arbitrary: arb.shape({ minRank: 1, maxRank: 3, maxDim: 4 }), weight: 5 }, { arbitrary: SHAPE1_EMPTY, weight: 1 });

/** `name{k=v, ...}` for counterexamples. */
export function label(name: string, params: object = {}): string {
  const entries = Object.entries(params).filter(([, v]) => typeof v !== "function");
  return entries.length ? `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}}` : name;
}

/** A structure that binds primitive `name` with `params` on `operands`. */
export function prim(name: string, params: object, operands: Operand[], extra: Partial<Structure> = {}): Structure {
  return { label: label(name, params), operands, f: bindPrim(name, params), ...extra };
}

/** A random subset of 0..n−1, sorted, with between minLength and maxLength elements. */
export const subset = (n: number, minLength = 0, maxLength = n): fc.Arbitrary<number[]> =>
  fc.subarray(Array.from({ length: n }, (_, i) => i), { minLength: Math.min(minLength, n), maxLength: Math.min(maxLength, n) });

/** A random permutation of 0..n−1 (shrinks toward the identity). */
export const permutation = (n: number): fc.Arbitrary<number[]> =>
  fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) => keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i));

/** Number of elements. */
export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Whether the primitive accepts these operands and parameters (its abstract evaluation does not throw). */
export function accepts(name: string, operands: readonly Operand[], params: object): boolean {
  try {
    primitives().get(name)!.rules.abstractEval(operands.map((o) => new ShapedArray(o.shape, o.dtype ?? "float32")), params as never);
    return true;
  } catch {
    return false;
  }
}

/** The output avals the primitive gives for these operands. */
export function outShapes(name: string, operands: readonly Operand[], params: object): number[][] {
  return primitives().get(name)!.rules.abstractEval(operands.map((o) => new ShapedArray(o.shape, o.dtype ?? "float32")), params as never).map((a) => [...a.shape]);
}
