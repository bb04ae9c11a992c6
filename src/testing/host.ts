/**
 * Host-side plumbing for the checks: array values as float64 JS numbers, a seeded PRNG for
 * directions and cotangents, and printing of values in a form that can be pasted back into
 * a test (`np.array([...], { dtype })`). Internal to gradus/testing.
 */
import { flatten, unflatten } from "../tree/index.ts";
import { NDArray } from "../array.ts";
import { asArray, fromFlat } from "../core/constant.ts";
import type { DType } from "../core/dtype.ts";
import { fmtShape, shapeSize } from "../core/shape.ts";

/** The elements of an array as float64 numbers (bool as 0/1); reads synchronously (cpu, wasm). @example hostValues(np.array([true, false]))   // [1, 0] @internal */
export function hostValues(x: NDArray): number[] {
  if (!(x instanceof NDArray)) throw new TypeError(`expected an NDArray, got ${typeof x}`);
  return Array.from(x.dataSync() as ArrayLike<number>, Number);
}

/** Builds a concrete array from float64 numbers (rounded to the dtype). @example fromHost([1, 2], [2], "int32") @internal */
export function fromHost(values: readonly number[], shape: readonly number[], dtype: DType): NDArray {
  return fromFlat(values as number[], shape, dtype);
}

/** An array-like leaf as an NDArray. @example leafArray(3, "x").weakType   // true @internal */
export const leafArray = (x: unknown, what: string): NDArray => asArray(x as never, what);

/** Mulberry32: a small, fast, seeded 32-bit PRNG (so every check reproduces from its seed). @example const rand = prng(0); rand() @internal */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` values in [-1, 1] on a grid of 1/16 (so they print short and are exact in float32):
 * bounded, so a domain that keeps its points more than `eps` from every kink stays valid
 * along the whole finite-difference step.
 * @example randomDirection(3, prng(0))   // three multiples of 1/16 in [-1, 1]
 * @internal
 */
export function randomDirection(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 16) / 16);
}

/** float32 rounding of a float64 number. @example f32(0.1)   // 0.10000000149011612 @internal */
export const f32 = Math.fround;

/** A float64 inner product. @example dot([1, 2], [3, 4])   // 11 @internal */
export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Σ |aᵢ bᵢ|: the size of the terms of an inner product (the scale its rounding error is relative to). @example dotAbs([1, -2], [3, 4])   // 11 @internal */
export function dotAbs(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! * b[i]!);
  return s;
}

/** The multi-index of flat position `i` in a row-major `shape`. @example unravel(5, [2, 3])   // [1, 2] @internal */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]!; i = Math.floor(i / shape[d]!); }
  return idx;
}

/** Shortest decimal that rounds back to the same float32. @example fmtNumber(Math.fround(0.1))   // "0.1" @internal */
export function fmtNumber(v: number, dtype: DType = "float32"): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (dtype !== "float32") return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === Math.fround(v)) return String(Number(s));
  }
  return String(v);
}

function nest(values: readonly number[], shape: readonly number[], dtype: DType, offset: number, d: number): string {
  if (d === shape.length) return fmtNumber(values[offset]!, dtype);
  const inner = shapeSize(shape.slice(d + 1));
  const parts: string[] = [];
  for (let i = 0; i < shape[d]!; i++) parts.push(nest(values, shape, dtype, offset + i * inner, d + 1));
  return `[${parts.join(", ")}]`;
}

/** Host data as source code; large arrays are abbreviated. @example fmtData([1, 2], [1, 2], "int32")   // 'np.array([[1, 2]], { dtype: "int32" })' @internal */
export function fmtData(values: readonly number[], shape: readonly number[], dtype: DType, maxElements = 64): string {
  const dt = dtype === "float32" ? "" : `, { dtype: "${dtype}" }`;
  if (values.length === 0) return `np.zeros(${fmtShape(shape)}${dt})`;
  if (values.length > maxElements) {
    const head = values.slice(0, 8).map((v) => fmtNumber(v, dtype)).join(", ");
    return `np.array(<${fmtShape(shape)}: ${head}, ... (${values.length} elements)>${dt})`;
  }
  if (shape.length === 0) return `np.array(${fmtNumber(values[0]!, dtype)}${dt})`;
  return `np.array(${nest(values, shape, dtype, 0, 0)}${dt})`;
}

/** An array as source code (reads it synchronously). @example fmtArray(np.array([0.5]))   // "np.array([0.5])" @internal */
export function fmtArray(x: NDArray, maxElements = 64): string {
  try {
    return fmtData(hostValues(x), x.shape, x.dtype, maxElements);
  } catch {
    return `<${x.aval.str()}>`;
  }
}

/** A list of arrays as source code. @example fmtArrays([np.array(1)])   // "[np.array(1)]" @internal */
export const fmtArrays = (xs: readonly NDArray[], maxElements = 64): string => `[${xs.map((x) => fmtArray(x, maxElements)).join(", ")}]`;

/** A function of flat float32 arrays (every other leaf fixed), returning all its output leaves. */
export interface FlatProblem {
  f: (...xs: NDArray[]) => NDArray[];
  xs: NDArray[];
  /** The original leaves (for messages). */
  leaves: NDArray[];
}

/** Closes `f` over its non-float32 argument leaves: the checks differentiate the float32 ones. */
export function flatProblem(f: (...args: any[]) => unknown, args: readonly unknown[]): FlatProblem {
  const [rawLeaves, tree] = flatten([...args]);
  const leaves = rawLeaves.map((l, i) => leafArray(l, `argument leaf ${i}`));
  const isFloat = leaves.map((l) => l.dtype === "float32");
  const xs = leaves.filter((_, i) => isFloat[i]);
  const fFlat = (...ys: NDArray[]): NDArray[] => {
    let k = 0;
    const full = leaves.map((l, i) => (isFloat[i] ? ys[k++]! : l));
    const out = f(...(unflatten(tree, full) as unknown[]));
    return flatten(out)[0].map((o, i) => leafArray(o, `output leaf ${i}`));
  };
  return { f: fFlat, xs, leaves };
}
