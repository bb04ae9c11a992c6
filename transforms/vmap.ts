/**
 * Vectorization: each value carries a batch axis (or none). Primitives are batched by
 * their rules, so `vmap(f)` runs f once on whole batches instead of looping.
 */
import { NDArray } from "../src/array.ts";
import { ShapedArray } from "../src/core/aval.ts";
import { asArray } from "../src/core/constant.ts";
import type { Primitive } from "../src/core/primitive.ts";
import { fmtShape } from "../src/core/shape.ts";
import { Trace, Tracer, withMainTrace, type MainTrace } from "../src/core/trace.ts";
import { moveBatchAxis } from "../src/lax/rules.ts";
import { scope } from "../src/memory.ts";
import { flatten, flattenUpTo, unflatten, structure } from "../src/tree/index.ts";
import { flattenFun } from "./jvp.ts";

export class BatchTracer extends Tracer {
  constructor(trace: BatchTrace, readonly val: NDArray, readonly batchDim: number | null) { super(trace); }
  get aval(): ShapedArray {
    if (this.batchDim === null) return this.val.aval;
    const a = this.val.aval;
    return new ShapedArray(a.shape.filter((_, i) => i !== this.batchDim), a.dtype, a.weakType);
  }
  override fullLower(): NDArray { return this.batchDim === null ? this.val : this; }
}

export class BatchTrace extends Trace {
  get axisSize(): number { return this.main.globalData as number; }
  pure(x: NDArray): NDArray { return new BatchTracer(this, x, null); }
  lift(x: NDArray): NDArray { return new BatchTracer(this, x, null); }
  processPrimitive(prim: Primitive<unknown>, tracers: NDArray[], params: unknown): NDArray[] {
    const ts = tracers as BatchTracer[];
    const vals = ts.map((t) => t.val);
    const dims = ts.map((t) => t.batchDim);
    if (dims.every((d) => d === null)) return prim.bind(vals, params).map((v) => new BatchTracer(this, v, null));
    const rule = prim.rules.batch;
    if (!rule) throw new Error(`no batching rule for primitive "${prim.name}": it cannot be used under vmap`);
    const [outs, outDims] = rule(vals, dims, params);
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i] ?? null));
  }
}

/** Flat vmap: arrays with their batch axes (null = not batched) in, arrays batched at `outAxes` out. */
export function vmapFlat(f: (...xs: NDArray[]) => NDArray[], args: readonly NDArray[], inAxes: readonly (number | null)[], axisSize: number, outAxes: (i: number) => number | null): NDArray[] {
  return withMainTrace(BatchTrace, axisSize, (main: MainTrace) => {
    const trace = new BatchTrace(main);
    const tracersIn = args.map((a, i) => (inAxes[i] === null ? a : new BatchTracer(trace, a, inAxes[i]!)));
    const outs = f(...tracersIn);
    return outs.map((o, i) => {
      const t = o instanceof BatchTracer && o.trace.main === main ? o : new BatchTracer(trace, o, null);
      const dst = outAxes(i);
      if (dst === null) {
        if (t.batchDim !== null) throw new Error(`vmap: output ${i} is batched, but outAxes says it is not (null); only outputs that do not depend on the batch can have outAxes null`);
        return t.val;
      }
      return moveBatchAxis(t.val, t.batchDim, dst < 0 ? dst + t.aval.ndim + 1 : dst, axisSize);
    });
  });
}

/**
 * Batch axes for `vmap`'s `inAxes`/`outAxes`: a number (every leaf), null (not batched), or a
 * pytree prefix of the arguments with a number or null at each of its leaves.
 * @example
 * const axes: Axes = [0, { w: null, b: 1 }];   // first argument batched on axis 0; w shared; b on axis 1
 */
export type Axes = number | null | Axes[] | { [k: string]: Axes };

/** One axis per leaf of `tree`, from a prefix of its structure (numbers and null are leaves of the prefix). */
function broadcastPrefix(prefix: Axes, tree: unknown, what: string): (number | null)[] {
  const isAxis = (x: unknown) => x === null || typeof x === "number";
  if (isAxis(prefix)) return flatten(tree)[0].map(() => prefix as number | null);
  const [axes, def] = flatten(prefix, isAxis);
  let subtrees: unknown[];
  try {
    subtrees = flattenUpTo(def, tree);
  } catch (e) {
    throw new TypeError(`vmap: ${what} must be a prefix of the arguments' structure; ${what} is ${def}, the arguments are ${structure(tree)}`);
  }
  return subtrees.flatMap((sub, i) => flatten(sub)[0].map(() => axes[i] as number | null));
}

/**
 * Options of vmap, as in JAX.
 * @example
 * vmap((a: NDArray, b: NDArray) => a.mul(b).sum(), { inAxes: [1, null], outAxes: 0 } satisfies VmapOptions)(np.ones([3, 5]), np.ones([3])).shape   // [5]
 */
export interface VmapOptions {
  /** Batch axis of each argument: a number for all, null for none, or a per-argument pytree prefix. Default 0. */
  inAxes?: Axes;
  /** Where the batch axis goes in the outputs (number, null, or a pytree prefix). Default 0. */
  outAxes?: Axes;
  /** The batch size, required when no argument is batched. */
  axisSize?: number;
}

/**
 * Vectorizes `f` over a batch axis of its arguments.
 *
 * @param f the function of one example (pytrees of arrays in and out).
 * @param opts `inAxes` (batch axis per argument; null = not batched), `outAxes`, `axisSize`.
 * @returns the batched function: arguments carry an extra axis of size n at `inAxes`, and so do the outputs at `outAxes`.
 * @example
 * const dot = (a: NDArray, b: NDArray) => np.sum(a.mul(b));
 * vmap(dot)(np.ones([5, 3]), np.ones([5, 3])).shape              // [5]
 * vmap(dot, { inAxes: [0, null] })(np.ones([5, 3]), np.ones([3])) // one b for all
 * @throws Error listing every argument's size when the batch sizes disagree.
 */
export function vmap(f: (...args: any[]) => any, { inAxes = 0, outAxes = 0, axisSize }: VmapOptions = {}): (...args: any[]) => any {
  return (...args: unknown[]) => scope(() => {
    const [leaves, inTree] = flatten(args);
    const xs = leaves.map((l, i) => asArray(l as never, `vmap argument leaf ${i}`));
    const perArg: Axes = typeof inAxes === "number" || inAxes === null ? inAxes : inAxes;
    if (Array.isArray(perArg) && perArg.length !== args.length) {
      throw new TypeError(`vmap: inAxes has ${perArg.length} entries but the function was called with ${args.length} arguments`);
    }
    const axes = broadcastPrefix(perArg, args, "inAxes").map((a, i) => {
      if (a === null) return null;
      const nd = xs[i]!.ndim;
      if (!Number.isInteger(a) || a < -nd || a >= nd) throw new RangeError(`vmap: inAxes ${a} is out of range for argument leaf ${i} of shape ${fmtShape(xs[i]!.shape)}`);
      return a < 0 ? a + nd : a;
    });
    const sizes = axes.map((a, i) => (a === null ? null : xs[i]!.shape[a]!));
    const distinct = [...new Set(sizes.filter((s): s is number => s !== null))];
    if (distinct.length > 1 || (axisSize !== undefined && distinct.length === 1 && distinct[0] !== axisSize)) {
      const lines = sizes.flatMap((s, i) => (s === null ? [] : [`  argument leaf ${i} of shape ${fmtShape(xs[i]!.shape)} has size ${s} on axis ${axes[i]}`]));
      throw new Error(`vmap got inconsistent sizes for the mapped axis${axisSize !== undefined ? ` (axisSize ${axisSize})` : ""}:\n${lines.join("\n")}`);
    }
    const size = distinct[0] ?? axisSize;
    if (size === undefined) throw new Error("vmap: no argument is batched (all inAxes are null); pass axisSize");
    const [flatF, outTree] = flattenFun(f, inTree);
    let outAxisList: (number | null)[] | null = null;
    const outs = vmapFlat((...ys) => {
      const r = flatF(...ys);
      outAxisList = broadcastPrefix(outAxes, unflatten(outTree(), r), "outAxes");
      return r;
    }, xs, axes, size, (i) => outAxisList![i]!);
    return unflatten(outTree(), outs);
  });
}
