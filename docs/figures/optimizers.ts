/** Optimizers on the Rosenbrock function, and the learning-rate schedules of optim.schedules. */
import { grad, jit, np, vmap, type NDArray } from "../../src/index.ts";
import * as optim from "../../optim/index.ts";
import { linePlot, sideBySide, type Figure } from "./svg.ts";

const rosenbrock = (p: NDArray) => {
  const [x, y] = p;
  return np.square(np.subtract(1, x!)).add(np.square(y!.sub(x!.square())).mul(100));
};

export async function optimizerRace(): Promise<Figure> {
  const runs: [string, optim.GradientTransformation<any>][] = [
    ["sgd(1e-3)", optim.sgd(1e-3)],
    ["sgd(1e-3, momentum 0.9)", optim.sgd(1e-3, { momentum: 0.9 })],
    ["rmsprop(1e-2)", optim.rmsprop(1e-2)],
    ["adam(5e-2)", optim.adam(5e-2)],
  ];
  const steps = 500, series = [];
  for (const [label, tx] of runs) {
    let p = np.array([-1.5, 2]);
    let s = tx.init(p);
    const step = jit((p: NDArray, s: unknown) => {
      const [u, s2] = tx.update(grad(rosenbrock)(p), s, p);
      return [optim.applyUpdates(p, u), s2] as const;
    });
    const ys: number[] = [];
    for (let i = 0; i < steps; i++) {
      ys.push(await rosenbrock(p).itemAsync() as number);
      [p, s] = step(p, s) as unknown as [NDArray, unknown];
    }
    series.push({ label, x: ys.map((_, i) => i), y: ys.map((v) => Math.max(v, 1e-6)) });
  }
  return linePlot({ title: "Rosenbrock from (−1.5, 2): f after each step", series, xLabel: "step", yLabel: "f (log scale)", logY: true, yRange: [1e-6, 1e3], legend: "bottom-right" });
}

export async function scheduleShapes(): Promise<Figure> {
  const s = optim.schedules;
  const steps = np.arange(0, 1000, 5);
  const xs = await steps.toArrayAsync() as number[];
  // A schedule takes one step; vmap evaluates it at all of them at once.
  const curve = async (label: string, f: optim.Schedule) => ({ label, x: xs, y: await vmap((t: NDArray) => f(t))(steps).toArrayAsync() as number[] });
  const decays = [
    await curve("exponentialDecay(1, 200, 0.5)", s.exponentialDecay(1, 200, 0.5)),
    await curve("cosineDecay(1, 1000)", s.cosineDecay(1, 1000)),
    await curve("warmupCosineDecay(0 → 1, 100, 1000)", s.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 100, decaySteps: 1000 })),
    await curve("piecewiseConstant(1, {300: 0.5, 600: 0.2})", s.piecewiseConstant(1, { 300: 0.5, 600: 0.2 })),
  ];
  const cycles = [
    await curve("cyclic(0.1 ↔ 1, stepSize 125)", s.cyclic({ baseValue: 0.1, maxValue: 1, stepSize: 125 })),
    await curve("cyclic triangular2", s.cyclic({ baseValue: 0.1, maxValue: 1, stepSize: 125, mode: "triangular2" })),
    await curve("oneCycle(1000, peak 1)", s.oneCycle({ transitionSteps: 1000, peakValue: 1 })),
  ];
  return sideBySide([
    linePlot({ title: "Decay schedules", series: decays, xLabel: "step", yLabel: "learning rate", yRange: [0, 1.05], width: 460 }),
    linePlot({ title: "Cyclic schedules", series: cycles, xLabel: "step", yRange: [0, 1.05], width: 460 }),
  ]);
}
