/**
 * Element types and JAX's type-promotion lattice.
 *
 * gradus computes in float32 (the TFJS backends have no float64). `uint32` exists for
 * PRNG key data: it is stored as int32 bits in tfjs and supports structural operations,
 * comparisons and conversion, but not arithmetic (tfjs would do it as signed int32).
 */
/**
 * An element type. @example np.zeros([2], { dtype: "int32" }).dtype   // "int32"
 */
export type DType = "float32" | "int32" | "uint32" | "bool";

/** The storage dtype tfjs sees for a gradus dtype. */
export type StorageDType = "float32" | "int32" | "bool";

export const DTYPES: readonly DType[] = ["float32", "int32", "uint32", "bool"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function storageDtype(dtype: DType): StorageDType {
  return dtype === "uint32" ? "int32" : dtype;
}

/** Short names as JAX prints them in jaxprs: f32, i32, u32, bool. */
export function shortName(dtype: DType): string {
  switch (dtype) {
    case "float32": return "f32";
    case "int32": return "i32";
    case "uint32": return "u32";
    case "bool": return "bool";
  }
}

export const isFloating = (d: DType) => d === "float32";
export const isInteger = (d: DType) => d === "int32" || d === "uint32";

/** Kind rank in the promotion lattice: bool < integer < floating. */
function kindRank(d: DType): number {
  return d === "bool" ? 0 : isInteger(d) ? 1 : 2;
}

export interface TypedInput { dtype: DType; weakType: boolean }

/**
 * Result dtype of combining inputs, following JAX: strongly typed inputs decide unless
 * a weakly typed input (a JS number) is of a higher kind, which lifts the result to that
 * kind's default type (a weak float lifts int32 to float32; a weak int lifts bool to int32).
 * The result is weak only when every input is weak.
 */
export function resultType(inputs: readonly TypedInput[]): TypedInput {
  let strong: DType | null = null;
  let weak: DType | null = null;
  for (const { dtype, weakType } of inputs) {
    if (weakType) {
      if (weak === null || kindRank(dtype) > kindRank(weak)) weak = dtype;
    } else if (strong === null) {
      strong = dtype;
    } else if (strong !== dtype) {
      strong = joinStrong(strong, dtype);
    }
  }
  if (strong === null) return { dtype: weak ?? "float32", weakType: true };
  if (weak !== null && kindRank(weak) > kindRank(strong)) return { dtype: weak, weakType: false };
  return { dtype: strong, weakType: false };
}

function joinStrong(a: DType, b: DType): DType {
  if ((a === "uint32" && b === "int32") || (a === "int32" && b === "uint32")) {
    throw new TypeError(
      "cannot combine uint32 and int32 arrays: uint32 holds PRNG key bits; convert one with .astype() first",
    );
  }
  return kindRank(a) >= kindRank(b) ? a : b;
}

/**
 * The dtype a JS value takes when it enters gradus as a weakly typed scalar: integral
 * numbers that int32 holds are weak int32, every other number (fractions, and integral
 * values beyond int32 such as 1e30 or 2 ** 40) is weak float32.
 */
export function dtypeOfScalar(x: number | boolean): TypedInput {
  if (typeof x === "boolean") return { dtype: "bool", weakType: false };
  const int32 = Number.isInteger(x) && x >= -2147483648 && x <= 2147483647;
  return { dtype: int32 ? "int32" : "float32", weakType: true };
}
