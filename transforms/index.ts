/**
 * The transformations: forward and reverse differentiation, vectorization, staging and
 * compilation. Re-exported from the `gradus` entry point.
 * @module
 */
export { jvp } from "./jvp.ts";
export { grad, valueAndGrad, vjp, linearize, type GradOptions } from "./grad.ts";
export { makeJaxpr } from "./staging.ts";
export { vmap, type VmapOptions, type Axes } from "./vmap.ts";
export { jit, evalShape, pjitP, Lowered, type Jitted, type JitOptions } from "./jit.ts";
export { jacfwd, jacrev, hessian, type JacobianOptions } from "./jacobian.ts";
export { customJvp, customVjp, customJvpCallP, customVjpCallP, customLinP, type CustomJvp, type CustomVjp, type CustomOptions } from "./custom.ts";
export { checkpoint, remat, checkpointPolicies, checkpointP, type CheckpointPolicy, type CheckpointOptions } from "./checkpoint.ts";
