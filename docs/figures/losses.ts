/** The losses of nn.losses as functions of the error (regression) or of the logit (classification). */
import { np } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { linePlot, sideBySide, type Figure } from "./svg.ts";

export async function lossShapes(): Promise<Figure> {
  const e = np.linspace(-3, 3, 121), zero = np.zerosLike(e);
  const es = await e.toArrayAsync() as number[];
  const none = { reduction: "none" } as const;
  const regression = [
    { label: "mse: e²", x: es, y: await nn.losses.mse(e, zero, none).toArrayAsync() as number[] },
    { label: "mae: |e|", x: es, y: await nn.losses.mae(e, zero, none).toArrayAsync() as number[] },
    { label: "huber (δ = 1)", x: es, y: await nn.losses.huber(e, zero, none).toArrayAsync() as number[] },
  ];
  const z = np.linspace(-6, 6, 121), zs = await z.toArrayAsync() as number[];
  const classification = [
    { label: "target 1: −log σ(z)", x: zs, y: await nn.losses.sigmoidBinaryCrossEntropy(z, np.onesLike(z), none).toArrayAsync() as number[] },
    { label: "target 0: −log(1 − σ(z))", x: zs, y: await nn.losses.sigmoidBinaryCrossEntropy(z, np.zerosLike(z), none).toArrayAsync() as number[] },
  ];
  return sideBySide([
    linePlot({ title: "Regression losses vs error e", series: regression, xLabel: "prediction − target", yRange: [0, 4], width: 460 }),
    linePlot({ title: "Binary cross-entropy vs logit z", series: classification, xLabel: "logit z", yRange: [0, 6], width: 460 }),
  ]);
}
