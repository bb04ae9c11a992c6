/** Activation functions and their derivatives (the derivatives computed with vmap(grad)). */
import { grad, np, vmap, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { linePlot, sideBySide, type Figure } from "./svg.ts";

const ACTIVATIONS: [string, (x: NDArray) => NDArray][] = [
  ["sigmoid", nn.sigmoid], ["tanh", nn.tanh], ["relu", nn.relu], ["leakyRelu(0.1)", (x) => nn.leakyRelu(x, 0.1)],
  ["elu", (x) => nn.elu(x)], ["gelu", (x) => nn.gelu(x)], ["silu", nn.silu], ["softplus", nn.softplus],
];

export async function activations(): Promise<Figure> {
  const x = np.linspace(-4, 4, 161);
  const xs = await x.toArrayAsync() as number[];
  const values = [], slopes = [];
  for (const [label, f] of ACTIVATIONS) {
    values.push({ label, x: xs, y: await f(x).toArrayAsync() as number[] });
    const df = vmap(grad((t: NDArray) => f(t)));
    slopes.push({ label, x: xs, y: await df(x).toArrayAsync() as number[] });
  }
  return sideBySide([
    linePlot({ title: "Activation functions", series: values, xLabel: "x", yLabel: "f(x)", yRange: [-1.5, 4], width: 460 }),
    linePlot({ title: "Their derivatives: vmap(grad(f))", series: slopes, xLabel: "x", yLabel: "f′(x)", yRange: [-0.2, 1.2], width: 460 }),
  ]);
}
