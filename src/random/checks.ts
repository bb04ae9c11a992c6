/** Argument checks shared by the random functions; errors say what was expected and what came. */
import { NDArray } from "../array.ts";
import { fmtShape } from "../core/shape.ts";

function describe(x: unknown): string {
  if (x instanceof NDArray) return x.aval.str();
  if (x === null) return "null";
  if (Array.isArray(x)) return `a JS array of length ${x.length}`;
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `${typeof x} ${String(x)}`;
}

/** The key, after checking it is one raw threefry key: a uint32 array of shape [2]. */
export function checkKey(fn: string, key: unknown): NDArray {
  const want = `random.${fn}: key must be a uint32 array of shape [2] (u32[2], from random.key(seed), split or foldIn)`;
  if (!(key instanceof NDArray)) {
    const hint = typeof key === "number" ? `; to seed, pass random.key(${key})` : "";
    throw new TypeError(`${want}; got ${describe(key)}${hint}`);
  }
  if (key.dtype !== "uint32" || key.ndim !== 1 || key.shape[0] !== 2) {
    const several = key.dtype === "uint32" && key.ndim >= 2 && key.shape[key.ndim - 1] === 2;
    const hint = several ? "; this holds several keys: pick one with keys.get(i), or vmap over them" : "";
    throw new TypeError(`${want}; got ${key.aval.str()}${hint}`);
  }
  return key;
}

/** A result shape: an array of non-negative integers. */
export function checkShape(fn: string, shape: unknown, argName = "shape"): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`random.${fn}: ${argName} must be an array of non-negative integers such as [2, 3]; got ${Array.isArray(shape) ? `[${shape.join(", ")}]` : describe(shape)}`);
  }
  return [...shape] as number[];
}

/** Checks that parameter shapes broadcast to the requested shape exactly (JAX's `_check_shape`). */
export function checkBroadcastsTo(fn: string, shape: readonly number[], params: Record<string, readonly number[]>): void {
  for (const [name, s] of Object.entries(params)) {
    const fits = s.length <= shape.length && s.every((d, i) => d === 1 || d === shape[shape.length - s.length + i]);
    if (!fits) {
      throw new Error(`random.${fn}: ${name} of shape ${fmtShape(s)} does not broadcast to the requested shape ${fmtShape(shape)}; pass a shape that ${name} broadcasts to, or omit shape where it is optional`);
    }
  }
}

/** Only float32 results exist; the dtype option is accepted for JAX-style calls. */
export function checkFloatDtype(fn: string, dtype: unknown): void {
  if (dtype !== undefined && dtype !== "float32") {
    throw new TypeError(`random.${fn}: dtype must be float32 (the floating dtype gradus has); got ${JSON.stringify(dtype)}`);
  }
}
