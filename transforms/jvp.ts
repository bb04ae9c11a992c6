/**
 * Forward mode: each value carries a tangent. A `null` tangent is a symbolic zero, so
 * inputs that are not differentiated (and integer values) cost nothing.
 */
import { NDArray, type ConcreteArray } from "../src/array.ts";
import type { ShapedArray } from "../src/core/aval.ts";
import { asArray } from "../src/core/constant.ts";
import type { Primitive } from "../src/core/primitive.ts";
import { Trace, Tracer, withMainTrace, type MainTrace } from "../src/core/trace.ts";
import { zerosLikeAval } from "../src/lax/rules.ts";
import { flatten, unflatten, type TreeDef } from "../src/tree/index.ts";
import { scope } from "../src/memory.ts";

export class JVPTracer extends Tracer {
  constructor(trace: JVPTrace, readonly primal: NDArray, readonly tangent: NDArray | null) { super(trace); }
  get aval(): ShapedArray { return this.primal.aval; }
  /** Without a tangent this tracer says nothing to its trace: use the primal. */
  override fullLower(): NDArray { return this.tangent === null ? this.primal : this; }
  /** The primal may be concrete (grad of eager code): then JS can read it, as in JAX. */
  override concrete(method: string): ConcreteArray { return this.primal.concrete(method); }
}

export class JVPTrace extends Trace {
  pure(x: NDArray): NDArray { return new JVPTracer(this, x, null); }
  lift(x: NDArray): NDArray { return new JVPTracer(this, x, null); }
  processPrimitive(prim: Primitive<unknown>, tracers: NDArray[], params: unknown): NDArray[] {
    const ts = tracers as JVPTracer[];
    const primals = ts.map((t) => t.primal);
    const tangents = ts.map((t) => t.tangent);
    if (tangents.every((t) => t === null)) return prim.bind(primals, params).map((p) => new JVPTracer(this, p, null));
    const rule = prim.rules.jvp;
    if (!rule) throw new Error(`no JVP rule for primitive "${prim.name}": it cannot be differentiated`);
    const [primalsOut, tangentsOut] = rule(primals, tangents, params);
    return primalsOut.map((p, i) => new JVPTracer(this, p, tangentsOut[i] ?? null));
  }
}

/** Only float32 values have tangents; others get a symbolic zero. */
export function hasTangentSpace(aval: ShapedArray): boolean {
  return aval.dtype === "float32";
}

/** Flat JVP: primal and tangent arrays in, primal and (possibly null) tangent outputs out. */
export function jvpFlat(f: (...xs: NDArray[]) => NDArray[], primals: readonly NDArray[], tangents: readonly (NDArray | null)[]): [NDArray[], (NDArray | null)[]] {
  return withMainTrace(JVPTrace, null, (main: MainTrace) => {
    const trace = new JVPTrace(main);
    const tracersIn = primals.map((p, i) => new JVPTracer(trace, p, tangents[i] ?? null));
    const outs = f(...tracersIn);
    const primalsOut: NDArray[] = [];
    const tangentsOut: (NDArray | null)[] = [];
    for (const o of outs) {
      if (o instanceof JVPTracer && o.trace.main === main) { primalsOut.push(o.primal); tangentsOut.push(o.tangent); }
      else { primalsOut.push(o); tangentsOut.push(null); }
    }
    return [primalsOut, tangentsOut];
  });
}

function checkTangent(p: NDArray, t: NDArray, i: number): void {
  if (p.dtype !== t.dtype || p.ndim !== t.ndim || p.shape.some((d, k) => d !== t.shape[k])) {
    throw new TypeError(`jvp: tangent ${i} must match its primal's shape and dtype: primal ${p.aval.str()}, tangent ${t.aval.str()}`);
  }
}

/** Flattens a function of pytrees into a function of flat array lists, recording the output tree. */
export function flattenFun(f: (...args: any[]) => unknown, inTree: TreeDef): [(...xs: NDArray[]) => NDArray[], () => TreeDef] {
  let outTree: TreeDef | null = null;
  const flat = (...xs: NDArray[]) => {
    const out = f(...(unflatten(inTree, xs) as unknown[]));
    const [leaves, tree] = flatten(out);
    outTree = tree;
    return leaves.map((l, i) => asArray(l as never, `output leaf ${i}`));
  };
  return [flat, () => {
    if (outTree === null) throw new Error("internal: output tree read before the function ran");
    return outTree;
  }];
}

/**
 * Forward-mode derivative: evaluates `f` at `primals` and its directional derivative
 * along `tangents` (pytrees matching the arguments).
 *
 * @param f a function of pytrees of arrays.
 * @param primals the point: one pytree per argument of `f`.
 * @param tangents the direction: one pytree per argument, with the primals' structure, shapes and dtypes.
 * @returns `[primalsOut, tangentsOut]`: `f(...primals)` and its directional derivative, with the same structure.
 * @example
 * const [y, dy] = jvp((x: NDArray) => np.sin(x), [np.array(0)], [np.array(1)]);
 * dy.item()   // 1 (cos 0)
 * @throws TypeError if a tangent's shape or dtype differs from its primal's.
 */
export function jvp(f: (...args: any[]) => any, primals: unknown[], tangents: unknown[]): [any, any] {
  return scope(() => jvpTree(f, primals, tangents));
}

function jvpTree(f: (...args: any[]) => any, primals: unknown[], tangents: unknown[]): [any, any] {
  const [pLeaves, inTree] = flatten(primals);
  const [tLeaves, tTree] = flatten(tangents);
  if (!inTree.equals(tTree)) throw new TypeError(`jvp: primals and tangents must have the same structure; got ${inTree} and ${tTree}`);
  const ps = pLeaves.map((l, i) => asArray(l as never, `primal ${i}`));
  const ts = tLeaves.map((l, i) => { const t = asArray(l as never, `tangent ${i}`); checkTangent(ps[i]!, t, i); return t; });
  const [flatF, outTree] = flattenFun(f, inTree);
  const [po, to] = jvpFlat((...xs) => flatF(...xs), ps, ts);
  const tangentsOut = to.map((t, i) => t ?? zerosLikeAval(po[i]!.aval));
  return [unflatten(outTree(), po), unflatten(outTree(), tangentsOut)];
}
