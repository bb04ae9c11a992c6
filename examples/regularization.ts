/**
 * Dropout and L2 against overfitting: a wide MLP trained on only 150 digits memorizes them;
 * dropout (Srivastava et al., 2014) and an L2 penalty on the weights narrow the gap between
 * training and test accuracy. Test-loss curves go to an SVG file.
 *
 *   npx tsx examples/regularization.ts [--epochs 300] [--train-size 150]
 */
import { join } from "node:path";
import { jit, np, random, valueAndGrad, type NDArray } from "../src/index.ts";
import { loadDigits, trainTestSplit } from "../src/data/index.ts";
import * as metrics from "../src/metrics/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";
import { saveChart, type Series } from "./lib/plot.ts";

const args = await exampleArgs(["epochs", "train-size"]);
const epochs = args.number("epochs", 300, 3);
const digits = loadDigits();
const { train: pool, test } = trainTestSplit({ x: digits.x.div(16), y: digits.y }, { testSize: 0.5, key: random.key(0) });
const n = args.number("train-size", 150, 100);
const train = { x: np.slice(pool.x, [0], [n]), y: np.slice(pool.y, [0], [n]) };

const net = (rate: number) => nn.sequential([
  nn.linear(64, 256), nn.relu, nn.dropout(rate),
  nn.linear(256, 256), nn.relu, nn.dropout(rate),
  nn.linear(256, 10),
]);
const weightsOnly = (path: readonly (string | number)[]) => path.at(-1) === "w";
const settings = [
  { name: "no regularization", dropout: 0, l2: 0 },
  { name: "dropout 0.5", dropout: 0.5, l2: 0 },
  { name: "L2 1e-3", dropout: 0, l2: 1e-3 },
  { name: "dropout 0.5 + L2 1e-3", dropout: 0.5, l2: 1e-3 },
];

const curves: Series[] = [];
console.log(`${n} training digits, ${test.x.shape[0]} test digits, ${epochs} full-batch epochs of Adam\n`);
console.log(`${"".padEnd(24)} train acc   test acc   test loss`);
for (const s of settings) {
  const model = net(s.dropout);
  let { params } = model.init(random.key(1));
  const tx = optim.adam(3e-3);
  let state = tx.init(params);
  // Dropout needs a fresh key each step and `train: true`; the penalty is (λ/2)·Σw² over weights.
  const loss = (p: typeof params, key: NDArray) => {
    const [logits] = model.apply(p, {}, train.x, { key, train: true });
    const data = nn.losses.sparseSoftmaxCrossEntropy(logits, train.y);
    return s.l2 > 0 ? data.add(nn.l2(p, { only: weightsOnly }).mul(s.l2 / 2)) : data;
  };
  const step = jit((p: typeof params, st: unknown, key: NDArray) => {
    const [, g] = valueAndGrad(loss)(p, key);
    const [u, next] = tx.update(g, st, p);
    return { p: optim.applyUpdates(p, u), st: next };
  });
  const testLoss: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    ({ p: params, st: state } = step(params, state, random.foldIn(random.key(2), epoch)));
    if (epoch % 5 === 4 || epoch === epochs - 1) testLoss.push(nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, params, test.x), test.y).item() as number);
  }
  const acc = (d: { x: NDArray; y: NDArray }) => ((metrics.accuracy(d.y, nn.call(model, params, d.x)).item() as number) * 100).toFixed(1);
  console.log(`${s.name.padEnd(24)} ${acc(train).padStart(7)}%   ${acc(test).padStart(7)}%   ${testLoss.at(-1)!.toFixed(4)}`);
  curves.push({ name: s.name, x: testLoss.map((_, i) => Math.min((i + 1) * 5, epochs)), y: testLoss });
}
saveChart(join(args.out, "regularization.svg"), { title: `Test loss, ${n} training digits`, series: curves, xLabel: "epoch", yLabel: "test cross-entropy" });
