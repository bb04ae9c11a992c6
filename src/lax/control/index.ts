/**
 * Control flow as higher-order primitives, with JAX's semantics: `cond`/`switch` (one
 * `cond` primitive), `scan` (and `map`, and `foriLoop` with JS-number bounds), and
 * `whileLoop` (and `foriLoop` with array bounds). Each holds jaxprs of the user's
 * functions, traced once, and has JVP, transpose (cond, scan), batching and
 * partial-evaluation rules, so they compose with `jit`, `grad` and `vmap`.
 *
 * | | jvp | grad | vmap | jit |
 * |---|---|---|---|---|
 * | cond, switch | yes | yes | yes (a batched predicate selects) | yes |
 * | scan, map, foriLoop(number bounds) | yes | yes | yes | yes |
 * | whileLoop, foriLoop(array bounds) | yes | no (clear error) | yes | yes |
 *
 * @module
 */
export { cond, switch_ as switch, condP, type CondParams } from "./cond.ts";
export { scan, map, scanP, type ScanOptions, type ScanParams } from "./scan.ts";
export { whileLoop, foriLoop, whileP, type WhileParams } from "./while.ts";
