/**
 * Custom differentiation rules, as JAX's `custom_jvp` and `custom_vjp`.
 *
 * A custom function is staged to a jaxpr once per signature (like jit) and bound as a
 * higher-order primitive that holds that jaxpr and the user's rule as a JS function:
 *
 * - `custom_jvp_call`: evaluating (eagerly or under jit) runs the jaxpr; under JVP the
 *   user rule runs instead (symbolic-zero tangents instantiated as zeros); under vmap the
 *   jaxpr and the rule are both batched. Reverse mode needs nothing more: linearize is JVP
 *   under partial evaluation, so the rule's tangent computation is what gets transposed.
 * - `custom_vjp_call`: evaluating runs the jaxpr; under JVP it runs `fwd` and binds
 *   `custom_lin` on the residuals and input tangents. `custom_lin` stands for "the linear
 *   map whose transpose is `bwd`": it has a transpose rule (calls `bwd`) but no
 *   evaluation, so in reverse mode (its tangent inputs unknown, recorded by partial
 *   evaluation, then transposed) it works, while forward mode (its tangents known,
 *   so it would have to be evaluated) raises JAX's error. This is JAX's own design.
 */
import type { NDArray } from "../src/array.ts";
import type { ShapedArray } from "../src/core/aval.ts";
import { asArray } from "../src/core/constant.ts";
import type { Jaxpr } from "../src/core/jaxpr.ts";
import { definePrimitive, type Primitive } from "../src/core/primitive.ts";
import { reduceSumP } from "../src/lax/reduce.ts";
import { batchSize, instantiate, isUndefined, moveBatchAxis, zerosLikeAval } from "../src/lax/rules.ts";
import { scope } from "../src/memory.ts";
import { flatten, map as treeMap, unflatten, type TreeDef } from "../src/tree/index.ts";
import { bindClosed, executableFor } from "./jit.ts";
import { hasTangentSpace } from "./jvp.ts";
import { batchJaxpr, checkOperands, opaque, splitArgs, stageCached, transposeBody, type Staged } from "./staged_call.ts";
import { vmapFlat } from "./vmap.ts";

type AnyFn = (...args: any[]) => any;

const sameType = (a: ShapedArray, b: ShapedArray) =>
  a.dtype === b.dtype && a.ndim === b.ndim && a.shape.every((d, i) => d === b.shape[i]);

/** The leaves of a rule's primal output, checked against what the custom function returns. */
function checkPrimalOut(out: unknown, staged: Staged, what: string, rule: string): NDArray[] {
  const [leaves, tree] = flatten(out);
  if (!tree.equals(staged.outTree)) {
    throw new TypeError(`${what}: ${rule} returned a primal output of structure ${tree}, but the function returns ${staged.outTree}`);
  }
  return leaves.map((l, i) => {
    const p = asArray(l as never, `${what}: ${rule} primal output leaf ${i}`);
    const expected = staged.closed.outAvals[i]!;
    if (!sameType(p.aval, expected)) {
      throw new TypeError(`${what}: ${rule} returned ${p.aval.str()} for primal output leaf ${i}, but the function returns ${expected.str()} there`);
    }
    return p;
  });
}

// ---------------------------------------------------------------------------------------
// custom_jvp

/**
 * The JVP rule over flat arrays (the non-constant inputs): tangents are all instantiated;
 * tangent outputs are null where zero (and for non-float outputs).
 *
 * @example
 * const rule: FlatJvpRule = ([x], [t]) => [[np.sin(x)], [t.mul(np.cos(x))]];
 */
export type FlatJvpRule = (primals: NDArray[], tangents: NDArray[]) => [NDArray[], (NDArray | null)[]];

/**
 * Parameters of `custom_jvp_call`.
 *
 * @example
 * customJvpCallP.bind([...consts, ...args], { jaxpr, numConsts: consts.length, jvp: rule, name: "f" });
 */
export interface CustomJvpParams {
  /** The function, staged; its first `numConsts` inputs are its captured constants. */
  jaxpr: Jaxpr;
  numConsts: number;
  /** The user's rule on the non-constant inputs; traced when a JVP is taken. */
  jvp: FlatJvpRule;
  name: string;
}

function closureError(kind: "customJvp" | "customVjp", name: string): Error {
  return new Error(
    `${kind}(${name}): detected differentiation with respect to a value the function closes over. ` +
    `That isn't supported because the custom ${kind === "customJvp" ? "JVP" : "VJP"} rule only says how to differentiate with respect to ` +
    "the function's explicit arguments. Pass the closed-over value into the function as an argument and adapt the rule",
  );
}

/**
 * The primitive behind {@link customJvp}: runs its jaxpr when evaluated, its rule under JVP.
 *
 * @example
 * const log1pexp = customJvp((x: NDArray) => np.log(np.exp(x).add(1)))
 *   .defjvp(([x], [t]) => [np.log(np.exp(x).add(1)), np.sigmoid(x).mul(t)]);
 * makeJaxpr(log1pexp)(np.array(1)).toString()   // ... custom_jvp_call[jaxpr={ ... } numConsts=0 jvp=log1pexp_jvp name=log1pexp] a ...
 */
export const customJvpCallP: Primitive<CustomJvpParams> = definePrimitive<CustomJvpParams>("custom_jvp_call", {
  impl: (args, { jaxpr }) => executableFor(jaxpr).run(args),
  abstractEval: (avals, { jaxpr, name }) => checkOperands("custom_jvp_call", name, avals, jaxpr),
  // Applied linearly (e.g. to a tangent inside another rule): transpose the function's body, as JAX does.
  transpose: (cts, args, { jaxpr, name }) => transposeBody(jaxpr, cts, args, (c, xs) => bindClosed(c, xs, `transpose(${name})`)),
  jvp: (primals, tangents, { numConsts, jvp, name }) => {
    if (tangents.slice(0, numConsts).some((t) => t !== null)) throw closureError("customJvp", name);
    const ps = primals.slice(numConsts);
    const ts = tangents.slice(numConsts).map((t, i) => instantiate(t, ps[i]!.aval.withWeak(false)));
    return jvp(ps, ts);
  },
  batch: (args, dims, { jaxpr, numConsts, jvp, name }) => {
    const size = batchSize(args, dims);
    const closed = batchJaxpr(jaxpr, args.map((a) => a.aval), dims, size);
    const argDims = dims.slice(numConsts);
    const batchedRule: FlatJvpRule = (ps, ts) => {
      let nOut = 0;
      let mask: boolean[] = [];
      const outs = vmapFlat((...ys) => {
        const [po, to] = jvp(ys.slice(0, ps.length), ys.slice(ps.length));
        nOut = po.length;
        mask = to.map((t) => t !== null);
        return [...po, ...(to.filter((t) => t !== null) as NDArray[])];
      }, [...ps, ...ts], [...argDims, ...argDims], size, () => 0);
      let k = nOut;
      return [outs.slice(0, nOut), mask.map((m) => (m ? outs[k++]! : null))];
    };
    const outs = customJvpCallP.bind([...closed.consts, ...args], {
      jaxpr: closed.jaxpr, numConsts: closed.consts.length + numConsts, jvp: opaque(batchedRule, `vmap(${jvp.name})`), name: `vmap(${name})`,
    });
    return [outs, outs.map(() => 0)];
  },
});

/**
 * Options of customJvp and customVjp.
 *
 * @example
 * const scaled = customJvp((k: number, x: NDArray) => x.mul(k), { nondiffArgnums: [0] })
 *   .defjvp((k: number, [x], [t]) => [x.mul(k), t.mul(k)]);
 */
export interface CustomOptions {
  /**
   * Positions of arguments that are plain JS values (numbers, strings, functions, configs):
   * not differentiated, part of the cache key, and passed first to the rules (as in JAX).
   */
  nondiffArgnums?: number[];
}

/**
 * A function with a custom JVP rule; see {@link customJvp}.
 *
 * @example
 * const f: CustomJvp<(x: NDArray) => NDArray> = customJvp((x: NDArray) => np.sin(x));
 * f.defjvp(([x], [t]) => [np.sin(x), t.mul(np.cos(x))]);
 */
export interface CustomJvp<F extends AnyFn> {
  (...args: Parameters<F>): ReturnType<F>;
  /**
   * Sets the JVP rule `rule(primals, tangents) => [primalOut, tangentOut]` (with
   * nondiffArgnums: `rule(...nondiffArgs, primals, tangents)`). Returns the function.
   */
  defjvp(rule: (...args: any[]) => [unknown, unknown]): CustomJvp<F>;
  /**
   * Sets the rule from one function per argument: `jvps[i](tangent_i, primalOut, ...primals)`
   * is that argument's contribution to the output tangent (null: the argument's tangent
   * is ignored). Contributions are summed. Returns the function.
   */
  defjvps(...jvps: (((tangent: any, primalOut: any, ...primals: any[]) => unknown) | null)[]): CustomJvp<F>;
}

/**
 * Wraps `f` so that its derivatives come from a rule you supply instead of from
 * differentiating its body: forward mode runs the rule, reverse mode transposes the
 * rule's (linear) tangent computation, and evaluation (eager or jit) runs `f`. Arguments
 * and results are pytrees. Zero tangents reach the rule as arrays of zeros.
 *
 * `f` is traced once per argument signature, like jit: arrays it closes over are captured
 * at the first call. Differentiating with respect to a value `f` closes over is an error
 * (pass it as an argument instead).
 *
 * @param f the function; its derivative rule comes from `.defjvp(rule)`.
 * @param opts `nondiffArgnums`: arguments that are not differentiated (passed to the rule first).
 * @returns a {@link CustomJvp}: call `.defjvp(rule)` to get the function with its rule.
 * @example
 * const log1pexp = customJvp((x: NDArray) => np.log(np.exp(x).add(1))).defjvp(([x], [t]) => [
 *   log1pexp(x),
 *   np.subtract(1, np.divide(1, np.exp(x).add(1))).mul(t),
 * ]);
 * grad(log1pexp)(np.array(100)).item()   // 1 (differentiating the body would give NaN)
 * @throws Error when called before `defjvp`, or if the rule returns outputs whose structure, shapes or dtypes differ from `f`'s.
 */
export function customJvp<F extends AnyFn>(f: F, { nondiffArgnums = [] }: CustomOptions = {}): CustomJvp<F> {
  const name = f.name || "fn";
  const what = `customJvp(${name})`;
  let rule: ((...args: any[]) => [unknown, unknown]) | null = null;

  const call = (...args: unknown[]) => scope(() => {
    if (!rule) throw new Error(`${what}: no JVP rule defined; call .defjvp(rule) before calling the function`);
    const r = rule;
    const split = splitArgs(args, nondiffArgnums, what, "nondiffArgnums");
    const { staged, xs, inTree } = stageCached(f, split.merge, split.dyn, split.key, what);
    const outAvals = staged.closed.outAvals;
    const flatRule: FlatJvpRule = (ps, ts) => {
      const result = r(...split.statics, unflatten(inTree, ps), unflatten(inTree, ts));
      if (!Array.isArray(result) || result.length !== 2) {
        throw new TypeError(`${what}: the JVP rule must return [primalOut, tangentOut]; got ${Array.isArray(result) ? `an array of length ${result.length}` : typeof result}`);
      }
      const po = checkPrimalOut(result[0], staged, what, "the JVP rule");
      if (result[1] === null || result[1] === undefined) return [po, po.map(() => null)];
      const [tl, tTree] = flatten(result[1]);
      if (!tTree.equals(staged.outTree)) {
        throw new TypeError(`${what}: the JVP rule's tangent output has structure ${tTree}, but the primal output has ${staged.outTree}`);
      }
      const to = tl.map((l, i) => {
        const t = asArray(l as never, `${what}: tangent output leaf ${i}`);
        const p = outAvals[i]!;
        if (!hasTangentSpace(p)) return null;
        if (!sameType(t.aval, p)) {
          throw new TypeError(`${what}: the JVP rule returned a ${t.aval.str()} tangent for output leaf ${i}, whose primal is ${p.str()}; tangents must have their primal's shape and dtype`);
        }
        return t;
      });
      return [po, to];
    };
    const outs = customJvpCallP.bind([...staged.closed.consts, ...xs], {
      jaxpr: staged.closed.jaxpr, numConsts: staged.closed.consts.length, jvp: opaque(flatRule, `${name}_jvp`), name,
    });
    return unflatten(staged.outTree, outs);
  });

  const wrapped = call as unknown as CustomJvp<F>;
  wrapped.defjvp = (r) => {
    if (typeof r !== "function") throw new TypeError(`${what}.defjvp: expected a function (primals, tangents) => [primalOut, tangentOut]; got ${typeof r}`);
    rule = r;
    return wrapped;
  };
  wrapped.defjvps = (...jvps) => {
    if (nondiffArgnums.length) throw new TypeError(`${what}.defjvps does not support nondiffArgnums; use defjvp`);
    rule = (primals: unknown[], tangents: unknown[]) => {
      if (jvps.length !== primals.length) {
        throw new TypeError(`${what}.defjvps: got ${jvps.length} tangent function(s) for ${primals.length} argument(s); pass one per argument (null to ignore one)`);
      }
      const out = call(...primals);
      let total: unknown = null;
      jvps.forEach((g, i) => {
        if (!g) return;
        const c = g(tangents[i], out, ...primals);
        total = total === null ? c : treeMap((a: NDArray, b: NDArray) => a.add(b), total, c);
      });
      return [out, total];
    };
    return wrapped;
  };
  return wrapped;
}

// ---------------------------------------------------------------------------------------
// custom_vjp

/**
 * Pulls output cotangents (one per output leaf) back to one cotangent per input leaf.
 *
 * @example
 * const bwd: FlatBwd = ([cos], [g]) => [g.mul(cos)];
 */
export type FlatBwd = (residuals: NDArray[], cts: NDArray[]) => NDArray[];
/**
 * Runs the forward rule on the non-constant inputs: outputs, residuals and the matching backward function.
 *
 * @example
 * const fwd: FlatFwd = ([x]) => [[np.sin(x)], [np.cos(x)], ([cos], [g]) => [g.mul(cos)]];
 */
export type FlatFwd = (args: NDArray[]) => [NDArray[], NDArray[], FlatBwd];

/**
 * Parameters of `custom_vjp_call`.
 *
 * @example
 * customVjpCallP.bind([...consts, ...args], { jaxpr, numConsts: consts.length, fwd, name: "f" });
 */
export interface CustomVjpParams {
  jaxpr: Jaxpr;
  numConsts: number;
  fwd: FlatFwd;
  name: string;
}

/**
 * Parameters of `custom_lin`.
 *
 * @example
 * customLinP.bind([...residuals, ...tangents], { numRes: residuals.length, outAvals, bwd, name: "f" });
 */
export interface CustomLinParams {
  /** The leading operands are residuals; the rest are tangents of the custom function's arguments. */
  numRes: number;
  /** Tangent types of the custom function's outputs. */
  outAvals: ShapedArray[];
  bwd: FlatBwd;
  name: string;
}

function forwardModeError(name: string): Error {
  return new TypeError(
    `can't apply forward-mode autodiff (jvp) to a custom_vjp function (customVjp ${name}). ` +
    "Reverse mode (grad, vjp, valueAndGrad) works; for forward mode, give the function a rule with customJvp instead",
  );
}

/**
 * The linear map whose transpose is a custom_vjp function's `bwd`: bound by the JVP rule
 * of `custom_vjp_call` on residuals and input tangents. It can be transposed (reverse
 * mode calls `bwd`) and batched, but not evaluated or differentiated forward: doing so
 * raises JAX's "can't apply forward-mode autodiff (jvp) to a custom_vjp function".
 *
 * @example
 * const clipGradient = customVjp((x: NDArray) => x).defvjp((x: NDArray) => [x, null], (_: null, g: NDArray) => [np.clip(g, -1, 1)]);
 * const [, fJvp] = linearize(clipGradient, np.ones([2]));
 * makeJaxpr(fJvp)(np.ones([2])).toString()   // { lambda ; a:f32[2]. let b:f32[2] = custom_lin[... bwd=fn_bwd ...] a in (b,) }
 */
export const customLinP: Primitive<CustomLinParams> = definePrimitive<CustomLinParams>("custom_lin", {
  impl: (_args, { name }) => { throw forwardModeError(name); },
  abstractEval: (avals, { outAvals, numRes, name }) => {
    if (avals.length < numRes) throw new TypeError(`custom_lin ${name}: expected at least ${numRes} residual operands, got ${avals.length}`);
    return outAvals;
  },
  jvp: (_p, _t, { name }) => { throw forwardModeError(name); },
  transpose: (cts, args, { numRes, outAvals, bwd, name }) => {
    const res = args.slice(0, numRes);
    if (res.some(isUndefined)) throw new Error(`custom_lin ${name}: the residuals of a custom_vjp function must be known in the backward pass`);
    const ctsIn = bwd(res as NDArray[], cts.map((c, i) => instantiate(c, outAvals[i]!)));
    return [...res.map(() => null), ...args.slice(numRes).map((a, i) => (isUndefined(a) ? ctsIn[i]! : null))];
  },
  batch: (args, dims, { numRes, outAvals, bwd, name }) => {
    const size = batchSize(args, dims);
    const resDims = dims.slice(0, numRes);
    const tangents = args.slice(numRes).map((t, i) => moveBatchAxis(t, dims[numRes + i]!, 0, size));
    const batchedBwd: FlatBwd = (res, cts) => vmapFlat((...ys) => bwd(ys.slice(0, numRes), ys.slice(numRes)),
      [...res, ...cts], [...resDims, ...cts.map(() => 0)], size, () => 0);
    const outs = customLinP.bind([...args.slice(0, numRes), ...tangents], {
      numRes, outAvals: outAvals.map((a) => a.withShape([size, ...a.shape])), bwd: opaque(batchedBwd, `vmap(${bwd.name})`), name: `vmap(${name})`,
    });
    return [outs, outs.map(() => 0)];
  },
});

/**
 * The primitive behind {@link customVjp}: runs its jaxpr when evaluated; under JVP runs
 * `fwd` and binds {@link customLinP}, whose transpose calls `bwd`.
 *
 * @example
 * const clipGradient = customVjp((x: NDArray) => x).defvjp((x: NDArray) => [x, null], (_: null, g: NDArray) => [np.clip(g, -1, 1)]);
 * makeJaxpr(clipGradient)(np.ones([2])).toString()   // ... custom_vjp_call[jaxpr={ ... } numConsts=0 fwd=clipGradient_fwd name=clipGradient] a ...
 */
export const customVjpCallP: Primitive<CustomVjpParams> = definePrimitive<CustomVjpParams>("custom_vjp_call", {
  impl: (args, { jaxpr }) => executableFor(jaxpr).run(args),
  abstractEval: (avals, { jaxpr, name }) => checkOperands("custom_vjp_call", name, avals, jaxpr),
  // Applied linearly (to tangents, not primals, so there is no fwd to run): transpose the function's body.
  transpose: (cts, args, { jaxpr, name }) => transposeBody(jaxpr, cts, args, (c, xs) => bindClosed(c, xs, `transpose(${name})`)),
  jvp: (primals, tangents, { numConsts, fwd, name }) => {
    if (tangents.slice(0, numConsts).some((t) => t !== null)) throw closureError("customVjp", name);
    const xs = primals.slice(numConsts);
    const ts = tangents.slice(numConsts).map((t, i) => instantiate(t, xs[i]!.aval.withWeak(false)));
    const [outs, res, bwd] = fwd(xs);
    if (!outs.some((o) => hasTangentSpace(o.aval))) return [outs, outs.map(() => null)];
    const tOuts = customLinP.bind([...res, ...ts], { numRes: res.length, outAvals: outs.map((o) => o.aval.withWeak(false)), bwd: opaque(bwd, `${name}_bwd`), name });
    return [outs, tOuts.map((t, i) => (hasTangentSpace(outs[i]!.aval) ? t : null))];
  },
  batch: (args, dims, { jaxpr, numConsts, fwd, name }) => {
    const size = batchSize(args, dims);
    const closed = batchJaxpr(jaxpr, args.map((a) => a.aval), dims, size);
    const argDims = dims.slice(numConsts);
    const batchedFwd: FlatFwd = (xs) => {
      let innerBwd: FlatBwd | null = null;
      let nOut = 0, nRes = 0;
      const outs = vmapFlat((...ys) => {
        const [o, r, b] = fwd(ys);
        innerBwd = b; nOut = o.length; nRes = r.length;
        return [...o, ...r];
      }, xs, argDims, size, () => 0);
      const bwdInner = innerBwd as unknown as FlatBwd;
      const batchedBwd: FlatBwd = (res, cts) => {
        const g = vmapFlat((...ys) => bwdInner(ys.slice(0, nRes), ys.slice(nRes)), [...res, ...cts], [...res.map(() => 0), ...cts.map(() => 0)], size, () => 0);
        // Back to each argument's own batch axis; an unbatched argument's cotangent sums over the batch.
        return g.map((c, i) => (argDims[i] === null ? reduceSumP.bind1([c], { axes: [0] }) : moveBatchAxis(c, 0, argDims[i]!, size)));
      };
      return [outs.slice(0, nOut), outs.slice(nOut), opaque(batchedBwd, `vmap(${name}_bwd)`)];
    };
    const outs = customVjpCallP.bind([...closed.consts, ...args], {
      jaxpr: closed.jaxpr, numConsts: closed.consts.length + numConsts, fwd: opaque(batchedFwd, `vmap(${fwd.name})`), name: `vmap(${name})`,
    });
    return [outs, outs.map(() => 0)];
  },
});

/**
 * A function with a custom VJP rule; see {@link customVjp}.
 *
 * @example
 * const f: CustomVjp<(x: NDArray) => NDArray> = customVjp((x: NDArray) => np.sin(x));
 * f.defvjp((x: NDArray) => [np.sin(x), np.cos(x)], (cos: NDArray, g: NDArray) => [g.mul(cos)]);
 */
export interface CustomVjp<F extends AnyFn> {
  (...args: Parameters<F>): ReturnType<F>;
  /**
   * Sets the rule: `fwd(...args) => [out, residuals]` and `bwd(residuals, ct) => cotangents`
   * (an array with one cotangent pytree per argument; null, for a whole argument or a
   * leaf, means zero). With
   * nondiffArgnums, `fwd` gets all arguments, `bwd(...nondiffArgs, residuals, ct)` returns
   * cotangents for the other arguments only. Returns the function.
   */
  defvjp(fwd: (...args: any[]) => [unknown, unknown], bwd: (...args: any[]) => unknown[]): CustomVjp<F>;
}

/** Checks bwd's result against the arguments: one cotangent pytree (or null) per argument. */
function checkCotangents(g: unknown, argDefs: readonly TreeDef[], inAvals: readonly ShapedArray[], what: string): NDArray[] {
  if (!Array.isArray(g) || g.length !== argDefs.length) {
    throw new TypeError(`${what}: bwd must return an array with one cotangent per argument (${argDefs.length}; e.g. [ct] for one argument); got ${Array.isArray(g) ? `an array of length ${g.length}` : typeof g}`);
  }
  const out: NDArray[] = [];
  let k = 0;
  argDefs.forEach((def, i) => {
    const leafAvals = inAvals.slice(k, k + def.numLeaves);
    k += def.numLeaves;
    if (g[i] === null || g[i] === undefined) { for (const a of leafAvals) out.push(zerosLikeAval(a.withWeak(false))); return; }
    // null at a leaf position is a zero cotangent, as None in JAX.
    const [leaves, tree] = flatten(g[i], (x) => x === null || x === undefined);
    if (!tree.equals(def)) throw new TypeError(`${what}: bwd's cotangent for argument ${i} has structure ${tree}, but the argument has ${def}`);
    leaves.forEach((l, j) => {
      const a = leafAvals[j]!;
      if (l === null || l === undefined || !hasTangentSpace(a)) { out.push(zerosLikeAval(a.withWeak(false))); return; }
      const c = asArray(l as never, `${what}: cotangent leaf ${j} of argument ${i}`);
      if (!sameType(c.aval, a.withWeak(false))) {
        throw new TypeError(`${what}: bwd returned a ${c.aval.str()} cotangent for leaf ${j} of argument ${i}, which is ${a.str()}; cotangents must have their argument's shape and dtype`);
      }
      out.push(c);
    });
  });
  return out;
}

/**
 * Wraps `f` with a custom reverse-mode rule: `fwd` computes the output and residuals
 * saved for the backward pass, `bwd` maps residuals and the output cotangent to one
 * cotangent per argument. `grad`, `vjp` and `valueAndGrad` use the rule (also under jit
 * and vmap); evaluation runs `f`; forward mode (`jvp`) raises an error, as in JAX.
 * `f` is traced once per argument signature, like jit.
 *
 * @param f the function; its backward pass comes from `.defvjp(fwd, bwd)`.
 * @param opts `nondiffArgnums`: arguments that are not differentiated.
 * @returns a {@link CustomVjp}: call `.defvjp(fwd, bwd)` to get the function with its rules.
 * @example
 * // Identity forward, gradient clipped to [-1, 1] backward.
 * const clipGradient = customVjp((x: NDArray) => x).defvjp(
 *   (x: NDArray) => [x, null],
 *   (_res: null, g: NDArray) => [np.clip(g, -1, 1)],
 * );
 * grad((x: NDArray) => clipGradient(x).mul(5).sum())(np.array([1, 2]))   // [1, 1]
 * @throws Error when called before `defvjp`; TypeError if `fwd` or `bwd` return values whose structure, shapes or dtypes do not match, or under forward-mode `jvp`.
 */
export function customVjp<F extends AnyFn>(f: F, { nondiffArgnums = [] }: CustomOptions = {}): CustomVjp<F> {
  const name = f.name || "fn";
  const what = `customVjp(${name})`;
  let rules: { fwd: (...args: any[]) => [unknown, unknown]; bwd: (...args: any[]) => unknown[] } | null = null;

  const call = (...args: unknown[]) => scope(() => {
    if (!rules) throw new Error(`${what}: no VJP rule defined; call .defvjp(fwd, bwd) before calling the function`);
    const { fwd, bwd } = rules;
    const split = splitArgs(args, nondiffArgnums, what, "nondiffArgnums");
    const { staged, xs, inTree } = stageCached(f, split.merge, split.dyn, split.key, what);
    const argDefs = split.dyn.map((a) => flatten(a)[1]);
    const flatFwd: FlatFwd = (ys) => {
      const result = fwd(...split.merge(unflatten(inTree, ys) as unknown[]));
      if (!Array.isArray(result) || result.length !== 2) {
        throw new TypeError(`${what}: fwd must return [output, residuals]; got ${Array.isArray(result) ? `an array of length ${result.length}` : typeof result}`);
      }
      const outs = checkPrimalOut(result[0], staged, what, "fwd");
      const [resLeaves, resTree] = flatten(result[1]);
      const res = resLeaves.map((l, i) => asArray(l as never, `${what}: residual leaf ${i}`));
      const inAvals = ys.map((y) => y.aval);
      const flatBwd: FlatBwd = (rs, cts) =>
        checkCotangents(bwd(...split.statics, unflatten(resTree, rs), unflatten(staged.outTree, cts)), argDefs, inAvals, what);
      return [outs, res, flatBwd];
    };
    const outs = customVjpCallP.bind([...staged.closed.consts, ...xs], {
      jaxpr: staged.closed.jaxpr, numConsts: staged.closed.consts.length, fwd: opaque(flatFwd, `${name}_fwd`), name,
    });
    return unflatten(staged.outTree, outs);
  });

  const wrapped = call as unknown as CustomVjp<F>;
  wrapped.defvjp = (fwd, bwd) => {
    if (typeof fwd !== "function" || typeof bwd !== "function") {
      throw new TypeError(`${what}.defvjp: expected two functions fwd(...args) => [out, residuals] and bwd(residuals, ct) => cotangents; got ${typeof fwd} and ${typeof bwd}`);
    }
    rules = { fwd, bwd };
    return wrapped;
  };
  return wrapped;
}
