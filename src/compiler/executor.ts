/**
 * Runs a jaxpr as a flat sequence of kernels on tfjs tensors, releasing every
 * intermediate right after its last use (peak memory stays at the live set, as in
 * tfjs-layers' executor). Elementwise clusters run as one generated kernel per output
 * (fusion.ts). Built once per jit signature; a call only walks the steps.
 */
import { tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ConcreteArray } from "../array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { Jaxpr, Literal, Var, type JaxprEqn } from "../core/jaxpr.ts";
import type { Primitive } from "../core/primitive.ts";
import { planFusion } from "./fusion.ts";
import { FusedKernel } from "./fused_kernel.ts";
import { literalsInlinable } from "./codegen.ts";

/** Where a step reads an input: a slot of the register file or a literal tensor. */
type Source = { slot: number } | { literal: Tensor };

interface PrimStep {
  prim: Primitive<any>;
  params: unknown;
  inAvals: ShapedArray[];
}
interface FusedStep {
  fused: FusedKernel;
  /** The cluster's equations as their own executable, for backends where fusion does not pay. */
  unfused: Executable;
}
type Step = (PrimStep | FusedStep) & {
  inputs: Source[];
  outSlots: number[];
  /** Slots whose last reader is this step: released after it runs. */
  release: number[];
};

/** Whether to log every kernel a compiled function runs (env GRADUS_LOG_KERNELS, read per call). */
const kernelLogging = () => typeof process !== "undefined" && !!process.env?.GRADUS_LOG_KERNELS;

/** Counts of kernels run by compiled code (fused launches and primitive steps), for tests and benchmarks. */
export const executorStats = { fusedLaunches: 0, primitiveSteps: 0 };

/** A compiled jaxpr: `run` maps input tensors to output tensors. */
export class Executable {
  constructor(
    readonly steps: Step[],
    readonly numSlots: number,
    readonly inSlots: number[],
    readonly outs: Source[],
  ) {}

  /** Runs the kernels. Inputs are borrowed (never released); outputs are new tensors. */
  run(inputs: readonly Tensor[]): Tensor[] {
    const regs: (Tensor | undefined)[] = new Array(this.numSlots);
    const owned: boolean[] = new Array(this.numSlots).fill(false);
    this.inSlots.forEach((s, i) => { regs[s] = inputs[i]; });
    const read = (src: Source) => ("slot" in src ? regs[src.slot]! : src.literal);
    const logKernels = kernelLogging();
    for (const step of this.steps) {
      const ins = step.inputs.map(read);
      let outs: Tensor[];
      if ("fused" in step) {
        const target = step.fused.target();
        if (target === "unfused") outs = step.unfused.run(ins);
        else { outs = step.fused.run(ins, target); executorStats.fusedLaunches += outs.length; }
        if (logKernels) console.error(`[gradus] ${target === "unfused" ? `unfused ${step.unfused.describe().join(", ")}` : `${target} ${step.fused.describe()}`}`);
      } else {
        outs = step.prim.rules.impl(ins, step.params, step.inAvals);
        executorStats.primitiveSteps++;
        if (logKernels) console.error(`[gradus] ${step.prim.name}`);
      }
      step.outSlots.forEach((s, i) => {
        let t = outs[i]!;
        // An impl may hand back one of its inputs (identity cases); give the slot its own handle.
        if (ins.includes(t)) t = tf.clone(t);
        regs[s] = t;
        owned[s] = true;
      });
      for (const s of step.release) {
        if (owned[s]) { regs[s]!.dispose(); regs[s] = undefined; owned[s] = false; }
      }
    }
    return this.outs.map((src) => {
      const t = read(src);
      // Outputs must be fresh tensors the caller owns.
      if ("slot" in src && owned[src.slot]) { owned[src.slot] = false; return t; }
      return tf.clone(t);
    });
  }

  /** One line per kernel launch site, fused clusters as one line, for `jit(f).lower(...)`. */
  describe(): string[] {
    return this.steps.map((s) => ("fused" in s ? s.fused.describe() : s.prim.name));
  }
}

/** Compile options: `fuse` groups elementwise chains (on by default). */
export interface CompileOptions { fuse?: boolean }

/** Compiles a jaxpr: plans fusion, assigns slots, resolves literals and computes last uses. */
export function compile(jaxpr: Jaxpr, { fuse = true }: CompileOptions = {}): Executable {
  const slots = new Map<Var, number>();
  const slotOf = (v: Var) => { let s = slots.get(v); if (s === undefined) { s = slots.size; slots.set(v, s); } return s; };
  const inSlots = jaxpr.inBinders.map(slotOf);
  const source = (a: Var | Literal): Source => (a instanceof Literal ? { literal: (a.val as ConcreteArray).tensor } : { slot: slotOf(a) });
  // WebGPU binds each input and the result as a storage buffer; the default limit is 8.
  const plan = fuse ? planFusion(jaxpr, { maxInputs: 7 }) : jaxpr.eqns.map((eqn) => ({ eqn }));
  const steps: Step[] = plan.map((p) => {
    if ("eqn" in p) return primStep(p.eqn, source, slotOf);
    const c = p.cluster;
    if (!literalsInlinable(c)) return null;
    const sub = new Jaxpr(c.inputs, c.eqns, c.outputs);
    return { fused: new FusedKernel(c), unfused: compile(sub, { fuse: false }), inputs: c.inputs.map(source), outSlots: c.outputs.map(slotOf), release: [] } as Step;
  }).flatMap((s, i) => {
    if (s) return [s];
    const c = (plan[i] as { cluster: { eqns: JaxprEqn[] } }).cluster;
    return c.eqns.map((e) => primStep(e, source, slotOf));
  });
  const lastUse = new Map<number, number>();
  steps.forEach((s, i) => s.inputs.forEach((src) => { if ("slot" in src) lastUse.set(src.slot, i); }));
  const outSlotSet = new Set(jaxpr.outs.filter((a): a is Var => a instanceof Var).map(slotOf));
  for (const [slot, i] of lastUse) if (!outSlotSet.has(slot)) steps[i]!.release.push(slot);
  // Results nobody reads (multi-output primitives) are released right away.
  steps.forEach((s) => s.outSlots.forEach((slot) => { if (!lastUse.has(slot) && !outSlotSet.has(slot)) s.release.push(slot); }));
  return new Executable(steps, slots.size, inSlots, jaxpr.outs.map(source));
}

function primStep(e: JaxprEqn, source: (a: Var | Literal) => Source, slotOf: (v: Var) => number): Step {
  return {
    prim: e.primitive,
    params: e.params,
    inAvals: e.inputs.map((a) => a.aval),
    inputs: e.inputs.map(source),
    outSlots: e.outBinders.map(slotOf),
    release: [],
  };
}
