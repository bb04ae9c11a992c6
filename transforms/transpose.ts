/**
 * Transposition of linear jaxprs: the backward pass of reverse mode. Inputs that the
 * jaxpr is linear in are UndefinedPrimals; the others carry values (residuals). A `null`
 * cotangent is a symbolic zero, and equations whose outputs have no cotangent are skipped.
 */
import type { NDArray } from "../src/array.ts";
import { ClosedJaxpr, Jaxpr, Literal, Var, type Atom } from "../src/core/jaxpr.ts";
import { UndefinedPrimal } from "../src/core/primitive.ts";
import { addP } from "../src/lax/elementwise.ts";

/** Adds cotangents, treating null as zero. */
export function addCotangents(a: NDArray | null, b: NDArray | null): NDArray | null {
  if (a === null) return b;
  if (b === null) return a;
  return addP.bind1([a, b], {});
}

/**
 * Propagates output cotangents back to the undefined (linear) inputs of `jaxpr`.
 * Returns one cotangent per input: null for defined inputs and for zero cotangents.
 */
export function backwardPass(jaxpr: Jaxpr, args: readonly (NDArray | UndefinedPrimal)[], cotangents: readonly (NDArray | null)[]): (NDArray | null)[] {
  const primalEnv = new Map<Var, NDArray>();
  const ctEnv = new Map<Var, NDArray | null>();
  const readPrimal = (a: Atom): NDArray | UndefinedPrimal =>
    a instanceof Literal ? a.val : primalEnv.get(a) ?? new UndefinedPrimal(a.aval);
  const writeCotangent = (a: Atom, ct: NDArray | null) => {
    if (a instanceof Var && ct !== null) ctEnv.set(a, addCotangents(ctEnv.get(a) ?? null, ct));
  };
  jaxpr.inBinders.forEach((v, i) => { const x = args[i]!; if (!(x instanceof UndefinedPrimal)) primalEnv.set(v, x); });

  // Equations whose inputs are all defined compute residuals: run them forward first.
  const linearEqns = [];
  for (const eqn of jaxpr.eqns) {
    const ins = eqn.inputs.map(readPrimal);
    if (ins.some((x) => x instanceof UndefinedPrimal)) { linearEqns.push(eqn); continue; }
    const outs = eqn.primitive.bind(ins as NDArray[], eqn.params);
    eqn.outBinders.forEach((v, i) => primalEnv.set(v, outs[i]!));
  }

  jaxpr.outs.forEach((o, i) => writeCotangent(o, cotangents[i] ?? null));
  for (let k = linearEqns.length - 1; k >= 0; k--) {
    const eqn = linearEqns[k]!;
    const cts = eqn.outBinders.map((v) => ctEnv.get(v) ?? null);
    eqn.outBinders.forEach((v) => ctEnv.delete(v));
    if (cts.every((c) => c === null)) continue;
    const rule = eqn.primitive.rules.transpose;
    if (!rule) throw new Error(`no transpose rule for primitive "${eqn.primitive.name}": it was used linearly in reverse mode`);
    const ctsIn = rule(cts, eqn.inputs.map(readPrimal), eqn.params);
    eqn.inputs.forEach((a, i) => { if (readPrimal(a) instanceof UndefinedPrimal) writeCotangent(a, ctsIn[i] ?? null); });
  }
  return jaxpr.inBinders.map((v, i) => (args[i] instanceof UndefinedPrimal ? ctEnv.get(v) ?? null : null));
}

/** Transposes a closed linear jaxpr with respect to its (non-const) inputs. */
export function transposeClosed(closed: ClosedJaxpr, cotangents: readonly (NDArray | null)[]): (NDArray | null)[] {
  const args = [...closed.consts, ...closed.inAvals.map((a) => new UndefinedPrimal(a))];
  return backwardPass(closed.jaxpr, args, cotangents).slice(closed.consts.length);
}
