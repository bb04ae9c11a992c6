/**
 * `random`: JAX's counter-based threefry2x32 PRNG, bit-compatible with JAX's original
 * (non-"partitionable") scheme. Keys are raw uint32 arrays of shape [2], as JAX's legacy
 * `jax.random.PRNGKey`; split them rather than reusing one.
 *
 * @example
 * import { random } from "gradus";
 * const k = random.key(0);
 * random.keyData(random.split(k)).toArray()   // [[4146024105, 967050713], [2718843009, 1272950319]]
 * random.uniform(k).item()                    // 0.41845703
 *
 * @module random
 */
export { key, split, foldIn, keyData, type Key } from "./keys.ts";
export {
  uniform, normal, truncatedNormal, bernoulli, categorical, randint,
  type UniformOptions, type DtypeOptions, type CategoricalOptions, type RandintOptions,
} from "./distributions.ts";
export { permutation, type PermutationOptions } from "./permutation.ts";
