/**
 * Learning: the networks train end to end with jit(valueAndGrad) and Adam (test/nn/train.ts).
 *
 * - XOR: an MLP with one hidden layer reaches 100% accuracy; a single-layer perceptron
 *   cannot (Minsky & Papert): no line separates XOR, so at most 3 of 4 points are right,
 *   and logistic regression's best loss on XOR is log 2 (the symmetric optimum w = 0).
 * - Streaming parity: at every step, the parity of the bits so far. An LSTM learns it and
 *   generalizes to sequences it never saw; a feed-forward network with as many parameters,
 *   applied at each step, cannot: it sees only the current bit, and for t >= 2 the running
 *   parity is independent of that bit, so it can do no better than chance there.
 * - A tiny GPT overfits a short text: the loss falls from log(vocab) to its floor and
 *   greedy decoding from the first 16 characters reproduces the whole text.
 *
 * Everything is deterministic (fixed keys, full-batch training), so the thresholds are
 * margins around reproducible numbers, not statistical bounds.
 */
import { describe, expect, test } from "vitest";
import { jit, np, random, type NDArray } from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import { train } from "./train.ts";

const accuracy = (a: NDArray, b: NDArray): number => np.mean(a.eq(b).astype("float32")).item() as number;
const fmt = (xs: number[]) => xs.map((l) => l.toFixed(3)).join(" → ");

describe("learning", () => {
  test("XOR: an MLP learns it to 100%; a single-layer perceptron cannot", () => {
    const X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const Y = np.array([[0], [1], [1], [0]]);
    const key = random.key(0);
    const fit = (model: nn.Module) => {
      const t0 = performance.now();
      const loss = (p: unknown, x: NDArray, y: NDArray) => nn.losses.sigmoidBinaryCrossEntropy(nn.call(model, p, x), y);
      const r = train(loss, model.init(key).params, [X, Y], { steps: 300, lr: 0.05 });
      const acc = accuracy(nn.call(model, r.params, X).gt(0).astype("float32"), Y);
      return { acc, losses: r.losses, ms: performance.now() - t0 };
    };
    const mlp = fit(nn.mlp([2, 8, 1], { activation: nn.tanh }));
    const perceptron = fit(nn.linear(2, 1));
    console.info(`XOR: mlp loss ${fmt([mlp.losses[0]!, mlp.losses.at(-1)!])}, accuracy ${mlp.acc} (${mlp.ms.toFixed(0)} ms); `
      + `perceptron loss ${fmt([perceptron.losses[0]!, perceptron.losses.at(-1)!])}, accuracy ${perceptron.acc} (${perceptron.ms.toFixed(0)} ms)`);
    expect(mlp.acc).toBe(1);
    expect(mlp.losses.at(-1)).toBeLessThan(0.05);
    expect(perceptron.acc).toBeLessThanOrEqual(0.75);
    expect(perceptron.losses.at(-1)).toBeGreaterThan(Math.log(2) - 1e-3);
  });

  test("streaming parity: an LSTM learns it and generalizes; a feed-forward net of the same size cannot", () => {
    const T = 8;
    // All 256 bit strings of length 8, split into disjoint halves: train on one, test on the other.
    const all = Array.from({ length: 2 ** T }, (_, n) => Array.from({ length: T }, (_, t) => (n >> t) & 1));
    const order = random.permutation(random.key(1), all.length).toArray() as number[];
    const pick = (idx: number[]) => np.array(idx.map((i) => all[i]!));
    const xTrain = pick(order.slice(0, 128)), xTest = pick(order.slice(128));
    const prefixParity = (b: NDArray) => np.remainder(np.cumsum(b, { axis: 1 }), 2);
    const yTrain = prefixParity(xTrain), yTest = prefixParity(xTest);

    const hidden = 8;
    const lstm = nn.sequential([nn.rnn(nn.lstmCell(1, hidden), { returnSequences: true }), nn.linear(hidden, 1)]);
    const lstmParams = lstm.init(random.key(2)).params;
    // Per-step MLP 1 → 110 → 1: 331 parameters against the LSTM's 329.
    const ff = nn.mlp([1, 110, 1]);
    const ffParams = ff.init(random.key(2)).params;
    expect(nn.countParams(lstmParams)).toBe(4 * (1 * hidden + hidden * hidden + hidden) + hidden + 1);
    expect(nn.countParams(ffParams)).toBeGreaterThanOrEqual(nn.countParams(lstmParams));

    const fit = (model: nn.Module, params: unknown) => {
      const t0 = performance.now();
      const logits = (p: unknown, x: NDArray) => nn.call(model, p, x.reshape([...x.shape, 1])).reshape(x.shape);
      const loss = (p: unknown, x: NDArray, y: NDArray) => nn.losses.sigmoidBinaryCrossEntropy(logits(p, x), y);
      const r = train(loss, params, [xTrain, yTrain], { steps: 150, lr: 0.03 });
      const pred = logits(r.params, xTest).gt(0).astype("float32");
      const last = (a: NDArray) => np.slice(a, [null, T - 1]);
      return { losses: r.losses, perStep: accuracy(pred, yTest), whole: accuracy(last(pred), last(yTest)), ms: performance.now() - t0 };
    };
    const l = fit(lstm, lstmParams);
    const f = fit(ff, ffParams);
    console.info(`parity: LSTM loss ${fmt([l.losses[0]!, l.losses[49]!, l.losses.at(-1)!])}, held-out accuracy per step ${l.perStep}, whole sequence ${l.whole} (${l.ms.toFixed(0)} ms); `
      + `feed-forward loss ${fmt([f.losses[0]!, f.losses.at(-1)!])}, per step ${f.perStep}, whole sequence ${f.whole} (${f.ms.toFixed(0)} ms)`);
    expect(l.whole).toBe(1);
    expect(l.perStep).toBe(1);
    expect(l.losses.at(-1)).toBeLessThan(0.02);
    // Without memory: right at t = 1 only, chance after: about 1/8 + 7/8 · 1/2 = 56% per step.
    expect(f.perStep).toBeLessThan(0.62);
    expect(f.whole).toBeLessThan(0.62);
    expect(f.losses.at(-1)).toBeGreaterThan(0.6);
  });

  test("a tiny GPT overfits a short text and recites it", () => {
    const text = "the quick brown fox jumps over the lazy dog; gradus learns it by heart.";
    const chars = [...new Set(text)].sort();
    const ids = [...text].map((c) => chars.indexOf(c));
    const context = 16;
    const windows = Array.from({ length: ids.length - context }, (_, i) => ids.slice(i, i + context + 1));
    const X = np.array(windows.map((w) => w.slice(0, context)), { dtype: "int32" });
    const Y = np.array(windows.map((w) => w.slice(1)), { dtype: "int32" });
    const model = nn.gpt({ vocab: chars.length, context, layers: 2, heads: 2, dim: 32 });
    const t0 = performance.now();
    const loss = (p: nn.GPTParams, x: NDArray, y: NDArray) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y);
    const r = train(loss, model.init(random.key(0)).params, [X, Y], { steps: 120, lr: 0.01 });
    const trainMs = performance.now() - t0;
    // Greedy decoding with a sliding window of the last 16 characters.
    const next = jit((p: nn.GPTParams, x: NDArray) => np.argmax(nn.call(model, p, x), { axis: -1 }));
    const out = ids.slice(0, context);
    while (out.length < ids.length) out.push((next(r.params, np.array([out.slice(-context)], { dtype: "int32" })).toArray() as number[][])[0]![context - 1]!);
    const recited = out.map((i) => chars[i]).join("");
    console.info(`GPT (${nn.countParams(r.params)} params, vocab ${chars.length}, ${windows.length} windows): loss ${fmt([r.losses[0]!, r.losses[30]!, r.losses[60]!, r.losses.at(-1)!])} in ${trainMs.toFixed(0)} ms; recites ${JSON.stringify(recited)}`);
    expect(Math.abs(r.losses[0]! - Math.log(chars.length))).toBeLessThan(0.1);
    // The floor is not 0: early positions of a window see a short, ambiguous context ("e" → " " or "a").
    expect(r.losses.at(-1)).toBeLessThan(0.1);
    expect(recited).toBe(text);
  });
});
