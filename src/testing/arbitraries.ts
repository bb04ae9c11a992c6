/**
 * fast-check arbitraries for shapes, arrays and pytrees, designed to shrink to small,
 * readable counterexamples: shapes shrink to low ranks and small dimensions, float values
 * live on a grid (multiples of `step`, exact in float32) and shrink toward zero, and every
 * generated array prints as code that rebuilds it: `np.array([[0.5, -1.25]])`.
 *
 * @example
 * // no-run (a vitest test file)
 * import { test } from "@fast-check/vitest";
 * import { arb, checkGrads } from "gradus/testing";
 * test.prop([arb.array({ shape: arb.shape({ maxRank: 2 }), min: -2, max: 2 })])("tanh", (x) => {
 *   checkGrads(np.tanh, [x], { order: 2 });
 * });
 * @module
 */
import * as fc from "fast-check";
import type { NDArray } from "../array.ts";
import type { DType } from "../core/dtype.ts";
import { shapeSize } from "../core/shape.ts";
import { fmtData, fromHost } from "./host.ts";

/**
 * Options of {@link shape}.
 *
 * @example
 * const opts: ShapeOptions = { minRank: 1, maxRank: 3, maxDim: 4 };
 */
export interface ShapeOptions {
  /** Fewest dimensions (default 0: scalars). */
  minRank?: number;
  /** Most dimensions (default 3). */
  maxRank?: number;
  /** Smallest dimension size (default 1; 0 allows empty arrays). */
  minDim?: number;
  /** Largest dimension size (default 4). */
  maxDim?: number;
}

/**
 * Array shapes. Shrinks toward fewer dimensions and smaller sizes.
 *
 * @example
 * import * as fc from "fast-check";
 * fc.sample(arb.shape({ maxRank: 2, maxDim: 3 }), 3);   // e.g. [[2, 3], [], [1]]
 * fc.check(fc.property(arb.shape({ maxRank: 2 }), (s) => s.length < 2), { seed: 1 }).counterexample   // [[1, 1]]
 */
export function shape({ minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 }: ShapeOptions = {}): fc.Arbitrary<number[]> {
  if (!(minRank >= 0 && maxRank >= minRank)) throw new RangeError(`arb.shape: need 0 <= minRank <= maxRank; got minRank ${minRank}, maxRank ${maxRank}`);
  if (!(minDim >= 0 && maxDim >= minDim)) throw new RangeError(`arb.shape: need 0 <= minDim <= maxDim; got minDim ${minDim}, maxDim ${maxDim}`);
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Array values on the host: shape, dtype and row-major data. Prints as the code that
 * builds it; `toNDArray()` makes the array on the active backend (so one generated value
 * can be materialized on several backends).
 *
 * @example
 * const h = new HostArray([2], "float32", [0.5, -1]);
 * String(h)          // "np.array([0.5, -1])"
 * h.toNDArray().shape  // [2]
 */
export class HostArray {
  /**
   * @param shape the array's shape.
   * @param dtype its element type.
   * @param data its elements, row-major (`shape`'s size of them).
   */
  constructor(
    /** The array's shape. */
    readonly shape: readonly number[],
    /** Its element type. */
    readonly dtype: DType,
    /** Its elements, row-major. */
    readonly data: readonly number[],
  ) {
    if (data.length !== shapeSize(shape)) throw new Error(`HostArray: ${data.length} values for shape [${shape.join(", ")}]`);
  }
  /** A new NDArray with these values on the active backend. */
  toNDArray(): NDArray {
    const x = fromHost(this.data, this.shape, this.dtype);
    Object.defineProperty(x, fc.toStringMethod, { value: () => this.toString(), enumerable: false });
    return x;
  }
  /** Source code that builds the array. */
  toString(): string { return fmtData(this.data, this.shape, this.dtype, 256); }
  /** How fast-check prints the array in a counterexample: as {@link HostArray.toString}. */
  [fc.toStringMethod](): string { return this.toString(); }
}

/**
 * Options of {@link array} and {@link arrayData}.
 *
 * @example
 * const denominators: ArrayOptions = { shape: [3], min: -2, max: 2, exclude: [[-0.5, 0.5]] };
 */
export interface ArrayOptions {
  /** A fixed shape or an arbitrary of shapes (default `shape()`). */
  shape?: readonly number[] | fc.Arbitrary<number[]>;
  /** Element type (default float32). */
  dtype?: DType;
  /** Smallest value (default −3 for float32, −10 for int32, 0 for uint32). */
  min?: number;
  /** Largest value (default 3 for float32, 10 for int32, 2³² − 1 for uint32). */
  max?: number;
  /** Open intervals `[lo, hi]` no value falls in (e.g. `[[-0.5, 0.5]]` keeps a denominator away from 0). */
  exclude?: readonly (readonly [number, number])[];
  /** float32 values are `offset + k · step` for integers k (default step 1/64, offset 0): exact and short to print. */
  step?: number;
  /** The grid's offset (see `step`; default 0). */
  offset?: number;
  /** If > 0, any two elements differ by at least this much (values on a grid of this step, all distinct). */
  distinct?: number;
}

function defaults(dtype: DType): { min: number; max: number } {
  switch (dtype) {
    case "float32": return { min: -3, max: 3 };
    case "int32": return { min: -10, max: 10 };
    case "uint32": return { min: 0, max: 2 ** 32 - 1 };
    case "bool": return { min: 0, max: 1 };
  }
}

/** The arbitrary of n elements of one array. */
function elements(n: number, o: ArrayOptions, dtype: DType): fc.Arbitrary<number[]> {
  const d = defaults(dtype);
  const min = o.min ?? d.min, max = o.max ?? d.max;
  if (!(max >= min)) throw new RangeError(`arb.array: need min <= max; got min ${min}, max ${max}`);
  const excluded = (v: number) => (o.exclude ?? []).some(([lo, hi]) => v > lo && v < hi);
  if (dtype === "bool") return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((bs) => bs.map((b) => (b ? 1 : 0)));
  const step = dtype === "float32" ? (o.distinct && o.distinct > 0 ? Math.max(o.distinct, o.step ?? 1 / 64) : o.step ?? 1 / 64) : Math.max(1, Math.ceil(o.distinct ?? 1));
  const offset = dtype === "float32" ? o.offset ?? 0 : 0;
  const kmin = Math.ceil((min - offset) / step), kmax = Math.floor((max - offset) / step);
  if (kmax < kmin) throw new RangeError(`arb.array: no ${dtype} value on the grid ${offset} + k·${step} lies in [${min}, ${max}]`);
  const value = (k: number) => offset + k * step;
  let allowed = 0;
  for (let k = kmin; k <= kmax && allowed <= n; k++) if (!excluded(value(k))) allowed++;
  if (allowed === 0) throw new RangeError(`arb.array: exclude ${JSON.stringify(o.exclude)} leaves no value in [${min}, ${max}]`);
  const k = fc.integer({ min: kmin, max: kmax }).filter((i) => !excluded(value(i)));
  if (o.distinct && o.distinct > 0) {
    if (allowed < n) throw new RangeError(`arb.array: cannot draw ${n} values at least ${o.distinct} apart from [${min}, ${max}]; widen the range or shrink the shape`);
    return fc.uniqueArray(k, { minLength: n, maxLength: n }).map((ks) => ks.map(value));
  }
  return fc.array(k, { minLength: n, maxLength: n }).map((ks) => ks.map(value));
}

/**
 * Array values on the host ({@link HostArray}), for properties that build the same values
 * on several backends. Same options as {@link array}.
 *
 * @example
 * import * as fc from "fast-check";
 * const [h] = fc.sample(arb.arrayData({ shape: [2], min: 0, max: 1 }), { numRuns: 1, seed: 3 });
 * h.shape              // [2]
 * h.toNDArray().dtype  // "float32"
 */
export function arrayData(opts: ArrayOptions = {}): fc.Arbitrary<HostArray> {
  const dtype = opts.dtype ?? "float32";
  const shapes = opts.shape === undefined ? shape() : opts.shape;
  const make = (s: readonly number[]) => elements(shapeSize(s), opts, dtype).map((data) => new HostArray([...s], dtype, data));
  return Array.isArray(shapes) ? make(shapes as readonly number[]) : (shapes as fc.Arbitrary<number[]>).chain(make);
}

/**
 * NDArrays on the active backend. float32 values are multiples of `step` in [min, max]
 * (outside the `exclude` intervals), so they are exact in float32 and shrink toward 0;
 * a counterexample prints as `np.array([...])`, ready to paste into a test.
 *
 * @example
 * arb.array({ shape: arb.shape({ maxRank: 2 }), min: 0.1, max: 3 })   // positive, for log
 * arb.array({ shape: [4], dtype: "int32", min: 0, max: 3 })           // indices
 */
export function array(opts: ArrayOptions = {}): fc.Arbitrary<NDArray> {
  return arrayData(opts).map((h) => h.toNDArray());
}

/**
 * Options of {@link pytree}.
 *
 * @example
 * const opts: PytreeOptions = { maxDepth: 2, maxLength: 3 };
 */
export interface PytreeOptions {
  /** Deepest nesting of containers (default 2). */
  maxDepth?: number;
  /** Most children per container (default 3). */
  maxLength?: number;
  /** Keys objects may use (default "a", "b", "c", "w", "x"). */
  keys?: readonly string[];
}

/** A pytree of leaves of type T: a leaf, a JS array of pytrees or a plain object of them. @example const t: Pytree<number> = { a: [1, 2], b: 3 }; */
export type Pytree<T> = T | Pytree<T>[] | { [k: string]: Pytree<T> };

/**
 * Pytrees (nested JS arrays and plain objects) with leaves from `leaf`. Shrinks toward a
 * single leaf.
 *
 * @example
 * arb.pytree(arb.array({ shape: [2] }), { maxDepth: 2 })   // e.g. { a: [np.array([0.5, 1])], b: np.array([0, -2]) }
 */
export function pytree<T>(leaf: fc.Arbitrary<T>, { maxDepth = 2, maxLength = 3, keys = ["a", "b", "c", "w", "x"] }: PytreeOptions = {}): fc.Arbitrary<Pytree<T>> {
  const { node } = fc.letrec<{ node: Pytree<T> }>((tie) => ({
    node: fc.oneof(
      { maxDepth, withCrossShrink: true, depthIdentifier: "gradus-pytree" },
      leaf,
      fc.array(tie("node"), { maxLength, depthIdentifier: "gradus-pytree" }),
      fc.dictionary(fc.constantFrom(...keys), tie("node"), { maxKeys: maxLength, noNullPrototype: true, depthIdentifier: "gradus-pytree" }),
    ),
  }));
  return node;
}

/**
 * Two shapes that broadcast together (NumPy rules): each is a suffix of a common shape with
 * some dimensions set to 1. Shrinks toward equal shapes of small size.
 *
 * @example
 * import * as fc from "fast-check";
 * const [[a, b]] = fc.sample(arb.broadcastablePair({ maxRank: 3 }), { numRuns: 1, seed: 5 });
 * np.add(np.zeros(a), np.zeros(b)).ndim === Math.max(a.length, b.length)   // true
 */
export function broadcastablePair(opts: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  const operand = (full: number[]) => fc.tuple(
    fc.integer({ min: 0, max: full.length }),
    fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
  ).map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return shape(opts).chain((full) => fc.tuple(operand(full), operand(full)));
}
