/**
 * XOR: a perceptron (one linear layer) cannot separate it; a two-layer network can.
 * Both are trained with gradient descent, then evaluated on a grid.
 */
import { jit, np, random, valueAndGrad, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import * as optim from "../../optim/index.ts";
import { decisionRegions, sideBySide, type Figure } from "./svg.ts";

const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [0, 1, 1, 0];

async function train(model: nn.Module<any, any>, steps: number): Promise<number[][]> {
  const x = np.array(X), y = np.array(Y).reshape([4, 1]);
  let { params } = model.init(random.key(3));
  const tx = optim.adam(0.05);
  let state = tx.init(params);
  const loss = (p: unknown) => nn.losses.sigmoidBinaryCrossEntropy(nn.call(model, p, x), y);
  const step = jit((p: unknown, s: unknown) => {
    const [, g] = valueAndGrad(loss)(p);
    const [u, s2] = tx.update(g, s, p);
    return [optim.applyUpdates(p, u), s2];
  });
  for (let i = 0; i < steps; i++) [params, state] = step(params, state) as [typeof params, typeof state];
  const n = 41, grid = np.linspace(-0.5, 1.5, n);
  const pts = np.stack([np.tile(grid, n), np.repeat(grid, n)], { axis: 1 });
  const p = await nn.sigmoid(nn.call(model, params, pts)).reshape([n, n]).toArrayAsync() as number[][];
  return p;
}

export async function xorRegions(): Promise<Figure> {
  const points = X.map(([a, b], i) => ({ x: a!, y: b!, label: Y[i]! }));
  const range: [number, number] = [-0.5, 1.5];
  const perceptron = await train(nn.linear(2, 1), 300);
  const mlp = await train(nn.sequential([nn.linear(2, 8), nn.tanh, nn.linear(8, 1)]), 300);
  return sideBySide([
    decisionRegions({ title: "Perceptron: no line separates XOR", grid: perceptron, x: range, y: range, points }),
    decisionRegions({ title: "2-layer MLP: solved", grid: mlp, x: range, y: range, points }),
  ]);
}
