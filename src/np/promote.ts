/** NumPy-style argument handling shared by the np functions: JAX promotion, scopes. */
import { NDArray, type ArrayLike } from "../array.ts";
import { asArray, scalar } from "../core/constant.ts";
import { type DType, type TypedInput, dtypeOfScalar, isDType, resultType } from "../core/dtype.ts";
import { convertElementTypeP } from "../lax/elementwise.ts";
import { scope } from "../memory.ts";

function typedInput(x: ArrayLike, name: string): TypedInput {
  if (x instanceof NDArray) return x.aval;
  if (typeof x === "number" || typeof x === "boolean") return dtypeOfScalar(x);
  return asArray(x, name).aval;
}

/**
 * Converts to `dtype` (keeping the weak flag), binding convert_element_type only if needed.
 * Public as `np.astype` and the `.astype` method.
 * @example
 * np.astype(np.array([1.7, -1.7]), "int32")   // [1, -1] int32
 */
export function cast(x: NDArray, dtype: DType, weakType = false): NDArray {
  if (x.dtype === dtype && x.weakType === weakType) return x;
  return convertElementTypeP.bind1([x], { newDtype: dtype, weakType });
}

/**
 * Brings operands to their common dtype by JAX's promotion rules. JS numbers become
 * scalars of that dtype directly; `minKind` "float" lifts integer results to float32 (true
 * division, mean, sqrt of ints).
 */
export function promote(xs: readonly ArrayLike[], names: readonly string[], minKind?: "float"): NDArray[] {
  const inputs = xs.map((x, i) => typedInput(x, names[i] ?? `arg${i}`));
  let { dtype, weakType } = resultType(inputs);
  if (minKind === "float" && dtype !== "float32") dtype = "float32";
  return xs.map((x, i) => {
    if (typeof x === "number" || typeof x === "boolean") return scalar(x, dtype, weakType);
    return cast(asArray(x, names[i] ?? `arg${i}`), dtype, weakType);
  });
}

/** Checks a dtype option. */
export function checkDtype(dtype: unknown, argName = "dtype"): DType {
  if (!isDType(dtype)) throw new TypeError(`${argName} must be one of float32, int32, uint32, bool; got ${JSON.stringify(dtype)}`);
  return dtype;
}

/**
 * Wraps an np function so that the arrays it creates internally (constants, intermediates)
 * are released when it returns; only its result survives.
 */
export function scoped<F extends (...args: any[]) => any>(f: F): F {
  return ((...args: unknown[]) => scope(() => f(...args))) as F;
}
