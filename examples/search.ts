/**
 * Hyperparameter random search with early stopping: MLPs on the digits, sampling the
 * learning rate (log-uniform), the width and the dropout rate; each trial trains with
 * `optim.fit` and stops when its validation accuracy stops improving. The best setting is
 * then scored once on the held-out test set.
 *
 *   npx tsx examples/search.ts [--trials 12] [--epochs 40] [--seed 0]
 */
import { random, type NDArray } from "../src/index.ts";
import { loadDigits, trainTestSplit } from "../src/data/index.ts";
import * as metrics from "../src/metrics/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";

const args = await exampleArgs(["trials", "epochs", "seed", "patience"]);
const trials = args.number("trials", 12, 2);
const epochs = args.number("epochs", 40, 2);
const digits = loadDigits();
const { train: rest, test } = trainTestSplit({ x: digits.x.div(16), y: digits.y }, { testSize: 0.2, key: random.key(0) });
const { train, test: validation } = trainTestSplit(rest, { testSize: 0.25, key: random.key(1) });
console.log(`${train.x.shape[0]} training, ${validation.x.shape[0]} validation, ${test.x.shape[0]} test digits; ${trials} trials of up to ${epochs} epochs\n`);

type Batch = { x: NDArray; y: NDArray };
const build = (hidden: number, dropout: number) => nn.sequential([nn.linear(64, hidden), nn.relu, nn.dropout(dropout), nn.linear(hidden, 10)]);
const trainOne = async (config: Record<string, any>, key: NDArray) => {
  const model = build(config.hidden, config.dropout);
  const { params } = model.init(key);
  return optim.fit({
    params,
    loss: (p, { x, y }: Batch, { key: k }) => nn.losses.sparseSoftmaxCrossEntropy(model.apply(p, {}, x, { key: k, train: true })[0], y),
    optimizer: optim.adam(config.lr),
    data: train, epochs, batchSize: 32, key,
    evaluate: (p) => ({ accuracy: metrics.accuracy(validation.y, nn.call(model, p, validation.x)).item() as number }),
    earlyStopping: { monitor: "accuracy", mode: "max", patience: args.number("patience", 5, 1) },
    progress: false,
  }).then((r) => ({ ...r, model }));
};

const ran: { epochs: number; stoppedEarly: boolean }[] = [];
const result = await optim.randomSearch(
  { lr: { logUniform: [1e-4, 3e-2] }, hidden: [16, 32, 64, 128, 256], dropout: { uniform: [0, 0.5] } },
  async (config, { index, key }) => {
    const r = await trainOne(config, key);
    ran[index] = { epochs: r.history.length, stoppedEarly: r.stoppedEarly };
    return Math.max(...r.history.map((h) => h.accuracy!));   // the best validation accuracy (fit returns those parameters)
  },
  {
    trials, seed: args.number("seed", 0), mode: "max",
    onTrial: ({ index, config, score }) => console.log(
      `trial ${String(index + 1).padStart(2)}  lr ${config.lr.toExponential(1)}  hidden ${String(config.hidden).padStart(3)}  dropout ${config.dropout.toFixed(2)}` +
      `  → validation ${(score * 100).toFixed(1)}%  (${ran[index]!.epochs} epochs${ran[index]!.stoppedEarly ? ", stopped early" : ""})`),
  },
);

const { config } = result.best;
console.log(`
best: lr ${config.lr.toExponential(2)}, hidden ${config.hidden}, dropout ${config.dropout.toFixed(2)} (validation ${(result.best.score * 100).toFixed(1)}%)`);
const final = await trainOne(config, random.key(42));
const acc = metrics.accuracy(test.y, nn.call(final.model, final.params, test.x)).item() as number;
console.log(`retrained with early stopping: test accuracy ${(acc * 100).toFixed(1)}%`);
