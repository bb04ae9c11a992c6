/**
 * Batch normalization (Ioffe & Szegedy, 2015): a deep sigmoid MLP on the digits trains
 * slowly with plain SGD; the same network with a batch-norm layer after every hidden
 * linear layer trains much faster at the same learning rate. Batch norm keeps running
 * statistics as model state: `optim.fit` threads it through the jitted step, and inference
 * uses it (`nn.call(model, params, x, { state })`).
 *
 *   npx tsx examples/batch_norm.ts [--epochs 15] [--depth 5]
 */
import { join } from "node:path";
import { random, type NDArray } from "../src/index.ts";
import { loadDigits, trainTestSplit } from "../src/data/index.ts";
import * as metrics from "../src/metrics/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";
import { saveChart, type Series } from "./lib/plot.ts";

const args = await exampleArgs(["epochs", "depth"]);
const epochs = args.number("epochs", 15, 1);
const depth = args.number("depth", 5, 2);
const digits = loadDigits();
const { train, test } = trainTestSplit({ x: digits.x.div(16), y: digits.y }, { testSize: 0.2, key: random.key(0) });

/** `depth` hidden layers of 64 sigmoid units, optionally each followed by batch norm. */
const network = (bn: boolean) => nn.sequential([
  ...Array.from({ length: depth }, (_, i) => [nn.linear(64, 64), ...(bn ? [nn.batchNorm(64, { momentum: 0.9 })] : []), nn.sigmoid]).flat(),
  nn.linear(64, 10),
]);

const curves: Series[] = [];
for (const bn of [false, true]) {
  const model = network(bn);
  const { params, state } = model.init(random.key(1));
  const name = bn ? "with batch norm" : "without";
  const result = await optim.fit({
    params,
    modelState: state,
    loss: (p, { x, y }: { x: NDArray; y: NDArray }, { state: s }) => {
      const [logits, next] = model.apply(p, s, x, { train: true });   // batch statistics; running averages updated
      return [nn.losses.sparseSoftmaxCrossEntropy(logits, y), next];
    },
    optimizer: optim.sgd(0.1, { momentum: 0.9 }),
    data: train, epochs, batchSize: 32, key: random.key(2),
    evaluate: (p, s) => ({ "test accuracy": metrics.accuracy(test.y, nn.call(model, p, test.x, { state: s })).item() as number }),
    progress: { write: () => true, isTTY: false },
  });
  const last = result.history.at(-1)!;
  console.log(`${depth} sigmoid layers ${name.padEnd(16)} loss after 1 epoch ${result.history[0]!.loss.toFixed(3)}, after ${epochs}: ${last.loss.toFixed(3)}; test accuracy ${(last["test accuracy"]! * 100).toFixed(1)}%`);
  curves.push({ name, x: result.history.map((h) => h.epoch), y: result.history.map((h) => h.loss) });
}
saveChart(join(args.out, "batch-norm.svg"), { title: `${depth}-layer sigmoid MLP, SGD with momentum`, series: curves, xLabel: "epoch", yLabel: "training loss (log scale)", logY: true });
