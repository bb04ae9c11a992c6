/**
 * Runs a jaxpr as a flat sequence of kernels on tfjs tensors, releasing every
 * intermediate right after its last use (peak memory stays at the live set, as in
 * tfjs-layers' executor). Built once per jit signature; a call only walks the steps.
 */
import { tf } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ConcreteArray } from "../array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { Jaxpr, Literal, Var } from "../core/jaxpr.ts";
import type { Primitive } from "../core/primitive.ts";

/** Where a step reads an input: a slot of the register file or a literal tensor. */
type Source = { slot: number } | { literal: Tensor };

interface Step {
  prim: Primitive<any>;
  params: unknown;
  inputs: Source[];
  inAvals: ShapedArray[];
  outSlots: number[];
  /** Slots whose last reader is this step: released after it runs. */
  release: number[];
}

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
    for (const step of this.steps) {
      const ins = step.inputs.map(read);
      const outs = step.prim.rules.impl(ins, step.params, step.inAvals);
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

  /** One line per kernel, for `jit(f).lower(...)`. */
  describe(): string[] {
    return this.steps.map((s) => s.prim.name);
  }
}

/** Compiles a jaxpr: assigns slots, resolves literals and computes last uses. */
export function compile(jaxpr: Jaxpr): Executable {
  const slots = new Map<Var, number>();
  const slotOf = (v: Var) => { let s = slots.get(v); if (s === undefined) { s = slots.size; slots.set(v, s); } return s; };
  const inSlots = jaxpr.inBinders.map(slotOf);
  const source = (a: Var | Literal): Source => (a instanceof Literal ? { literal: (a.val as ConcreteArray).tensor } : { slot: slotOf(a) });
  const lastUse = new Map<number, number>();
  jaxpr.eqns.forEach((e, i) => e.inputs.forEach((a) => { if (a instanceof Var) lastUse.set(slotOf(a), i); }));
  const outSlotSet = new Set(jaxpr.outs.filter((a): a is Var => a instanceof Var).map(slotOf));
  const steps: Step[] = jaxpr.eqns.map((e, i) => ({
    prim: e.primitive,
    params: e.params,
    inputs: e.inputs.map(source),
    inAvals: e.inputs.map((a) => a.aval),
    outSlots: e.outBinders.map(slotOf),
    release: [],
  }));
  for (const [slot, i] of lastUse) if (!outSlotSet.has(slot)) steps[i]!.release.push(slot);
  // Results nobody reads (multi-output primitives) are released right away.
  steps.forEach((s) => s.outSlots.forEach((slot) => { if (!lastUse.has(slot) && !outSlotSet.has(slot)) s.release.push(slot); }));
  return new Executable(steps, slots.size, inSlots, jaxpr.outs.map(source));
}
