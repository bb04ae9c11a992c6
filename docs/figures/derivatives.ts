/** sin and its derivatives by repeated grad: the chain rule, applied by the library. */
import { grad, np, vmap, type NDArray } from "../../src/index.ts";
import { linePlot, type Figure } from "./svg.ts";

export async function sinDerivatives(): Promise<Figure> {
  const x = np.linspace(-Math.PI, Math.PI, 121);
  const xs = await x.toArrayAsync() as number[];
  let f = (t: NDArray) => np.sin(t);
  const series = [];
  const labels = ["sin x", "grad(sin)", "grad(grad(sin))", "grad(grad(grad(sin)))"];
  for (const label of labels) {
    series.push({ label, x: xs, y: await vmap(f)(x).toArrayAsync() as number[] });
    f = grad(f);
  }
  return linePlot({ title: "Derivatives by repeated grad", series, xLabel: "x", width: 640, height: 320 });
}
