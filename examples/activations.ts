/**
 * The activation functions of gradus/nn and their derivatives (computed with vmap(grad)),
 * plotted to two SVG files.
 *
 *   npx tsx examples/activations.ts [--out examples/output]
 */
import { join } from "node:path";
import { grad, np, vmap, type NDArray } from "../src/index.ts";
import * as nn from "../nn/index.ts";
import { exampleArgs } from "./lib/cli.ts";
import { saveChart, type Series } from "./lib/plot.ts";

const args = await exampleArgs(["points"]);
const x = np.linspace(-4, 4, args.number("points", 201, 41));
const xs = x.toArray() as number[];
const activations: Record<string, (v: NDArray) => NDArray> = {
  sigmoid: nn.sigmoid, tanh: nn.tanh, relu: nn.relu, "leakyRelu(0.1)": (v) => nn.leakyRelu(v, 0.1),
  elu: nn.elu, gelu: nn.gelu, silu: nn.silu, softplus: nn.softplus,
};
const values: Series[] = [], slopes: Series[] = [];
for (const [name, f] of Object.entries(activations)) {
  values.push({ name, x: xs, y: f(x).toArray() as number[] });
  // The derivative at each point: grad of the scalar function, vectorized over the points.
  const df = vmap(grad((v: NDArray) => f(v)));
  slopes.push({ name, x: xs, y: df(x).toArray() as number[] });
  const at0 = (df(np.array([0])).toArray() as number[])[0]!;
  console.log(`${name.padEnd(15)} f(1) = ${(f(np.array(1)).item() as number).toFixed(4)}   f'(0) = ${at0.toFixed(4)}`);
}
saveChart(join(args.out, "activations.svg"), { title: "Activation functions", series: values, xLabel: "x", yLabel: "f(x)" });
saveChart(join(args.out, "activation-derivatives.svg"), { title: "Their derivatives (vmap(grad(f)))", series: slopes, xLabel: "x", yLabel: "f'(x)" });
