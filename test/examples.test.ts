/**
 * Smoke tests: every example runs with `npx tsx` (here `node --import tsx`) in its quick
 * setting and prints what it promises; the SVG ones write SVG. The demo runs in full and
 * must reach 97% test accuracy on the digits.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), "gradus-examples-"));

async function example(file: string, args: string[] = ["--quick", "--out", out]): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", `examples/${file}`, ...args], {
    cwd: join(import.meta.dirname, ".."), timeout: 240_000, maxBuffer: 16 << 20, env: { ...process.env, FORCE_COLOR: "0" },
  });
  return stdout + stderr;
}
const svg = (name: string) => {
  const text = readFileSync(join(out, name), "utf8");
  expect(text.startsWith("<svg")).toBe(true);
  expect(text).toContain("<polyline");
  return text;
};

describe.concurrent("examples (quick settings)", () => {
  test("xor: the perceptron fails, the MLP solves it", async () => {
    const text = await example("xor.ts");
    expect(text).toMatch(/perceptron: .*accuracy (50|75|25|0)%/);
    expect(text).toMatch(/mlp: .*accuracy 100%/);
  }, 240_000);

  test("activations: two SVG plots", async () => {
    const text = await example("activations.ts");
    expect(text).toMatch(/tanh +f\(1\) = 0\.7616 +f'\(0\) = 1\.0000/);
    expect(svg("activations.svg")).toContain("gelu");
    svg("activation-derivatives.svg");
  }, 240_000);

  test("optimizers: SGD, momentum and Adam loss curves", async () => {
    const text = await example("optimizers.ts");
    expect(text).toMatch(/Adam .*test accuracy \d+\.\d%/);
    expect(svg("optimizers.svg")).toContain("momentum");
  }, 240_000);

  test("regularization: four settings and their test loss", async () => {
    const text = await example("regularization.ts");
    expect(text.match(/%\s+\d+\.\d+%\s+\d\.\d{4}/g)).toHaveLength(4);
    svg("regularization.svg");
  }, 240_000);

  test("batch norm: with and without", async () => {
    const text = await example("batch_norm.ts");
    expect(text).toMatch(/with batch norm .*test accuracy/);
    svg("batch-norm.svg");
  }, 240_000);

  test.skipIf(!existsSync("/usr/share/datasets/fashion-mnist"))("LeNet-5 on Fashion-MNIST", async () => {
    const text = await example("lenet5_fashion.ts");
    expect(text).toMatch(/test accuracy \d+\.\d\d%/);
    expect(text).toContain("Ankle boot");
  }, 240_000);

  test("char LSTM: trains and samples", async () => {
    expect(await example("char_lstm.ts")).toMatch(/sample: Alice /);
  }, 240_000);

  test("tiny GPT: trains and samples", async () => {
    expect(await example("tiny_gpt.ts")).toMatch(/sample: Alice /);
  }, 240_000);

  test("random search with early stopping", async () => {
    const text = await example("search.ts");
    expect(text).toMatch(/trial +2 .*validation \d+\.\d%/);
    expect(text).toMatch(/retrained with early stopping: test accuracy/);
  }, 240_000);
});

describe("the demo (npm run demo)", () => {
  test("a conv net on the digits: ≥ 97% test accuracy, a confusion matrix, under a minute", async () => {
    const started = Date.now();
    const text = await example("demo.ts", []);
    const seconds = (Date.now() - started) / 1000;
    const accuracy = Number(/test accuracy (\d+\.\d+)%/.exec(text)![1]);
    console.log(`demo: test accuracy ${accuracy}% in ${seconds.toFixed(1)} s`);
    expect(accuracy).toBeGreaterThanOrEqual(97);
    expect(text).toContain("confusion matrix");
    expect(text).toMatch(/epoch 20\/20/);
    expect(seconds).toBeLessThan(120);   // a minute on an idle 2-core machine; slack for a busy CI
  }, 240_000);

  test("flags: --model mlp --epochs 1 --backend cpu", async () => {
    const text = await example("demo.ts", ["--model", "mlp", "--epochs", "1", "--backend", "cpu"]);
    expect(text).toMatch(/gradus on cpu/);
    expect(text).toMatch(/MLP with \d+ parameters/);
    expect(text).toMatch(/epoch  1\/1/);
  }, 240_000);
});
