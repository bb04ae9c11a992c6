/**
 * jit: stage a function to a jaxpr once per signature, optimize it, compile it to a
 * kernel sequence, and run that on later calls. The staged call is the higher-order
 * primitive `pjit`, whose rules transform its jaxpr, so `grad(jit(f))`, `vmap(jit(f))`
 * and `jit(grad(f))` all stay compiled.
 */
import type { NDArray } from "../src/array.ts";
import { ShapedArray } from "../src/core/aval.ts";
import { asArray } from "../src/core/constant.ts";
import { ClosedJaxpr, Jaxpr, evalJaxpr } from "../src/core/jaxpr.ts";
import { definePrimitive, UndefinedPrimal, type Primitive } from "../src/core/primitive.ts";
import { compile, type Executable } from "../src/compiler/executor.ts";
import { optimize } from "../src/compiler/passes.ts";
import { instantiate, zerosLikeAval } from "../src/lax/rules.ts";
import { dispose, scope } from "../src/memory.ts";
import { flatten, unflatten, type TreeDef } from "../src/tree/index.ts";
import { jvpFlat } from "./jvp.ts";
import { PartialVal, partialEvalFlat, partialEvalRules } from "./partial_eval.ts";
import { stageFlat } from "./staging.ts";
import { backwardPass } from "./transpose.ts";
import { vmapFlat } from "./vmap.ts";

export interface PjitParams {
  /** The staged program; its constants are leading inputs, passed as operands. */
  jaxpr: Jaxpr;
  /** The function's name, for printing. */
  name: string;
  /** False runs every primitive as its own kernel (jit's `fuse` option). */
  fuse?: boolean;
}

const executables = new WeakMap<Jaxpr, Executable>();
const unfusedExecutables = new WeakMap<Jaxpr, Executable>();
/** The compiled form of a jaxpr (fused unless `fuse` is false), built once. */
export function executableFor(jaxpr: Jaxpr, fuse = true): Executable {
  const cache = fuse ? executables : unfusedExecutables;
  let exe = cache.get(jaxpr);
  if (!exe) { exe = compile(jaxpr, { fuse }); cache.set(jaxpr, exe); }
  return exe;
}

/** Memoizes a derived jaxpr per (jaxpr, key). */
export function memo<T>(cache: WeakMap<Jaxpr, Map<string, T>>, jaxpr: Jaxpr, key: string, make: () => T): T {
  let m = cache.get(jaxpr);
  if (!m) { m = new Map(); cache.set(jaxpr, m); }
  let v = m.get(key);
  if (v === undefined) { v = make(); m.set(key, v); }
  return v;
}

/** Stages `f` and lifts its constants to leading inputs: returns the jaxpr and the constants. */
export function stageWithConsts(f: (...xs: NDArray[]) => NDArray[], avals: readonly ShapedArray[]): ClosedJaxpr {
  const { closed } = stageFlat(f, avals);
  return new ClosedJaxpr(optimize(closed.jaxpr), closed.consts);
}

const jvpCache = new WeakMap<Jaxpr, Map<string, { closed: ClosedJaxpr; nonzeroOut: boolean[] }>>();
const batchCache = new WeakMap<Jaxpr, Map<string, ClosedJaxpr>>();
const transposeCache = new WeakMap<Jaxpr, Map<string, ClosedJaxpr>>();
const peCache = new WeakMap<Jaxpr, Map<string, { known: ClosedJaxpr; unknown: Jaxpr; outUnknown: boolean[]; numKnownOuts: number }>>();

/**
 * The JVP of a jaxpr, staged and memoized: primals then the nonzero tangents in; primals
 * then the tangents that are not symbolic zeros out (`nonzeroOut` says which).
 */
export function jvpJaxpr(jaxpr: Jaxpr, nonzero: readonly boolean[]): { closed: ClosedJaxpr; nonzeroOut: boolean[] } {
  return memo(jvpCache, jaxpr, nonzero.join(), () => {
    let outMask: boolean[] = [];
    const n = jaxpr.inBinders.length;
    const closed = stageWithConsts((...xs) => {
      let k = n;
      const ts = nonzero.map((z) => (z ? xs[k++]! : null));
      const [po, to] = jvpFlat((...ys) => evalJaxpr(jaxpr, ys), xs.slice(0, n), ts);
      outMask = to.map((t) => t !== null);
      return [...po, ...(to.filter((t) => t !== null) as NDArray[])];
    }, [...jaxpr.inAvals, ...jaxpr.inAvals.filter((_, i) => nonzero[i])]);
    return { closed, nonzeroOut: outMask };
  });
}

/** Binds pjit on a closed jaxpr: its constants go first. */
export function bindClosed(closed: ClosedJaxpr, args: readonly NDArray[], name: string, fuse?: boolean): NDArray[] {
  return pjitP.bind([...closed.consts, ...args], fuse === false ? { jaxpr: closed.jaxpr, name, fuse } : { jaxpr: closed.jaxpr, name });
}

/**
 * The primitive behind {@link jit}: holds a jaxpr (constants as leading operands) and runs
 * it compiled; its JVP, transpose, batching and partial-evaluation rules transform the
 * jaxpr, so `grad(jit(f))` and `vmap(jit(f))` stay compiled.
 *
 * @example
 * makeJaxpr(jit((x: NDArray) => np.sin(x)))(np.ones([2])).toString()   // { lambda ; a:f32[2]. let b:f32[2] = pjit[jaxpr={ ... } name=fn] a in (b,) }
 */
export const pjitP: Primitive<PjitParams> = definePrimitive<PjitParams>("pjit", {
  impl: (args, { jaxpr, fuse }) => executableFor(jaxpr, fuse !== false).run(args),
  abstractEval: (avals, { jaxpr, name }) => {
    const expected = jaxpr.inAvals;
    const ok = avals.length === expected.length && avals.every((a, i) => a.dtype === expected[i]!.dtype && a.ndim === expected[i]!.ndim && a.shape.every((d, k) => d === expected[i]!.shape[k]));
    if (!ok) throw new TypeError(`pjit ${name}: called with ${avals.map((a) => a.str()).join(", ")} but compiled for ${expected.map((a) => a.str()).join(", ")}`);
    return jaxpr.outAvals;
  },
  jvp: (primals, tangents, { jaxpr, name }) => {
    const { closed, nonzeroOut } = jvpJaxpr(jaxpr, tangents.map((t) => t !== null));
    const outs = bindClosed(closed, [...primals, ...(tangents.filter((t) => t !== null) as NDArray[])], `jvp(${name})`);
    const numOut = jaxpr.outs.length;
    let k = numOut;
    return [outs.slice(0, numOut), nonzeroOut.map((z) => (z ? outs[k++]! : null))];
  },
  batch: (args, dims, { jaxpr, name }) => {
    const size = args[dims.findIndex((d) => d !== null)]!.shape[dims.find((d) => d !== null)!]!;
    const closed = memo(batchCache, jaxpr, `${dims.join()}|${size}`, () => {
      const avals = args.map((a) => a.aval);
      return stageWithConsts((...xs) => vmapFlat((...ys) => evalJaxpr(jaxpr, ys), xs, dims, size, () => 0), avals);
    });
    const outs = bindClosed(closed, args, `vmap(${name})`);
    return [outs, outs.map(() => 0)];
  },
  transpose: (cts, args, { jaxpr, name }) => {
    const undefinedMask = args.map((a) => a instanceof UndefinedPrimal);
    const closed = memo(transposeCache, jaxpr, undefinedMask.join(), () => {
      const defined = args.filter((a) => !(a instanceof UndefinedPrimal)).map((a) => (a as NDArray).aval);
      return stageWithConsts((...xs) => {
        let k = 0;
        const full = jaxpr.inAvals.map((a, i) => (undefinedMask[i] ? new UndefinedPrimal(a) : xs[k++]!));
        const ctIn = xs.slice(k);
        const res = backwardPass(jaxpr, full, ctIn);
        return res.filter((_, i) => undefinedMask[i]).map((c, i) => c ?? zerosLikeAval(jaxpr.inAvals.filter((_, j) => undefinedMask[j])[i]!));
      }, [...defined, ...jaxpr.outAvals]);
    });
    const ctsFull = cts.map((c, i) => instantiate(c, jaxpr.outAvals[i]!));
    const outs = bindClosed(closed, [...(args.filter((a) => !(a instanceof UndefinedPrimal)) as NDArray[]), ...ctsFull], `transpose(${name})`);
    let k = 0;
    return undefinedMask.map((u) => (u ? outs[k++]! : null));
  },
});

/**
 * Splits a jaxpr into the part computable from the known inputs (run now, compiled) and
 * the part that needs the unknown ones (recorded), connected by residuals.
 */
partialEvalRules.set("pjit", (trace, tracers, { jaxpr, name }: PjitParams) => {
  const unknownIn = tracers.map((t) => !t.pval.isKnown);
  const split = memo(peCache, jaxpr, unknownIn.join(), () => {
    let unknown: ClosedJaxpr | null = null;
    let outUnknown: boolean[] = [];
    let numKnownOuts = 0;
    const knownAvals = jaxpr.inAvals.filter((_, i) => !unknownIn[i]);
    const known = stageWithConsts((...xs) => {
      let k = 0;
      const pvals = jaxpr.inAvals.map((a, i) => (unknownIn[i] ? PartialVal.unknown(a) : PartialVal.known(xs[k++]!)));
      const r = partialEvalFlat((...ys) => evalJaxpr(jaxpr, ys), pvals);
      unknown = r.jaxpr;
      outUnknown = r.knownOuts.map((o) => o === null);
      const knownOuts = r.knownOuts.filter((o): o is NDArray => o !== null);
      numKnownOuts = knownOuts.length;
      return [...knownOuts, ...r.jaxpr.consts];
    }, knownAvals);
    return { known, unknown: (unknown as unknown as ClosedJaxpr).jaxpr, outUnknown, numKnownOuts };
  });
  const knownVals = tracers.filter((t) => t.pval.isKnown).map((t) => t.pval.known!);
  const knownResults = bindClosed(split.known, knownVals, name);
  const knownOuts = knownResults.slice(0, split.numKnownOuts);
  const residuals = knownResults.slice(split.numKnownOuts).map((r) => trace.instantiateConst(trace.pure(r) as never));
  const unknownTracers = tracers.filter((t) => !t.pval.isKnown);
  const unknownOuts = trace.recordEqn(pjitP, [...residuals, ...unknownTracers], { jaxpr: split.unknown, name });
  let ki = 0, ui = 0;
  return split.outUnknown.map((u) => (u ? unknownOuts[ui++]! : knownOuts[ki++]!));
});

// ---------------------------------------------------------------------------------------

/**
 * Options of jit.
 * @example
 * const power = jit((n: number, x: NDArray) => x.pow(n), { staticArgnums: [0], fuse: true } satisfies JitOptions);
 * power(3, np.array([2]))   // [8]
 */
export interface JitOptions {
  /** Positional arguments that are ordinary JS values (numbers, strings, configs): part of the cache key, not traced. */
  staticArgnums?: number[];
  /**
   * Fuse elementwise chains into generated kernels (WGSL on webgpu, JS loops on cpu and
   * small wasm outputs). Default true; false runs one tfjs kernel per primitive.
   */
  fuse?: boolean;
}

interface CacheEntry { closed: ClosedJaxpr; outTree: TreeDef; name: string }

interface Signature { entry: CacheEntry; inTree: TreeDef; avals: ShapedArray[]; statics: string[] }

function sameSignature(sig: Signature, inTree: TreeDef, xs: readonly NDArray[], statics: readonly string[]): boolean {
  if (xs.length !== sig.avals.length || statics.some((k, i) => k !== sig.statics[i])) return false;
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i]!.aval, b = sig.avals[i]!;
    if (a !== b && (a.dtype !== b.dtype || a.weakType !== b.weakType || a.shape.length !== b.shape.length || a.shape.some((d, k) => d !== b.shape[k]))) return false;
  }
  return inTree.equals(sig.inTree);
}

/**
 * A jitted function: call it like the original; `lower` shows what will run.
 * @example
 * const f: Jitted<(x: NDArray) => NDArray> = jit((x: NDArray) => x.mul(2));
 * f(np.array([1, 2]))   // [2, 4]
 * f.cacheSize           // 1
 * @typeParam F the original function's type.
 */
export interface Jitted<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The staged program and its kernels for these arguments. */
  lower(...args: Parameters<F>): Lowered;
  /** Number of signatures traced so far. */
  readonly cacheSize: number;
}

/**
 * The result of `jit(f).lower(...)`: the optimized jaxpr and the kernel sequence.
 * @example
 * const lowered = jit((x: NDArray) => np.tanh(x).mul(2).add(1)).lower(np.ones([3]));
 * lowered.kernels().length   // 1 (one fused kernel)
 * lowered.toString()         // "1 kernels:\n  0: fused[tanh, mul, add → 1]"
 */
export class Lowered {
  /** @internal */
  constructor(
    /** The optimized program (`toString()` prints it like JAX). */
    readonly jaxpr: ClosedJaxpr,
    private readonly exe: Executable,
  ) {}
  /** Kernel names in execution order. */
  kernels(): string[] { return this.exe.describe(); }
  /** The kernel list, one per line, numbered. */
  toString(): string {
    return `${this.kernels().length} kernels:\n${this.kernels().map((k, i) => `  ${i}: ${k}`).join("\n")}`;
  }
}

const staticIds = new WeakMap<object, number>();
let nextStaticId = 0;
function staticKey(v: unknown): string {
  if (v === null || typeof v !== "object" && typeof v !== "function") return `${typeof v}:${String(v)}`;
  try {
    if (typeof v !== "function") return `json:${JSON.stringify(v)}`;
  } catch { /* fall through: identity */ }
  let id = staticIds.get(v as object);
  if (id === undefined) { id = nextStaticId++; staticIds.set(v as object, id); }
  return `id:${id}`;
}

/**
 * Compiles `f`: the first call with a new signature (tree structure, shapes, dtypes,
 * static arguments) traces it to a jaxpr and compiles that; later calls run the kernels.
 *
 * @param f a function of pytrees of arrays (and of static JS values at `staticArgnums`).
 * @param opts `staticArgnums`, `fuse`.
 * @returns a {@link Jitted} function: call it like `f`; `lower(...)` shows the compiled kernels.
 * @example
 * const f = jit((x: NDArray) => np.sum(np.tanh(x).mul(2)));
 * f(np.ones([3]));             // traces and compiles
 * f(np.zeros([3]));            // cached: runs the kernels
 * f.lower(np.ones([3])).toString()   // the kernel list
 * @typeParam F the function's type; the jitted function has the same parameters and result.
 * @throws ConcretizationError if `f` reads a traced value (`.item()`, `if (x > 0)`); mark that argument static or use lax.cond.
 */
export function jit<F extends (...args: any[]) => any>(f: F, { staticArgnums = [], fuse = true }: JitOptions = {}): Jitted<F> {
  const cache = new Map<string, CacheEntry>();
  let last: Signature | null = null;
  const name = f.name || "fn";
  const prepare = (args: unknown[]): { entry: CacheEntry; xs: NDArray[] } => {
    for (const i of staticArgnums) {
      if (!Number.isInteger(i) || i < 0 || i >= args.length) throw new RangeError(`jit(${name}): staticArgnums ${i} is out of range for ${args.length} arguments`);
    }
    const dynamic = args.map((a, i) => (staticArgnums.includes(i) ? null : a));
    const [leaves, inTree] = flatten(dynamic);
    const xs = leaves.map((l, i) => asArray(l as never, `jit(${name}) argument leaf ${i}`));
    const statics = staticArgnums.map((i) => staticKey(args[i]));
    // Fast path: the signature of the previous call again (a training loop), checked
    // without building the key string (printing a large tree costs ~10 µs per call).
    if (last && sameSignature(last, inTree, xs, statics)) return { entry: last.entry, xs };
    const key = `${inTree}|${xs.map((x) => `${x.aval.str()}${x.weakType ? "w" : ""}`).join(",")}|${statics.join(",")}`;
    let entry = cache.get(key);
    if (!entry) {
      let outTree: TreeDef | null = null;
      const closed = stageWithConsts((...ys) => {
        const rebuilt = unflatten(inTree, ys) as unknown[];
        const full = args.map((a, i) => (staticArgnums.includes(i) ? a : rebuilt[i]));
        const [outLeaves, tree] = flatten(f(...full));
        outTree = tree;
        return outLeaves.map((l, i) => asArray(l as never, `jit(${name}) output leaf ${i}`));
      }, xs.map((x) => x.aval));
      entry = { closed, outTree: outTree!, name };
      cache.set(key, entry);
    }
    last = { entry, inTree, avals: xs.map((x) => x.aval), statics };
    return { entry, xs };
  };
  const jitted = ((...args: unknown[]) => scope(() => {
    const { entry, xs } = prepare(args);
    return unflatten(entry.outTree, bindClosed(entry.closed, xs, entry.name, fuse));
  })) as unknown as Jitted<F>;
  Object.defineProperty(jitted, "cacheSize", { get: () => cache.size });
  (jitted as { lower: Jitted<F>["lower"] }).lower = (...args) => {
    const { entry } = prepare(args);
    return new Lowered(entry.closed, executableFor(entry.closed.jaxpr, fuse));
  };
  return jitted;
}

/**
 * Shapes and dtypes of `f`'s outputs, without computing anything.
 *
 * @param f a function of pytrees of arrays.
 * @returns a function returning, in `f`'s output structure, a {@link ShapedArray} per output array, without computing anything.
 * @example
 * evalShape((x: NDArray) => np.matmul(x, x.T))(np.zeros([4, 3]))   // ShapedArray f32[4,4]
 */
export function evalShape(f: (...args: any[]) => any): (...args: unknown[]) => any {
  return (...args: unknown[]) => {
    const [leaves, inTree] = flatten(args);
    const avals = leaves.map((l, i) => (l instanceof ShapedArray ? l : asArray(l as never, `argument leaf ${i}`).aval));
    let outTree: TreeDef | null = null;
    const { closed } = stageFlat((...ys) => {
      const [outLeaves, tree] = flatten(f(...(unflatten(inTree, ys) as unknown[])));
      outTree = tree;
      return outLeaves.map((l, i) => asArray(l as never, `output leaf ${i}`));
    }, avals);
    dispose(closed.consts);
    return unflatten(outTree!, closed.outAvals);
  };
}
