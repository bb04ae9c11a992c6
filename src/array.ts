/**
 * `NDArray`, the one public array type. A concrete array owns a tfjs tensor; inside a
 * transformation the same type is a tracer (see core/trace.ts), so user code is written
 * once against `NDArray` and runs eagerly or traced.
 */
import { tf, syncReadsUnavailable, getBackend } from "./backend/index.ts";
import { ShapedArray } from "./core/aval.ts";
import { type DType, storageDtype } from "./core/dtype.ts";
import { formatArray } from "./core/format.ts";
import { fmtShape } from "./core/shape.ts";
import { track, setOwnedCollector, type Owned } from "./memory.ts";

/**
 * Nested JS arrays of numbers or booleans, as `toArray()` returns and `np.array` accepts.
 * @example const data: NestedArray = [[1, 2], [3, 4]];
 */
export type NestedArray = number | boolean | NestedArray[];

/**
 * Anything that can stand where an array is expected: an NDArray, a JS number or boolean
 * (weakly typed), or nested JS arrays.
 * @example np.add(np.ones([2]), 1)   // the 1 is an ArrayLike
 */
export type ArrayLike = NDArray | number | boolean | NestedArray;

/**
 * Options for reductions on arrays: the axes to reduce (all by default) and whether to keep them as size 1.
 * @example
 * const x = np.array([[1, 2], [3, 4]]);
 * x.sum({ axis: 0, keepdims: true })   // [[4, 6]]
 */
export interface ReduceOptions {
  /** The axis or axes to reduce (negative counts from the end); all when null or absent. */
  axis?: number | number[] | null;
  /** Keep reduced axes as size 1 so the result broadcasts against the input (default false). */
  keepdims?: boolean;
}

/**
 * The methods NDArray forwards to `np`. They are installed by the np module so that this
 * file does not depend on the primitives (which depend on it).
 */
export interface ArrayMethods {
  add(x: NDArray, y: ArrayLike): NDArray;
  sub(x: NDArray, y: ArrayLike): NDArray;
  mul(x: NDArray, y: ArrayLike): NDArray;
  div(x: NDArray, y: ArrayLike): NDArray;
  pow(x: NDArray, y: ArrayLike): NDArray;
  neg(x: NDArray): NDArray;
  matmul(x: NDArray, y: ArrayLike): NDArray;
  sum(x: NDArray, opts?: ReduceOptions): NDArray;
  mean(x: NDArray, opts?: ReduceOptions): NDArray;
  max(x: NDArray, opts?: ReduceOptions): NDArray;
  min(x: NDArray, opts?: ReduceOptions): NDArray;
  reshape(x: NDArray, shape: number[]): NDArray;
  transpose(x: NDArray, axes?: number[]): NDArray;
  astype(x: NDArray, dtype: DType): NDArray;
  get(x: NDArray, index: number | NDArray): NDArray;
  compare(x: NDArray, y: ArrayLike, op: "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual"): NDArray;
  unary(x: NDArray, op: "exp" | "log" | "sqrt" | "abs" | "square" | "tanh"): NDArray;
}

/** Filled by the np module at load time. */
export const methods = {} as ArrayMethods;

/**
 * Raised when code needs a concrete value but has a traced one (inside jit, grad, vmap...).
 *
 * @example
 * jit((x: NDArray) => (x.item() > 0 ? x : x.neg()))(np.array(1))
 * // ConcretizationError: item() needs a concrete value, but this is a traced f32[] ...
 */
export class ConcretizationError extends Error {
  /** Always "ConcretizationError". */
  override name = "ConcretizationError";
}

/**
 * An n-dimensional array of float32, int32, uint32 or bool elements.
 *
 * Arrays are immutable: every operation returns a new array. Values are read with
 * `toArray()`/`item()` (sync; cpu and wasm) or `toArrayAsync()`/`itemAsync()` (any backend).
 *
 * @example
 * const x = np.array([[1, 2], [3, 4]]);
 * x.shape                 // [2, 2]
 * x.add(1).mul(2).sum()   // Array(28., dtype=float32)
 * console.log(x.T.toString())  // [[1. 3.]
 *                              //  [2. 4.]]
 */
export abstract class NDArray {
  /** Shape, dtype and weak-typedness: what tracing knows of this array. */
  abstract get aval(): ShapedArray;

  /** The size of each dimension. */
  get shape(): number[] { return this.aval.shape as number[]; }
  /** The element type. */
  get dtype(): DType { return this.aval.dtype; }
  /** Whether the dtype came from a JS number and yields in promotion (JAX's weak types). */
  get weakType(): boolean { return this.aval.weakType; }
  /** Number of dimensions. */
  get ndim(): number { return this.aval.ndim; }
  /** Number of elements. */
  get size(): number { return this.aval.size; }

  /**
   * The concrete array behind this value; tracers without one throw a ConcretizationError
   * saying what to use instead. @internal
   */
  abstract concrete(method: string): ConcreteArray;

  /** Elementwise `this + y` with broadcasting. */
  add(y: ArrayLike): NDArray { return methods.add(this, y); }
  /** Elementwise `this - y` with broadcasting. */
  sub(y: ArrayLike): NDArray { return methods.sub(this, y); }
  /** Elementwise `this * y` with broadcasting. */
  mul(y: ArrayLike): NDArray { return methods.mul(this, y); }
  /** Elementwise true division `this / y` (integers promote to float32). */
  div(y: ArrayLike): NDArray { return methods.div(this, y); }
  /** Elementwise power. */
  pow(y: ArrayLike): NDArray { return methods.pow(this, y); }
  /** Elementwise negation. */
  neg(): NDArray { return methods.neg(this); }
  /** Matrix product, as `np.matmul`. */
  matmul(y: ArrayLike): NDArray { return methods.matmul(this, y); }
  /** Sum over `axis` (all axes by default). */
  sum(opts?: ReduceOptions): NDArray { return methods.sum(this, opts); }
  /** Mean over `axis` (all axes by default). */
  mean(opts?: ReduceOptions): NDArray { return methods.mean(this, opts); }
  /** Maximum over `axis` (all axes by default). */
  max(opts?: ReduceOptions): NDArray { return methods.max(this, opts); }
  /** Minimum over `axis` (all axes by default). */
  min(opts?: ReduceOptions): NDArray { return methods.min(this, opts); }
  /** Same data, new shape; one dimension may be -1. */
  reshape(shape: number[]): NDArray { return methods.reshape(this, shape); }
  /** Permutes dimensions (reverses them by default). */
  transpose(axes?: number[]): NDArray { return methods.transpose(this, axes); }
  /** The transpose (dimensions reversed). */
  get T(): NDArray { return methods.transpose(this); }
  /** Converts to another dtype. */
  astype(dtype: DType): NDArray { return methods.astype(this, dtype); }
  /** Indexes the first axis, as `x[i]` in NumPy; negative `i` counts from the end. */
  get(index: number | NDArray): NDArray { return methods.get(this, index); }
  /** Elementwise `==`. */
  eq(y: ArrayLike): NDArray { return methods.compare(this, y, "equal"); }
  /** Elementwise `!=`. */
  ne(y: ArrayLike): NDArray { return methods.compare(this, y, "notEqual"); }
  /** Elementwise `<`. */
  lt(y: ArrayLike): NDArray { return methods.compare(this, y, "less"); }
  /** Elementwise `<=`. */
  le(y: ArrayLike): NDArray { return methods.compare(this, y, "lessEqual"); }
  /** Elementwise `>`. */
  gt(y: ArrayLike): NDArray { return methods.compare(this, y, "greater"); }
  /** Elementwise `>=`. */
  ge(y: ArrayLike): NDArray { return methods.compare(this, y, "greaterEqual"); }
  /** Elementwise e^x. */
  exp(): NDArray { return methods.unary(this, "exp"); }
  /** Elementwise natural logarithm. */
  log(): NDArray { return methods.unary(this, "log"); }
  /** Elementwise square root. */
  sqrt(): NDArray { return methods.unary(this, "sqrt"); }
  /** Elementwise absolute value. */
  abs(): NDArray { return methods.unary(this, "abs"); }
  /** Elementwise x². */
  square(): NDArray { return methods.unary(this, "square"); }
  /** Elementwise hyperbolic tangent. */
  tanh(): NDArray { return methods.unary(this, "tanh"); }

  /**
   * JS coercion (`x > 0`, `+x`, template strings): a one-element array converts to its
   * number, as NumPy's `float(x)`; a traced array raises ConcretizationError, so
   * `if (x > 0)` inside jit fails loudly instead of silently picking a branch.
   */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return this.toString();
    if (this.size !== 1) throw new TypeError(`only one-element arrays can be converted to a JS number; got shape ${fmtShape(this.shape)}. Use np.any/np.all, or .toArray()`);
    return Number(this.concrete("conversion to a JS number (e.g. x > 0)").item());
  }

  /**
   * Iterates over the first axis, so arrays destructure like in Python:
   * `const [k1, k2] = random.split(key)`.
   */
  *[Symbol.iterator](): Iterator<NDArray> {
    if (this.ndim === 0) throw new TypeError("iteration over a 0-d array");
    for (let i = 0; i < this.shape[0]!; i++) yield this.get(i);
  }

  /** Values as nested JS arrays (a number or boolean for rank 0). Sync: cpu and wasm only. */
  toArray(): NestedArray { return this.concrete("toArray").toArray(); }
  /** The single element as a JS number or boolean. Sync: cpu and wasm only. */
  item(): number | boolean { return this.concrete("item").item(); }
  /** The flat values as a typed array. Sync: cpu and wasm only. */
  dataSync(): Float32Array | Int32Array | Uint32Array | Uint8Array { return this.concrete("dataSync").dataSync(); }
  /** The flat values as a typed array, on any backend. */
  data(): Promise<Float32Array | Int32Array | Uint32Array | Uint8Array> { return this.concrete("data").data(); }
  /** Values as nested JS arrays, on any backend. */
  toArrayAsync(): Promise<NestedArray> { return this.concrete("toArrayAsync").toArrayAsync(); }
  /** The single element, on any backend. */
  itemAsync(): Promise<number | boolean> { return this.concrete("itemAsync").itemAsync(); }
  /** NumPy-style text, as `toString()`, on any backend (webgpu reads are async). */
  toStringAsync(): Promise<string> { return this.concrete("toStringAsync").toStringAsync(); }
}

const finalizer = new FinalizationRegistry<tf.Tensor>((t) => { if (!t.isDisposed) t.dispose(); });

function toNested(flat: { readonly length: number; readonly [i: number]: number }, shape: readonly number[], dtype: DType): NestedArray {
  const conv = dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(flat[0]!);
  let pos = 0;
  const build = (d: number): NestedArray[] => {
    const n = shape[d]!;
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = d === shape.length - 1 ? conv(flat[pos++]!) : build(d + 1);
    return out;
  };
  return build(0);
}

function asUserTyped(values: tf.TypedArray | unknown, dtype: DType): Float32Array | Int32Array | Uint32Array | Uint8Array {
  if (dtype === "uint32") {
    const v = values as Int32Array;
    return new Uint32Array(v.buffer, v.byteOffset, v.length);
  }
  return values as Float32Array | Int32Array | Uint8Array;
}

/** An array with a value: owns one tfjs tensor of the active backend. Internal. */
export class ConcreteArray extends NDArray implements Owned {
  readonly #aval: ShapedArray;
  #tensor: tf.Tensor | null;
  #registered = false;
  /** A rank-0 array's value when it came from JS (constants), readable on every backend. @internal */
  hostScalar: number | boolean | undefined;

  constructor(tensor: tf.Tensor, aval: ShapedArray) {
    super();
    this.#tensor = tensor;
    this.#aval = aval;
    track(this);
  }

  get aval(): ShapedArray { return this.#aval; }
  get isDisposed(): boolean { return this.#tensor === null || this.#tensor.isDisposed; }

  /** The tfjs tensor; throws if the array was disposed. */
  get tensor(): tf.Tensor {
    const t = this.#tensor;
    if (t === null || t.isDisposed) {
      throw new Error(`this ${this.#aval.str()} array was disposed (by dispose() or at the end of a scope()) and cannot be used; return it from the scope or keep() it to use it later`);
    }
    return t;
  }

  /**
   * The array left every scope: the garbage-collection safety net takes over. Registering
   * only escaping arrays keeps the registry off the hot path of scoped and jitted code.
   */
  escape(): void {
    if (this.#tensor !== null && !this.#registered) { finalizer.register(this, this.#tensor, this); this.#registered = true; }
  }

  dispose(): void {
    if (this.#tensor === null) return;
    if (this.#registered) finalizer.unregister(this);
    if (!this.#tensor.isDisposed) this.#tensor.dispose();
    this.#tensor = null;
  }

  concrete(): ConcreteArray { return this; }

  private checkSync(method: string): void {
    if (syncReadsUnavailable()) {
      const asyncName = method === "dataSync" ? "data" : `${method}Async`;
      throw new Error(`${method}() reads synchronously, which the ${getBackend()} backend cannot do in Node; use await x.${asyncName}() instead`);
    }
  }

  override dataSync(): Float32Array | Int32Array | Uint32Array | Uint8Array {
    this.checkSync("dataSync");
    return asUserTyped(this.tensor.dataSync(), this.dtype);
  }
  override async data(): Promise<Float32Array | Int32Array | Uint32Array | Uint8Array> {
    return asUserTyped(await this.tensor.data(), this.dtype);
  }
  override toArray(): NestedArray {
    this.checkSync("toArray");
    return toNested(this.dataSync(), this.shape, this.dtype);
  }
  override async toArrayAsync(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape, this.dtype);
  }
  private checkItem(method: string): void {
    if (this.size !== 1) throw new TypeError(`${method}() needs an array with exactly one element; got shape ${fmtShape(this.shape)} (${this.size} elements)`);
  }
  override item(): number | boolean {
    this.checkItem("item");
    this.checkSync("item");
    return toNested(this.dataSync(), [], this.dtype) as number | boolean;
  }
  override async itemAsync(): Promise<number | boolean> {
    this.checkItem("itemAsync");
    return toNested(await this.data(), [], this.dtype) as number | boolean;
  }

  /** NumPy's `str`: `[[1. 2.]\n [3. 4.]]`. On webgpu in Node, where values cannot be read synchronously, only the type. */
  override toString(): string {
    if (this.isDisposed) return `<disposed ${this.aval.str()}>`;
    if (syncReadsUnavailable()) return `Array(${this.aval.str()}, on webgpu: await x.toArrayAsync() to read)`;
    return formatArray(this.toArray(), this.shape, this.dtype, "str");
  }
  override async toStringAsync(): Promise<string> {
    return formatArray(await this.toArrayAsync(), this.shape, this.dtype, "str");
  }
  /** NumPy's `repr`: `Array([[1., 2.], [3., 4.]], dtype=float32)`. */
  repr(): string {
    if (this.isDisposed || syncReadsUnavailable()) return this.toString();
    return formatArray(this.toArray(), this.shape, this.dtype, "repr");
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.repr(); }

  /** Wraps a tensor created by a primitive's implementation. */
  static fromTensor(tensor: tf.Tensor, aval: ShapedArray): ConcreteArray {
    if (tensor.dtype !== storageDtype(aval.dtype)) {
      throw new Error(`internal: tensor dtype ${tensor.dtype} does not store ${aval.dtype}`);
    }
    return new ConcreteArray(tensor, aval);
  }
}

function collectArrays(tree: unknown, out: Owned[], seen: Set<unknown>): void {
  if (tree instanceof ConcreteArray) { out.push(tree); return; }
  // A tracer's arrays belong to its transformation, not to whoever holds the tracer.
  if (tree instanceof NDArray || tree === null || typeof tree !== "object" || seen.has(tree)) return;
  seen.add(tree);
  if (tree instanceof Map) { for (const v of tree.values()) collectArrays(v, out, seen); return; }
  for (const v of Object.values(tree)) collectArrays(v, out, seen);
}

// Scopes and dispose look through any nesting (arrays, objects, Maps, class instances),
// wider than pytrees, so nothing a user returns is released by surprise.
setOwnedCollector((tree) => { const out: Owned[] = []; collectArrays(tree, out, new Set()); return out; });
