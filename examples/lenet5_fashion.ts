/**
 * LeNet-5 (LeCun et al., 1998) on Fashion-MNIST (Zalando, 2017): 60000 training images of
 * clothing, 28×28 grayscale. Trains with Adam on a cosine schedule through `optim.fit`
 * (jitted steps, a progress bar), then prints the test accuracy, the recall per class and
 * the confusion matrix. Needs `apt-get install dataset-fashion-mnist` (or `--dir`).
 *
 *   npx tsx examples/lenet5_fashion.ts [--epochs 8] [--limit 60000] [--activation relu|tanh] [--dir /usr/share/datasets/fashion-mnist]
 */
import { jit, np, random, type NDArray } from "../src/index.ts";
import { fashionMnistClasses, loadFashionMnist } from "../src/data/index.ts";
import * as metrics from "../src/metrics/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";

const args = await exampleArgs(["epochs", "limit", "dir", "batch-size", "lr", "activation"]);
const epochs = args.number("epochs", 8, 1);
const limit = args.number("limit", 60000, 2000);
const batchSize = args.number("batch-size", 64);
const { train: full, test: fullTest } = loadFashionMnist(args.string("dir", "/usr/share/datasets/fashion-mnist"));
const images = (x: NDArray) => x.div(255).reshape([-1, 28, 28, 1]);
const train = { x: images(np.slice(full.x, [0], [limit])), y: np.slice(full.y, [0], [limit]) };
const testSize = args.quick ? 1000 : 10000;
const test = { x: images(np.slice(fullTest.x, [0], [testSize])), y: np.slice(fullTest.y, [0], [testSize]) };

const activation = args.string("activation", "relu");
const model = nn.lenet5({ activation: activation === "tanh" ? nn.tanh : nn.relu });
const { params } = model.init(random.key(0));
console.log(`LeNet-5 (${activation}), ${nn.countParams(params)} parameters; ${limit} training and ${testSize} test images; ${epochs} epochs, batch ${batchSize}`);

const predict = jit((p: typeof params, x: NDArray) => np.argmax(nn.call(model, p, x), { axis: -1 }));
const predictAll = (p: typeof params) => np.concatenate(Array.from({ length: Math.ceil(testSize / 1000) }, (_, i) => predict(p, np.slice(test.x, [i * 1000], [Math.min(testSize, (i + 1) * 1000)]))));
const steps = epochs * Math.floor(limit / batchSize);
const started = Date.now();
const result = await optim.fit({
  params,
  loss: (p, { x, y }: { x: NDArray; y: NDArray }) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y),
  optimizer: optim.adam(optim.schedules.cosineDecay(args.number("lr", 2e-3), steps, { alpha: 0.05 })),
  data: train, epochs, batchSize, key: random.key(1),
  evaluate: (p) => ({ "test accuracy": metrics.accuracy(test.y, predictAll(p)).item() as number }),
  progress: process.stdout,
});

const predicted = predictAll(result.params);
const accuracy = metrics.accuracy(test.y, predicted).item() as number;
const recall = metrics.recall(test.y, predicted, { average: "none", numClasses: 10 }).toArray() as number[];
const cm = metrics.confusionMatrix(test.y, predicted, { numClasses: 10 }).toArray() as number[][];
console.log(`\ntest accuracy ${(accuracy * 100).toFixed(2)}% in ${((Date.now() - started) / 1000).toFixed(0)} s (published baselines: ~91% for small conv nets)`);
console.log("\nrecall per class:");
fashionMnistClasses.forEach((c, i) => console.log(`  ${i} ${c.padEnd(12)} ${(recall[i]! * 100).toFixed(1)}%`));
console.log("\nconfusion matrix (rows: true class, columns: predicted)");
console.log(`     ${cm.map((_, j) => String(j).padStart(5)).join("")}`);
cm.forEach((row, i) => console.log(`  ${i}: ${row.map((v) => (v === 0 ? "    ." : String(v).padStart(5))).join("")}`));
