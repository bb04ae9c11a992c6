/** Training helpers: early stopping, grid and random search, the progress bar, fit. */
import { describe, expect, test } from "vitest";
import { np, random, type NDArray } from "../../src/index.ts";
import * as optim from "../../optim/index.ts";

describe("earlyStopping", () => {
  test("stops after `patience` epochs without improvement (min mode)", () => {
    const es = optim.earlyStopping({ patience: 3 });
    let s = es.init();
    const stops: boolean[] = [];
    for (const loss of [1.0, 0.8, 0.81, 0.82, 0.83]) { s = es.update(s, loss); stops.push(s.stop); }
    expect(stops).toEqual([false, false, false, false, true]);
    expect(s.best).toBe(0.8);
    expect(s.bestStep).toBe(1);
  });

  test("minDelta: small gains do not count; max mode; arrays are read", () => {
    const es = optim.earlyStopping({ patience: 2, minDelta: 0.01, mode: "max" });
    let s = es.init();
    s = es.update(s, np.array(0.9));
    expect(s.improved).toBe(true);
    s = es.update(s, 0.905);
    expect(s.improved).toBe(false);
    s = es.update(s, 0.95);
    expect(s.improved).toBe(true);
    expect(s.wait).toBe(0);
    s = es.update(s, NaN);
    s = es.update(s, 0.95);
    expect(s.stop).toBe(true);
    expect(s.best).toBe(0.95);
  });

  test("bad options", () => {
    expect(() => optim.earlyStopping({ patience: -1 })).toThrow(/patience must be a non-negative integer/);
    expect(() => optim.earlyStopping({ patience: 1, mode: "up" as never })).toThrow(/mode must be "min" or "max"/);
  });
});

describe("search", () => {
  const objective = ({ a, b }: { a: number; b: number }) => (a - 2) ** 2 + (b + 1) ** 2;

  test("gridSearch evaluates every combination and returns the best", async () => {
    const r = await optim.gridSearch({ a: [0, 1, 2, 3], b: [-1, 0] }, objective);
    expect(r.trials).toHaveLength(8);
    expect(r.trials.map((t) => t.config)).toContainEqual({ a: 3, b: 0 });
    expect(r.best.config).toEqual({ a: 2, b: -1 });
    expect(r.best.score).toBe(0);
    const rmax = await optim.gridSearch({ a: [0, 1, 2, 3], b: [-1, 0] }, objective, { mode: "max" });
    expect(rmax.best.config).toEqual({ a: 0, b: 0 });
  });

  test("randomSearch is reproducible from its seed, samples within the space, and finds a good point", async () => {
    const space = { a: { uniform: [0, 4] as [number, number] }, b: { int: [-3, 3] as [number, number] }, lr: { logUniform: [1e-4, 1e-1] as [number, number] }, act: ["relu", "tanh"] };
    const run = (seed: number) => optim.randomSearch(space, ({ a, b }) => objective({ a, b }), { trials: 30, seed });
    const r1 = await run(0), r2 = await run(0), r3 = await run(1);
    expect(r1.trials.map((t) => t.config)).toEqual(r2.trials.map((t) => t.config));
    expect(r1.trials.map((t) => t.config)).not.toEqual(r3.trials.map((t) => t.config));
    expect(r1.trials).toHaveLength(30);
    for (const { config } of r1.trials) {
      expect(config.a).toBeGreaterThanOrEqual(0); expect(config.a).toBeLessThan(4);
      expect(Number.isInteger(config.b) && config.b >= -3 && config.b <= 3).toBe(true);
      expect(config.lr).toBeGreaterThanOrEqual(1e-4); expect(config.lr).toBeLessThanOrEqual(1e-1);
      expect(["relu", "tanh"]).toContain(config.act);
    }
    expect(new Set(r1.trials.map((t) => t.config.b)).size).toBeGreaterThan(3);
    expect(r1.best.score).toBe(Math.min(...r1.trials.map((t) => t.score)));
    expect(r1.best.score).toBeLessThan(0.5);
  });

  test("each trial gets its own key; NaN never wins; array scores are read", async () => {
    const keys: number[][] = [];
    const r = await optim.gridSearch({ x: [1, 2, 3] }, ({ x }, { key }) => {
      keys.push(random.keyData(key).toArray() as number[]);
      return x === 1 ? NaN : np.array(x);
    });
    expect(new Set(keys.map((k) => k.join())).size).toBe(3);
    expect(r.best.config.x).toBe(2);
  });

  test("invalid spaces are reported with the parameter's path (io-ts)", async () => {
    await expect(optim.randomSearch({ lr: { logUniform: [0, 1] } }, () => 0, { trials: 2 })).rejects.toThrow(/logUniform needs positive bounds/);
    await expect(optim.randomSearch({ lr: { between: [0, 1] } } as never, () => 0, { trials: 2 })).rejects.toThrow(/invalid search space[\s\S]*lr/);
    await expect(optim.gridSearch({ lr: [] }, () => 0)).rejects.toThrow(/lr has no values/);
  });
});

describe("progressBar", () => {
  const sink = (isTTY: boolean) => { const out: string[] = []; return { out, stream: { isTTY, write: (s: string) => { out.push(s); return true; } } }; };

  test("plain lines when not on a TTY: one per bar, at done", () => {
    const { out, stream } = sink(false);
    const bar = optim.progressBar({ total: 10, label: "epoch 1/2", stream });
    for (let i = 1; i <= 10; i++) bar.update(i, { loss: 1 / i });
    expect(out).toEqual([]);
    bar.done({ loss: 0.1, accuracy: 0.97 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^epoch 1\/2: 10\/10 {2}\d+\.\ds {2}loss 0\.1000 {2}accuracy 0\.9700\n$/);
  });

  test("a bar redrawn in place on a TTY", () => {
    const { out, stream } = sink(true);
    const bar = optim.progressBar({ total: 4, label: "train", stream, intervalMs: 0 });
    bar.update(2, { loss: 0.5 });
    bar.done({ loss: 0.25 });
    expect(out[0]).toMatch(/^\rtrain \[=+> +\] 2\/4/);
    expect(out.join("")).toMatch(/\[=+\] 4\/4 .*loss 0\.2500/);
    expect(out.at(-1)).toBe("\n");
  });
});

describe("fit", () => {
  const data = () => {
    const x = random.normal(random.key(3), [256, 2]);
    const y = np.matmul(x, np.array([[2], [-1]])).add(0.3);
    return { x, y };
  };
  type P = { w: NDArray; b: NDArray };
  const predict = (p: P, x: NDArray) => np.matmul(x, p.w).add(p.b);

  test("trains a linear model, logs each epoch, and evaluates", async () => {
    const lines: string[] = [];
    const train = data();
    const r = await optim.fit({
      params: { w: np.zeros([2, 1]), b: np.zeros([1]) },
      loss: (p: P, { x, y }: { x: NDArray; y: NDArray }) => np.mean(predict(p, x).sub(y).square()),
      optimizer: optim.adam(0.1),
      data: train, epochs: 8, batchSize: 32, key: random.key(0),
      evaluate: (p) => ({ mse: np.mean(predict(p, train.x).sub(train.y).square()).item() as number }),
      progress: { isTTY: false, write: (s: string) => { lines.push(s); return true; } },
    });
    expect(r.history).toHaveLength(8);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^epoch 1\/8: 8\/8 .*loss .*mse /);
    expect(r.history.at(-1)!.mse).toBeLessThan(0.05);
    expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0]!.loss);
    const w = r.params.w.toArray() as number[][];
    expect(w[0]![0]).toBeCloseTo(2, 1);
    expect(w[1]![0]).toBeCloseTo(-1, 1);
  });

  test("early stopping returns the best parameters; model state is threaded", async () => {
    const train = data();
    let calls = 0;
    const scores = [0.5, 0.7, 0.6, 0.65, 0.62, 0.9];
    const r = await optim.fit({
      params: { w: np.zeros([2, 1]), b: np.zeros([1]) },
      modelState: { steps: np.zeros([], { dtype: "int32" }) },
      loss: (p: P, { x, y }: { x: NDArray; y: NDArray }, { state }) => [np.mean(predict(p, x).sub(y).square()), { steps: state.steps.add(1) }],
      optimizer: optim.sgd(0.05),
      data: train, epochs: 6, batchSize: 64, key: random.key(1),
      evaluate: () => ({ score: scores[calls++]! }),
      earlyStopping: { monitor: "score", mode: "max", patience: 3 },
      progress: false,
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history).toHaveLength(5);
    expect(r.modelState.steps.item()).toBe(8);   // the best epoch was the 2nd: 2 × 4 steps
  });
});
