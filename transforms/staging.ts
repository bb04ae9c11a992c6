/**
 * Staging: tracing a function into a jaxpr (JAX's DynamicJaxprTrace). The staging trace
 * is installed as the dynamic trace, so every primitive bound while it is active is
 * recorded, even one whose operands are all constants (omnistaging).
 */
import { tf } from "../src/backend/index.ts";
import { ConcreteArray, NDArray } from "../src/array.ts";
import { ShapedArray } from "../src/core/aval.ts";
import { asArray } from "../src/core/constant.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var, type Atom } from "../src/core/jaxpr.ts";
import type { Primitive } from "../src/core/primitive.ts";
import { Trace, Tracer, withDynamicTrace, withMainTrace, type MainTrace } from "../src/core/trace.ts";
import { keep } from "../src/memory.ts";
import { flatten, unflatten, type TreeDef } from "../src/tree/index.ts";

/** A value inside a function being staged: only its type is known. */
export class StagingTracer extends Tracer {
  constructor(trace: StagingTrace, readonly aval: ShapedArray) { super(trace); }
}

/**
 * A copy of a constant that the jaxpr owns: the user's array may be disposed (by a scope)
 * while the staged program still needs it. tfjs clones share data, so this costs no copy.
 */
export function ownedCopy(x: ConcreteArray): ConcreteArray {
  const copy = ConcreteArray.fromTensor(tf.clone(x.tensor), x.aval);
  copy.hostScalar = x.hostScalar;
  return keep(copy);
}

/** Accumulates the equations, constants and variables of one jaxpr being staged. */
export class JaxprBuilder {
  readonly eqns: JaxprEqn[] = [];
  readonly tracerVars = new Map<Tracer, Var>();
  readonly constVars = new Map<NDArray, Var>();
  readonly constTracers = new Map<NDArray, StagingTracer>();
  readonly constVals = new Map<Var, NDArray>();

  varFor(t: Tracer): Var {
    const v = this.tracerVars.get(t);
    if (v === undefined) throw new Error(`internal: a ${t.aval.str()} tracer from another staging context was used`);
    return v;
  }
  addVar(t: Tracer): Var {
    const v = new Var(t.aval);
    this.tracerVars.set(t, v);
    return v;
  }

  /** Builds the closed jaxpr: constants become leading binders (scalars become literals). */
  build(inTracers: readonly Tracer[], outTracers: readonly Tracer[]): ClosedJaxpr {
    const constEntries = [...this.constVals.entries()];
    const literals = new Map<Var, Literal>();
    const constBinders: Var[] = [];
    const constValues: NDArray[] = [];
    for (const [v, val] of constEntries) {
      if (val.ndim === 0 && val instanceof ConcreteArray) literals.set(v, new Literal(val, val.aval));
      else { constBinders.push(v); constValues.push(val); }
    }
    const inline = (a: Atom): Atom => (a instanceof Var && literals.has(a) ? literals.get(a)! : a);
    const eqns = this.eqns.map((e) => new JaxprEqn(e.primitive, e.inputs.map(inline), e.params, e.outBinders));
    const jaxpr = new Jaxpr(
      [...constBinders, ...inTracers.map((t) => this.varFor(t))],
      eqns,
      outTracers.map((t) => inline(this.varFor(t))),
    );
    return new ClosedJaxpr(jaxpr, constValues);
  }
}

/** The staging interpreter. */
export class StagingTrace extends Trace {
  get builder(): JaxprBuilder { return this.main.globalData as JaxprBuilder; }

  newArg(aval: ShapedArray): StagingTracer {
    const t = new StagingTracer(this, aval);
    this.builder.addVar(t);
    return t;
  }

  /** Values from outside (arrays, or tracers of outer transforms) enter as constants. */
  pure(x: NDArray): NDArray {
    const b = this.builder;
    const existing = b.constTracers.get(x);
    if (existing) return existing;
    const t = new StagingTracer(this, x.aval);
    const v = b.addVar(t);
    const val = x instanceof ConcreteArray ? ownedCopy(x) : x;
    b.constTracers.set(x, t);
    b.constVals.set(v, val);
    return t;
  }
  lift(x: NDArray): NDArray { return this.pure(x); }

  processPrimitive(prim: Primitive<unknown>, tracers: NDArray[], params: unknown): NDArray[] {
    const b = this.builder;
    const avalsOut = prim.rules.abstractEval(tracers.map((t) => t.aval), params);
    const inputs = tracers.map((t) => b.varFor(t as Tracer));
    const outs = avalsOut.map((a) => new StagingTracer(this, a));
    b.eqns.push(new JaxprEqn(prim, inputs, params, outs.map((o) => b.addVar(o))));
    return outs;
  }
}

/** Stages `f` on arguments of the given avals; returns the closed jaxpr and the output tree. */
export function stageFlat(f: (...args: NDArray[]) => unknown, avals: readonly ShapedArray[]): { closed: ClosedJaxpr; outTree: TreeDef } {
  return withMainTrace(StagingTrace, new JaxprBuilder(), (main: MainTrace) => withDynamicTrace(main, () => {
    const trace = new StagingTrace(main);
    const inTracers = avals.map((a) => trace.newArg(a));
    const out = f(...inTracers);
    const [leaves, outTree] = flatten(out);
    const outTracers = leaves.map((l, i) => {
      const x = asArray(l as never, `output leaf ${i}`);
      return (x instanceof Tracer && x.trace.main === main ? x : trace.pure(x)) as Tracer;
    });
    return { closed: (trace.builder).build(inTracers, outTracers), outTree };
  }));
}

/**
 * Traces a function to its jaxpr, for inspection. Arguments may be arrays or pytrees of
 * arrays; only their shapes and dtypes matter.
 *
 * @param f a function of pytrees of arrays.
 * @returns a function of example arguments (only their shapes and dtypes matter) returning the staged jaxpr, whose `toString()` prints like JAX's.
 * @example
 * makeJaxpr((x: NDArray) => np.sin(x).mul(2))(np.ones([3])).toString()
 * // { lambda ; a:f32[3]. let
 * //     b:f32[3] = sin a
 * //     c:f32[3] = mul b 2.0
 * //   in (c,) }
 */
export function makeJaxpr(f: (...args: any[]) => unknown): (...args: unknown[]) => ClosedJaxpr {
  return (...args: unknown[]) => {
    const [leaves, inTree] = flatten(args);
    const avals = leaves.map((l, i) => asArray(l as never, `argument leaf ${i}`).aval);
    return stageFlat((...xs) => f(...(unflatten(inTree, xs) as unknown[])), avals).closed;
  };
}
