/**
 * An MLP on the digits trained three ways from the same initialization: plain SGD, SGD
 * with momentum, and Adam. The training-loss curves go to an SVG file.
 *
 *   npx tsx examples/optimizers.ts [--epochs 30] [--out examples/output]
 */
import { join } from "node:path";
import { dispose, jit, random, valueAndGrad, type NDArray } from "../src/index.ts";
import { batches, loadDigits, trainTestSplit } from "../src/data/index.ts";
import * as metrics from "../src/metrics/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";
import { saveChart, type Series } from "./lib/plot.ts";

const args = await exampleArgs(["epochs", "batch-size"]);
const epochs = args.number("epochs", 30, 2);
const batchSize = args.number("batch-size", 32);

const digits = loadDigits();
const { train, test } = trainTestSplit({ x: digits.x.div(16), y: digits.y }, { testSize: 0.2, key: random.key(0) });
const model = nn.mlp([64, 64, 10]);
const init = model.init(random.key(1)).params;
type Batch = { x: NDArray; y: NDArray };
const loss = (p: typeof init, { x, y }: Batch) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y);

const optimizers: Record<string, optim.GradientTransformation<any>> = {
  "SGD (lr 0.05)": optim.sgd(0.05),
  "SGD + momentum 0.9 (lr 0.05)": optim.sgd(0.05, { momentum: 0.9 }),
  "Adam (lr 3e-3)": optim.adam(3e-3),
};

const curves: Series[] = [];
for (const [name, tx] of Object.entries(optimizers)) {
  const step = jit((p: typeof init, s: unknown, batch: Batch) => {
    const [l, g] = valueAndGrad(loss)(p, batch);
    const [u, next] = tx.update(g, s, p);
    return { p: optim.applyUpdates(p, u), s: next, l: l as NDArray };
  });
  let params = init, state = tx.init(init);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0, n = 0;
    for (const batch of batches(train, { batchSize, key: random.key(100 + epoch), dropLast: true })) {
      const out = step(params, state, batch);
      if (params !== init) dispose([params, state]);
      ({ p: params, s: state } = out);
      total += out.l.item() as number;
      n++;
      dispose([batch, out.l]);
    }
    losses.push(total / n);
  }
  const acc = metrics.accuracy(test.y, nn.call(model, params, test.x)).item() as number;
  console.log(`${name.padEnd(30)} final training loss ${losses.at(-1)!.toFixed(4)}   test accuracy ${(acc * 100).toFixed(1)}%`);
  curves.push({ name, x: losses.map((_, i) => i + 1), y: losses });
}
saveChart(join(args.out, "optimizers.svg"), { title: "MLP on the digits: training loss", series: curves, xLabel: "epoch", yLabel: "cross-entropy (log scale)", logY: true });
