/**
 * Sub-jaxprs of the control-flow primitives (cond, scan, while): tracing user functions
 * into them and transforming them (JVP, batching, partial evaluation), the way JAX's
 * `_initial_style_jaxpr`, `ad.jvp_jaxpr`, `batching.batch_jaxpr` and
 * `pe.partial_eval_jaxpr_nounits` do.
 *
 * Ownership: a control-flow jaxpr holds no tensors. Its constants are returned next to it
 * (`Traced.consts`, the original values, never copies) and passed as leading operands of
 * the primitive, like pjit's. Whoever records the equation (jit's staging, linearize)
 * then copies them into the jaxpr it owns, and a jaxpr traced on every eager call leaves
 * nothing behind once the call's scope ends.
 */
import { ConcreteArray, type NDArray } from "../../array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { asArray } from "../../core/constant.ts";
import { Jaxpr, Var, evalJaxpr, type Atom } from "../../core/jaxpr.ts";
import { Tracer, withDynamicTrace, withMainTrace, type MainTrace } from "../../core/trace.ts";
import { cse, dce } from "../../compiler/passes.ts";
import { track } from "../../memory.ts";
import { flatten, unflatten, type TreeDef } from "../../tree/index.ts";
import { JaxprBuilder, StagingTrace, StagingTracer } from "../../../transforms/staging.ts";
import { hasTangentSpace, jvpFlat } from "../../../transforms/jvp.ts";
import { PartialVal, partialEvalFlat } from "../../../transforms/partial_eval.ts";
import { BatchTrace, BatchTracer } from "../../../transforms/vmap.ts";
import { moveBatchAxis, zerosLikeAval } from "../rules.ts";

/** A traced jaxpr and the values of its leading constant binders. */
export interface Traced {
  /** Binders: `consts.length` constants, then the inputs. */
  jaxpr: Jaxpr;
  /** Concrete arrays or tracers of enclosing transformations, in binder order. */
  consts: NDArray[];
}

/** Staging that takes outside values by reference: the caller passes them as operands. */
class ControlStagingTrace extends StagingTrace {
  override pure(x: NDArray): NDArray {
    const b = this.builder;
    const existing = b.constTracers.get(x);
    if (existing) return existing;
    const t = new StagingTracer(this, x.aval);
    const v = b.addVar(t);
    b.constTracers.set(x, t);
    b.constVals.set(v, x);
    return t;
  }
}

/** Drops constant binders no equation or output reads. */
function pruneConsts(jaxpr: Jaxpr, consts: NDArray[]): Traced {
  const used = new Set<Var>();
  for (const e of jaxpr.eqns) for (const a of e.inputs) if (a instanceof Var) used.add(a);
  for (const a of jaxpr.outs) if (a instanceof Var) used.add(a);
  const keep = consts.map((_, i) => used.has(jaxpr.inBinders[i]!));
  if (keep.every((k) => k)) return { jaxpr, consts };
  const binders = jaxpr.inBinders.filter((_, i) => i >= consts.length || keep[i]);
  return { jaxpr: new Jaxpr(binders, jaxpr.eqns, jaxpr.outs), consts: consts.filter((_, i) => keep[i]) };
}

/**
 * Stages `f` on inputs of the given avals into a jaxpr (dead code removed), with every
 * value it closes over (arrays, tracers of enclosing transformations) as a leading constant.
 */
export function traceFlat(f: (...xs: NDArray[]) => NDArray[], avals: readonly ShapedArray[]): Traced {
  return withMainTrace(ControlStagingTrace, new JaxprBuilder(), (main: MainTrace) => withDynamicTrace(main, () => {
    const trace = new ControlStagingTrace(main);
    const ins = avals.map((a) => trace.newArg(a));
    const outs = f(...ins);
    const b = trace.builder;
    const outVars = outs.map((o) => b.varFor((o instanceof Tracer && o.trace.main === main ? o : trace.pure(o)) as Tracer));
    const constVars = [...b.constVals.keys()];
    const jaxpr = new Jaxpr([...constVars, ...ins.map((t) => b.varFor(t))], [...b.eqns], outVars);
    return pruneConsts(dce(cse(jaxpr)), [...b.constVals.values()]);
  }));
}

/** A user function of pytrees traced on flat inputs: the jaxpr, its constants and the output structure. */
export interface TracedFun extends Traced {
  outTree: TreeDef;
}

/**
 * Traces a user function called as `fn(...unflatten(inTree, inputs))`; its result (a pytree
 * of arrays or JS numbers) is flattened. `what` names the function in errors.
 */
export function traceFun(fn: (...args: any[]) => unknown, inTree: TreeDef, avals: readonly ShapedArray[], what: string): TracedFun {
  let outTree: TreeDef | null = null;
  const traced = traceFlat((...xs) => {
    const args = unflatten(inTree, xs) as unknown[];
    const [leaves, tree] = flatten(fn(...args));
    outTree = tree;
    return leaves.map((l, i) => asArray(l as never, `${what} output leaf ${i}`));
  }, avals);
  return { ...traced, outTree: outTree! };
}

/**
 * Gives jaxprs of the same inputs one shared constant list (the union, each value once):
 * every jaxpr takes all the constants and ignores the others'.
 */
export function joinConsts(traced: readonly Traced[]): { jaxprs: Jaxpr[]; consts: NDArray[] } {
  const consts: NDArray[] = [];
  const seen = new Set<NDArray>();
  for (const t of traced) for (const c of t.consts) if (!seen.has(c)) { seen.add(c); consts.push(c); }
  const jaxprs = traced.map((t) => {
    const mine = new Map<NDArray, Var>(t.consts.map((c, i) => [c, t.jaxpr.inBinders[i]!]));
    const binders = consts.map((c) => mine.get(c) ?? new Var(c.aval));
    return new Jaxpr([...binders, ...t.jaxpr.inBinders.slice(t.consts.length)], t.jaxpr.eqns, t.jaxpr.outs);
  });
  return { jaxprs, consts };
}

/** The same program with its binders and outputs listed in another order. */
export function reorder(jaxpr: Jaxpr, binderOrder: readonly number[], outOrder: readonly number[] = jaxpr.outs.map((_, i) => i)): Jaxpr {
  return new Jaxpr(binderOrder.map((i) => jaxpr.inBinders[i]!), jaxpr.eqns, outOrder.map((i) => jaxpr.outs[i]!));
}

/** `jaxpr` with extra binders (of the given avals) that it ignores, appended. */
export function withUnusedInputs(jaxpr: Jaxpr, avals: readonly ShapedArray[]): Jaxpr {
  return new Jaxpr([...jaxpr.inBinders, ...avals.map((a) => new Var(a))], jaxpr.eqns, jaxpr.outs);
}

/** Whether two avals have the same shape and dtype (weak types may differ). */
export function sameType(a: ShapedArray, b: ShapedArray): boolean {
  return a.dtype === b.dtype && a.ndim === b.ndim && a.shape.every((d, i) => d === b.shape[i]);
}

/** The avals of a list, printed: `(f32[3], i32[])`. */
export const fmtAvals = (avals: readonly ShapedArray[]): string => `(${avals.map((a) => a.str()).join(", ")})`;

/** Elementwise or of boolean masks. */
export const orMask = (a: readonly boolean[], b: readonly boolean[]): boolean[] => a.map((x, i) => x || b[i]!);
/** Whether every true of `a` is true in `b`. */
export const subMask = (a: readonly boolean[], b: readonly boolean[]): boolean => a.every((x, i) => !x || b[i]!);

const pick = (mask: boolean | readonly boolean[], i: number): boolean => (typeof mask === "boolean" ? mask : mask[i]!);

/**
 * Forward mode on a jaxpr. The result takes `[primals..., tangents of nonzeroIn inputs...]`
 * and returns `[primal outputs..., tangents of nonzeroOut outputs...]`; `instantiate`
 * forces a (zero) tangent for outputs that would have none (float outputs only when `true`).
 */
export function jvpJaxpr(jaxpr: Jaxpr, nonzeroIn: readonly boolean[], instantiate: boolean | readonly boolean[]): Traced & { nonzeroOut: boolean[] } {
  const n = jaxpr.inBinders.length;
  let nonzeroOut: boolean[] = [];
  const traced = traceFlat((...xs) => {
    let k = n;
    const tangents = nonzeroIn.map((z) => (z ? xs[k++]! : null));
    const [po, to] = jvpFlat((...ys) => evalJaxpr(jaxpr, ys), xs.slice(0, n), tangents);
    const ts = to.map((t, i) => {
      if (t !== null || !pick(instantiate, i)) return t;
      return typeof instantiate === "boolean" && !hasTangentSpace(po[i]!.aval) ? null : zerosLikeAval(po[i]!.aval);
    });
    nonzeroOut = ts.map((t) => t !== null);
    return [...po, ...ts.filter((t): t is NDArray => t !== null)];
  }, [...jaxpr.inAvals, ...jaxpr.inAvals.filter((_, i) => nonzeroIn[i])]);
  return { ...traced, nonzeroOut };
}

/** The aval with a leading batch axis of `size`. */
export const batchedAval = (a: ShapedArray, size: number, axis = 0): ShapedArray => {
  const shape = [...a.shape];
  shape.splice(axis, 0, size);
  return new ShapedArray(shape, a.dtype, a.weakType);
};

/**
 * Vectorizes a jaxpr: inputs marked in `batchedIn` carry a leading batch axis of `size`;
 * outputs are batched at axis 0 where `batchedOut` says (forced where `force` says).
 */
export function batchJaxpr(jaxpr: Jaxpr, size: number, batchedIn: readonly boolean[], force: boolean | readonly boolean[]): Traced & { batchedOut: boolean[] } {
  const batchedOut: boolean[] = [];
  const avals = jaxpr.inAvals.map((a, i) => (batchedIn[i] ? batchedAval(a, size) : a));
  const traced = traceFlat((...xs) => withMainTrace(BatchTrace, size, (main: MainTrace) => {
    const trace = new BatchTrace(main);
    const outs = evalJaxpr(jaxpr, xs.map((x, i) => (batchedIn[i] ? new BatchTracer(trace, x, 0) : x)));
    return outs.map((o, i) => {
      const mine = o instanceof BatchTracer && o.trace.main === main;
      if (mine && o.batchDim !== null) { batchedOut[i] = true; return moveBatchAxis(o.val, o.batchDim, 0, size); }
      const v = mine ? o.val : o;
      batchedOut[i] = pick(force, i);
      return batchedOut[i] ? moveBatchAxis(v, null, 0, size) : v;
    });
  }), avals);
  return { ...traced, batchedOut };
}

/** The two halves of a partially evaluated jaxpr. */
export interface PartialSplit {
  /** `[known inputs...] → [known outputs..., residuals...]`, with its own constants. */
  known: Traced;
  /** `[residuals..., unknown inputs...] → [unknown outputs...]`; no constants. */
  unknown: Jaxpr;
  outUnknown: boolean[];
  numResiduals: number;
}

/**
 * Splits a jaxpr by which inputs are unknown: the known half computes what it can and the
 * residuals the unknown half needs. `instantiate` makes outputs unknown even when they
 * could be known (their value then travels as a residual).
 */
export function partialEvalJaxpr(jaxpr: Jaxpr, unknownIn: readonly boolean[], instantiate: boolean | readonly boolean[]): PartialSplit {
  let unknown: Jaxpr | null = null;
  let outUnknown: boolean[] = [];
  let numResiduals = 0;
  const known = traceFlat((...xs) => {
    let k = 0;
    const pvals = jaxpr.inAvals.map((a, i) => (unknownIn[i] ? PartialVal.unknown(a) : PartialVal.known(xs[k++]!)));
    const r = partialEvalFlat((...ys) => evalJaxpr(jaxpr, ys), pvals, (i) => pick(instantiate, i));
    // tracersToJaxpr copied concrete residuals and exempted the copies from every scope:
    // hand them to the current scope, since they only travel as operands from here.
    for (const c of r.jaxpr.consts) if (c instanceof ConcreteArray) track(c);
    unknown = r.jaxpr.jaxpr;
    numResiduals = r.jaxpr.consts.length;
    outUnknown = r.knownOuts.map((o) => o === null);
    return [...r.knownOuts.filter((o): o is NDArray => o !== null), ...r.jaxpr.consts];
  }, jaxpr.inAvals.filter((_, i) => !unknownIn[i]));
  return { known, unknown: unknown!, outUnknown, numResiduals };
}

/**
 * Which variables of `jaxpr` depend only on the binders in `roots` (and on no other input):
 * loop invariants when the roots are a loop body's constants.
 */
export function invariantVars(jaxpr: Jaxpr, roots: readonly Var[]): Set<Var> {
  const inv = new Set<Var>(roots);
  for (const e of jaxpr.eqns) {
    if (e.inputs.every((a: Atom) => !(a instanceof Var) || inv.has(a))) for (const v of e.outBinders) inv.add(v);
  }
  return inv;
}
