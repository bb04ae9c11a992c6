/**
 * Rematerialization (JAX's `checkpoint` / `remat`): the primitive `checkpoint` holds a
 * function's jaxpr. Evaluated, differentiated forward or batched it behaves like that
 * jaxpr; its partial-evaluation rule is what makes it special. When linearize splits a
 * checkpointed JVP into a known (forward) and an unknown (tangent) part, the forward part
 * saves only the region's inputs (and values the policy calls saveable) as residuals; the
 * unknown part, recorded as another `checkpoint` equation, recomputes everything else it
 * needs from them. Its transpose is again a `checkpoint`, so the backward pass reruns
 * the forward computation instead of keeping its intermediates alive.
 */
import type { NDArray } from "../src/array.ts";
import { ClosedJaxpr, Jaxpr, evalClosedJaxpr, evalJaxpr } from "../src/core/jaxpr.ts";
import { definePrimitive, type Primitive } from "../src/core/primitive.ts";
import { withMainTrace, type MainTrace } from "../src/core/trace.ts";
import { scope } from "../src/memory.ts";
import { unflatten } from "../src/tree/index.ts";
import { batchJaxpr, checkOperands, splitArgs, stageCached, transposeBody } from "./staged_call.ts";
import { memo, pjitP, stageWithConsts, executableFor, jvpJaxpr } from "./jit.ts";
import { PartialVal, PETrace, PETracer, partialEvalRules, tracersToJaxpr } from "./partial_eval.ts";

/**
 * Decides which values computed inside a checkpointed region the forward pass may save
 * for the backward pass: called with each primitive application (computed from known
 * values); true means "save its outputs", false means "recompute them when needed".
 *
 * @example
 * const saveExps: CheckpointPolicy = (prim) => prim.name === "exp";
 * const f = checkpoint((x: NDArray) => np.sin(np.exp(x)), { policy: saveExps });
 * grad((x: NDArray) => f(x).sum())(np.array([0, 1]));   // exp saved, sin recomputed
 */
export type CheckpointPolicy = (prim: Primitive<any>, params: any) => boolean;

/** Save nothing but the region's inputs: recompute everything (the default). */
function nothingSaveable(): boolean { return false; }
/** Save everything: no recomputation (the same residuals as without checkpoint). */
function everythingSaveable(): boolean { return true; }
/** Save the results of matrix multiplications (`dot_general`), recompute the rest. */
function dotsSaveable(prim: Primitive<any>): boolean { return prim.name === "dot_general"; }
/** Save the results of `dot_general` without batch dimensions (plain matmuls), recompute the rest. */
function dotsWithNoBatchDimsSaveable(prim: Primitive<any>, params: any): boolean {
  return prim.name === "dot_general" && (params?.dimensionNumbers?.[1]?.[0]?.length ?? 0) === 0;
}

/**
 * The standard checkpoint policies, as `jax.checkpoint_policies`.
 *
 * @example
 * const layer = checkpoint((w: NDArray, x: NDArray) => np.tanh(np.matmul(x, w)), { policy: checkpointPolicies.dotsSaveable });
 */
export const checkpointPolicies = {
  /** Save nothing: recompute every intermediate in the backward pass (the default). */
  nothingSaveable,
  /** Save everything: as if there were no checkpoint. */
  everythingSaveable,
  /** Save the results of matrix multiplications (dot_general); recompute the rest. */
  dotsSaveable,
  /** Alias of dotsSaveable, as in JAX. */
  checkpointDots: dotsSaveable,
  /** Save dot_general results that have no batch dimensions. */
  dotsWithNoBatchDimsSaveable,
} as const satisfies Record<string, CheckpointPolicy>;

/**
 * Parameters of the `checkpoint` primitive.
 *
 * @example
 * checkpointP.bind([...closed.consts, ...args], { jaxpr: closed.jaxpr, name: "block", policy: checkpointPolicies.nothingSaveable });
 */
export interface CheckpointParams {
  /** The region; its constants are leading inputs, passed as operands. */
  jaxpr: Jaxpr;
  name: string;
  policy: CheckpointPolicy;
}

const policyIds = new WeakMap<CheckpointPolicy, number>();
let nextPolicyId = 0;
function policyId(p: CheckpointPolicy): number {
  let id = policyIds.get(p);
  if (id === undefined) { id = nextPolicyId++; policyIds.set(p, id); }
  return id;
}

const peCache = new WeakMap<Jaxpr, Map<string, RematSplit>>();

function bindCheckpoint(closed: ClosedJaxpr, args: readonly NDArray[], name: string, policy: CheckpointPolicy): NDArray[] {
  return checkpointP.bind([...closed.consts, ...args], { jaxpr: closed.jaxpr, name, policy });
}

/**
 * The primitive behind {@link checkpoint}: evaluates, differentiates forward and batches
 * like its jaxpr; its partial-evaluation rule saves only the inputs (and what the policy
 * allows) and records the recomputation in the backward pass.
 *
 * @example
 * makeJaxpr(grad((x: NDArray) => np.sum(checkpoint(np.sin)(x))))(np.ones([2])).toString()
 * // ... checkpoint[jaxpr={ ... cos a ... } name=transpose(jvp(sin)) policy=nothingSaveable] a 1.0 ...
 */
export const checkpointP: Primitive<CheckpointParams> = definePrimitive<CheckpointParams>("checkpoint", {
  impl: (args, { jaxpr }) => executableFor(jaxpr).run(args),
  abstractEval: (avals, { jaxpr, name }) => checkOperands("checkpoint", name, avals, jaxpr),
  jvp: (primals, tangents, { jaxpr, name, policy }) => {
    const { closed, nonzeroOut } = jvpJaxpr(jaxpr, tangents.map((t) => t !== null));
    const outs = bindCheckpoint(closed, [...primals, ...(tangents.filter((t) => t !== null) as NDArray[])], `jvp(${name})`, policy);
    const numOut = jaxpr.outs.length;
    let k = numOut;
    return [outs.slice(0, numOut), nonzeroOut.map((z) => (z ? outs[k++]! : null))];
  },
  batch: (args, dims, { jaxpr, name, policy }) => {
    const size = args[dims.findIndex((d) => d !== null)]!.shape[dims.find((d) => d !== null)!]!;
    const outs = bindCheckpoint(batchJaxpr(jaxpr, args.map((a) => a.aval), dims, size), args, `vmap(${name})`, policy);
    return [outs, outs.map(() => 0)];
  },
  // The transposed body is again a checkpoint: its forward work is recomputed when it runs.
  transpose: (cts, args, { jaxpr, name, policy }) =>
    transposeBody(jaxpr, cts, args, (closed, xs) => bindCheckpoint(closed, xs, `transpose(${name})`, policy)),
});

// ---------------------------------------------------------------------------------------
// Partial evaluation with recomputation

/** How to recompute a known value: the primitive application that produced it. */
interface Recompute {
  prim: Primitive<any>;
  inputs: PETracer[];
  params: unknown;
  /** The recorded (unknown-side) outputs, once some unknown computation needed them. */
  recorded: PETracer[] | null;
}

/** A value of the remat trace. Known values stay wrapped so that every use is seen by the trace. */
class RematTracer extends PETracer {
  recompute: { eqn: Recompute; index: number } | null = null;
  override fullLower(): NDArray { return this; }
}

interface RematState {
  policy: CheckpointPolicy;
  /** Known values already turned into residual inputs of the unknown jaxpr. */
  residuals: Map<PETracer, PETracer>;
}

/**
 * Partial evaluation that records, for each known value, how it was computed. When an
 * unknown computation needs a known value, it is recomputed on the unknown side from the
 * region's known inputs, unless the policy says to save it (then it is a residual).
 */
class RematTrace extends PETrace {
  get state(): RematState { return this.main.globalData as RematState; }

  knownArg(x: NDArray): RematTracer {
    const t = new RematTracer(this, PartialVal.known(x));
    t.recipe = { kind: "const", val: x };
    return t;
  }

  override processPrimitive(prim: Primitive<unknown>, tracers: NDArray[], params: unknown): NDArray[] {
    // Nested jit regions are inlined so the policy sees (and recomputes) what is inside.
    if (prim === (pjitP as Primitive<unknown>)) return evalJaxpr((params as { jaxpr: Jaxpr }).jaxpr, tracers);
    const ts = tracers as PETracer[];
    if (ts.every((t) => t.pval.isKnown)) {
      const outs = prim.bind(ts.map((t) => t.pval.known!), params);
      const save = this.state.policy(prim, params);
      const eqn: Recompute = { prim, inputs: ts, params, recorded: null };
      return outs.map((o, index) => {
        const t = new RematTracer(this, PartialVal.known(o));
        if (!save) t.recompute = { eqn, index };
        return t;
      });
    }
    const rule = partialEvalRules.get(prim.name);
    if (rule) return rule(this, ts, params);
    return this.recordEqn(prim, ts, params);
  }

  override instantiateConst(t: PETracer): PETracer {
    if (!t.pval.isKnown) return t;
    if (t instanceof RematTracer && t.recompute) {
      const { eqn, index } = t.recompute;
      eqn.recorded ??= this.recordEqn(eqn.prim, eqn.inputs, eqn.params);
      return eqn.recorded[index]!;
    }
    const residuals = this.state.residuals;
    let r = residuals.get(t);
    if (!r) { r = super.instantiateConst(t); residuals.set(t, r); }
    return r;
  }
}

/** A region split for remat: the known part (run in the forward pass) and the unknown part (recomputes). */
interface RematSplit {
  /** Known inputs → known outputs, then residuals. */
  known: ClosedJaxpr;
  /** Residuals, unknown inputs → unknown outputs. */
  unknown: Jaxpr;
  outUnknown: boolean[];
  numKnownOuts: number;
}

function splitRemat(jaxpr: Jaxpr, unknownIn: readonly boolean[], policy: CheckpointPolicy): RematSplit {
  let unknown: ClosedJaxpr | null = null;
  let outUnknown: boolean[] = [];
  let numKnownOuts = 0;
  const known = stageWithConsts((...xs) => {
    const state: RematState = { policy, residuals: new Map() };
    const r = withMainTrace(RematTrace, state, (main: MainTrace) => {
      const trace = new RematTrace(main);
      let k = 0;
      const ins = jaxpr.inAvals.map((a, i) => (unknownIn[i] ? trace.newArg(PartialVal.unknown(a)) : trace.knownArg(xs[k++]!)));
      const outs = evalJaxpr(jaxpr, ins).map((o) => (o instanceof PETracer && o.trace.main === main ? o : (trace.pure(o) as PETracer)));
      return {
        knownOuts: outs.map((t) => t.pval.known),
        jaxpr: tracersToJaxpr(ins.filter((t) => !t.pval.isKnown), outs.filter((t) => !t.pval.isKnown)),
      };
    });
    unknown = r.jaxpr;
    outUnknown = r.knownOuts.map((o) => o === null);
    const knownOuts = r.knownOuts.filter((o): o is NDArray => o !== null);
    numKnownOuts = knownOuts.length;
    return [...knownOuts, ...r.jaxpr.consts];
  }, jaxpr.inAvals.filter((_, i) => !unknownIn[i]));
  return { known, unknown: (unknown as unknown as ClosedJaxpr).jaxpr, outUnknown, numKnownOuts };
}

partialEvalRules.set("checkpoint", (trace, tracers, { jaxpr, name, policy }: CheckpointParams) => {
  const unknownIn = tracers.map((t) => !t.pval.isKnown);
  const split = memo(peCache, jaxpr, `${unknownIn.join()}|${policyId(policy)}`, () => splitRemat(jaxpr, unknownIn, policy));
  // The known part runs inline on the known tracers, so an enclosing remat trace sees it too.
  const results = evalClosedJaxpr(split.known, tracers.filter((t) => t.pval.isKnown));
  const knownOuts = results.slice(0, split.numKnownOuts);
  const residuals = results.slice(split.numKnownOuts).map((r) =>
    trace.instantiateConst(r instanceof PETracer && r.trace.main === trace.main ? r : (trace.pure(r) as PETracer)));
  const unknownOuts = trace.recordEqn(checkpointP, [...residuals, ...tracers.filter((t) => !t.pval.isKnown)], { jaxpr: split.unknown, name, policy });
  let ki = 0, ui = 0;
  return split.outUnknown.map((u) => (u ? unknownOuts[ui++]! : knownOuts[ki++]!));
});

// ---------------------------------------------------------------------------------------

/**
 * Options of checkpoint.
 *
 * @example
 * const block = (depth: number, x: NDArray) => { for (let i = 0; i < depth; i++) x = np.tanh(np.matmul(x, x)); return x; };
 * const remat = checkpoint(block, { policy: checkpointPolicies.dotsSaveable, staticArgnums: [0] });
 * grad((x: NDArray) => remat(2, x).sum())(np.eye(2)).shape   // [2, 2]
 */
export interface CheckpointOptions {
  /** Which intermediates the forward pass may save (default: {@link checkpointPolicies}.nothingSaveable). */
  policy?: CheckpointPolicy;
  /** Positions of arguments that are plain JS values (not arrays): part of the cache key, not traced. */
  staticArgnums?: number[];
}

/**
 * Marks `f` for rematerialization: under reverse-mode differentiation its intermediates
 * are not stored for the backward pass but recomputed there from its inputs, trading
 * compute for memory. Values and derivatives are unchanged. Arguments and results are
 * pytrees; `f` is traced once per argument signature, like jit.
 *
 * @param f the function whose intermediates are recomputed in the backward pass.
 * @param opts `policy` (what may be saved), `staticArgnums`.
 * @returns a function with `f`'s signature and values.
 * @example
 * const block = checkpoint((x: NDArray) => np.sin(np.sin(x)));
 * grad((x: NDArray) => np.sum(block(x)))(np.array([1, 2]));   // same as without checkpoint
 * makeJaxpr(grad((x: NDArray) => np.sum(block(x))))(np.array([1, 2])).toString();
 * // the backward `checkpoint[...]` equation recomputes `sin`
 * @typeParam F the function's type; the checkpointed function has the same type.
 * @throws RangeError / TypeError for a bad `staticArgnums` entry (out of range, or an array argument).
 */
export function checkpoint<F extends (...args: any[]) => any>(f: F, { policy = nothingSaveable, staticArgnums = [] }: CheckpointOptions = {}): F {
  if (typeof policy !== "function") throw new TypeError(`checkpoint: policy must be a function (prim, params) => boolean, e.g. checkpointPolicies.dotsSaveable; got ${typeof policy}`);
  const name = f.name || "fn";
  const what = `checkpoint(${name})`;
  return ((...args: unknown[]) => scope(() => {
    const split = splitArgs(args, staticArgnums, what, "staticArgnums");
    const { staged, xs } = stageCached(f, split.merge, split.dyn, split.key, what);
    return unflatten(staged.outTree, bindCheckpoint(staged.closed, xs, name, policy));
  })) as F;
}

/**
 * Alias of {@link checkpoint}, as `jax.remat`.
 *
 * @example
 * const g = grad((x: NDArray) => np.sum(remat(np.tanh)(x)));
 * g(np.array([0, 1]))   // [1, 0.4199743]
 * @typeParam F the function's type; the checkpointed function has the same type.
 */
export const remat = checkpoint;
