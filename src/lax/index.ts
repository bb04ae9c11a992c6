/**
 * `lax`: the primitive-level operations, as jax.lax. Functions here map one to one onto
 * primitives (no dtype promotion; JS numbers take the array operand's dtype).
 *
 * @example
 * import { lax, np } from "gradus";
 * lax.dotGeneral(np.ones([2, 3]), np.ones([3, 4]), [[[1], [0]], [[], []]]).shape   // [2, 4]
 */
export * from "./api.ts";
