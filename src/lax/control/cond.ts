/**
 * `cond`: choose one of several branch jaxprs by an int32 index, as `jax.lax.cond` /
 * `jax.lax.switch`. One primitive, operands `[index, ...args]`, params `{ branches }`; every
 * branch takes all of `args` (the union of the branches' constants first, then the user's
 * operands) and returns outputs of the same types.
 *
 * Evaluation reads the index on the host and runs only the chosen branch (cpu, wasm). On
 * webgpu in Node values cannot be read synchronously, so every branch runs and the outputs
 * are selected elementwise: the result is the same, but all branches cost time, and a
 * branch that would fail (e.g. a whileLoop on GPU data) fails even when not taken.
 */
import type { Tensor } from "@tensorflow/tfjs-core";
import { tf, syncReadsUnavailable } from "../../backend/index.ts";
import { NDArray, type ArrayLike } from "../../array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { asArray, scalar } from "../../core/constant.ts";
import { Jaxpr, Var, evalJaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, UndefinedPrimal, type Primitive } from "../../core/primitive.ts";
import { scope } from "../../memory.ts";
import { flatten, unflatten } from "../../tree/index.ts";
import { executableFor } from "../../../transforms/jit.ts";
import { partialEvalRules, type PETracer } from "../../../transforms/partial_eval.ts";
import { backwardPass } from "../../../transforms/transpose.ts";
import { vmapFlat } from "../../../transforms/vmap.ts";
import { convertElementTypeP, eqP, maxP, minP, neP, selectP } from "../elementwise.ts";
import { broadcastInDimP } from "../structural.ts";
import { batchSize, instantiate, isUndefined, moveBatchAxis, zerosLikeAval } from "../rules.ts";
import {
  batchJaxpr, fmtAvals, joinConsts, jvpJaxpr, orMask, partialEvalJaxpr, sameType, traceFlat, traceFun, type TracedFun,
} from "./jaxprs.ts";

/**
 * Parameters of the `cond` primitive.
 * @example
 * condP.bind([index, ...args], { branches: [falseJaxpr, trueJaxpr] } satisfies CondParams)
 */
export interface CondParams {
  /** One jaxpr per branch, all of the same input and output types. */
  branches: Jaxpr[];
}

const INDEX_AVAL = new ShapedArray([], "int32");
const BOOL_AVAL = new ShapedArray([], "bool");

/** The output types of the branches; weak only where every branch's is. */
function joinedOutAvals(branches: readonly Jaxpr[]): ShapedArray[] {
  return branches[0]!.outAvals.map((a, i) => a.withWeak(branches.every((b) => b.outAvals[i]!.weakType)));
}

/** Runs every branch and picks each output elementwise by the (unread) index. */
function selectAllBranches(index: Tensor, args: Tensor[], branches: readonly Jaxpr[], outAvals: readonly ShapedArray[]): Tensor[] {
  const created: Tensor[] = [];
  const made = (t: Tensor) => { created.push(t); return t; };
  const outs = branches.map((b) => executableFor(b).run(args).map(made));
  let acc = outs[outs.length - 1]!;
  for (let k = branches.length - 2; k >= 0; k--) {
    const pred = made(eqP.rules.impl([index, made(tf.scalar(k, "int32"))], {}, [INDEX_AVAL, INDEX_AVAL])[0]!);
    acc = acc.map((a, j) => {
      const aval = outAvals[j]!;
      const p = made(broadcastInDimP.rules.impl([pred], { shape: aval.shape, broadcastDimensions: [] }, [BOOL_AVAL])[0]!);
      return made(selectP.rules.impl([p, outs[k]![j]!, a], {}, [aval.withDtype("bool"), aval, aval])[0]!);
    });
  }
  for (const t of created) if (!acc.includes(t)) t.dispose();
  return acc;
}

/**
 * The `cond` primitive: operands `[index, ...args]`, runs `branches[index]` on `args`.
 * User code calls `lax.cond` / `lax.switch`.
 * @example
 * makeJaxpr((x: NDArray) => lax.cond(x.gt(0), (y) => y, (y) => y.neg(), x))(np.array(1))   // ... cond[branches=(...)] ...
 */
export const condP: Primitive<CondParams> = definePrimitive<CondParams>("cond", {
  impl: ([index, ...args], { branches }) => {
    if (syncReadsUnavailable()) return selectAllBranches(index!, args, branches, joinedOutAvals(branches));
    const i = Math.min(Math.max(index!.dataSync()[0]!, 0), branches.length - 1);
    return executableFor(branches[i]!).run(args);
  },
  abstractEval: ([index, ...args], { branches }) => {
    if (index!.dtype !== "int32" || index!.ndim !== 0) throw new TypeError(`cond: the branch index must be an int32 scalar; got ${index!.str()}`);
    branches.forEach((b, k) => {
      const expected = b.inAvals;
      if (expected.length !== args.length || !expected.every((a, i) => sameType(a, args[i]!))) {
        throw new TypeError(`cond: branch ${k} takes ${fmtAvals(expected)} but was given ${fmtAvals(args)}`);
      }
      const outs = b.outAvals, first = branches[0]!.outAvals;
      if (outs.length !== first.length || !outs.every((a, i) => sameType(a, first[i]!))) {
        throw new TypeError(`cond: branch ${k} returns ${fmtAvals(outs)} but branch 0 returns ${fmtAvals(first)}`);
      }
    });
    return joinedOutAvals(branches);
  },
});

Object.assign(condP.rules, {
  // Each branch's JVP, with a (zero) tangent for every output that has one in any branch.
  jvp: ([index, ...args], [, ...tangents], { branches }) => {
    const nonzeroIn = tangents.map((t) => t !== null);
    const union = branches.map((b) => jvpJaxpr(b, nonzeroIn, false).nonzeroOut).reduce(orMask);
    const { jaxprs, consts } = joinConsts(branches.map((b) => jvpJaxpr(b, nonzeroIn, union)));
    const outs = condP.bind([index!, ...consts, ...args, ...tangents.filter((t): t is NDArray => t !== null)], { branches: jaxprs });
    const n = branches[0]!.outs.length;
    let k = n;
    return [outs.slice(0, n), union.map((u) => (u ? outs[k++]! : null))];
  },
  // Transposes each branch: residuals and output cotangents in, cotangents of the linear inputs out.
  transpose: (cts, [index, ...args], { branches }) => {
    if (isUndefined(index)) throw new Error("cond: the branch index is not a linear input and cannot be transposed");
    const linear = args.map((a) => isUndefined(a));
    const defined = args.filter((a): a is NDArray => !isUndefined(a));
    const linearAvals = args.filter(isUndefined).map((a) => (a as UndefinedPrimal).aval);
    const outAvals = joinedOutAvals(branches);
    const transposed = branches.map((b) => traceFlat((...xs) => {
      let k = 0;
      const full = b.inAvals.map((a, i) => (linear[i] ? new UndefinedPrimal(a) : xs[k++]!));
      const ctIn = backwardPass(b, full, xs.slice(defined.length));
      return ctIn.filter((_, i) => linear[i]).map((c, j) => c ?? zerosLikeAval(linearAvals[j]!));
    }, [...defined.map((d) => d.aval), ...outAvals]));
    const { jaxprs, consts } = joinConsts(transposed);
    const ctsFull = cts.map((c, i) => instantiate(c, outAvals[i]!));
    const outs = condP.bind([index as NDArray, ...consts, ...defined, ...ctsFull], { branches: jaxprs });
    let k = 0;
    return [null, ...linear.map((l) => (l ? outs[k++]! : null))];
  },
  batch: (vals, dims, { branches }) => {
    const [index, ...args] = vals;
    const [indexDim, ...argDims] = dims;
    const size = batchSize(vals, dims);
    if (indexDim !== null) {
      // A batched index: run every branch on the whole batch and select per example (JAX's cond-to-select).
      const idx = moveBatchAxis(index!, indexDim!, 0, size);
      const outs = branches.map((b) => vmapFlat((...ys) => evalJaxpr(b, ys), args, argDims, size, () => 0));
      const selected = outs[outs.length - 1]!.map((last, j) => {
        let acc = last;
        for (let k = branches.length - 2; k >= 0; k--) {
          const hit = eqP.bind1([idx, scalar(k, "int32")], {});
          const pred = broadcastInDimP.bind1([hit], { shape: acc.shape, broadcastDimensions: [0] });
          acc = selectP.bind1([pred, outs[k]![j]!, acc], {});
        }
        return acc;
      });
      return [selected, selected.map(() => 0)];
    }
    const batchedIn = argDims.map((d) => d !== null);
    const moved = args.map((a, i) => (argDims[i] === null ? a : moveBatchAxis(a, argDims[i]!, 0, size)));
    const union = branches.map((b) => batchJaxpr(b, size, batchedIn, false).batchedOut).reduce(orMask);
    const { jaxprs, consts } = joinConsts(branches.map((b) => batchJaxpr(b, size, batchedIn, union)));
    const outs = condP.bind([index!, ...consts, ...moved], { branches: jaxprs });
    return [outs, union.map((u) => (u ? 0 : null))];
  },
} satisfies Partial<typeof condP.rules>);

/**
 * Partial evaluation with a known index: each branch splits into a known part (run now, by
 * a cond over the known operands, which also returns the residuals of every branch, zeros
 * for the branches not taken) and an unknown part (a cond recorded on the residuals and the
 * unknown operands). An output unknown in any branch is unknown in all.
 */
partialEvalRules.set("cond", (trace, tracers, { branches }: CondParams) => {
  const [indexT, ...argT] = tracers;
  if (!indexT!.pval.isKnown) return trace.recordEqn(condP, tracers, { branches });
  const unknownIn = argT.map((t) => !t.pval.isKnown);
  const outUnknown = branches.map((b) => partialEvalJaxpr(b, unknownIn, false).outUnknown).reduce(orMask);
  const splits = branches.map((b) => partialEvalJaxpr(b, unknownIn, outUnknown));
  const resAvals = splits.map((s) => s.unknown.inAvals.slice(0, s.numResiduals));
  const knownVals = argT.filter((t) => t.pval.isKnown).map((t) => t.pval.known!);
  const knownBranches = splits.map((s, b) => traceFlat((...xs) => {
    const outs = evalJaxpr(s.known.jaxpr, [...s.known.consts, ...xs]);
    const numKnownOuts = outs.length - s.numResiduals;
    const residuals = resAvals.flatMap((avals, c) => (c === b ? outs.slice(numKnownOuts) : avals.map(zerosLikeAval)));
    return [...outs.slice(0, numKnownOuts), ...residuals];
  }, knownVals.map((v) => v.aval)));
  const known = joinConsts(knownBranches);
  const knownResults = condP.bind([indexT!.pval.known!, ...known.consts, ...knownVals], { branches: known.jaxprs });
  const numKnownOuts = outUnknown.filter((u) => !u).length;
  const unknownBranches = splits.map((s, b) => {
    const resBinders = resAvals.flatMap((avals, c) => (c === b ? s.unknown.inBinders.slice(0, s.numResiduals) : avals.map((a) => new Var(a))));
    return new Jaxpr([...resBinders, ...s.unknown.inBinders.slice(s.numResiduals)], s.unknown.eqns, s.unknown.outs);
  });
  const residuals = knownResults.slice(numKnownOuts).map((r) => trace.pure(r) as PETracer);
  const unknownOuts = trace.recordEqn(condP, [indexT!, ...residuals, ...argT.filter((t) => !t.pval.isKnown)], { branches: unknownBranches });
  let ki = 0, ui = 0;
  return outUnknown.map((u) => (u ? unknownOuts[ui++]! : knownResults[ki++]!));
});

// ---------------------------------------------------------------------------------------
// User API

function describeOutputs(t: TracedFun): string {
  return `${t.outTree} with types ${fmtAvals(t.jaxpr.outAvals)}`;
}

/** Traces the branches on the operands, checks they agree, and binds cond. */
function switchCore(api: string, index: NDArray, fns: readonly ((...ops: any[]) => unknown)[], names: readonly string[], operands: unknown[]): unknown {
  const [leaves, inTree] = flatten(operands);
  const ops = leaves.map((l, i) => asArray(l as never, `${api}: operand leaf ${i}`));
  const avals = ops.map((o) => o.aval);
  const traced = fns.map((fn, k) => {
    if (typeof fn !== "function") throw new TypeError(`${api}: ${names[k]} must be a function; got ${typeof fn}`);
    return traceFun(fn, inTree, avals, `${api} ${names[k]}`);
  });
  const first = traced[0]!;
  traced.forEach((t, k) => {
    const outs = t.jaxpr.outAvals, firstOuts = first.jaxpr.outAvals;
    if (!t.outTree.equals(first.outTree) || outs.length !== firstOuts.length || !outs.every((a, i) => sameType(a, firstOuts[i]!))) {
      throw new TypeError(
        `${api}: the branches must return the same structure with the same shapes and dtypes, but\n` +
        `  ${names[0]} returns ${describeOutputs(first)}\n  ${names[k]} returns ${describeOutputs(t)}`,
      );
    }
  });
  const { jaxprs, consts } = joinConsts(traced);
  return unflatten(first.outTree, condP.bind([index, ...consts, ...ops], { branches: jaxprs }));
}

/**
 * Runs `trueFn(...operands)` if `pred` is true, else `falseFn(...operands)`, as
 * `jax.lax.cond`. Unlike a JS `if`, `pred` may be a traced value (inside `jit`, `grad`,
 * `vmap`): both branches are traced, must return the same structure, shapes and dtypes,
 * and only the chosen one runs (on webgpu both run and the result is selected). Under
 * `vmap` with a batched `pred` both branches run and the results are selected per example.
 *
 * @param pred a scalar bool (or integer: nonzero is true), array or JS value.
 * @param trueFn function of the operands returning a pytree of arrays, run when `pred` is true.
 * @param falseFn function of the operands returning a pytree of the same structure, run otherwise.
 * @param operands pytrees passed to the chosen branch.
 * @returns the chosen branch's result.
 * @throws TypeError if `pred` is not a scalar, or the branches' outputs differ (both are shown).
 *
 * @example
 * const f = jit((x: NDArray) => lax.cond(x.sum().gt(0), (y) => y.mul(2), (y) => y.neg(), x));
 * f(np.array([1, 2]))    // [2, 4]
 * f(np.array([-1, -2]))  // [1, 2]
 */
export function cond<T>(pred: ArrayLike, trueFn: (...operands: any[]) => T, falseFn: (...operands: any[]) => T, ...operands: unknown[]): T {
  return scope(() => {
    const p = asArray(pred, "lax.cond pred");
    if (p.ndim !== 0) {
      throw new TypeError(`lax.cond: pred must be a scalar, got ${p.aval.str()}. To choose elementwise use lax.select or np.where; under vmap, map over the batch instead`);
    }
    let index: NDArray;
    if (p.dtype === "bool") index = convertElementTypeP.bind1([p], { newDtype: "int32" });
    else if (p.dtype === "int32" || p.dtype === "uint32") index = convertElementTypeP.bind1([neP.bind1([p, scalar(0, p.dtype)], {})], { newDtype: "int32" });
    else throw new TypeError(`lax.cond: pred must be a bool or integer scalar; got ${p.aval.str()}. Compare it first, e.g. x.gt(0)`);
    return switchCore("lax.cond", index, [falseFn, trueFn], ["falseFn", "trueFn"], operands) as T;
  });
}

/**
 * Runs `branches[index](...operands)`, as `jax.lax.switch`. `index` is clamped to
 * `[0, branches.length - 1]`; it may be a traced int32 scalar. All branches must return
 * the same structure, shapes and dtypes.
 *
 * @param index an int32 scalar (array or JS number).
 * @param branches the functions to choose from.
 * @param operands pytrees passed to the chosen branch.
 * @throws TypeError if `index` is not an integer scalar, `branches` is empty, or the branches' outputs differ.
 *
 * @example
 * const act = (k: NDArray, x: NDArray) => lax.switch(k, [np.tanh, (y) => np.maximum(y, 0), (y) => y], x);
 * act(np.array(1, { dtype: "int32" }), np.array([-1, 2]))   // [0, 2]
 */
export function switch_<T>(index: ArrayLike, branches: readonly ((...operands: any[]) => T)[], ...operands: unknown[]): T {
  return scope(() => {
    if (!Array.isArray(branches) || branches.length === 0) throw new TypeError("lax.switch: branches must be a non-empty array of functions");
    const n = branches.length;
    let idx: NDArray;
    if (typeof index === "number") {
      if (!Number.isInteger(index)) throw new TypeError(`lax.switch: index must be an integer; got ${index}`);
      idx = scalar(Math.min(Math.max(index, 0), n - 1), "int32");
    } else {
      const i = asArray(index, "lax.switch index");
      if (i.ndim !== 0 || (i.dtype !== "int32" && i.dtype !== "uint32")) {
        throw new TypeError(`lax.switch: index must be an int32 scalar; got ${i.aval.str()}${i.dtype === "float32" ? ". Convert it with .astype(\"int32\")" : ""}`);
      }
      const i32 = i.dtype === "int32" ? i : convertElementTypeP.bind1([minP.bind1([i, scalar(n - 1, "uint32")], {})], { newDtype: "int32" });
      idx = minP.bind1([maxP.bind1([i32, scalar(0, "int32")], {}), scalar(n - 1, "int32")], {});
    }
    if (n === 1) return branches[0]!(...operands);
    return switchCore("lax.switch", idx, branches, branches.map((_, k) => `branch ${k}`), operands) as T;
  });
}
