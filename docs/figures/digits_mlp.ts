/** Training curves of the MLP of the digits guide: loss and accuracy per epoch. */
import { jit, np, random, valueAndGrad, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import * as optim from "../../optim/index.ts";
import * as metrics from "../../src/metrics/index.ts";
import { batches, loadDigits, trainTestSplit } from "../../src/data/index.ts";
import { linePlot, sideBySide, type Figure } from "./svg.ts";

export async function digitsCurves(): Promise<Figure> {
  const digits = loadDigits();
  const { train, test } = trainTestSplit({ x: digits.x.div(16), y: digits.y }, { testSize: 0.2, key: random.key(0) });
  const model = nn.mlp([64, 64, 10], { activation: nn.relu });
  let { params } = model.init(random.key(1));
  const tx = optim.adam(1e-3);
  let opt = tx.init(params);
  type P = typeof params;
  const loss = (p: P, x: NDArray, y: NDArray) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y);
  const step = jit((p: P, s: unknown, x: NDArray, y: NDArray) => {
    const [l, g] = valueAndGrad(loss)(p, x, y);
    const [u, s2] = tx.update(g, s, p);
    return [optim.applyUpdates(p, u), s2, l] as const;
  });
  const epochs = 25, xs: number[] = [], trainLoss: number[] = [], testLoss: number[] = [], trainAcc: number[] = [], testAcc: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const { x, y } of batches(train, { batchSize: 32, key: random.key(100 + epoch), dropLast: true })) {
      [params, opt] = step(params, opt, x, y) as unknown as [P, unknown];
    }
    xs.push(epoch);
    trainLoss.push(await loss(params, train.x, train.y).itemAsync() as number);
    testLoss.push(await loss(params, test.x, test.y).itemAsync() as number);
    trainAcc.push(await metrics.accuracy(train.y, nn.call(model, params, train.x)).itemAsync() as number);
    testAcc.push(await metrics.accuracy(test.y, nn.call(model, params, test.x)).itemAsync() as number);
  }
  return sideBySide([
    linePlot({ title: "Cross-entropy loss", xLabel: "epoch", width: 460, series: [{ label: "train", x: xs, y: trainLoss }, { label: "test", x: xs, y: testLoss, dashed: true }] }),
    linePlot({ title: "Accuracy", xLabel: "epoch", width: 460, yRange: [0.5, 1], series: [{ label: "train", x: xs, y: trainAcc }, { label: "test", x: xs, y: testAcc, dashed: true }] }),
  ]);
}
