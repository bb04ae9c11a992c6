/** An ROC curve: logistic regression telling 8s from other digits, scored on held-out data. */
import { grad, jit, np, random, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import * as metrics from "../../src/metrics/index.ts";
import { loadDigits, trainTestSplit } from "../../src/data/index.ts";
import { linePlot, type Figure } from "./svg.ts";

export async function rocCurve(): Promise<Figure> {
  const digits = loadDigits();
  const data = { x: digits.x.div(16), y: digits.y.eq(8).astype("float32") };
  const { train, test } = trainTestSplit(data, { testSize: 0.3, key: random.key(0) });
  const loss = (p: { w: NDArray; b: NDArray }) => nn.losses.sigmoidBinaryCrossEntropy(np.matmul(train.x, p.w).add(p.b), train.y);
  const step = jit((p: { w: NDArray; b: NDArray }) => {
    const g = grad(loss)(p);
    return { w: p.w.sub(g.w.mul(0.5)), b: p.b.sub(g.b.mul(0.5)) };
  });
  let p = { w: np.zeros([64]), b: np.zeros([]) };
  for (let i = 0; i < 200; i++) p = step(p);
  const scores = await np.matmul(test.x, p.w).add(p.b).toArrayAsync() as number[];
  const labels = await test.y.toArrayAsync() as number[];
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => b[0] - a[0]);
  const pos = labels.filter((l) => l === 1).length, neg = labels.length - pos;
  const fpr = [0], tpr = [0];
  let tp = 0, fp = 0;
  for (const [, l] of order) { if (l === 1) tp++; else fp++; fpr.push(fp / neg); tpr.push(tp / pos); }
  const auc = await metrics.rocAuc(test.y, np.array(scores)).itemAsync() as number;
  return linePlot({
    title: `ROC of "is it an 8?" (AUC ${auc.toFixed(3)})`, xLabel: "false positive rate", yLabel: "true positive rate", width: 480, height: 400, legend: "bottom-right",
    series: [{ label: "logistic regression", x: fpr, y: tpr }, { label: "chance", x: [0, 1], y: [0, 1], dashed: true, color: "#999" }],
  });
}
