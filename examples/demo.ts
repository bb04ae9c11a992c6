/**
 * The gradus demo (`npm run demo`): a one-line tour, then a network trained end to end on
 * the handwritten digits embedded in the package: a jitted training step (loss, gradient,
 * Adam with a warmup-cosine schedule), a progress bar, test accuracy and a confusion matrix.
 *
 *   npm run demo                                  # a small conv net on wasm
 *   npm run demo -- --model mlp --epochs 30       # an MLP instead
 *   npm run demo -- --no-augment --lr 3e-3        # no random shifts; another peak learning rate
 *   npm run demo -- --backend cpu                 # or webgpu (Dawn; SwiftShader without a GPU)
 */
import { parseArgs } from "node:util";
import { dispose, getBackend, grad, jit, np, random, setBackend, valueAndGrad, vmap, type BackendName, type NDArray } from "../src/index.ts";
import { batches, loadDigits, randomShift, trainTestSplit } from "../src/data/index.ts";
import * as metrics from "../src/metrics/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "cnn" },
    epochs: { type: "string" },
    "batch-size": { type: "string", default: "32" },
    backend: { type: "string" },
    seed: { type: "string", default: "0" },
    "no-augment": { type: "boolean", default: false },
    lr: { type: "string", default: "1e-2" },
  },
});
if (values.backend) await setBackend(values.backend as BackendName);
const modelName = values.model!;
if (modelName !== "cnn" && modelName !== "mlp") throw new Error(`--model must be cnn or mlp; got ${modelName}`);
const epochs = Number(values.epochs ?? (modelName === "cnn" ? 20 : 30));
const augment = modelName === "cnn" && !values["no-augment"];
const batchSize = Number(values["batch-size"]);
const started = Date.now();

// The tour in one line: derivatives, vectorization and compilation compose.
const d2 = vmap(grad(grad((x: NDArray) => np.sin(x))));
console.log(`gradus on ${getBackend()}: vmap(grad(grad(sin)))([0, π/2]) = [${(await d2(np.array([0, Math.PI / 2])).toArrayAsync() as number[]).map((v) => v.toFixed(3)).join(", ")}]; jit compiles whole training steps.\n`);

// Data: 1797 digits, 8×8 pixels in 0..16, split 80/20 with a key.
const [splitKey, initKey, trainKey] = random.split(random.key(Number(values.seed)), 3) as unknown as NDArray[];
const digits = loadDigits();
const images = (x: NDArray) => (modelName === "cnn" ? x.div(16).reshape([-1, 8, 8, 1]) : x.div(16));
const { train, test } = trainTestSplit({ x: images(digits.x), y: digits.y }, { testSize: 0.2, key: splitKey! });

// The model: a small conv net (two 3×3 convolutions, the second with stride 2) or an MLP 64-128-64-10.
const model = modelName === "cnn"
  ? nn.sequential([
    nn.conv2d(1, 16, 3, { padding: "SAME" }), nn.relu,
    nn.conv2d(16, 32, 3, { padding: "SAME", stride: 2 }), nn.relu,
    nn.flatten(), nn.linear(4 * 4 * 32, 64), nn.relu, nn.linear(64, 10),
  ])
  : nn.mlp([64, 128, 64, 10]);
let { params } = model.init(initKey!);
console.log(`${modelName === "cnn" ? "conv net" : "MLP"} with ${nn.countParams(params)} parameters; ${train.x.shape[0]} training and ${test.x.shape[0]} test digits; ${epochs} epochs, batch ${batchSize}${augment ? ", random 1-pixel shifts" : ""}`);

// Adam with a warmup-cosine learning-rate schedule; the whole step is one compiled call.
const stepsPerEpoch = Math.floor(train.x.shape[0]! / batchSize);
const schedule = optim.schedules.warmupCosineDecay({ initValue: 1e-4, peakValue: Number(values.lr), warmupSteps: Math.min(stepsPerEpoch, Math.floor((epochs * stepsPerEpoch) / 4)), decaySteps: epochs * stepsPerEpoch });
const optimizer = optim.adam(schedule);
let optState = optimizer.init(params);

type Batch = { x: NDArray; y: NDArray };
const loss = (p: typeof params, { x, y }: Batch) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y);
const trainStep = jit((p: typeof params, s: typeof optState, batch: Batch, key: NDArray) => {
  const x = augment ? randomShift(key, batch.x, { maxShift: 1 }) : batch.x;   // augmentation: random 1-pixel shifts
  const [l, g] = valueAndGrad(loss)(p, { x, y: batch.y });
  const [updates, next] = optimizer.update(g, s, p);
  return { p: optim.applyUpdates(p, updates), s: next, l: l as NDArray };
});
const predict = jit((p: typeof params, x: NDArray) => np.argmax(nn.call(model, p, x), { axis: -1 }));

for (let epoch = 1; epoch <= epochs; epoch++) {
  const [shuffle, stepKeys] = random.split(random.foldIn(trainKey!, epoch)) as unknown as NDArray[];
  const bar = optim.progressBar({ total: stepsPerEpoch, label: `epoch ${String(epoch).padStart(2)}/${epochs}`, stream: process.stdout });
  let total = 0, i = 0;
  for (const batch of batches(train, { batchSize, key: shuffle!, dropLast: true })) {
    const out = trainStep(params, optState, batch, random.foldIn(stepKeys!, i));
    dispose([params, optState, batch]);
    ({ p: params, s: optState } = out);
    total += (await out.l.itemAsync()) as number;
    i++;
    bar.update(i, { loss: total / i });
  }
  const last = epoch === epochs || epoch % 4 === 0;
  const info: Record<string, number> = { loss: total / i };
  if (last) info["test accuracy"] = (await metrics.accuracy(test.y, predict(params, test.x)).itemAsync()) as number;
  bar.done(info);
}

// Evaluation: accuracy, macro F1 and the confusion matrix on the held-out digits.
const predicted = predict(params, test.x);
const accuracy = (await metrics.accuracy(test.y, predicted).itemAsync()) as number;
const f1 = (await metrics.f1(test.y, predicted, { average: "macro", numClasses: 10 }).itemAsync()) as number;
const cm = (await metrics.confusionMatrix(test.y, predicted, { numClasses: 10 }).toArrayAsync()) as number[][];
console.log(`\ntest accuracy ${(accuracy * 100).toFixed(2)}%  (macro F1 ${f1.toFixed(4)}; ${Math.round((1 - accuracy) * test.x.shape[0]!)} of ${test.x.shape[0]} wrong)`);
console.log("\nconfusion matrix (rows: true digit, columns: predicted)");
console.log(`      ${cm.map((_, j) => String(j).padStart(4)).join("")}`);
cm.forEach((row, i) => console.log(`  ${i}:  ${row.map((v) => (v === 0 ? "   ." : String(v).padStart(4))).join("")}`));
console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
