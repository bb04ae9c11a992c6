/** A function, its jaxpr, and the kernels jit runs without and with fusion. */
import { jit, makeJaxpr, np, grad, type NDArray } from "../../src/index.ts";
import { codePanel, stacked, type Figure } from "./svg.ts";

const SOURCE = [
  "const gelu = (x: NDArray) =>",
  "  x.mul(0.5).mul(np.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));",
  "const loss = (w: NDArray, x: NDArray) => np.sum(gelu(np.matmul(x, w)));",
  "jit(grad(loss)).lower(w, x)",
];

export async function jaxprAndKernels(): Promise<Figure> {
  const gelu = (x: NDArray) => x.mul(0.5).mul(np.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
  const loss = (w: NDArray, x: NDArray) => np.sum(gelu(np.matmul(x, w)));
  const w = np.ones([8, 4]), x = np.ones([16, 8]);
  const jaxpr = makeJaxpr(grad(loss))(w, x).toString().split("\n");
  const unfused = jit(grad(loss), { fuse: false }).lower(w, x).kernels();
  const fused = jit(grad(loss)).lower(w, x).kernels();
  // One kernel per primitive: shown as a run, six to a line.
  const runs = Array.from({ length: Math.ceil(unfused.length / 6) }, (_, i) => unfused.slice(i * 6, i * 6 + 6).join(" → "));
  return stacked([
    codePanel({ title: "The function", lines: SOURCE }),
    codePanel({ title: "Its gradient as a jaxpr: makeJaxpr(grad(loss))(w, x)", lines: jaxpr }),
    codePanel({ title: `Kernels without fusion: jit(grad(loss), { fuse: false }) — ${unfused.length} kernels`, lines: runs }),
    codePanel({ title: `Kernels with fusion: jit(grad(loss)) — ${fused.length} kernels`, lines: fused, highlight: (l) => l.startsWith("fused") }),
  ]);
}
