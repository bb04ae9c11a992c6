/**
 * An LSTM (Hochreiter & Schmidhuber, 1997) language model over characters: embedding →
 * LSTM (run with lax.scan) → linear, trained to predict the next character of a paragraph
 * of "Alice's Adventures in Wonderland", then sampled one character at a time with the
 * LSTM cell's own step function.
 *
 *   npx tsx examples/char_lstm.ts [--steps 400] [--seq 32] [--hidden 128] [--length 200]
 */
import { jit, np, random, valueAndGrad, type NDArray } from "../src/index.ts";
import * as nn from "../nn/index.ts";
import * as optim from "../optim/index.ts";
import { exampleArgs } from "./lib/cli.ts";
import { windows } from "./lib/sequences.ts";
import { ALICE, charVocab } from "./lib/text.ts";

const args = await exampleArgs(["steps", "hidden", "length", "seq"]);
const steps = args.number("steps", 400, 10);
const hidden = args.number("hidden", 128, 32);
const seq = args.number("seq", 32, 16);
const vocab = charVocab(ALICE);
const ids = np.array(vocab.encode(ALICE), { dtype: "int32" });
console.log(`${ALICE.length} characters, ${vocab.size} distinct; LSTM with ${hidden} units, windows of ${seq}`);

const embed = nn.embedding(vocab.size, 32, { init: nn.normal(0.1) });
const cell = nn.lstmCell(32, hidden);
const lstm = nn.rnn(cell, { returnSequences: true });
const head = nn.linear(hidden, vocab.size);
const [k1, k2, k3] = random.split(random.key(0), 3) as unknown as NDArray[];
let params = { embed: embed.init(k1!).params, lstm: lstm.init(k2!).params, head: head.init(k3!).params };
type Params = typeof params;
const logitsOf = (p: Params, x: NDArray) => nn.call(head, p.head, nn.call(lstm, p.lstm, nn.call(embed, p.embed, x)));

const tx = optim.chain(optim.clipByGlobalNorm(1), optim.adam(optim.schedules.cosineDecay(1e-2, steps, { alpha: 0.1 })));
let state = tx.init(params);
const loss = (p: Params, x: NDArray, y: NDArray) => nn.losses.sparseSoftmaxCrossEntropy(logitsOf(p, x), y);
const train = jit((p: Params, s: unknown, key: NDArray) => {
  const { x, y } = windows(ids, key, 32, seq);
  const [l, g] = valueAndGrad(loss)(p, x, y);
  const [u, next] = tx.update(g, s, p);
  return { p: optim.applyUpdates(p, u), s: next, l: l as NDArray };
});
const bar = optim.progressBar({ total: steps, label: "training", stream: process.stdout });
let recent = 0;
for (let i = 1; i <= steps; i++) {
  const out = train(params, state, random.foldIn(random.key(1), i));
  ({ p: params, s: state } = out);
  recent = 0.9 * recent + 0.1 * (out.l.item() as number);
  bar.update(i, { loss: recent / (1 - 0.9 ** i) });
}
bar.done({ loss: recent / (1 - 0.9 ** steps), "bits/char": recent / (1 - 0.9 ** steps) / Math.LN2 });

// Generation: feed the prompt through the cell, then sample (temperature 0.7) a character at a time.
const stepOnce = jit((p: Params, carry: nn.LSTMCarry, token: NDArray, key: NDArray) => {
  const [next, h] = cell.step(p.lstm, carry, nn.call(embed, p.embed, token));
  const logits = nn.call(head, p.head, h);
  return { carry: next, token: random.categorical(key, logits.div(0.7)).astype("int32") };
});
let carry = cell.initialCarry([1]);
const prompt = "Alice ";
let token = np.array([0], { dtype: "int32" });
const out: number[] = [];
vocab.encode(prompt).forEach((id, i) => {
  const r = stepOnce(params, carry, np.array([id], { dtype: "int32" }), random.foldIn(random.key(2), i));
  carry = r.carry; token = r.token;
});
for (let i = 0; i < args.number("length", 200, 20); i++) {
  out.push((token.toArray() as number[])[0]!);
  const r = stepOnce(params, carry, token, random.foldIn(random.key(3), i));
  carry = r.carry; token = r.token;
}
console.log(`\nsample: ${prompt}${vocab.decode(out)}`);
