import { numpy as np, jit, init } from "@jax-js/jax";
await init("wasm");
console.log(typeof (globalThis as any).navigator);
// reduction with a small trailing axis and a long reduce axis: tuner's unroll path
for (const shape of [[1000, 3], [4, 4096], [64, 2], [3, 7, 5]]) {
  const x = np.ones(shape);
  try { console.log(shape, (await jit((a: np.Array) => a.sum(0))(x).data()).slice(0, 2)); } catch (e) { console.log(shape, String(e)); }
}
