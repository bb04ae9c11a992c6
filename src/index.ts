/**
 * gradus: JAX-style composable transformations for TypeScript on TensorFlow.js.
 *
 * @example
 * import { np, lax, random, tree } from "gradus";
 * const x = np.array([[1, 2], [3, 4]]);
 * console.log(np.matmul(x, x.T).toString());
 *
 * @module gradus
 */
export { NDArray, ConcretizationError } from "./array.ts";
export type { ArrayLike, NestedArray, ReduceOptions } from "./array.ts";
export type { DType } from "./core/dtype.ts";
export type { Shape } from "./core/shape.ts";
export { ShapedArray } from "./core/aval.ts";
export { setBackend, getBackend } from "./backend/index.ts";
export type { BackendName } from "./backend/index.ts";
export { scope, dispose, keep } from "./memory.ts";
export { stopGradient } from "./np/math.ts";
export * as np from "./np/index.ts";
export * as lax from "./lax/index.ts";
export * as tree from "./tree/index.ts";
export * as random from "./random/index.ts";
export * from "../transforms/index.ts";
