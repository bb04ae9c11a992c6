/**
 * The interpreter stack, after JAX's Autodidax. Binding a primitive asks the highest-level
 * trace among its arguments (or the dynamic trace that jit installs) what the binding
 * means: evaluate it (EvalTrace, level 0), push tangents, add a batch axis or record it.
 * Tracers are NDArrays, so user code is written once and runs under every interpreter.
 */
import { tf, maxRank, getBackend } from "../backend/index.ts";
import { ConcreteArray, ConcretizationError, NDArray } from "../array.ts";
import type { ShapedArray } from "./aval.ts";
import type { Primitive } from "./primitive.ts";
import { storageDtype } from "./dtype.ts";
import { fmtShape, shapeEqual } from "./shape.ts";
import { setTransformingCheck } from "../memory.ts";

type TraceClass = new (main: MainTrace) => Trace;

/** One interpreter on the stack. `globalData` is what the interpreter needs across calls (jit's builder). */
export class MainTrace {
  active = true;
  constructor(readonly level: number, readonly traceType: TraceClass, readonly globalData: unknown) {}
}

/** What an interpreter does with values and primitives. */
export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Wraps a value from outside any trace (a concrete array). */
  abstract pure(x: NDArray): NDArray;
  /** Wraps a tracer of a lower-level trace. */
  abstract lift(x: NDArray): NDArray;
  abstract processPrimitive(prim: Primitive<unknown>, tracers: NDArray[], params: unknown): NDArray[];
}

/** A value being traced by some interpreter. Reading its value raises ConcretizationError. */
export abstract class Tracer extends NDArray {
  constructor(readonly trace: Trace) { super(); }
  /** The value with this trace's wrapping removed when it carries no information for it. */
  fullLower(): NDArray { return this; }
  concrete(method: string): ConcreteArray {
    throw new ConcretizationError(
      `${method.includes(" ") ? method : `${method}()`} needs a concrete value, but this is a traced ${this.aval.str()} (under ${this.trace.constructor.name}). ` +
      "Inside jit, values are abstract: pass the argument through jit's staticArgnums to use its value in JS, " +
      "or use lax.cond / np.where instead of a JS if on an array.",
    );
  }
  override toString(): string { return `Traced<${this.aval.str()}>with<${this.trace.constructor.name}>`; }
}

/** Evaluation: level 0, runs primitives on tfjs kernels. */
export class EvalTrace extends Trace {
  pure(x: NDArray): NDArray { return x; }
  lift(x: NDArray): NDArray { return x; }
  processPrimitive(prim: Primitive<unknown>, args: NDArray[], params: unknown): NDArray[] {
    return evalPrimitive(prim, args, params);
  }
}

/** Runs one primitive eagerly: checks shapes by abstract evaluation, then runs its kernels in a tidy. */
export function evalPrimitive(prim: Primitive<unknown>, args: readonly NDArray[], params: unknown): NDArray[] {
  const inAvals = args.map((a) => a.aval);
  const outAvals = prim.rules.abstractEval(inAvals, params);
  checkBackendLimits(prim, outAvals);
  const inputs = args.map((a) => {
    if (!(a instanceof ConcreteArray)) throw new Error(`internal: ${prim.name} evaluated on a ${a.constructor.name}`);
    return a.tensor;
  });
  const outs = tf.tidy(() => prim.rules.impl(inputs, params, inAvals).map((t) => (inputs.includes(t) ? tf.clone(t) : t)));
  return outs.map((t, i) => {
    const aval = outAvals[i]!;
    if (!shapeEqual(t.shape, aval.shape) || t.dtype !== storageDtype(aval.dtype)) {
      for (const o of outs) o.dispose();
      throw new Error(`internal: ${prim.name} produced ${t.dtype}${fmtShape(t.shape)} but its abstract evaluation says ${aval.str()}`);
    }
    return ConcreteArray.fromTensor(t, aval);
  });
}

function checkBackendLimits(prim: Primitive<unknown>, avals: readonly ShapedArray[]): void {
  const limit = maxRank();
  for (const a of avals) {
    if (a.ndim > limit) {
      throw new RangeError(`${prim.name}: the ${getBackend()} backend supports arrays of rank at most ${limit}; this result would be ${a.str()} (rank ${a.ndim}). Reshape to merge dimensions first`);
    }
  }
}

const traceStack: MainTrace[] = [new MainTrace(0, EvalTrace, null)];
let dynamicTrace: MainTrace = traceStack[0]!;
setTransformingCheck(() => traceStack.length > 1);

/** Runs `fn` with a new interpreter pushed on the stack; pops it even if `fn` throws. */
export function withMainTrace<T>(traceType: TraceClass, globalData: unknown, fn: (main: MainTrace) => T): T {
  const main = new MainTrace(traceStack.length, traceType, globalData);
  traceStack.push(main);
  try {
    return fn(main);
  } finally {
    main.active = false;
    traceStack.pop();
  }
}

/** Makes `main` the dynamic trace (jit's staging), so even constants are recorded. */
export function withDynamicTrace<T>(main: MainTrace, fn: () => T): T {
  const prev = dynamicTrace;
  dynamicTrace = main;
  try { return fn(); } finally { dynamicTrace = prev; }
}

function findTopTrace(xs: readonly NDArray[]): Trace {
  let top = dynamicTrace;
  for (const x of xs) {
    if (x instanceof Tracer && x.trace.main.level > top.level) top = x.trace.main;
  }
  return new top.traceType(top);
}

function fullRaise(trace: Trace, x: NDArray): NDArray {
  if (!(x instanceof Tracer)) return trace.pure(x);
  const main = x.trace.main;
  if (!main.active) {
    throw new Error(`a ${x.aval.str()} tracer escaped the transformation that created it (it was stored outside the function, e.g. in a closure or global) and was used after it finished`);
  }
  if (main === trace.main) return x;
  if (main.level < trace.main.level) return trace.lift(x);
  throw new Error(`internal: cannot lift a level-${main.level} tracer into level-${trace.main.level} trace`);
}

/** Applies a primitive under the right interpreter. */
export function bind(prim: Primitive<unknown>, args: readonly NDArray[], params: unknown): NDArray[] {
  const trace = findTopTrace(args);
  const tracers = args.map((a) => fullRaise(trace, a));
  const outs = trace.processPrimitive(prim, tracers, params);
  return outs.map((o) => (o instanceof Tracer ? o.fullLower() : o));
}
