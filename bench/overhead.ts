/**
 * Benchmark 3: the cost of calling a cached jitted function. f is 20 scalar elementwise
 * ops (add, mul, tanh, repeating) on a float32 scalar: the kernels are trivial, so the
 * time is dispatch and bookkeeping. gradus `jit(f)` against the same 20 tfjs ops called
 * directly on a `tf.scalar` inside `tf.tidy` (the idiomatic form; the variant that
 * disposes each intermediate by hand is reported too), plus gradus eager and @jax-js/jax
 * `jit` for reference. Calls are timed in blocks of `inner`; the last call of a block
 * awaits a readback.
 */
import * as tf from "@tensorflow/tfjs-core";
import { dispose, jit, np, scope, type NDArray } from "../src/index.ts";
import * as jax from "./jaxjs.ts";
import type { BenchResult, ProfileTarget } from "./mlp.ts";
import { compare, type Case, ratio, type TimingOptions } from "./timing.ts";

export const NUM_OPS = 20;
const [A, M] = [0.1, 0.9];

/** The op sequence, shared by all implementations. */
export const OPS = Array.from({ length: NUM_OPS }, (_, i) => (["add", "mul", "tanh"] as const)[i % 3]!);

export function chain(x: NDArray): NDArray {
  let y = x;
  for (const op of OPS) y = op === "add" ? y.add(A) : op === "mul" ? y.mul(M) : np.tanh(y);
  return y;
}

function expected(x0: number): number {
  let y = Math.fround(x0);
  for (const op of OPS) y = Math.fround(op === "add" ? y + A : op === "mul" ? y * M : Math.tanh(y));
  return y;
}

export async function benchOverhead(opts: TimingOptions): Promise<BenchResult> {
  const notes: string[] = [];
  const cases: Case[] = [];
  const X0 = 0.5;
  const want = expected(X0);
  const check = (label: string, got: number) => {
    if (Math.abs(got - want) > 1e-5) throw new Error(`${label}: f(${X0}) = ${got}, expected ${want}`);
  };

  // gradus jit and eager
  const x = np.array(X0);
  const f = jit(chain);
  notes.push(`gradus jit(chain).lower().kernels(): ${f.lower(x).kernels().length} steps for ${NUM_OPS} ops`);
  const gradusCase = async (name: string, g: (x: NDArray) => NDArray): Promise<Case> => {
    const y0 = g(x); check(name, await y0.itemAsync() as number); dispose(y0);
    return {
      name,
      fn: async (last) => {
        const y = g(x);
        if (last) await y.data();
        dispose(y);
      },
    };
  };
  cases.push(await gradusCase("gradus jit", f));
  cases.push(await gradusCase("gradus eager", (x) => scope(() => chain(x))));

  // tfjs ops called directly
  const tx = tf.scalar(X0), ta = tf.scalar(A), tm = tf.scalar(M);
  const tfTidy = () => tf.tidy(() => {
    let y: tf.Tensor = tx;
    for (const op of OPS) y = op === "add" ? tf.add(y, ta) : op === "mul" ? tf.mul(y, tm) : tf.tanh(y);
    return y;
  });
  const tfManual = () => {
    let y: tf.Tensor = tx;
    for (const op of OPS) {
      const next = op === "add" ? tf.add(y, ta) : op === "mul" ? tf.mul(y, tm) : tf.tanh(y);
      if (y !== tx) y.dispose();
      y = next;
    }
    return y;
  };
  const tfCase = async (name: string, g: () => tf.Tensor): Promise<Case> => {
    const y0 = g(); check(name, (await y0.data())[0]!); y0.dispose();
    return {
      name,
      fn: async (last) => {
        const y = g();
        if (last) await y.data();
        y.dispose();
      },
    };
  };
  cases.push(await tfCase("tfjs ops (tidy)", tfTidy));
  cases.push(await tfCase("tfjs ops (manual dispose)", tfManual));

  // @jax-js/jax jit (reference: it fuses the chain into one kernel)
  const J = await jax.load();
  if (J.ok) {
    const { numpy: jnp } = J.jax;
    const jf = J.jax.jit((x: jax.JArray) => {
      let y = x;
      for (const op of OPS) y = op === "add" ? y.add(A) : op === "mul" ? y.mul(M) : jnp.tanh(y);
      return y;
    });
    const jx = jnp.array(X0);
    check("jax-js jit", (await jf(jx.ref).data())[0] as number);
    cases.push({
      name: "jax-js jit",
      fn: async (last) => {
        // jax-js is lazy: a result disposed unread might never run, so every call waits for it.
        const y = await jf(jx.ref).blockUntilReady();
        if (last) await y.data();
        else y.dispose();
      },
      teardown: () => jx.dispose(),
    });
  } else {
    notes.push(`@jax-js/jax skipped: ${J.reason}`);
  }

  const timings = await compare(cases, opts, () => tf.memory().numTensors);
  tf.dispose([tx, ta, tm]);
  dispose(x);
  const t = (name: string) => timings.find((x) => x.name === name);
  const tJit = t("gradus jit")!, tJax = t("jax-js jit");
  return {
    name: "overhead20",
    timings,
    ratios: [
      ratio("gradus jit / tfjs ops (tidy)", tJit, t("tfjs ops (tidy)")!, 1.2),
      ratio("gradus jit / tfjs ops (manual dispose)", tJit, t("tfjs ops (manual dispose)")!),
      ratio("gradus eager / tfjs ops (tidy)", t("gradus eager")!, t("tfjs ops (tidy)")!),
      ...(tJax ? [ratio("gradus jit / jax-js jit", tJit, tJax)] : []),
    ],
    notes,
  };
}

export function overheadProfileTarget(): ProfileTarget {
  const x = np.array(0.5);
  const tx = tf.scalar(0.5), ta = tf.scalar(A), tm = tf.scalar(M);
  return {
    name: "overhead20",
    jitted: jit(chain),
    args: [x],
    eager: chain,
    tfjs: () => tf.tidy(() => {
      let y: tf.Tensor = tx;
      for (const op of OPS) y = op === "add" ? tf.add(y, ta) : op === "mul" ? tf.mul(y, tm) : tf.tanh(y);
      return y;
    }).dispose(),
    teardown: () => { dispose(x); tf.dispose([tx, ta, tm]); },
  };
}
