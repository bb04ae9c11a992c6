/**
 * The gradus demo (`npm run demo`): a tour of the core. It grows with the library.
 *
 *   npm run demo                      # wasm backend
 *   npm run demo -- --backend cpu     # or webgpu (Dawn; SwiftShader without a GPU)
 */
import { parseArgs } from "node:util";
import { getBackend, keep, np, random, scope, setBackend, type BackendName, type NDArray } from "../src/index.ts";

const { values } = parseArgs({ options: { backend: { type: "string" }, steps: { type: "string", default: "200" } } });
if (values.backend) await setBackend(values.backend as BackendName);
const show = async (label: string, x: NDArray) => console.log(`${label}\n${await x.toStringAsync()}\n`);

console.log(`gradus on ${getBackend()}\n`);

// Arrays print like NumPy and compose like jax.numpy.
const a = np.arange(6).reshape([2, 3]).astype("float32");
await show("a = np.arange(6).reshape([2, 3])", a);
await show("a @ a.T", np.matmul(a, a.T));
await show("np.einsum('ij->j', a)", np.einsum("ij->j", a));

// Random numbers are JAX's threefry: same key, same numbers, on every backend.
const [kx, knoise] = random.split(random.key(0));
const x = random.normal(kx!, [256, 1]);
const y = x.mul(3).add(2).add(random.normal(knoise!, [256, 1]).mul(0.1));

// Least squares by gradient descent. The gradient is written by hand here; the
// transforms issue replaces it with grad(loss).
let w = keep(np.zeros([1, 1]));
let b = keep(np.zeros([1]));
const steps = Number(values.steps);
for (let step = 0; step <= steps; step++) {
  const next = scope(() => {
    const err = np.matmul(x, w).add(b).sub(y);
    const loss = np.mean(err.square());
    const gw = np.matmul(x.T, err).mul(2 / x.shape[0]!);
    const gb = np.mean(err, { axis: 0 }).mul(2);
    return { w: w.sub(gw.mul(0.1)), b: b.sub(gb.mul(0.1)), loss };
  });
  if (step % 50 === 0) console.log(`step ${String(step).padStart(3)}  loss ${(await next.loss.itemAsync() as number).toFixed(5)}`);
  [w, b] = [next.w, next.b];
}
console.log(`\nfitted y = ${(await w.itemAsync() as number).toFixed(3)} x + ${(await b.itemAsync() as number).toFixed(3)}   (true: 3 x + 2)`);
