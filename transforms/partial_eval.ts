/**
 * Partial evaluation (Autodidax's JaxprTrace): values are known (computed now) or unknown
 * (recorded into a jaxpr to run later). Linearization runs JVP under this trace with known
 * primals and unknown tangents, so the primal computation happens now and only the linear
 * tangent computation is recorded.
 */
import { NDArray, ConcreteArray } from "../src/array.ts";
import type { ShapedArray } from "../src/core/aval.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Var, type Atom } from "../src/core/jaxpr.ts";
import type { Primitive } from "../src/core/primitive.ts";
import { Trace, Tracer, withMainTrace, type MainTrace } from "../src/core/trace.ts";
import { ownedCopy } from "./staging.ts";

/** A value that is either known now or only known by its type. */
export class PartialVal {
  private constructor(readonly aval: ShapedArray, readonly known: NDArray | null) {}
  static known(x: NDArray): PartialVal { return new PartialVal(x.aval, x); }
  static unknown(aval: ShapedArray): PartialVal { return new PartialVal(aval, null); }
  get isKnown(): boolean { return this.known !== null; }
}

type Recipe =
  | { kind: "lambda" }
  | { kind: "const"; val: NDArray }
  | { kind: "eqn"; eqn: EqnRecipe };

/** A primitive application to be recorded, with its (unknown) input tracers. */
class EqnRecipe {
  constructor(readonly prim: Primitive<any>, readonly inputs: PETracer[], readonly params: unknown, readonly outs: PETracer[]) {}
}

export class PETracer extends Tracer {
  recipe: Recipe | null = null;
  constructor(trace: PETrace, readonly pval: PartialVal) { super(trace); }
  get aval(): ShapedArray { return this.pval.aval; }
  override fullLower(): NDArray { return this.pval.known ?? this; }
  override concrete(method: string): ConcreteArray { return this.pval.known ? this.pval.known.concrete(method) : super.concrete(method); }
}

/** Rules for higher-order primitives that split their own body into known and unknown parts. */
export type PartialEvalRule = (trace: PETrace, tracers: PETracer[], params: any) => NDArray[];
export const partialEvalRules = new Map<string, PartialEvalRule>();

export class PETrace extends Trace {
  newArg(pval: PartialVal): PETracer {
    const t = new PETracer(this, pval);
    t.recipe = { kind: "lambda" };
    return t;
  }
  pure(x: NDArray): NDArray { return new PETracer(this, PartialVal.known(x)); }
  lift(x: NDArray): NDArray { return this.pure(x); }

  /** Makes a known value usable as an input of a recorded equation. */
  instantiateConst(t: PETracer): PETracer {
    if (!t.pval.isKnown) return t;
    const c = new PETracer(this, PartialVal.unknown(t.aval));
    c.recipe = { kind: "const", val: t.pval.known! };
    return c;
  }

  processPrimitive(prim: Primitive<unknown>, tracers: NDArray[], params: unknown): NDArray[] {
    const ts = tracers as PETracer[];
    if (ts.every((t) => t.pval.isKnown)) return prim.bind(ts.map((t) => t.pval.known!), params);
    const rule = partialEvalRules.get(prim.name);
    if (rule) return rule(this, ts, params);
    return this.recordEqn(prim, ts, params);
  }

  /** Records `prim` applied to (instantiated) tracers; its outputs are unknown. */
  recordEqn(prim: Primitive<any>, tracers: PETracer[], params: unknown): PETracer[] {
    const inputs = tracers.map((t) => this.instantiateConst(t));
    const avals = prim.rules.abstractEval(inputs.map((t) => t.aval), params);
    const outs = avals.map((a) => new PETracer(this, PartialVal.unknown(a)));
    const recipe = new EqnRecipe(prim, inputs, params, outs);
    for (const o of outs) o.recipe = { kind: "eqn", eqn: recipe };
    return outs;
  }
}

/**
 * Builds the jaxpr of the unknown part from the recipes reachable from the outputs:
 * lambda tracers become inputs, const tracers become (owned) constants.
 */
export function tracersToJaxpr(tracersIn: readonly PETracer[], tracersOut: readonly PETracer[]): ClosedJaxpr {
  const vars = new Map<PETracer, Var>();
  const constBinders: Var[] = [];
  const consts: NDArray[] = [];
  const eqns: JaxprEqn[] = [];
  const done = new Set<EqnRecipe>();
  for (const t of tracersIn) vars.set(t, new Var(t.aval));

  const visit = (t: PETracer): void => {
    if (vars.has(t)) return;
    const r = t.recipe;
    if (r === null || r.kind === "lambda") throw new Error("internal: a tracer of an unknown input was not among the jaxpr's inputs");
    if (r.kind === "const") {
      const v = new Var(t.aval);
      vars.set(t, v);
      constBinders.push(v);
      consts.push(r.val instanceof ConcreteArray ? ownedCopy(r.val) : r.val);
      return;
    }
    const eqn = r.eqn;
    if (done.has(eqn)) return;
    // Iterative inputs-first walk would avoid deep recursion; equation chains here are shallow enough.
    eqn.inputs.forEach(visit);
    done.add(eqn);
    const outBinders = eqn.outs.map((o) => { const v = new Var(o.aval); vars.set(o, v); return v; });
    eqns.push(new JaxprEqn(eqn.prim, eqn.inputs.map((i) => vars.get(i)!), eqn.params, outBinders));
  };
  tracersOut.forEach(visit);
  const outs: Atom[] = tracersOut.map((t) => vars.get(t)!);
  const jaxpr = new Jaxpr([...constBinders, ...tracersIn.map((t) => vars.get(t)!)], eqns, outs);
  return new ClosedJaxpr(jaxpr, consts);
}

/**
 * Runs `f` with some inputs known and others unknown. Returns the known outputs (null
 * where unknown) and a jaxpr computing the unknown outputs from the unknown inputs.
 */
export function partialEvalFlat(
  f: (...xs: NDArray[]) => NDArray[], pvalsIn: readonly PartialVal[], instantiate: (i: number) => boolean = () => false,
): { knownOuts: (NDArray | null)[]; outAvals: ShapedArray[]; jaxpr: ClosedJaxpr } {
  return withMainTrace(PETrace, null, (main: MainTrace) => {
    const trace = new PETrace(main);
    const tracersIn = pvalsIn.map((p) => trace.newArg(p));
    const outs = f(...tracersIn.map((t) => t.fullLower()));
    const tracersOut = outs.map((o, i) => {
      const t = o instanceof PETracer && o.trace.main === main ? o : (trace.pure(o) as PETracer);
      return instantiate(i) ? trace.instantiateConst(t) : t;
    });
    const knownOuts = tracersOut.map((t) => t.pval.known);
    const unknownIns = tracersIn.filter((t) => !t.pval.isKnown);
    const unknownOuts = tracersOut.filter((t) => !t.pval.isKnown);
    return { knownOuts, outAvals: tracersOut.map((t) => t.aval), jaxpr: tracersToJaxpr(unknownIns, unknownOuts) };
  });
}
