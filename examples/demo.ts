/**
 * The gradus demo (`npm run demo`): a tour of the library. It grows with the library.
 *
 *   npm run demo                      # wasm backend
 *   npm run demo -- --backend cpu     # or webgpu (Dawn; SwiftShader without a GPU)
 */
import { parseArgs } from "node:util";
import {
  dispose, getBackend, grad, jit, keep, makeJaxpr, np, random, setBackend, tree, valueAndGrad, vmap,
  type BackendName, type NDArray,
} from "../src/index.ts";

const { values } = parseArgs({ options: { backend: { type: "string" }, steps: { type: "string", default: "200" } } });
if (values.backend) await setBackend(values.backend as BackendName);
const steps = Number(values.steps);
const show = async (label: string, x: NDArray) => console.log(`${label}\n${await x.toStringAsync()}\n`);
const num = async (x: NDArray) => (await x.itemAsync()) as number;

console.log(`gradus on ${getBackend()}\n`);

// 1. Arrays print like NumPy and compose like jax.numpy.
const a = np.arange(6).reshape([2, 3]).astype("float32");
await show("a = np.arange(6).reshape([2, 3])", a);
await show("a @ a.T", np.matmul(a, a.T));

// 2. Transformations compose: derivatives of any order, vectorized, compiled.
// The elementwise derivative of f: the gradient of Σ f(x).
const deriv = (f: (x: NDArray) => NDArray) => (x: NDArray) => grad((z: NDArray) => np.sum(f(z)))(x);
const d4sin = deriv(deriv(deriv(deriv(np.sin))));
await show("d⁴/dx⁴ sin at [0, 1, 2] (= sin)", d4sin(np.array([0, 1, 2])));
await show("per-example gradients with vmap(grad(f))", vmap(grad((x: NDArray) => np.sum(np.tanh(x))))(a));
console.log(`the jaxpr of grad(x ↦ sin(x)·x):\n${makeJaxpr(grad((x: NDArray) => np.sin(x).mul(x).sum()))(np.ones([3]))}\n`);

// 3. Linear regression: y = 3x + 2 + noise, fitted by gradient descent on a jitted step.
const [kx, knoise, kblobs, klabels] = random.split(random.key(0), 4);
const x = random.normal(kx!, [256, 1]);
const y = x.mul(3).add(2).add(random.normal(knoise!, [256, 1]).mul(0.1));
type Linear = { w: NDArray; b: NDArray };
const mse = (p: Linear, xb: NDArray, yb: NDArray) => np.mean(np.matmul(xb, p.w).add(p.b).sub(yb).square());

/** Gradient descent with a jitted step: loss and gradient in one compiled call per step. */
async function fit<P>(label: string, loss: (p: P, xb: NDArray, yb: NDArray) => NDArray, init: P, xb: NDArray, yb: NDArray, lr: number): Promise<P> {
  const step = jit((p: P, xs: NDArray, ys: NDArray) => {
    const [l, g] = valueAndGrad(loss)(p, xs, ys);
    return { p: tree.map((w: NDArray, gw: NDArray) => w.sub(gw.mul(lr)), p, g) as P, l };
  });
  let params = keep(init);
  for (let i = 0; i <= steps; i++) {
    const out = step(params, xb, yb);
    if (i % 50 === 0) console.log(`${label} step ${String(i).padStart(3)}  loss ${(await num(out.l)).toFixed(5)}`);
    dispose([params, out.l]);
    params = out.p;
  }
  return params;
}

const lin = await fit<Linear>("linear  ", mse, { w: np.zeros([1, 1]), b: np.zeros([1]) }, x, y, 0.1);
console.log(`fitted y = ${(await num(lin.w)).toFixed(3)} x + ${(await num(lin.b)).toFixed(3)}   (true: 3 x + 2)\n`);

// 4. Logistic regression on two Gaussian blobs, with binary cross-entropy in log space.
const labels = random.bernoulli(klabels!, 0.5, [512]).astype("float32");
const centers = np.stack([labels.mul(2).sub(1), labels.mul(-2).add(1)], { axis: 1 });
const points = centers.add(random.normal(kblobs!, [512, 2]).mul(0.8));
type Logistic = { w: NDArray; b: NDArray };
const bce = (p: Logistic, xb: NDArray, yb: NDArray) => {
  const logits = np.matmul(xb, p.w).add(p.b).reshape([-1]);
  // log(1 + e^z) - y z, stable for large |z|
  return np.mean(np.logaddexp(0, logits).sub(yb.mul(logits)));
};
const logit = await fit<Logistic>("logistic", bce, { w: np.zeros([2, 1]), b: np.zeros([1]) }, points, labels, 0.5);
const predicted = np.matmul(points, logit.w).add(logit.b).reshape([-1]).gt(0).astype("float32");
const accuracy = await num(np.mean(predicted.eq(labels).astype("float32")));
console.log(`training accuracy ${(accuracy * 100).toFixed(1)}%`);
