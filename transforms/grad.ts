/**
 * Reverse mode and friends: linearize (JVP under partial evaluation), vjp (transpose of
 * the linear part), grad and valueAndGrad, and Jacobians.
 */
import { ConcreteArray, type NDArray } from "../src/array.ts";
import { asArray, scalar } from "../src/core/constant.ts";
import { fmtShape } from "../src/core/shape.ts";
import { evalClosedJaxpr, type ClosedJaxpr } from "../src/core/jaxpr.ts";
import { zerosLikeAval } from "../src/lax/rules.ts";
import { dispose, scope, track } from "../src/memory.ts";
import { flatten, unflatten, type TreeDef } from "../src/tree/index.ts";
import { flattenFun, hasTangentSpace, jvpFlat } from "./jvp.ts";
import { PartialVal, partialEvalFlat } from "./partial_eval.ts";
import { transposeClosed } from "./transpose.ts";

/** The linear part of a function at a point: which outputs have nonzero tangents, and the jaxpr computing them. */
interface Linearized {
  primalsOut: NDArray[];
  /** Inputs with a tangent space (float32); the jaxpr takes tangents for these only. */
  diffIn: boolean[];
  /** Outputs whose tangent is not a symbolic zero; the jaxpr returns tangents for these only. */
  nonzeroOut: boolean[];
  jaxpr: ClosedJaxpr;
}

/** Linearizes a flat function at `primals`. The jaxpr's constants (residuals) are owned by the result. */
export function linearizeFlat(f: (...xs: NDArray[]) => NDArray[], primals: readonly NDArray[]): Linearized {
  const n = primals.length;
  const diffIn = primals.map((p) => hasTangentSpace(p.aval));
  let nonzeroOut: boolean[] = [];
  let numOut = 0;
  const fJvp = (...xs: NDArray[]): NDArray[] => {
    let k = n;
    const tangents = diffIn.map((d) => (d ? xs[k++]! : null));
    const [po, to] = jvpFlat(f, xs.slice(0, n), tangents);
    numOut = po.length;
    nonzeroOut = to.map((t) => t !== null);
    return [...po, ...(to.filter((t) => t !== null) as NDArray[])];
  };
  const pvals = [...primals.map((p) => PartialVal.known(p)), ...primals.filter((_, i) => diffIn[i]).map((p) => PartialVal.unknown(p.aval))];
  const { knownOuts, jaxpr } = partialEvalFlat(fJvp, pvals, (i) => i >= numOut);
  const primalsOut = knownOuts.slice(0, numOut).map((p, i) => {
    if (p === null) throw new Error(`internal: primal output ${i} depends on tangents`);
    return p;
  });
  return { primalsOut, diffIn, nonzeroOut, jaxpr };
}

/** Linearizes a function of pytrees at `primals` (the shared start of linearize and vjp). */
function linearizeTree(f: (...args: any[]) => any, primals: unknown[]): { xs: NDArray[]; inTree: TreeDef; lin: Linearized; tree: TreeDef } {
  const [leaves, inTree] = flatten(primals);
  const xs = leaves.map((l, i) => asArray(l as never, `primal ${i}`));
  const [flatF, outTree] = flattenFun(f, inTree);
  const lin = linearizeFlat(flatF, xs);
  return { xs, inTree, lin, tree: outTree() };
}

/** Releases a linearization's residuals once its linear function is garbage. */
const residualFinalizer = new FinalizationRegistry<NDArray[]>((consts) => dispose(consts));

/**
 * Evaluates `f` and returns a function computing its JVP at that point (the linear map
 * v ↦ J v), with the primal work done once.
 *
 * @param f a function of pytrees of arrays.
 * @param primals the point: one pytree per argument of `f`.
 * @returns `[out, jvpFn]`: `f(...primals)`, and the linear map from tangents (one per primal) to the output tangent, which runs without re-running `f`.
 * @example
 * const [y, fJvp] = linearize((x: NDArray) => np.sin(x), np.array(0));
 * fJvp(np.array(2)).item()   // 2 (cos 0 · 2)
 */
export function linearize(f: (...args: any[]) => any, ...primals: unknown[]): [any, (...tangents: unknown[]) => any] {
  return scope(() => {
    const { xs, inTree, lin, tree } = linearizeTree(f, primals);
    const jvpFn = (...tangents: unknown[]) => scope(() => {
      const [tl, tTree] = flatten(tangents);
      if (!tTree.equals(inTree)) throw new TypeError(`linearize: tangents must have the structure of the primals: ${inTree}; got ${tTree}`);
      const ts = tl.map((t, i) => asArray(t as never, `tangent ${i}`)).filter((_, i) => lin.diffIn[i]);
      const outs = evalClosedJaxpr(lin.jaxpr, ts);
      let k = 0;
      return unflatten(tree, lin.primalsOut.map((p, i) => (lin.nonzeroOut[i] ? outs[k++]! : zerosLikeAval(p.aval))));
    });
    residualFinalizer.register(jvpFn, lin.jaxpr.consts);
    return [unflatten(tree, lin.primalsOut), jvpFn] as [any, (...t: unknown[]) => any];
  });
}

/** Cotangents of the inputs for output cotangents `cts`; zeros where a value has no dependence. */
export function vjpOfLinearized(lin: Linearized, primals: readonly NDArray[], cts: readonly (NDArray | null)[]): NDArray[] {
  const ctsIn = transposeClosed(lin.jaxpr, cts.filter((_, i) => lin.nonzeroOut[i]));
  let k = 0;
  return primals.map((p, i) => (lin.diffIn[i] ? ctsIn[k++] ?? zerosLikeAval(p.aval) : zerosLikeAval(p.aval)));
}

/**
 * Evaluates `f` and returns a function pulling output cotangents back to the inputs
 * (vᵀ J): one cotangent per primal argument, each with that argument's structure.
 *
 * @param f a function of pytrees of arrays returning a pytree of arrays.
 * @param primals the point: one pytree per argument of `f`.
 * @returns `[out, vjpFn]`: `f(...primals)`, and a function from an output cotangent (a pytree like `out`) to the list of cotangents, one per primal.
 * @example
 * const [y, vjpFn] = vjp((x: NDArray) => np.sin(x), np.array([0, 1]));
 * vjpFn(np.ones([2]))[0]   // [1, 0.5403]
 */
export function vjp(f: (...args: any[]) => any, ...primals: unknown[]): [any, (ct: unknown) => any[]] {
  return scope(() => {
    const { xs, inTree, lin, tree } = linearizeTree(f, primals);
    const vjpFn = (ct: unknown) => scope(() => {
      const [cl, cTree] = flatten(ct);
      if (!cTree.equals(tree)) throw new TypeError(`vjp: the cotangent must have the structure of the output: ${tree}; got ${cTree}`);
      const cts = cl.map((c, i) => {
        const a = asArray(c as never, `cotangent ${i}`);
        const p = lin.primalsOut[i]!;
        if (a.ndim !== p.ndim || a.shape.some((d, k) => d !== p.shape[k])) {
          throw new TypeError(`vjp: cotangent ${i} has shape ${fmtShape(a.shape)} but the output has shape ${fmtShape(p.shape)}`);
        }
        return a;
      });
      return unflatten(inTree, vjpOfLinearized(lin, xs, cts)) as any[];
    });
    residualFinalizer.register(vjpFn, lin.jaxpr.consts);
    return [unflatten(tree, lin.primalsOut), vjpFn] as [any, (ct: unknown) => any[]];
  });
}

/**
 * Options of grad / valueAndGrad.
 * @example
 * grad((x: NDArray, y: NDArray) => x.mul(y).sum(), { argnums: 1 } satisfies GradOptions)(np.array([2]), np.array([5]))   // [2]
 */
export interface GradOptions {
  /** Which positional argument(s) to differentiate (default 0). */
  argnums?: number | number[];
  /** `f` returns `[value, aux]`; aux is returned alongside, not differentiated. */
  hasAux?: boolean;
}

function checkArgnums(argnums: number | number[], nargs: number): number[] {
  const list = typeof argnums === "number" ? [argnums] : argnums;
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= nargs) {
      throw new RangeError(`argnums ${JSON.stringify(argnums)} is out of range for a function called with ${nargs} positional argument(s)`);
    }
  }
  return list;
}

/** The shared core of grad and valueAndGrad: [[value, aux], grads]. */
function valueAndGradCore(f: (...args: any[]) => any, { argnums = 0, hasAux = false }: GradOptions, name: string, args: unknown[]): [[NDArray, unknown], unknown] {
  const nums = checkArgnums(argnums, args.length);
  const [leaves, diffTree] = flatten(nums.map((i) => args[i]));
  const xs = leaves.map((l, i) => asArray(l as never, `${name}: differentiated argument leaf ${i}`));
  xs.forEach((x, i) => {
    if (!hasTangentSpace(x.aval)) {
      throw new TypeError(`${name} requires float32 inputs; differentiated argument leaf ${i} is ${x.aval.str()}. Convert it with .astype("float32") or leave it out of argnums`);
    }
  });
  let auxTree: TreeDef | null = null;
  const flatF = (...diff: NDArray[]): NDArray[] => {
    const chosen = unflatten(diffTree, diff) as unknown[];
    const full = [...args];
    nums.forEach((argIndex, k) => { full[argIndex] = chosen[k]; });
    const result = f(...full);
    let value: unknown = result, aux: unknown = null;
    if (hasAux) {
      if (!Array.isArray(result) || result.length !== 2) throw new TypeError(`${name} with hasAux: f must return [value, aux]; got ${typeof result}`);
      [value, aux] = result;
    }
    const out = asArray(value as never, `${name}: output`);
    if (out.ndim !== 0 || out.dtype !== "float32") {
      throw new TypeError(`${name} requires a scalar float32 output; f returned ${out.aval.str()}${out.ndim ? ` (shape ${fmtShape(out.shape)}): reduce it (e.g. np.sum or np.mean) or use vjp/jacrev` : ""}`);
    }
    const [auxLeaves, tree] = flatten(aux);
    auxTree = tree;
    return [out, ...auxLeaves.map((l, i) => asArray(l as never, `aux leaf ${i}`))];
  };
  const lin = linearizeFlat(flatF, xs);
  try {
    const cts = lin.primalsOut.map((_, i) => (i === 0 ? scalar(1, "float32") : null));
    const grads = vjpOfLinearized(lin, xs, cts);
    const chosen = unflatten(diffTree, grads) as unknown[];
    const aux = unflatten(auxTree!, lin.primalsOut.slice(1));
    return [[lin.primalsOut[0]!, aux], typeof argnums === "number" ? chosen[0] : chosen];
  } finally {
    // The residuals go to the enclosing scope (grad's own): released when it ends, or, when an
    // outer transformation may have recorded them (grad of grad), when the outermost one ends.
    for (const c of lin.jaxpr.consts) if (c instanceof ConcreteArray) track(c);
  }
}

/**
 * Gradient of a scalar-valued function with respect to argument(s) `argnums`.
 *
 * @param f a function of pytrees of arrays returning a scalar array (or `[scalar, aux]` with `hasAux`).
 * @param opts `argnums`: which positional argument(s) to differentiate (default 0); `hasAux`.
 * @returns a function with `f`'s parameters returning the gradient, a pytree shaped like the differentiated argument (a list of them when `argnums` is a list; `[grads, aux]` with `hasAux`).
 * @example
 * const df = grad((x: NDArray) => np.sum(np.sin(x)));
 * df(np.array([0, 1]))   // [1, 0.5403]
 * @throws TypeError if `f` returns a non-scalar (the message shows the shape it got) or a differentiated input is not float32.
 */
export function grad(f: (...args: any[]) => any, opts: GradOptions = {}): (...args: any[]) => any {
  return (...args: unknown[]) => scope(() => {
    const [[, aux], g] = valueAndGradCore(f, opts, "grad", args);
    return opts.hasAux ? [g, aux] : g;
  });
}

/**
 * Value and gradient together: `[value, grads]`, or `[[value, aux], grads]` with `hasAux`.
 *
 * @param f as for {@link grad}.
 * @param opts as for {@link grad}.
 * @returns a function returning `[value, grads]` (`[[value, aux], grads]` with `hasAux`).
 * @example
 * const [loss, g] = valueAndGrad((w: NDArray) => np.sum(w.square()))(np.array([1, 2]));
 * // loss = 5, g = [2, 4]
 */
export function valueAndGrad(f: (...args: any[]) => any, opts: GradOptions = {}): (...args: any[]) => any {
  return (...args: unknown[]) => scope(() => {
    const [[value, aux], g] = valueAndGradCore(f, opts, "valueAndGrad", args);
    return opts.hasAux ? [[value, aux], g] : [value, g];
  });
}
