/**
 * Turning JS values into arrays. This is where data enters gradus (JAX's device_put);
 * every operation on arrays afterwards goes through primitives.
 */
import { tf } from "../backend/index.ts";
import { ConcreteArray, NDArray, type ArrayLike as ArrayInput, type NestedArray } from "../array.ts";
import { ShapedArray } from "./aval.ts";
import { type DType, dtypeOfScalar, isDType, storageDtype } from "./dtype.ts";
import { fmtShape, shapeSize } from "./shape.ts";

type Flat = Float32Array | Int32Array | Uint32Array | Uint8Array | number[] | boolean[];

/** Shape of nested JS arrays; ragged nesting is an error that names the argument. */
export function inferShape(x: NestedArray, argName = "array"): number[] {
  const shape: number[] = [];
  let cur: NestedArray = x;
  while (Array.isArray(cur)) { shape.push(cur.length); cur = cur[0]!; if (shape.at(-1) === 0) break; }
  const check = (v: NestedArray, d: number, path: string): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new TypeError(`${argName}: ragged nesting at ${path}: expected a number or boolean, got an array`);
      if (typeof v !== "number" && typeof v !== "boolean") throw new TypeError(`${argName}: expected numbers or booleans, got ${typeof v} at ${path}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new TypeError(`${argName}: ragged nesting at ${path}: expected an array of length ${shape[d]}, got ${Array.isArray(v) ? `length ${v.length}` : typeof v}`);
    }
    v.forEach((e, i) => check(e, d + 1, `${path}[${i}]`));
  };
  check(x, 0, argName);
  return shape;
}

function flattenNested(x: NestedArray, out: (number | boolean)[]): void {
  if (Array.isArray(x)) for (const e of x) flattenNested(e, out);
  else out.push(x);
}

/** Builds a concrete array from flat values (any numeric JS container) of a given shape and dtype. */
export function fromFlat(values: Flat, shape: readonly number[], dtype: DType, weakType = false): ConcreteArray {
  if (values.length !== shapeSize(shape)) {
    throw new Error(`expected ${shapeSize(shape)} values for shape ${fmtShape(shape)}, got ${values.length}`);
  }
  let data: Float32Array | Int32Array | Uint8Array;
  switch (dtype) {
    case "float32": data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>, Number); break;
    case "int32": data = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>, Number); break;
    case "uint32": {
      const u = values instanceof Uint32Array ? values : Uint32Array.from(values as ArrayLike<number>, Number);
      data = new Int32Array(u.buffer, u.byteOffset, u.length);
      break;
    }
    case "bool": data = Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0)); break;
  }
  const tensor = tf.tensor(data, [...shape], storageDtype(dtype));
  const out = ConcreteArray.fromTensor(tensor, new ShapedArray(shape, dtype, weakType));
  // Scalars remember their value, so compiled kernels can inline literals without a
  // (possibly asynchronous) read.
  if (shape.length === 0) out.hostScalar = dtype === "bool" ? Boolean(values[0]) : dtype === "uint32" ? (data[0]! >>> 0) : data[0]!;
  return out;
}

/**
 * A scalar from a JS number or bool: by default weakly typed, int32 if integral, else
 * float32; with `dtype`, of that dtype (weak only if `weakType`).
 */
export function scalar(x: number | boolean, dtype?: DType, weakType = false): ConcreteArray {
  const t = dtypeOfScalar(x);
  return fromFlat([x as number], [], dtype ?? t.dtype, dtype ? weakType : t.weakType);
}

/**
 * Options accepted by `np.array`.
 * @example
 * np.array([1, 2], { dtype: "int32" } satisfies np.ArrayOptions).dtype   // "int32"
 */
export interface ArrayOptions {
  /** The element type (default float32 for numbers, bool for booleans). */
  dtype?: DType;
}

/**
 * Converts JS data to an array. Numbers become float32 unless `dtype` says otherwise (as in
 * TensorFlow.js; JAX users: `np.array([1, 2], { dtype: "int32" })`), booleans become bool.
 */
export function fromNested(x: NestedArray, { dtype }: ArrayOptions = {}, argName = "array"): ConcreteArray {
  if (dtype !== undefined && !isDType(dtype)) throw new TypeError(`${argName}: unknown dtype ${JSON.stringify(dtype)}; expected float32, int32, uint32 or bool`);
  const shape = inferShape(x, argName);
  const flat: (number | boolean)[] = [];
  flattenNested(x, flat);
  const inferred: DType = flat.length > 0 && typeof flat[0] === "boolean" ? "bool" : "float32";
  return fromFlat(flat as number[], shape, dtype ?? inferred);
}

/** Any array-like argument as an NDArray: JS scalars become weakly typed scalars. */
export function asArray(x: ArrayInput, argName = "x"): NDArray {
  if (x instanceof NDArray) return x;
  if (typeof x === "number" || typeof x === "boolean") return scalar(x);
  if (Array.isArray(x)) return fromNested(x, {}, argName);
  throw new TypeError(`${argName}: expected an NDArray, a number, a boolean or nested arrays of them; got ${x === null ? "null" : typeof x}${typeof x === "object" ? ` (${(x as object).constructor?.name})` : ""}`);
}
