/**
 * `np`: NumPy's API over gradus arrays, with JAX's semantics (immutable arrays, weakly
 * typed JS numbers, float32 by default). Every function binds primitives, so it works
 * eagerly and under every transformation.
 *
 * @example
 * import { np } from "gradus";
 * const x = np.linspace(0, 1, 5);
 * np.sum(np.sin(x).mul(2), { keepdims: true });
 */
import "./methods.ts";

export { array, asarray, full, zeros, ones, zerosLike, onesLike, fullLike, arange, linspace, eye, identity } from "./creation.ts";
export * from "./math.ts";
export { sum, prod, max, min, any, all, mean, var, std, argmax, argmin, cumsum, logsumexp } from "./reductions.ts";
export type { SumOptions, VarOptions } from "./reductions.ts";
export * from "./shaping.ts";
export * from "./linalg.ts";
export * from "./indexing.ts";
export * from "./misc.ts";
export { cast as astype } from "./promote.ts";
export type { ArrayOptions } from "../core/constant.ts";
export type { DType } from "../core/dtype.ts";
