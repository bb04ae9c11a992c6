/**
 * `while`: a loop that runs while a predicate of its carry holds, as `jax.lax.while_loop`.
 * Operands `[...condConsts, ...bodyConsts, ...carry]`; the cond jaxpr maps `(condConsts,
 * carry)` to a bool scalar, the body maps `(bodyConsts, carry)` to the new carry.
 *
 * The number of steps depends on values, so the loop runs on the host, reading the
 * predicate after every step. On webgpu in Node values can only be read asynchronously:
 * there the loop works while the predicate stays in CPU memory (tfjs runs small ops on
 * CPU-resident data on the CPU) and otherwise raises an error that suggests `foriLoop`
 * with JS-number bounds or `scan`, which need no reads.
 *
 * Forward mode works; reverse mode cannot (the residuals of an unknown number of steps
 * would have to be stored), as in JAX: its transpose raises a clear error.
 */
import type { Tensor } from "@tensorflow/tfjs-core";
import { tf, syncReadsUnavailable } from "../../backend/index.ts";
import { webgpuBackend } from "../../backend/webgpu_program.ts";
import type { NDArray, ArrayLike } from "../../array.ts";
import type { ShapedArray } from "../../core/aval.ts";
import { asArray, scalar } from "../../core/constant.ts";
import { Jaxpr, evalJaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, type Primitive } from "../../core/primitive.ts";
import { dce } from "../../compiler/passes.ts";
import { scope } from "../../memory.ts";
import { flatten, unflatten, type TreeDef } from "../../tree/index.ts";
import { executableFor } from "../../../transforms/jit.ts";
import { partialEvalRules } from "../../../transforms/partial_eval.ts";
import { addP, convertElementTypeP, ltP, selectP } from "../elementwise.ts";
import { reduceMaxP } from "../reduce.ts";
import { broadcastInDimP } from "../structural.ts";
import { batchSize, instantiate, moveBatchAxis } from "../rules.ts";
import {
  batchJaxpr, fmtAvals, jvpJaxpr, orMask, partialEvalJaxpr, reorder, sameType, subMask, traceFlat, withUnusedInputs,
  type PartialSplit, type Traced,
} from "./jaxprs.ts";
import { checkCarry, scan } from "./scan.ts";

/**
 * Parameters of the `while` primitive.
 * @example
 * whileP.bind([...condConsts, ...bodyConsts, ...carry], { condJaxpr, bodyJaxpr, condNumConsts: 0, bodyNumConsts: 1 } satisfies WhileParams)
 */
export interface WhileParams {
  /** `(condConsts, carry) → bool scalar`. */
  condJaxpr: Jaxpr;
  /** `(bodyConsts, carry) → carry`. */
  bodyJaxpr: Jaxpr;
  condNumConsts: number;
  bodyNumConsts: number;
}

/** Reads the loop predicate on the host. */
function readPredicate(pred: Tensor): boolean {
  if (syncReadsUnavailable() && !webgpuBackend()?.shouldExecuteOnCPU([pred])) {
    throw new Error(
      "lax.whileLoop: the webgpu backend cannot read the loop predicate synchronously in Node (it is in GPU memory), " +
      "and a while loop must read it after every step. Use lax.foriLoop with JS-number bounds or lax.scan with a fixed length " +
      "(they need no reads; mask the steps you do not want with lax.cond or np.where), or run this loop on the wasm or cpu backend",
    );
  }
  return pred.dataSync()[0] !== 0;
}

/**
 * The message of the error reverse mode raises on a while loop.
 * @example
 * expect(() => grad(f)(x)).toThrow(REVERSE_MODE_ERROR)
 */
export const REVERSE_MODE_ERROR =
  "Reverse-mode differentiation does not work for lax.whileLoop (or lax.foriLoop with array bounds): the number of steps " +
  "is only known at run time, so the values of every step cannot be kept for the backward pass. Use lax.scan, or lax.foriLoop " +
  "with static JS-number bounds (which runs as a scan), if the number of steps has a known bound; forward mode (jvp, jacfwd) works";

/**
 * The `while` primitive: operands `[...condConsts, ...bodyConsts, ...carry]`, outputs the final carry.
 * User code calls `lax.whileLoop` or `lax.foriLoop` with array bounds.
 * @example
 * makeJaxpr((n: NDArray) => lax.whileLoop((c) => c.lt(n), (c) => c.add(1), np.array(0)))(np.array(3))   // ... while[condJaxpr=... bodyJaxpr=...] ...
 */
export const whileP: Primitive<WhileParams> = definePrimitive<WhileParams>("while", {
  impl: (args, { condJaxpr, bodyJaxpr, condNumConsts: ncc, bodyNumConsts: nbc }) => {
    const condConsts = args.slice(0, ncc), bodyConsts = args.slice(ncc, ncc + nbc);
    let carry = args.slice(ncc + nbc);
    const condExe = executableFor(condJaxpr), bodyExe = executableFor(bodyJaxpr);
    let owned = false;
    try {
      for (;;) {
        const [pred] = condExe.run([...condConsts, ...carry]);
        let go: boolean;
        try { go = readPredicate(pred!); } finally { pred!.dispose(); }
        if (!go) break;
        const next = bodyExe.run([...bodyConsts, ...carry]);
        if (owned) for (const c of carry) c.dispose();
        carry = next;
        owned = true;
      }
    } catch (e) {
      if (owned) for (const c of carry) c.dispose();
      throw e;
    }
    return owned ? carry : carry.map((c) => tf.clone(c));
  },
  abstractEval: (avals, { condJaxpr, bodyJaxpr, condNumConsts: ncc, bodyNumConsts: nbc }) => {
    const carry = avals.slice(ncc + nbc);
    const condIn = [...avals.slice(0, ncc), ...carry], bodyIn = avals.slice(ncc);
    const matches = (expected: readonly ShapedArray[], given: readonly ShapedArray[]) =>
      expected.length === given.length && expected.every((a, i) => sameType(a, given[i]!));
    if (!matches(condJaxpr.inAvals, condIn)) throw new TypeError(`while: the cond takes ${fmtAvals(condJaxpr.inAvals)} but was given ${fmtAvals(condIn)}`);
    if (!matches(bodyJaxpr.inAvals, bodyIn)) throw new TypeError(`while: the body takes ${fmtAvals(bodyJaxpr.inAvals)} but was given ${fmtAvals(bodyIn)}`);
    const pred = condJaxpr.outAvals;
    if (pred.length !== 1 || pred[0]!.dtype !== "bool" || pred[0]!.ndim !== 0) throw new TypeError(`while: the cond must return one bool scalar; it returns ${fmtAvals(pred)}`);
    if (!matches(bodyJaxpr.outAvals, carry)) throw new TypeError(`while: the body returns ${fmtAvals(bodyJaxpr.outAvals)} for a carry of ${fmtAvals(carry)}`);
    return bodyJaxpr.outAvals;
  },
});

const nonNull = <T>(x: T | null): x is T => x !== null;
const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);
const count = (m: readonly boolean[]) => m.filter((x) => x).length;

Object.assign(whileP.rules, {
  // Carry tangents go through the body's JVP (a fixed point decides which carries have one); the predicate ignores them.
  jvp: (primals, tangents, params) => {
    const { condJaxpr, bodyJaxpr, condNumConsts: ncc, bodyNumConsts: nbc } = params;
    const condConsts = primals.slice(0, ncc), bodyConsts = primals.slice(ncc, ncc + nbc), carry = primals.slice(ncc + nbc);
    const tb = tangents.slice(ncc, ncc + nbc), tk = tangents.slice(ncc + nbc);
    const nzB = tb.map(nonNull);
    let nzK = tk.map(nonNull);
    for (;;) {
      const out = jvpJaxpr(bodyJaxpr, [...nzB, ...nzK], false).nonzeroOut;
      if (subMask(out, nzK)) break;
      nzK = orMask(nzK, out);
    }
    const j = jvpJaxpr(bodyJaxpr, [...nzB, ...nzK], nzK);
    const nJ = j.consts.length, nk = carry.length, ntb = count(nzB), ntk = count(nzK);
    // [J, bodyConsts, carry, t bodyConsts, t carry] → consts [J, bodyConsts, t bodyConsts], carry [carry, t carry].
    const body = reorder(j.jaxpr, [...range(0, nJ + nbc), ...range(nJ + nbc + nk, ntb), ...range(nJ + nbc, nk), ...range(nJ + nbc + nk + ntb, ntk)]);
    const tangentAvals = carry.filter((_, i) => nzK[i]).map((c) => c.aval);
    const carryTangents = carry.map((c, i) => (nzK[i] ? instantiate(tk[i]!, c.aval) : null)).filter(nonNull);
    const outs = whileP.bind([...condConsts, ...j.consts, ...bodyConsts, ...tb.filter(nonNull), ...carry, ...carryTangents], {
      condJaxpr: withUnusedInputs(condJaxpr, tangentAvals), bodyJaxpr: body, condNumConsts: ncc, bodyNumConsts: nJ + nbc + ntb,
    });
    let k = nk;
    return [outs.slice(0, nk), nzK.map((z) => (z ? outs[k++]! : null))];
  },
  transpose: () => { throw new Error(REVERSE_MODE_ERROR); },
  batch: (args, dims, params) => {
    const { condJaxpr, bodyJaxpr, condNumConsts: ncc, bodyNumConsts: nbc } = params;
    const size = batchSize(args, dims);
    const dcc = dims.slice(0, ncc), dbc = dims.slice(ncc, ncc + nbc), dk = dims.slice(ncc + nbc);
    const bCC = dcc.map((d) => d !== null), bBC = dbc.map((d) => d !== null);
    let bK = dk.map((d) => d !== null);
    for (;;) {
      const out = batchJaxpr(bodyJaxpr, size, [...bBC, ...bK], false).batchedOut;
      if (subMask(out, bK)) break;
      bK = orMask(bK, out);
    }
    const predBatched = batchJaxpr(condJaxpr, size, [...bCC, ...bK], false).batchedOut[0]!;
    if (predBatched) bK = bK.map(() => true);
    const move = (xs: NDArray[], ds: (number | null)[], force: readonly boolean[] | null) =>
      xs.map((x, i) => (ds[i] !== null || force?.[i] ? moveBatchAxis(x, ds[i]!, 0, size) : x));
    const condConsts = move(args.slice(0, ncc), dcc, null), bodyConsts = move(args.slice(ncc, ncc + nbc), dbc, null);
    const carry = move(args.slice(ncc + nbc), dk, bK);
    const outDims = bK.map((b) => (b ? 0 : null));
    const c = batchJaxpr(condJaxpr, size, [...bCC, ...bK], false);
    const b = batchJaxpr(bodyJaxpr, size, [...bBC, ...bK], bK);
    if (!predBatched) {
      const outs = whileP.bind([...c.consts, ...condConsts, ...b.consts, ...bodyConsts, ...carry], {
        condJaxpr: c.jaxpr, bodyJaxpr: b.jaxpr, condNumConsts: c.consts.length + ncc, bodyNumConsts: b.consts.length + nbc,
      });
      return [outs, outDims];
    }
    // A batched predicate (JAX's approach): loop while any example's holds; a step only
    // updates the examples whose predicate holds.
    const carryAvals = carry.map((x) => x.aval);
    const newCond = traceFlat((...xs) => {
      const [p] = evalJaxpr(c.jaxpr, [...c.consts, ...xs]);
      return [reduceMaxP.bind1([p!], { axes: [0] })];
    }, [...condConsts.map((x) => x.aval), ...carryAvals]);
    const newBody = traceFlat((...xs) => {
      const cc = xs.slice(0, ncc), bc = xs.slice(ncc, ncc + nbc), k = xs.slice(ncc + nbc);
      const [p] = evalJaxpr(c.jaxpr, [...c.consts, ...cc, ...k]);
      const next = evalJaxpr(b.jaxpr, [...b.consts, ...bc, ...k]);
      return next.map((n, i) => selectP.bind1([broadcastInDimP.bind1([p!], { shape: n.shape, broadcastDimensions: [0] }), n, k[i]!], {}));
    }, [...condConsts.map((x) => x.aval), ...bodyConsts.map((x) => x.aval), ...carryAvals]);
    const outs = whileP.bind([...newCond.consts, ...condConsts, ...newBody.consts, ...condConsts, ...bodyConsts, ...carry], {
      condJaxpr: newCond.jaxpr, bodyJaxpr: newBody.jaxpr, condNumConsts: newCond.consts.length + ncc, bodyNumConsts: newBody.consts.length + ncc + nbc,
    });
    return [outs, outDims];
  },
} satisfies Partial<typeof whileP.rules>);

/**
 * Partial evaluation (JAX's `_while_partial_eval`): carries that stay known (a fixed point)
 * are computed now by a loop over them alone; the unknown ones come from the whole loop,
 * recorded. That makes `linearize` work (the recorded loop recomputes the primal), while
 * transposing the recorded loop, which reverse mode needs, raises REVERSE_MODE_ERROR.
 */
partialEvalRules.set("while", (trace, tracers, params: WhileParams) => {
  const { condJaxpr, bodyJaxpr, condNumConsts: ncc, bodyNumConsts: nbc } = params;
  const unknown = tracers.map((t) => !t.pval.isKnown);
  const ukCC = unknown.slice(0, ncc), ukBC = unknown.slice(ncc, ncc + nbc);
  let ukK = unknown.slice(ncc + nbc);
  let split: PartialSplit;
  for (;;) {
    split = partialEvalJaxpr(bodyJaxpr, [...ukBC, ...ukK], ukK);
    if (subMask(split.outUnknown, ukK)) break;
    ukK = orMask(ukK, split.outUnknown);
  }
  const condSplit = partialEvalJaxpr(condJaxpr, [...ukCC, ...ukK], false);
  if (condSplit.outUnknown[0] || ukK.every((u) => u)) return trace.recordEqn(whileP, tracers, params);
  const knownVals = (from: number, n: number, mask: readonly boolean[]) =>
    tracers.slice(from, from + n).filter((_, i) => !mask[i]).map((t) => t.pval.known!);
  const numKnownCarry = ukK.filter((u) => !u).length;
  const kb = split.known, kc = condSplit.known;
  const knownCC = knownVals(0, ncc, ukCC), knownBC = knownVals(ncc, nbc, ukBC), knownCarry = knownVals(ncc + nbc, ukK.length, ukK);
  const knownOuts = whileP.bind([...kc.consts, ...knownCC, ...kb.consts, ...knownBC, ...knownCarry], {
    condJaxpr: dce(new Jaxpr(kc.jaxpr.inBinders, kc.jaxpr.eqns, kc.jaxpr.outs.slice(0, 1))),
    bodyJaxpr: dce(new Jaxpr(kb.jaxpr.inBinders, kb.jaxpr.eqns, kb.jaxpr.outs.slice(0, numKnownCarry))),
    condNumConsts: kc.consts.length + knownCC.length, bodyNumConsts: kb.consts.length + knownBC.length,
  });
  const all = trace.recordEqn(whileP, tracers, params);
  let k = 0;
  return ukK.map((u, i) => (u ? all[i]! : knownOuts[k++]!));
});

// ---------------------------------------------------------------------------------------
// User API

/** Traces the body on the carry, retracing once if weakly typed carries must be promoted. */
function traceBody(api: string, bodyFn: (carry: any) => unknown, init: unknown, tree: TreeDef, carry: NDArray[]): [Traced, NDArray[]] {
  for (;;) {
    let outTree: TreeDef | null = null;
    const body = traceFlat((...xs) => {
      const [leaves, t] = flatten(bodyFn(unflatten(tree, xs)));
      outTree = t;
      return leaves.map((l, i) => asArray(l as never, `${api} body output leaf ${i}`));
    }, carry.map((c) => c.aval));
    const promoted = checkCarry(api, init, tree, carry, outTree!, body.jaxpr.outAvals);
    if (!promoted) return [body, carry];
    carry = promoted;
  }
}

/**
 * Repeats `bodyFn` on the carry while `condFn(carry)` is true, as `jax.lax.while_loop`.
 * The carry is a pytree whose structure, shapes and dtypes the body keeps. Runs with
 * traced values (inside `jit`), under `vmap` (a batched predicate runs until every
 * example is done, freezing finished ones) and forward-mode differentiation.
 * Reverse mode (`grad`) is not possible: use `scan`, or `foriLoop` with JS-number bounds.
 * On webgpu in Node the predicate must be readable synchronously; see the module notes.
 *
 * @param condFn carry → bool scalar.
 * @param bodyFn carry → carry.
 * @param init the initial carry.
 * @returns the final carry.
 * @throws TypeError if condFn does not return a bool scalar or the body changes the carry's structure, shapes or dtypes.
 *
 * @example
 * // Newton's method for √2
 * lax.whileLoop((x: NDArray) => x.square().sub(2).abs().gt(1e-6), (x: NDArray) => x.sub(x.square().sub(2).div(x.mul(2))), np.array(1))
 * // 1.4142135
 */
export function whileLoop<T>(condFn: (carry: T) => ArrayLike, bodyFn: (carry: T) => T, init: T): T {
  return scope(() => {
    if (typeof condFn !== "function" || typeof bodyFn !== "function") throw new TypeError("lax.whileLoop: condFn and bodyFn must be functions of the carry");
    const [leaves, tree] = flatten(init);
    const [body, carry] = traceBody("lax.whileLoop", bodyFn, init, tree, leaves.map((l, i) => asArray(l as never, `lax.whileLoop init leaf ${i}`)));
    const cond = traceFlat((...xs) => [asArray(condFn(unflatten(tree, xs) as T), "lax.whileLoop condFn output")], carry.map((c) => c.aval));
    const pred = cond.jaxpr.outAvals[0]!;
    if (pred.dtype !== "bool" || pred.ndim !== 0) {
      throw new TypeError(`lax.whileLoop: condFn must return a bool scalar; got ${pred.str()}${pred.ndim === 0 ? ". Compare it, e.g. x.gt(0)" : ""}`);
    }
    const outs = whileP.bind([...cond.consts, ...body.consts, ...carry], {
      condJaxpr: cond.jaxpr, bodyJaxpr: body.jaxpr, condNumConsts: cond.consts.length, bodyNumConsts: body.consts.length,
    });
    return unflatten(tree, outs) as T;
  });
}

/** A loop bound as an int32 scalar. */
function bound(x: number | NDArray, name: string): NDArray {
  if (typeof x === "number") {
    if (!Number.isInteger(x)) throw new TypeError(`lax.foriLoop: ${name} must be an integer; got ${x}`);
    return scalar(x, "int32");
  }
  const a = asArray(x, `lax.foriLoop ${name}`);
  if (a.ndim !== 0 || (a.dtype !== "int32" && a.dtype !== "uint32")) throw new TypeError(`lax.foriLoop: ${name} must be an int32 scalar; got ${a.aval.str()}`);
  return a.dtype === "int32" ? a : convertElementTypeP.bind1([a], { newDtype: "int32" });
}

/**
 * `for (let i = lower; i < upper; i++) carry = body(i, carry)`, as `jax.lax.fori_loop`;
 * `i` is an int32 scalar. With JS-number bounds the loop is a `scan` of fixed length, so
 * it is reverse-differentiable and runs on every backend; with array bounds it is a
 * `whileLoop` (forward-mode differentiation only).
 *
 * @example
 * lax.foriLoop(0, 5, (i: NDArray, acc: NDArray) => acc.add(i), np.array(0, { dtype: "int32" }))   // 10
 * grad((x: NDArray) => lax.foriLoop(0, 3, (_i, y: NDArray) => y.mul(x), np.array(1)))(np.array(2))   // 12 (d x³/dx)
 */
export function foriLoop<T>(lower: number | NDArray, upper: number | NDArray, body: (i: NDArray, carry: T) => T, init: T): T {
  return scope(() => {
    const lo = bound(lower, "lower"), hi = bound(upper, "upper");
    const one = scalar(1, "int32");
    if (typeof lower === "number" && typeof upper === "number") {
      const [[, carry]] = scan(([i, c]: [NDArray, T], _x: null): [[NDArray, T], null] => [[addP.bind1([i, one], {}), body(i, c)], null], [lo, init] as [NDArray, T], null, { length: Math.max(0, upper - lower) });
      return carry;
    }
    const [, , carry] = whileLoop(
      ([i, h]: [NDArray, NDArray, T]) => ltP.bind1([i, h], {}),
      ([i, h, c]: [NDArray, NDArray, T]) => [addP.bind1([i, one], {}), h, body(i, c)] as [NDArray, NDArray, T],
      [lo, hi, init] as [NDArray, NDArray, T],
    );
    return carry;
  });
}
