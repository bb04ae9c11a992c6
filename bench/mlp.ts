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
import { compare, ratio, seededData, seededOneHot, type Case, type RatioResult, type Timing, type TimingOptions } from "./timing.ts";

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

/** A gradus training loop as a timing case; runs 3 steps first and records their losses. */
export async function gradusTrainCase<S>(name: string, init: () => S, step: (s: S) => [S, NDArray], losses: Record<string, number[]>): Promise<Case> {
  let s = init();
  losses[name] = [];
  for (let i = 0; i < 3; i++) {
    const [s2, l] = step(s); dispose(s); s = s2;
    losses[name].push(await l.itemAsync() as number); dispose(l);
  }
  return {
    name,
    fn: async () => {
      const [s2, l] = step(s); dispose(s); s = s2;
      await l.data(); dispose(l);
    },
    teardown: () => dispose(s),
  };
}

/** A tfjs `optimizer.minimize` loop as a timing case; runs 3 steps first and records their losses. */
export async function tfjsTrainCase(name: string, step: () => tf.Scalar, teardown: () => void, losses: Record<string, number[]>): Promise<Case> {
  losses[name] = [];
  for (let i = 0; i < 3; i++) { const l = step(); losses[name].push((await l.data())[0]!); l.dispose(); }
  return { name, fn: async () => { const l = step(); await l.data(); l.dispose(); }, teardown };
}

/** A jax-js training loop as a timing case. jax-js is lazy: each step waits for the new state, then reads the loss. */
export async function jaxTrainCase<S>(J: jax.JaxJs, name: string, init: () => S, step: (s: S) => [S, jax.JArray], losses: Record<string, number[]>): Promise<Case> {
  let s = init();
  losses[name] = [];
  for (let i = 0; i < 3; i++) {
    const [s2, l] = step(s); s = s2;
    losses[name].push((await l.data())[0] as number);
  }
  return {
    name,
    fn: async () => {
      const [s2, l] = step(s); s = s2;
      await J.blockUntilReady(s);
      await l.data();
    },
    teardown: () => J.tree.dispose(s),
  };
}

export async function benchMlp(opts: TimingOptions): Promise<BenchResult> {
  const host = hostParams();
  const xHost = seededData(BATCH * D_IN, 5), yHost = seededOneHot(BATCH, D_OUT, 6);
  const notes: string[] = [];
  const losses: Record<string, number[]> = {};
  const cases: Case[] = [];

  // gradus jit and eager
  const x = fromHost(xHost, [BATCH, D_IN]), y = fromHost(yHost, [BATCH, D_OUT]);
  const jstep = jit(sgdStep);
  const p0 = gradusParams(host);
  const kernels = jstep.lower(p0, x, y).kernels();
  dispose(p0);
  const count = (k: string) => kernels.filter((n) => n === k).length;
  notes.push(`gradus jit(step).lower().kernels(): ${kernels.length} steps (${count("dot_general")} dot_general, ${count("transpose")} transpose)`);
  cases.push(await gradusTrainCase("gradus jit", () => gradusParams(host), (p) => jstep(p, x, y), losses));
  cases.push(await gradusTrainCase("gradus eager", () => gradusParams(host), (p) => scope(() => sgdStep(p, x, y)), losses));

  // tfjs optimizer.minimize
  const vars = {
    w1: tf.variable(tf.tensor(host.w1, [...SHAPES.w1])), b1: tf.variable(tf.tensor(host.b1, [...SHAPES.b1])),
    w2: tf.variable(tf.tensor(host.w2, [...SHAPES.w2])), b2: tf.variable(tf.tensor(host.b2, [...SHAPES.b2])),
  };
  const tx = tf.tensor(xHost, [BATCH, D_IN]), ty = tf.tensor(yHost, [BATCH, D_OUT]);
  const opt = tf.train.sgd(LR);
  cases.push(await tfjsTrainCase("tfjs minimize", () => opt.minimize(() => tfjsLoss(vars, tx, ty), true, Object.values(vars))!,
    () => { tf.dispose([...Object.values(vars), tx, ty]); opt.dispose(); }, losses));

  // @jax-js/jax jit
  const J = await jax.load();
  if (J.ok) {
    const jnp = J.jax.numpy;
    const jx = jnp.array(xHost).reshape([BATCH, D_IN]), jy = jnp.array(yHost).reshape([BATCH, D_OUT]);
    const step = jaxStepFactory(J.jax);
    const c = await jaxTrainCase(J.jax, "jax-js jit", () => ({
      w1: jnp.array(host.w1).reshape([D_IN, D_HID]), b1: jnp.array(host.b1),
      w2: jnp.array(host.w2).reshape([D_HID, D_OUT]), b2: jnp.array(host.b2),
    }), (p) => step(p, jx.ref, jy.ref) as [typeof p, jax.JArray], losses);
    cases.push({ ...c, teardown: () => { c.teardown!(); jx.dispose(); jy.dispose(); } });
  } else {
    notes.push(`@jax-js/jax skipped: ${J.reason}`);
  }

  checkLosses(losses, notes);
  const timings = await compare(cases, opts, () => tf.memory().numTensors);
  dispose([x, y]);
  const t = (name: string) => timings.find((x) => x.name === name);
  const tJit = t("gradus jit")!, tEager = t("gradus eager")!, tTf = t("tfjs minimize")!, tJax = t("jax-js jit");
  const ratios = [
    ...(tJax ? [ratio("gradus jit / jax-js jit", tJit, tJax, 1.5)] : []),
    ratio("gradus jit / tfjs minimize", tJit, tTf, 0.3),
    ratio("gradus eager / tfjs minimize", tEager, tTf),
    ratio("gradus jit / gradus eager", tJit, tEager),
  ];
  return { name: "mlp784", timings, ratios, notes, extra: { firstLosses: losses, kernels } };
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

/** What bench/profile.ts needs to take a benchmark apart. */
export interface ProfileTarget {
  name: string;
  /** The jitted gradus function and arguments for it (calls are repeatable; outputs are disposed). */
  jitted: ((...args: any[]) => unknown) & { lower(...args: any[]): { jaxpr: unknown; kernels(): string[] } };
  args: unknown[];
  /** The un-jitted function, for eager comparison. */
  eager: (...args: any[]) => unknown;
  /** One call of the tfjs baseline, outputs disposed. */
  tfjs: () => void;
  teardown: () => void;
}

export function mlpProfileTarget(): ProfileTarget {
  const host = hostParams();
  const xHost = seededData(BATCH * D_IN, 5), yHost = seededOneHot(BATCH, D_OUT, 6);
  const p = gradusParams(host), x = fromHost(xHost, [BATCH, D_IN]), y = fromHost(yHost, [BATCH, D_OUT]);
  const vars = {
    w1: tf.variable(tf.tensor(host.w1, [...SHAPES.w1])), b1: tf.variable(tf.tensor(host.b1, [...SHAPES.b1])),
    w2: tf.variable(tf.tensor(host.w2, [...SHAPES.w2])), b2: tf.variable(tf.tensor(host.b2, [...SHAPES.b2])),
  };
  const tx = tf.tensor(xHost, [BATCH, D_IN]), ty = tf.tensor(yHost, [BATCH, D_OUT]);
  const opt = tf.train.sgd(LR);
  return {
    name: "mlp784",
    jitted: jit(sgdStep),
    args: [p, x, y],
    eager: sgdStep,
    tfjs: () => opt.minimize(() => tfjsLoss(vars, tx, ty), true, Object.values(vars))!.dispose(),
    teardown: () => { dispose([p, x, y]); tf.dispose([...Object.values(vars), tx, ty]); opt.dispose(); },
  };
}
