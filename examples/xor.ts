/**
 * Perceptron vs MLP on XOR (Minsky & Papert's counterexample): a single threshold unit
 * trained with the perceptron rule cannot separate XOR (at most 3 of 4 right); an MLP with
 * one hidden layer, trained by backpropagation with Adam, gets all four.
 *
 *   npx tsx examples/xor.ts [--epochs 500] [--quick]
 */
import { jit, np, random, valueAndGrad, type NDArray } from "../src/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";

const args = await exampleArgs(["epochs"]);
const epochs = args.number("epochs", 500, 300);
const x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = np.array([0, 1, 1, 0]);
const table = (pred: NDArray) => (pred.toArray() as number[]).map((p, i) => `${(x.toArray() as number[][])[i]!.join(" xor ")} → ${p.toFixed(2)}`).join("   ");

// 1. The perceptron (Rosenblatt, 1958): w ← w + lr·(y − step(w·x + b))·x, one example at a time.
let w = np.zeros([2]), b = np.array(0);
const step = (z: NDArray) => z.gt(0).astype("float32");
for (let epoch = 0; epoch < 20; epoch++) {
  for (let i = 0; i < 4; i++) {
    const xi = x.get(i), err = y.get(i).sub(step(np.dot(xi, w).add(b)));
    w = w.add(xi.mul(err).mul(0.1));
    b = b.add(err.mul(0.1));
  }
}
const perceptronOut = step(np.matmul(x, w).add(b));
const perceptronAcc = np.mean(perceptronOut.eq(y).astype("float32")).item() as number;
console.log(`perceptron: ${table(perceptronOut)}   accuracy ${(perceptronAcc * 100).toFixed(0)}%`);

// 2. An MLP 2-8-1 (tanh hidden units, sigmoid output), binary cross-entropy, Adam, a jitted step.
const model = nn.sequential([nn.linear(2, 8), nn.tanh, nn.linear(8, 1)]);
let { params } = model.init(random.key(0));
const tx = optim.adam(0.05);
let state = tx.init(params);
const loss = (p: typeof params) => nn.losses.sigmoidBinaryCrossEntropy(nn.call(model, p, x).reshape([-1]), y);
const train = jit((p: typeof params, s: typeof state) => {
  const [l, g] = valueAndGrad(loss)(p);
  const [u, s2] = tx.update(g, s, p);
  return { p: optim.applyUpdates(p, u), s: s2, l: l as NDArray };
});
let last = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const out = train(params, state);
  ({ p: params, s: state } = out);
  last = out.l.item() as number;
  if (epoch % Math.max(1, Math.floor(epochs / 5)) === 0) console.log(`  mlp epoch ${String(epoch).padStart(4)}  loss ${last.toFixed(4)}`);
}
const mlpOut = np.sigmoid(nn.call(model, params, x).reshape([-1]));
const mlpAcc = np.mean(mlpOut.gt(0.5).astype("float32").eq(y).astype("float32")).item() as number;
console.log(`mlp:        ${table(mlpOut)}   accuracy ${(mlpAcc * 100).toFixed(0)}%`);
console.log(`\nperceptron ${(perceptronAcc * 100).toFixed(0)}% vs MLP ${(mlpAcc * 100).toFixed(0)}%: XOR is not linearly separable; one hidden layer suffices.`);
