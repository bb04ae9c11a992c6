/**
 * `gradus/testing`: verification tools for differentiable code, as `jax.test_util`.
 *
 * - {@link checkGrads} (with {@link checkJvp}, {@link checkVjp}, {@link numericalJvp}):
 *   derivatives against central finite differences, in forward and reverse mode and to
 *   any order;
 * - {@link checkVjpAgainstJvp}, {@link checkVmap}, {@link checkJit}: transformations against
 *   each other (reverse vs forward mode, vmap vs a loop, jit vs eager);
 * - `arb`: fast-check arbitraries of shapes, arrays and pytrees that shrink to small,
 *   readable counterexamples.
 *
 * Every check throws a {@link CheckError} whose message shows the point, the direction,
 * both values and the tolerance. Checks read values synchronously: run them on the cpu or
 * wasm backend. fast-check (a peer dependency) is needed for `arb` only.
 *
 * @example
 * // no-run (a vitest test file)
 * import { test } from "@fast-check/vitest";
 * import { np } from "gradus";
 * import { arb, checkGrads } from "gradus/testing";
 *
 * test.prop([arb.array({ shape: arb.shape({ maxRank: 3 }), min: -3, max: 3 })])(
 *   "tanh: jvp matches central differences", (x) => { checkGrads(np.tanh, [x], { order: 2 }); },
 * );
 * @module gradus/testing
 */
export { checkGrads, checkJvp, checkVjp, numericalJvp, DEFAULTS, type CheckGradsOptions, type GradMode } from "./check_grads.ts";
export { checkVjpAgainstJvp, checkVmap, checkJit, type TransposeCheckOptions, type VmapCheckOptions, type JitCheckOptions, type AxisSpec } from "./equivalence.ts";
export { CheckError, type Tolerance } from "./compare.ts";
export * as arb from "./arbitraries.ts";
export { HostArray, type ArrayOptions, type ShapeOptions, type PytreeOptions, type Pytree } from "./arbitraries.ts";
