/**
 * Takes gradus's jitted calls apart, layer by layer, to show where the time goes
 * (`npm run bench:profile`, or `npx tsx bench/profile.ts --only adam`):
 *
 *   jit wrapper     scope, flatten of the arguments, cache key, unflatten of the results
 *   bind            pjit.bind → EvalTrace → evalPrimitive: abstractEval, tf.tidy, output checks, ConcreteArray wrappers
 *   executor        Executable.run's own loop: register file, clone checks, releases
 *   impl → tfjs     primitives' impls calling tfjs ops (op wrappers, engine.runKernel, tidy, reshapes)
 *   kernels         tfjs kernel functions (wasm kernelFuncs, timed directly)
 *
 * All are timed interleaved (full call, bind on the compiled jaxpr, Executable.run on
 * tensors, and Executable.run with timers around every primitive impl and every
 * registered wasm kernelFunc); layers are differences of medians, so small ones can come
 * out noisy or slightly negative. The timers' own cost is printed. It also lists the heaviest tfjs kernels of
 * gradus's step and of the tfjs baseline, and times pieces of jit's call path alone.
 *
 * With `--cpuprofile FILE` it only summarizes a V8 CPU profile (self time per function),
 * e.g. one recorded by `node --cpu-prof --cpu-prof-dir=bench/results --import tsx bench/profile.ts --loop adam`.
 */
import "@tensorflow/tfjs-layers";
import * as tf from "@tensorflow/tfjs-core";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { dispose, scope, setBackend, tree, type NDArray } from "../src/index.ts";
import { ConcreteArray } from "../src/array.ts";
import type { ClosedJaxpr } from "../src/core/jaxpr.ts";
import { primitives } from "../src/core/primitive.ts";
import { bindClosed, executableFor, pjitP } from "../transforms/jit.ts";
import { adamProfileTarget } from "./adam.ts";
import { mlpProfileTarget, type ProfileTarget } from "./mlp.ts";
import { overheadProfileTarget } from "./overhead.ts";
import { compare, fmtMs, time, type Timing } from "./timing.ts";

const { values } = parseArgs({ options: { only: { type: "string" }, cpuprofile: { type: "string" }, loop: { type: "string" }, seconds: { type: "string", default: "5" } } });

if (values.cpuprofile) {
  summarizeCpuProfile(values.cpuprofile);
  process.exit(0);
}

await setBackend("wasm");
const targets: Record<string, () => ProfileTarget> = { mlp: mlpProfileTarget, adam: adamProfileTarget, overhead: overheadProfileTarget };

if (values.loop) {
  // Just call the jitted function for a while: the workload for `node --cpu-prof`.
  const t = targets[values.loop]!();
  for (let i = 0; i < 20; i++) dispose(t.jitted(...t.args));
  const end = performance.now() + Number(values.seconds) * 1000;
  let n = 0;
  while (performance.now() < end) { dispose(t.jitted(...t.args)); n++; }
  console.log(`${n} calls of jit(${t.name})`);
  t.teardown();
  process.exit(0);
}

const only = values.only ? values.only.split(",") : Object.keys(targets);
for (const name of only) await profile(targets[name]!());

async function profile(t: ProfileTarget): Promise<void> {
  const small = t.name !== "mlp784";
  const lowered = t.jitted.lower(...t.args) as unknown as { jaxpr: ClosedJaxpr; kernels(): string[] };
  const closed = lowered.jaxpr;
  const xs = tree.flatten(t.args)[0] as NDArray[];
  const exe = executableFor(closed.jaxpr);
  const tensors = [...closed.consts, ...xs].map((a) => (a as ConcreteArray).tensor);
  // Executable.run leaves tensors that impls create internally (dot_general's transposes,
  // reshapes) to the enclosing tf.tidy of evalPrimitive, so a direct call needs one too.
  const runExe = () => tf.tidy(() => { for (const o of exe.run(tensors)) o.dispose(); });

  // All layers are timed interleaved, so load on the machine hits them alike. The timers
  // around impls and kernelFuncs are installed throughout but only record inside the
  // "timers on" cases; per call we keep Σ impl and Σ kernel and take medians.
  const timers = installTimers();
  const perCall = { gradus: [] as number[][], tfjs: [] as number[][] };
  const timed = (fn: () => void, into: number[][]) => () => {
    timers.reset(); timers.on = true;
    fn();
    timers.on = false;
    into.push([timers.implMs, timers.kernelMs, timers.disposeMs, timers.kernels]);
  };
  const [tCall, tBind, tExe, tExeOn, tEager, tTfjs] = await compare([
    { name: "jit call", fn: () => dispose(t.jitted(...t.args)) },
    { name: "bind", fn: () => dispose(bindClosed(closed, xs, "p")) },
    { name: "Executable.run", fn: runExe },
    { name: "Executable.run, timers on", fn: timed(runExe, perCall.gradus) },
    { name: "eager", fn: () => dispose(scope(() => t.eager(...t.args))) },
    { name: "tfjs", fn: t.tfjs },
  ], small ? { warmup: 50, iters: 40, inner: 50 } : { warmup: 3, iters: 15 }) as Timing[] as [Timing, Timing, Timing, Timing, Timing, Timing];
  // The tfjs baseline's kernel time, and per-kernel tables for both (means over calls).
  timers.clearTables();
  const reps = small ? 400 : 15;
  for (let i = 0; i < reps; i++) timed(t.tfjs, perCall.tfjs)();
  const tfjsTables = timers.tables(reps);
  timers.clearTables();
  for (let i = 0; i < reps; i++) timed(runExe, [])();
  const gradusTables = timers.tables(reps);
  timers.uninstall();
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // Σ impl contains the kernel timers nested in it: subtract their cost.
  const pair = timerPairCost();
  const implMs = med(perCall.gradus.map((p) => p[0]! - p[3]! * pair)), kernelMs = med(perCall.gradus.map((p) => p[1]!));
  const disposeMs = med(perCall.gradus.map((p) => p[2]!));
  const tfjsKernelMs = med(perCall.tfjs.map((p) => p[1]!));
  const kernelCount = gradusTables.byKernel.reduce((s, [, e]) => s + e.n, 0);
  const tfjsKernelCount = tfjsTables.byKernel.reduce((s, [, e]) => s + e.n, 0);
  const implCount = gradusTables.byImpl.reduce((s, [, e]) => s + e.n, 0);
  const timerCost = (tExeOn.median - tExe.median) / (kernelCount + implCount);
  void pair;

  const kernels = lowered.kernels();
  const byPrim = new Map<string, number>();
  for (const k of kernels) byPrim.set(k, (byPrim.get(k) ?? 0) + 1);

  console.log(`\n=== ${t.name}: jit ${fmtMs(tCall.median)}, eager ${fmtMs(tEager.median)}, tfjs ${fmtMs(tTfjs.median)} per call (ratio jit/tfjs ${(tCall.median / tTfjs.median).toFixed(2)})`);
  console.log(`gradus: ${kernels.length} jaxpr equations → ${kernelCount} tfjs kernels; tfjs baseline: ${tfjsKernelCount} tfjs kernels`);
  console.log(`equations by primitive: ${[...byPrim].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(" ")}`);
  const byName = new Map<string, { n: number; ms: number }>();
  for (const [key, e] of gradusTables.byKernel) {
    const name = key.split(" ")[0]!;
    const acc = byName.get(name) ?? { n: 0, ms: 0 };
    acc.n += e.n; acc.ms += e.ms; byName.set(name, acc);
  }
  console.log(`tfjs kernels of gradus's step by name: ${[...byName].sort((a, b) => b[1].ms - a[1].ms).map(([k, e]) => `${k}×${e.n} ${fmtMs(e.ms)}`).join(", ")}`);
  const layers: [string, number][] = [
    ["jit wrapper (scope, flatten, key, unflatten)", tCall.median - tBind.median],
    ["bind + evalPrimitive (abstractEval, tidy, wrap)", tBind.median - tExe.median],
    ["executor: releasing intermediates (Tensor.dispose)", disposeMs],
    ["executor loop, rest (slots, clone checks, tidy)", tExe.median - implMs - disposeMs],
    ["impl → tfjs ops (op wrappers, engine dispatch)", implMs - kernelMs],
    ["tfjs kernelFuncs (wasm)", kernelMs],
  ];
  console.log(`where a cached jit call's time goes (timers cost ~${fmtMs(timerCost)} each in total, ${fmtMs(pair)} inside a measurement; corrected):`);
  for (const [label, ms] of layers) console.log(`  ${label.padEnd(50)} ${fmtMs(ms).padStart(10)}  ${((100 * ms) / tCall.median).toFixed(0).padStart(3)}%`);
  console.log(`  non-kernel time per jaxpr equation: gradus jit ${fmtMs((tCall.median - kernelMs) / kernels.length)}; per kernel in the tfjs baseline: ${fmtMs((tTfjs.median - tfjsKernelMs) / tfjsKernelCount)}`);
  console.log(`  tfjs baseline: ${fmtMs(tfjsKernelMs)} in kernelFuncs, ${fmtMs(tTfjs.median - tfjsKernelMs)} elsewhere`);
  console.log("Σ impl time by primitive (incl. its tfjs op overhead; means):");
  for (const [k, e] of gradusTables.byImpl.slice(0, 10)) console.log(`  ${k.padEnd(24)} ×${String(e.n).padEnd(4)} ${fmtMs(e.ms).padStart(10)}  (${fmtMs(e.ms / e.n)} each)`);
  const top = (label: string, r: typeof gradusTables) => {
    console.log(`${label} (means):`);
    for (const [key, e] of r.byKernel.slice(0, 8)) console.log(`  ${fmtMs(e.ms).padStart(10)}  ×${e.n}  ${key}`);
  };
  top("gradus jit: heaviest kernels", gradusTables);
  top("tfjs baseline: heaviest kernels", tfjsTables);

  if (small) await callPath(t, closed, xs);
  t.teardown();
}

type Acc = Map<string, { n: number; ms: number }>;

/** Timers around every primitive impl and every registered kernelFunc of the backend, recording only while `on`. */
function installTimers() {
  const kernelLog: unknown[] = [];   // name, inputs, ms triples: keys are built after timing
  const state = {
    on: false, implMs: 0, kernelMs: 0, disposeMs: 0, kernels: 0, depth: 0, implDepth: 0,
    byImpl: new Map() as Acc, byKernel: new Map() as Acc,
    reset() { this.implMs = 0; this.kernelMs = 0; this.disposeMs = 0; this.kernels = 0; },
    clearTables() { this.byImpl.clear(); this.byKernel.clear(); kernelLog.length = 0; },
    uninstall: () => { for (const r of restore) r(); },
    tables(reps: number) {
      for (let i = 0; i < kernelLog.length; i += 3) {
        const inputs = kernelLog[i + 1] as Record<string, tf.TensorInfo>;
        add(this.byKernel, `${kernelLog[i] as string} ${Object.values(inputs).map((x) => `[${x.shape}]`).join("")}`, kernelLog[i + 2] as number);
      }
      kernelLog.length = 0;
      const per = (m: Acc) => [...m].map(([k, e]) => [k, { n: e.n / reps, ms: e.ms / reps }] as [string, { n: number; ms: number }]).sort((a, b) => b[1].ms - a[1].ms);
      return { byImpl: per(this.byImpl), byKernel: per(this.byKernel) };
    },
  };
  const add = (m: Acc, k: string, ms: number) => { const e = m.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += ms; m.set(k, e); };
  const restore: (() => void)[] = [];
  for (const p of primitives().values()) {
    const orig = p.rules.impl;
    p.rules.impl = (args, params, avals) => {
      if (!state.on) return orig(args, params, avals);
      state.implDepth++;
      const t0 = performance.now();
      const out = orig(args, params, avals);
      const ms = performance.now() - t0;
      state.implDepth--;
      state.implMs += ms;
      add(state.byImpl, p.name, ms);
      return out;
    };
    restore.push(() => { p.rules.impl = orig; });
  }
  // Disposals outside impls: the executor releasing registers after their last use.
  const origDispose = tf.Tensor.prototype.dispose;
  tf.Tensor.prototype.dispose = function (this: tf.Tensor) {
    if (!state.on || state.implDepth > 0) return origDispose.call(this);
    const t0 = performance.now();
    origDispose.call(this);
    state.disposeMs += performance.now() - t0;
  };
  restore.push(() => { tf.Tensor.prototype.dispose = origDispose; });
  for (const cfg of tf.getKernelsForBackend(tf.getBackend())) {
    const kernel = tf.getKernel(cfg.kernelName, tf.getBackend())! as { kernelFunc: typeof cfg.kernelFunc };
    const orig = kernel.kernelFunc;
    const name = cfg.kernelName;
    kernel.kernelFunc = (args) => {
      // Only top-level kernels count: some kernels call others.
      if (!state.on || state.depth > 0) return orig(args);
      state.depth++;
      const t0 = performance.now();
      try { return orig(args); } finally {
        const ms = performance.now() - t0;
        state.depth--;
        state.kernelMs += ms;
        state.kernels++;
        kernelLog.push(name, args.inputs, ms);
      }
    };
    restore.push(() => { kernel.kernelFunc = orig; });
  }
  return state;
}

/** The cost of one timer (two performance.now calls and an add), to correct nested timings. */
function timerPairCost(): number {
  let acc = 0;
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { const a = performance.now(); acc += performance.now() - a; }
  return (performance.now() - t0 - 0 * acc) / n;
}

/** Times pieces of jit's call path alone (µs per call). */
async function callPath(t: ProfileTarget, closed: ClosedJaxpr, xs: NDArray[]): Promise<void> {
  const opts = { warmup: 200, iters: 30, inner: 500 };
  const avals = xs.map((x) => x.aval);
  const [, def] = tree.flatten(t.args);
  const fresh = exeOutputs(closed, xs);
  const pieces = [
    await time("scope(() => null)", () => scope(() => null), opts),
    await time("tree.flatten(args)", () => tree.flatten(t.args), opts),
    await time("cache key: String(treedef) + avals", () => `${def}|${xs.map((x) => `${x.aval.str()}${x.weakType ? "w" : ""}`).join(",")}|`, opts),
    await time("pjit abstractEval", () => pjitP.rules.abstractEval(avals, { jaxpr: closed.jaxpr, name: "p" }), opts),
    await time("tf.tidy(() => {})", () => tf.tidy(() => {}), opts),
    await time(`${fresh.length}× ConcreteArray wrap + dispose`, () => { for (const o of fresh) new ConcreteArray(tf.clone(o.t), o.aval).dispose(); }, opts),
    await time(`${fresh.length}× tf.clone + dispose (subtract from above)`, () => { for (const o of fresh) tf.clone(o.t).dispose(); }, opts),
  ];
  for (const o of fresh) o.t.dispose();
  console.log("pieces of the call path alone:");
  for (const p of pieces) console.log(`  ${p.name.padEnd(50)} ${fmtMs(p.median).padStart(10)}`);
}

function exeOutputs(closed: ClosedJaxpr, xs: NDArray[]) {
  const outs = executableFor(closed.jaxpr).run([...closed.consts, ...xs].map((a) => (a as ConcreteArray).tensor));
  return outs.map((o, i) => ({ t: o, aval: closed.jaxpr.outAvals[i]! }));
}

/** Self and inclusive time per function (and self time per file) of a V8 .cpuprofile. */
function summarizeCpuProfile(file: string): void {
  interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
  const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const urlOf = (n: Node) => n.callFrame.url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "nm/").replace(/.*\/work\/main\//, "");
  const keyOf = (n: Node) => `${n.callFrame.functionName || "(anonymous)"}  ${urlOf(n)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>(), incl = new Map<string, number>(), perFile = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    self.set(keyOf(n), (self.get(keyOf(n)) ?? 0) + dt);
    const f = urlOf(n) || n.callFrame.functionName;
    perFile.set(f, (perFile.get(f) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur)!);
      if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + dt); }
    }
  });
  const show = (title: string, m: Map<string, number>, n: number, filter: (k: string) => boolean = () => true) => {
    console.log(title);
    for (const [k, us] of [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
  show("self time by function:", self, 30);
  show("self time by file:", perFile, 15);
  show("inclusive time, gradus functions:", incl, 40, (k) => /(src|transforms)\//.test(k));
}
