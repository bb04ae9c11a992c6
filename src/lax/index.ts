/**
 * `lax`: the primitive-level operations, as jax.lax. Functions here map one to one onto
 * primitives (no dtype promotion; JS numbers take the array operand's dtype).
 *
 * @example
 * import { lax, np } from "gradus";
 * lax.dotGeneral(np.ones([2, 3]), np.ones([3, 4]), [[[1], [0]], [[], []]]).shape   // [2, 4]
 */
export * from "./api.ts";
export { pad, dynamicSlice, dynamicUpdateSlice, gather, scatterAdd } from "./indexing.ts";
export type { PadDim, GatherOptions } from "./indexing.ts";
export type { DotDimensionNumbers } from "./dot.ts";
export { convGeneralDilated } from "./conv.ts";
export type { Padding, ConvOptions } from "./conv.ts";
export { reduceWindowMax, reduceWindowSum } from "./window.ts";
export { sort, sortKeyVal, topK } from "./sort.ts";
export type { SortOptions } from "./sort.ts";
export { cond, switch, scan, map, whileLoop, foriLoop } from "./control/index.ts";
export type { ScanOptions } from "./control/index.ts";
