import type { Tensor } from "@tensorflow/tfjs-core";
import type { ShapedArray } from "./aval.ts";
import type { NDArray } from "../array.ts";
import { bind } from "./trace.ts";

/**
 * The rules a primitive carries. `impl` and `abstractEval` are required; the transform
 * rules are filled in next to each primitive as the transforms are built, and the
 * registry test checks that none is missing.
 */
export interface PrimitiveRules<P> {
  /**
   * Runs on tfjs tensors of the active backend; `avals` are the inputs' abstract values
   * (tensors store uint32 as int32, so the gradus dtype lives there). Intermediates are
   * released by the caller's tidy.
   */
  impl(args: Tensor[], params: P, avals: readonly ShapedArray[]): Tensor[];
  /** Output shapes and dtypes; also the place where bad input is rejected with a clear error. */
  abstractEval(avals: ShapedArray[], params: P): ShapedArray[];
  jvp?: (primals: NDArray[], tangents: (NDArray | null)[], params: P) => [NDArray[], (NDArray | null)[]];
  transpose?: (cts: (NDArray | null)[], args: (NDArray | UndefinedPrimal)[], params: P) => (NDArray | null)[];
  batch?: (args: NDArray[], dims: (number | null)[], params: P) => [NDArray[], (number | null)[]];
}

/** Marks a linear input of a transpose rule whose value is unknown. */
export class UndefinedPrimal {
  constructor(readonly aval: ShapedArray) {}
}

/** A named operation with its rules; the unit every array function is built from. */
export class Primitive<P = Record<string, never>> {
  constructor(readonly name: string, readonly rules: PrimitiveRules<P>) {}
  /** Applies the primitive under the current interpreter. */
  bind(args: readonly NDArray[], params: P): NDArray[] {
    return bind(this as Primitive<unknown>, args, params);
  }
  /** `bind` for single-output primitives. */
  bind1(args: readonly NDArray[], params: P): NDArray {
    return bind(this as Primitive<unknown>, args, params)[0]!;
  }
  toString(): string { return this.name; }
}

const registry = new Map<string, Primitive<any>>();

/** Defines and registers a primitive; names are unique. */
export function definePrimitive<P = Record<string, never>>(name: string, rules: PrimitiveRules<P>): Primitive<P> {
  if (registry.has(name)) throw new Error(`primitive "${name}" is defined twice`);
  const p = new Primitive<P>(name, rules);
  registry.set(name, p);
  return p;
}

/** Every registered primitive, for tests that must cover them all. */
export function primitives(): ReadonlyMap<string, Primitive<any>> {
  return registry;
}
