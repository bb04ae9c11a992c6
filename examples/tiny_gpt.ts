/**
 * A tiny GPT (decoder-only Transformer: token and position embeddings, causal
 * self-attention blocks, a head to the vocabulary) trained on the characters of a paragraph
 * of "Alice's Adventures in Wonderland", then sampled autoregressively.
 *
 *   npx tsx examples/tiny_gpt.ts [--steps 300] [--layers 2] [--dim 64] [--length 200]
 */
import { jit, lax, np, random, valueAndGrad, type NDArray } from "../src/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";
import { windows } from "./lib/sequences.ts";
import { ALICE, charVocab } from "./lib/text.ts";

const args = await exampleArgs(["steps", "layers", "dim", "heads", "context", "length"]);
const steps = args.number("steps", 300, 5);
const context = args.number("context", 64, 16);
const vocab = charVocab(ALICE);
const ids = np.array(vocab.encode(ALICE), { dtype: "int32" });
const model = nn.gpt({ vocab: vocab.size, context, layers: args.number("layers", 2, 1), heads: args.number("heads", 4, 2), dim: args.number("dim", 64, 16) });
let { params } = model.init(random.key(0));
console.log(`${model.name}: ${nn.countParams(params)} parameters; ${ALICE.length} characters of text`);

const tx = optim.chain(optim.clipByGlobalNorm(1), optim.adamw(optim.schedules.warmupCosineDecay({ initValue: 0, peakValue: 3e-3, warmupSteps: Math.max(1, Math.floor(steps / 10)), decaySteps: steps + 1 }), { weightDecay: 0.01 }));
let state = tx.init(params);
const loss = (p: typeof params, x: NDArray, y: NDArray) => nn.losses.sparseSoftmaxCrossEntropy(nn.call(model, p, x), y);
const train = jit((p: typeof params, s: unknown, key: NDArray) => {
  const { x, y } = windows(ids, key, 16, context);
  const [l, g] = valueAndGrad(loss)(p, x, y);
  const [u, next] = tx.update(g, s, p);
  return { p: optim.applyUpdates(p, u), s: next, l: l as NDArray };
});
const bar = optim.progressBar({ total: steps, label: "training", stream: process.stdout });
let avg = 0;
for (let i = 1; i <= steps; i++) {
  const out = train(params, state, random.foldIn(random.key(1), i));
  ({ p: params, s: state } = out);
  avg = 0.9 * avg + 0.1 * (out.l.item() as number);
  bar.update(i, { loss: avg / (1 - 0.9 ** i) });
}
bar.done({ loss: avg / (1 - 0.9 ** steps) });

// Sampling: a fixed window of `context` tokens (so the jitted function compiles once);
// causal attention means the padding after position t cannot affect the logits at t.
const sample = jit((p: typeof params, window: NDArray, t: NDArray, key: NDArray) => {
  const logits = nn.call(model, p, window.reshape([1, context])).reshape([context, vocab.size]);
  const last = lax.dynamicSlice(logits, [t, 0], [1, vocab.size]).reshape([vocab.size]);
  return random.categorical(key, last.div(0.7)).astype("int32");
});
const tokens = vocab.encode("Alice ");
for (let i = 0; i < args.number("length", 200, 10); i++) {
  const recent = tokens.slice(-context);
  const window = np.array([...recent, ...Array(context - recent.length).fill(0)], { dtype: "int32" });
  tokens.push(sample(params, window, np.array(recent.length - 1, { dtype: "int32" }), random.foldIn(random.key(2), i)).item() as number);
}
console.log(`\nsample: ${vocab.decode(tokens)}`);
