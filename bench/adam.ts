/**
 * Benchmark 2: a small model where per-op overhead dominates: MLP 64-32-10 (relu, softmax
 * cross-entropy), batch 32, one Adam step, on wasm. gradus `jit(step)` with Adam written
 * by hand in np ops inside the jitted step, against tfjs `optimizer.minimize` with
 * `tf.train.adam`; gradus eager and @jax-js/jax `jit` (same hand-written Adam) for
 * reference. The Adam update follows tfjs's formula exactly (running β^t products,
 * ε added to √v̂), so all frameworks produce the same losses.
 */
import * as tf from "@tensorflow/tfjs-core";
import { dispose, jit, np, scope, tree, valueAndGrad, type NDArray } from "../src/index.ts";
import * as jax from "./jaxjs.ts";
import { checkLosses, fromHost, gradusTrainCase, jaxTrainCase, tfjsTrainCase, type BenchResult, type ProfileTarget } from "./mlp.ts";
import { compare, ratio, seededData, seededOneHot, type Case, type TimingOptions } from "./timing.ts";

const [D_IN, D_HID, D_OUT, BATCH] = [64, 32, 10, 32];
const [LR, B1, B2, EPS] = [0.01, 0.9, 0.999, 1e-7];

type Name = "w1" | "b1" | "w2" | "b2";
const SHAPES: Record<Name, number[]> = { w1: [D_IN, D_HID], b1: [D_HID], w2: [D_HID, D_OUT], b2: [D_OUT] };
const hostParams = (): Record<Name, Float32Array> => ({
  w1: seededData(D_IN * D_HID, 11, 1 / Math.sqrt(D_IN)),
  b1: seededData(D_HID, 12, 0.01),
  w2: seededData(D_HID * D_OUT, 13, 1 / Math.sqrt(D_HID)),
  b2: seededData(D_OUT, 14, 0.01),
});

// ---- gradus ---------------------------------------------------------------------------

type Params = Record<Name, NDArray>;
interface State { p: Params; m: Params; v: Params; b1t: NDArray; b2t: NDArray }

function loss(p: Params, x: NDArray, y: NDArray): NDArray {
  const h = np.maximum(np.matmul(x, p.w1).add(p.b1), 0);
  const logits = np.matmul(h, p.w2).add(p.b2);
  return np.mean(np.logsumexp(logits, { axis: 1 }).sub(np.sum(logits.mul(y), { axis: 1 })));
}

function adamStep(s: State, x: NDArray, y: NDArray): [State, NDArray] {
  const [l, g] = valueAndGrad(loss)(s.p, x, y) as [NDArray, Params];
  const b1t = s.b1t.mul(B1), b2t = s.b2t.mul(B2);
  const m = tree.map((m: NDArray, g: NDArray) => m.mul(B1).add(g.mul(1 - B1)), s.m, g) as Params;
  const v = tree.map((v: NDArray, g: NDArray) => v.mul(B2).add(g.square().mul(1 - B2)), s.v, g) as Params;
  const c1 = np.subtract(1, b1t), c2 = np.subtract(1, b2t);
  const p = tree.map((p: NDArray, m: NDArray, v: NDArray) => p.sub(m.div(c1).mul(LR).div(np.sqrt(v.div(c2)).add(EPS))), s.p, m, v) as Params;
  return [{ p, m, v, b1t, b2t }, l];
}

function gradusState(h: Record<Name, Float32Array>): State {
  const p = Object.fromEntries(Object.entries(h).map(([k, d]) => [k, fromHost(d, SHAPES[k as Name])])) as Params;
  const zeros = () => tree.map((x: NDArray) => np.zerosLike(x), p) as Params;
  return { p, m: zeros(), v: zeros(), b1t: np.array(1), b2t: np.array(1) };
}

// ---------------------------------------------------------------------------------------

export async function benchAdam(opts: TimingOptions): Promise<BenchResult> {
  const host = hostParams();
  const xHost = seededData(BATCH * D_IN, 15), yHost = seededOneHot(BATCH, D_OUT, 16);
  const notes: string[] = [];
  const losses: Record<string, number[]> = {};
  const cases: Case[] = [];

  const x = fromHost(xHost, [BATCH, D_IN]), y = fromHost(yHost, [BATCH, D_OUT]);
  const jstep = jit(adamStep);
  const s0 = gradusState(host);
  notes.push(`gradus jit(adamStep).lower().kernels(): ${jstep.lower(s0, x, y).kernels().length} steps`);
  dispose(s0);
  cases.push(await gradusTrainCase("gradus jit", () => gradusState(host), (s) => jstep(s, x, y), losses));
  cases.push(await gradusTrainCase("gradus eager", () => gradusState(host), (s) => scope(() => adamStep(s, x, y)), losses));

  // tfjs: optimizer.minimize with tf.train.adam
  const vars = Object.fromEntries(Object.entries(host).map(([k, d]) => [k, tf.variable(tf.tensor(d, SHAPES[k as Name]))])) as Record<Name, tf.Variable>;
  const tx = tf.tensor(xHost, [BATCH, D_IN]), ty = tf.tensor(yHost, [BATCH, D_OUT]);
  const opt = tf.train.adam(LR, B1, B2, EPS);
  const tfLoss = () => {
    const h = tf.relu(tf.add(tf.matMul(tx, vars.w1), vars.b1));
    const logits = tf.add(tf.matMul(h, vars.w2), vars.b2);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, ty), 1))) as tf.Scalar;
  };
  cases.push(await tfjsTrainCase("tfjs minimize", () => opt.minimize(tfLoss, true, Object.values(vars))!,
    () => { tf.dispose([...Object.values(vars), tx, ty]); opt.dispose(); }, losses));

  // @jax-js/jax jit with the same hand-written Adam (reference only: no target)
  const J = await jax.load();
  if (J.ok) {
    const { numpy: jnp, nn, tree: jtree } = J.jax;
    type JP = Record<Name, jax.JArray>;
    type JS = { p: JP; m: JP; v: JP; b1t: jax.JArray; b2t: jax.JArray };
    // jax-js arrays are reference counted: every use but the last takes `.ref`.
    const jloss = (p: JP, x: jax.JArray, y: jax.JArray): jax.JArray => {
      const h = nn.relu(jnp.dot(x, p.w1).add(p.b1));
      const logits = jnp.dot(h, p.w2).add(p.b2);
      return jnp.mean(nn.logsumexp(logits.ref, -1).sub(logits.mul(y).sum(-1)));
    };
    const step = J.jax.jit((s: JS, x: jax.JArray, y: jax.JArray) => {
      const [l, g] = J.jax.valueAndGrad(jloss)(jtree.ref(s.p), x, y) as [jax.JArray, JP];
      const b1t = s.b1t.mul(B1), b2t = s.b2t.mul(B2);
      const m = jtree.map((m: jax.JArray, g: jax.JArray) => m.mul(B1).add(g.mul(1 - B1)), s.m, jtree.ref(g)) as JP;
      const v = jtree.map((v: jax.JArray, g: jax.JArray) => v.mul(B2).add(g.ref.mul(g).mul(1 - B2)), s.v, g) as JP;
      const c1 = jnp.subtract(1, b1t.ref), c2 = jnp.subtract(1, b2t.ref);
      const p = jtree.map((p: jax.JArray, m: jax.JArray, v: jax.JArray) => p.sub(m.div(c1.ref).mul(LR).div(jnp.sqrt(v.div(c2.ref)).add(EPS))), s.p, jtree.ref(m), jtree.ref(v)) as JP;
      c1.dispose(); c2.dispose();
      return [{ p, m, v, b1t, b2t }, l];
    });
    const jz = () => Object.fromEntries(Object.entries(SHAPES).map(([k, sh]) => [k, jnp.zeros(sh)])) as JP;
    const jx = jnp.array(xHost).reshape([BATCH, D_IN]), jy = jnp.array(yHost).reshape([BATCH, D_OUT]);
    const c = await jaxTrainCase(J.jax, "jax-js jit", (): JS => ({
      p: Object.fromEntries(Object.entries(host).map(([k, d]) => [k, jnp.array(d).reshape(SHAPES[k as Name])])) as JP,
      m: jz(), v: jz(), b1t: jnp.array(1), b2t: jnp.array(1),
    }), (s) => step(s, jx.ref, jy.ref) as [JS, jax.JArray], losses);
    cases.push({ ...c, teardown: () => { c.teardown!(); jx.dispose(); jy.dispose(); } });
  } else {
    notes.push(`@jax-js/jax skipped: ${J.reason}`);
  }

  checkLosses(losses, notes);
  const timings = await compare(cases, opts, () => tf.memory().numTensors);
  dispose([x, y]);
  const t = (name: string) => timings.find((x) => x.name === name);
  const tJit = t("gradus jit")!, tEager = t("gradus eager")!, tTf = t("tfjs minimize")!, tJax = t("jax-js jit");
  return {
    name: "adam64",
    timings,
    ratios: [
      ratio("gradus jit / tfjs minimize", tJit, tTf, 0.5),
      ratio("gradus eager / tfjs minimize", tEager, tTf),
      ...(tJax ? [ratio("gradus jit / jax-js jit", tJit, tJax)] : []),
    ],
    notes,
    extra: { firstLosses: losses },
  };
}

export function adamProfileTarget(): ProfileTarget {
  const host = hostParams();
  const xHost = seededData(BATCH * D_IN, 15), yHost = seededOneHot(BATCH, D_OUT, 16);
  const s = gradusState(host), x = fromHost(xHost, [BATCH, D_IN]), y = fromHost(yHost, [BATCH, D_OUT]);
  const vars = Object.fromEntries(Object.entries(host).map(([k, d]) => [k, tf.variable(tf.tensor(d, SHAPES[k as Name]))])) as Record<Name, tf.Variable>;
  const tx = tf.tensor(xHost, [BATCH, D_IN]), ty = tf.tensor(yHost, [BATCH, D_OUT]);
  const opt = tf.train.adam(LR, B1, B2, EPS);
  const tfLoss = () => {
    const h = tf.relu(tf.add(tf.matMul(tx, vars.w1), vars.b1));
    const logits = tf.add(tf.matMul(h, vars.w2), vars.b2);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, ty), 1))) as tf.Scalar;
  };
  return {
    name: "adam64",
    jitted: jit(adamStep),
    args: [s, x, y],
    eager: adamStep,
    tfjs: () => opt.minimize(tfLoss, true, Object.values(vars))!.dispose(),
    teardown: () => { dispose([s, x, y]); tf.dispose([...Object.values(vars), tx, ty]); opt.dispose(); },
  };
}
