/** A whole training step (loss, gradient, optimizer) under jit: traced once, memory flat. */
import { describe, expect, test } from "vitest";
import { dispose, grad, jit, np, random, tree, valueAndGrad, type NDArray } from "../../src/index.ts";
import { tf } from "../../src/backend/index.ts";
import * as optim from "../../optim/index.ts";

type Params = { w: NDArray; b: NDArray };

/** Linear regression data: y = x·[1, −2, 3] + 0.5. */
function problem() {
  const [kx] = random.split(random.key(0), 1);
  const x = random.normal(kx!, [64, 3]);
  const y = np.matmul(x, np.array([[1], [-2], [3]])).add(0.5);
  const loss = (p: Params, xb: NDArray, yb: NDArray) => np.mean(np.matmul(xb, p.w).add(p.b).sub(yb).square());
  return { x, y, loss, init: (): Params => ({ w: np.zeros([3, 1]), b: np.zeros([1]) }) };
}

function trainer(tx: optim.GradientTransformation<any>, loss: (p: Params, x: NDArray, y: NDArray) => NDArray) {
  let traces = 0;
  const step = jit((p: Params, s: unknown, x: NDArray, y: NDArray) => {
    traces++;
    const [l, g] = valueAndGrad(loss)(p, x, y) as [NDArray, Params];
    const [u, next] = tx.update(g, s, p);
    return { p: optim.applyUpdates(p, u), s: next, l };
  });
  return { step, traces: () => traces };
}

describe("jit(trainStep)", () => {
  test("adam with a schedule traces once over 100 steps and converges", () => {
    const { x, y, loss, init } = problem();
    const tx = optim.adam(optim.schedules.exponentialDecay(0.1, 50, 0.5));
    const { step, traces } = trainer(tx, loss);
    let p = init(), s = tx.init(p);
    let last = Infinity;
    for (let i = 0; i < 100; i++) {
      const out = step(p, s, x, y);
      dispose([p, s]);
      p = out.p; s = out.s;
      last = out.l.item() as number;
    }
    expect(traces()).toBe(1);
    expect(step.cacheSize).toBe(1);
    expect(last).toBeLessThan(1e-2);
    expect((s as [optim.AdamState, optim.ScheduleState])[1].count.item()).toBe(100);
  });

  test("jitted steps match eager steps", () => {
    const { x, y, loss, init } = problem();
    const tx = optim.chain(optim.clipByGlobalNorm(1), optim.adamw(optim.schedules.warmupCosineDecay({ initValue: 0, peakValue: 0.1, warmupSteps: 3, decaySteps: 20 }), { weightDecay: 0.01 }));
    const { step } = trainer(tx, loss);
    let pj = init(), sj = tx.init(pj), pe = init(), se = tx.init(pe);
    for (let i = 0; i < 5; i++) {
      const out = step(pj, sj, x, y);
      pj = out.p; sj = out.s;
      const g = grad(loss)(pe, x, y) as Params;
      const [u, next] = tx.update(g, se, pe);
      pe = optim.applyUpdates(pe, u); se = next;
    }
    tree.map((a: NDArray, b: NDArray) => {
      const [da, db] = [a.toArray() as number[][], b.toArray() as number[][]].map((v) => v.flat());
      da.forEach((v, i) => expect(v).toBeCloseTo(db[i]!, 5));
    }, pj, pe);
  });

  test("a chain of every stateful wrapper traces once and keeps memory flat", () => {
    const { x, y, loss, init } = problem();
    const tx = optim.applyIfFinite(optim.multiSteps(optim.chain(
      optim.clipByGlobalNorm(10),
      optim.masked(optim.addDecayedWeights(1e-3), { w: true, b: false }),
      optim.injectHyperparams((h) => optim.sgd(h.lr!, { momentum: h.momentum! }), { lr: optim.schedules.cosineDecay(0.05, 200), momentum: 0.9 }),
      optim.multiTransform({ a: optim.scale(1), b: optim.scaleByAdam() }, { w: "a", b: "b" }),
    ), { everyK: 2 }));
    const { step, traces } = trainer(tx, loss);
    let p = init(), s = tx.init(p);
    let before = 0;
    for (let i = 0; i < 40; i++) {
      if (i === 5) before = tf.memory().numTensors;
      const out = step(p, s, x, y);
      dispose([p, s, out.l]);
      p = out.p; s = out.s;
    }
    expect(traces()).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    const state = s as optim.ApplyIfFiniteState;
    expect((state.inner as optim.MultiStepsState).gradientStep.item()).toBe(20);
  });
});
