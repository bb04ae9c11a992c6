/**
 * Loads @jax-js/jax (the closest peer: JAX's API with its own wasm kernel compiler) on its
 * wasm device. In Node 20, `init()` with no arguments probes WebGPU through
 * `navigator.gpu`, and Node 20 has no global `navigator` (Node 21 added it), so it throws
 * "ReferenceError: navigator is not defined". `init("wasm")` initializes only wasm and
 * works. (Its WebGPU kernel tuner also reads `navigator.userAgent` unguarded, but that
 * code runs only on the webgpu device.)
 * Node 20 has no global Web `Worker`, so jax-js's wasm runs single-threaded here, like
 * tfjs-backend-wasm (no threads in Node), which keeps the comparison like for like.
 */
import type * as JaxNs from "@jax-js/jax";

export type JaxJs = typeof JaxNs;
export type JArray = JaxNs.Array;

let cached: { ok: true; jax: JaxJs } | { ok: false; reason: string } | null = null;

/** Imports and initializes jax-js on wasm, or says exactly why it cannot run. */
export async function load(): Promise<{ ok: true; jax: JaxJs } | { ok: false; reason: string }> {
  if (cached) return cached;
  try {
    const jax = await import("@jax-js/jax");
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`jax-js init("wasm") returned ${JSON.stringify(devices)}`);
    jax.defaultDevice("wasm");
    cached = { ok: true, jax };
  } catch (e) {
    cached = { ok: false, reason: (e as Error).stack ?? String(e) };
  }
  return cached;
}
