/**
 * Long-running training checks (`npm run test:long`, not part of `npm test`): an MLP and
 * LeNet-5 trained on Fashion-MNIST (60000 training images) must reach the dataset's
 * published baselines (~87% for an MLP, ~91% for a conv net) within a few points:
 * MLP ≥ 85%, LeNet-5 ≥ 89% test accuracy. Needs `apt-get install dataset-fashion-mnist`.
 * Prints the figures and times.
 */
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { jit, np, random, type NDArray } from "../../src/index.ts";
import { loadFashionMnist, type Dataset } from "../../src/data/index.ts";
import * as metrics from "../../src/metrics/index.ts";
import * as nn from "../../nn/index.ts";
import * as optim from "../../optim/index.ts";

const DIR = "/usr/share/datasets/fashion-mnist";

/** Trains `model` with Adam on a cosine schedule; returns the test accuracy after each epoch. */
async function train(name: string, model: nn.Module, shape: number[], { epochs, batchSize, lr }: { epochs: number; batchSize: number; lr: number }) {
  const { train: tr, test: te } = loadFashionMnist();
  const prep = (d: Dataset) => ({ x: d.x.div(255).reshape([-1, ...shape]), y: d.y });
  const trainSet = prep(tr), testSet = prep(te);
  const { params } = model.init(random.key(0));
  const steps = epochs * Math.floor(60000 / batchSize);
  const predict = jit((p: unknown, x: NDArray) => np.argmax(nn.call(model, p, x), { axis: -1 }));
  const testAccuracy = (p: unknown) => {
    const parts = [0, 1, 2, 3, 4].map((i) => predict(p, np.slice(testSet.x, [i * 2000], [(i + 1) * 2000])));
    return metrics.accuracy(testSet.y, np.concatenate(parts)).item() as number;
  };
  const started = Date.now();
  const result = await optim.fit({
    params,
    loss: (p, { x, y }: { x: NDArray; y: NDArray }) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y),
    optimizer: optim.adam(optim.schedules.cosineDecay(lr, steps, { alpha: 0.05 })),
    data: trainSet, epochs, batchSize, key: random.key(1),
    evaluate: (p) => ({ "test accuracy": testAccuracy(p) }),
    progress: process.stdout,
  });
  const seconds = (Date.now() - started) / 1000;
  const accuracy = result.history.at(-1)!["test accuracy"]!;
  console.log(`${name}: test accuracy ${(accuracy * 100).toFixed(2)}% after ${epochs} epochs, ${seconds.toFixed(0)} s (${(seconds / epochs).toFixed(1)} s/epoch)`);
  return accuracy;
}

describe.skipIf(!existsSync(DIR))("Fashion-MNIST baselines", () => {
  test("an MLP 784-256-128-10 reaches ≥ 85% test accuracy", async () => {
    const accuracy = await train("MLP", nn.mlp([784, 256, 128, 10]), [784], { epochs: 8, batchSize: 128, lr: 2e-3 });
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  }, 1_800_000);

  test("LeNet-5 (ReLU, average pooling) reaches ≥ 89% test accuracy", async () => {
    const accuracy = await train("LeNet-5", nn.lenet5({ activation: nn.relu }), [28, 28, 1], { epochs: 8, batchSize: 64, lr: 2e-3 });
    expect(accuracy).toBeGreaterThanOrEqual(0.89);
  }, 3_600_000);
});
