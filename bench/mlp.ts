/**
 * Benchmark 1: one SGD step of an MLP 784-256-10 (relu, softmax cross-entropy), batch 128,
 * on wasm. gradus `jit(step)`, gradus eager (`valueAndGrad` without jit), tfjs
 * `optimizer.minimize` (tfjs's own gradients, registered by tfjs-layers) and @jax-js/jax
 * `jit`. Every framework starts from the same weights; the first losses are compared
 * before timing so all four compute the same step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { dispose, jit, np, scope, tree, valueAndGrad, type NDArray } from "../src/index.ts";
import { fromFlat } from "../src/core/constant.ts";
import * as jax from "./jaxjs.ts";
import { assertFlat, ratio, seededData, seededOneHot, time, type RatioResult, type Timing, type TimingOptions } from "./timing.ts";

const [D_IN, D_HID, D_OUT, BATCH, LR] = [784, 256, 10, 128, 0.1];

interface HostParams { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }
const SHAPES = { w1: [D_IN, D_HID], b1: [D_HID], w2: [D_HID, D_OUT], b2: [D_OUT] } as const;

function hostParams(): HostParams {
  return {
    w1: seededData(D_IN * D_HID, 1, 1 / Math.sqrt(D_IN)),
    b1: seededData(D_HID, 2, 0.01),
    w2: seededData(D_HID * D_OUT, 3, 1 / Math.sqrt(D_HID)),
    b2: seededData(D_OUT, 4, 0.01),
  };
}

// ---- gradus ---------------------------------------------------------------------------

type Params = { w1: NDArray; b1: NDArray; w2: NDArray; b2: NDArray };

function loss(p: Params, x: NDArray, y: NDArray): NDArray {
  const h = np.maximum(np.matmul(x, p.w1).add(p.b1), 0);
  const logits = np.matmul(h, p.w2).add(p.b2);
  return np.mean(np.logsumexp(logits, { axis: 1 }).sub(np.sum(logits.mul(y), { axis: 1 })));
}

function sgdStep(p: Params, x: NDArray, y: NDArray): [Params, NDArray] {
  const [l, g] = valueAndGrad(loss)(p, x, y) as [NDArray, Params];
  return [tree.map((w: NDArray, gw: NDArray) => w.sub(gw.mul(LR)), p, g) as Params, l];
}

/** np.array takes nested JS arrays only, so typed buffers go through the internal fromFlat. */
export const fromHost = (data: Float32Array, shape: readonly number[]): NDArray => fromFlat(data, shape, "float32");

function gradusParams(h: HostParams): Params {
  return { w1: fromHost(h.w1, SHAPES.w1), b1: fromHost(h.b1, SHAPES.b1), w2: fromHost(h.w2, SHAPES.w2), b2: fromHost(h.b2, SHAPES.b2) };
}

// ---- tfjs -----------------------------------------------------------------------------

function tfjsLoss(v: Record<keyof HostParams, tf.Variable>, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const h = tf.relu(tf.add(tf.matMul(x, v.w1), v.b1));
  const logits = tf.add(tf.matMul(h, v.w2), v.b2);
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, y), 1)));
}

// ---- @jax-js/jax ----------------------------------------------------------------------

function jaxStepFactory(J: jax.JaxJs) {
  const { numpy: jnp, nn, tree: jtree } = J;
  type JP = Record<keyof HostParams, jax.JArray>;
  // jax-js arrays are reference counted: every use but the last takes `.ref`.
  const jloss = (p: JP, x: jax.JArray, y: jax.JArray): jax.JArray => {
    const h = nn.relu(jnp.dot(x, p.w1).add(p.b1));
    const logits = jnp.dot(h, p.w2).add(p.b2);
    return jnp.mean(nn.logsumexp(logits.ref, -1).sub(logits.mul(y).sum(-1)));
  };
  return J.jit((p: JP, x: jax.JArray, y: jax.JArray) => {
    const [l, g] = J.valueAndGrad(jloss)(jtree.ref(p), x, y) as [jax.JArray, JP];
    return [jtree.map((w: jax.JArray, gw: jax.JArray) => w.sub(gw.mul(LR)), p, g), l];
  });
}

// ---------------------------------------------------------------------------------------

export interface BenchResult {
  name: string;
  timings: Timing[];
  ratios: RatioResult[];
  notes: string[];
  extra?: Record<string, unknown>;
}

export async function benchMlp(opts: TimingOptions, eagerOpts: TimingOptions): Promise<BenchResult> {
  const host = hostParams();
  const xHost = seededData(BATCH * D_IN, 5), yHost = seededOneHot(BATCH, D_OUT, 6);
  const notes: string[] = [];
  const firstLosses: Record<string, number[]> = {};
  const timings: Timing[] = [];

  // gradus jit and eager
  const x = fromHost(xHost, [BATCH, D_IN]), y = fromHost(yHost, [BATCH, D_OUT]);
  const jstep = jit(sgdStep);
  const kernels = jstep.lower(gradusParams(host), x, y).kernels();
  const count = (k: string) => kernels.filter((n) => n === k).length;
  notes.push(`gradus jit(step): ${kernels.length} kernels (${count("dot_general")} dot_general, ${count("transpose")} transpose)`);

  const gradusCase = async (label: string, step: (p: Params) => [Params, NDArray], o: TimingOptions) => {
    let p = gradusParams(host);
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [np2, l] = step(p); dispose(p); p = np2;
      losses.push(await l.itemAsync() as number); dispose(l);
    }
    firstLosses[label] = losses;
    const before = tf.memory().numTensors;
    const t = await time(label, async () => {
      const [np2, l] = step(p); dispose(p); p = np2;
      await l.data(); dispose(l);
    }, o);
    assertFlat(label, before, tf.memory().numTensors);
    dispose(p);
    return t;
  };
  const tJit = await gradusCase("gradus jit", (p) => jstep(p, x, y), opts);
  const tEager = await gradusCase("gradus eager", (p) => scope(() => sgdStep(p, x, y)), eagerOpts);
  timings.push(tJit, tEager);
  dispose([x, y]);

  // tfjs optimizer.minimize
  const vars = {
    w1: tf.variable(tf.tensor(host.w1, [...SHAPES.w1])), b1: tf.variable(tf.tensor(host.b1, [...SHAPES.b1])),
    w2: tf.variable(tf.tensor(host.w2, [...SHAPES.w2])), b2: tf.variable(tf.tensor(host.b2, [...SHAPES.b2])),
  };
  const tx = tf.tensor(xHost, [BATCH, D_IN]), ty = tf.tensor(yHost, [BATCH, D_OUT]);
  const opt = tf.train.sgd(LR);
  const tfStep = () => opt.minimize(() => tfjsLoss(vars, tx, ty), true, Object.values(vars))!;
  firstLosses["tfjs minimize"] = [];
  for (let i = 0; i < 3; i++) { const l = tfStep(); firstLosses["tfjs minimize"].push((await l.data())[0]!); l.dispose(); }
  const before = tf.memory().numTensors;
  const tTf = await time("tfjs minimize", async () => { const l = tfStep(); await l.data(); l.dispose(); }, opts);
  assertFlat("tfjs minimize", before, tf.memory().numTensors);
  timings.push(tTf);
  tf.dispose([...Object.values(vars), tx, ty]);
  opt.dispose();

  // @jax-js/jax jit
  const J = await jax.load();
  let tJax: Timing | null = null;
  if (J.ok) {
    const { numpy: jnp, tree: jtree } = J.jax;
    const jaxParams = () => ({
      w1: jnp.array(host.w1).reshape([D_IN, D_HID]), b1: jnp.array(host.b1),
      w2: jnp.array(host.w2).reshape([D_HID, D_OUT]), b2: jnp.array(host.b2),
    });
    const jx = jnp.array(xHost).reshape([BATCH, D_IN]), jy = jnp.array(yHost).reshape([BATCH, D_OUT]);
    const step = jaxStepFactory(J.jax);
    let p = jaxParams();
    firstLosses["jax-js jit"] = [];
    for (let i = 0; i < 3; i++) {
      const [p2, l] = step(p, jx.ref, jy.ref) as [typeof p, jax.JArray];
      p = p2;
      firstLosses["jax-js jit"].push((await l.data())[0] as number);
    }
    tJax = await time("jax-js jit", async () => {
      const [p2, l] = step(p, jx.ref, jy.ref) as [typeof p, jax.JArray];
      p = p2;
      await J.jax.blockUntilReady(p);
      await l.data();
    }, opts);
    timings.push(tJax);
    jtree.dispose(p); jx.dispose(); jy.dispose();
  } else {
    notes.push(`@jax-js/jax skipped: ${J.reason}`);
  }

  checkLosses(firstLosses, notes);
  const ratios = [
    ...(tJax ? [ratio("gradus jit / jax-js jit", tJit, tJax, 1.5)] : []),
    ratio("gradus jit / tfjs minimize", tJit, tTf, 0.3),
    ratio("gradus eager / tfjs minimize", tEager, tTf),
    ratio("gradus jit / gradus eager", tJit, tEager),
  ];
  return { name: "mlp784", timings, ratios, notes, extra: { firstLosses, kernels } };
}

/** All frameworks must agree on the first three losses (same weights, same data, same step). */
export function checkLosses(losses: Record<string, number[]>, notes: string[], tol = 1e-3): void {
  const [refName, ref] = Object.entries(losses)[0]!;
  for (const [name, ls] of Object.entries(losses)) {
    const worst = Math.max(...ls.map((l, i) => Math.abs(l - ref[i]!) / Math.max(1, Math.abs(ref[i]!))));
    if (!(worst <= tol)) throw new Error(`losses disagree: ${name} ${ls.map((l) => l.toFixed(5))} vs ${refName} ${ref.map((l) => l.toFixed(5))}`);
  }
  notes.push(`first 3 losses agree across frameworks (${ref.map((l) => l.toFixed(4)).join(", ")})`);
}
