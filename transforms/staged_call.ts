/**
 * Machinery shared by the primitives that run a staged function (custom_jvp_call,
 * custom_vjp_call, checkpoint): staging a user function once per signature with its
 * static arguments split off, reusing structurally identical jaxprs, checking operand
 * types, and the generic batching and transposition of a jaxpr-holding primitive.
 */
import { ConcreteArray, NDArray } from "../src/array.ts";
import { ShapedArray } from "../src/core/aval.ts";
import { asArray } from "../src/core/constant.ts";
import { ClosedJaxpr, Jaxpr, Literal, Var, evalJaxpr, type Atom } from "../src/core/jaxpr.ts";
import { UndefinedPrimal } from "../src/core/primitive.ts";
import { getBackend } from "../src/backend/index.ts";
import { optimize } from "../src/compiler/passes.ts";
import { instantiate, isUndefined, zerosLikeAval } from "../src/lax/rules.ts";
import { track } from "../src/memory.ts";
import { flatten, unflatten, type TreeDef } from "../src/tree/index.ts";
import { memo, stageWithConsts } from "./jit.ts";
import { stageFlat } from "./staging.ts";
import { backwardPass } from "./transpose.ts";
import { vmapFlat } from "./vmap.ts";

type AnyFn = (...args: any[]) => any;

/**
 * Names a function that travels as a primitive parameter, so jaxprs print it readably
 * (CSE compares function parameters by identity). Idempotent.
 *
 * @example
 * prim.bind(args, { ...params, jvp: opaque(flatRule, `${name}_jvp`) });   // prints as jvp=f_jvp
 */
export function opaque<T extends AnyFn>(fn: T, label: string): T {
  if (fn.name !== label) Object.defineProperty(fn, "name", { value: label });
  return fn;
}

/**
 * A function staged for one signature: its jaxpr (constants as leading inputs) and output structure.
 *
 * @example
 * const { staged } = stageCached(np.sin, (d) => d, [np.ones([3])], "", "example");
 * staged.closed.jaxpr.eqns[0].primitive.name   // "sin"
 */
export interface Staged {
  closed: ClosedJaxpr;
  outTree: TreeDef;
}

const staticIds = new WeakMap<object, number>();
let nextStaticId = 0;
function staticKey(v: unknown): string {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return `${typeof v}:${String(v)}`;
  if (typeof v === "object") {
    try { return `json:${JSON.stringify(v)}`; } catch { /* cyclic: identity */ }
  }
  let id = staticIds.get(v as object);
  if (id === undefined) { id = nextStaticId++; staticIds.set(v as object, id); }
  return `id:${id}`;
}

/**
 * Positional arguments split into traced ones and static ones (nondiffArgnums / staticArgnums).
 *
 * @example
 * const s = splitArgs([2, x], [0], "f", "staticArgnums");
 * s.dyn        // [x]
 * s.statics    // [2]
 * s.merge([y]) // [2, y]
 */
export interface SplitArgs {
  dyn: unknown[];
  statics: unknown[];
  key: string;
  merge(dyn: readonly unknown[]): unknown[];
}

/**
 * Splits `args` at the static positions `nums`; static values must not contain arrays.
 *
 * @example
 * splitArgs([0.5, np.ones([2])], [0], "clip", "nondiffArgnums").key   // "0=number:0.5"
 * @throws RangeError for an out-of-range position; TypeError if a static argument contains an array.
 */
export function splitArgs(args: readonly unknown[], nums: readonly number[], what: string, optName: string): SplitArgs {
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  for (const i of sorted) {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new RangeError(`${what}: ${optName} ${i} is out of range for a call with ${args.length} argument(s)`);
    }
    if (flatten(args[i])[0].some((l) => l instanceof NDArray)) {
      throw new TypeError(`${what}: argument ${i} is in ${optName}, so it must be a plain JS value (number, string, function, config object), but it contains an array. Pass arrays as ordinary arguments`);
    }
  }
  const isStatic = (i: number) => sorted.includes(i);
  return {
    dyn: args.filter((_, i) => !isStatic(i)),
    statics: sorted.map((i) => args[i]),
    key: sorted.map((i) => `${i}=${staticKey(args[i])}`).join(","),
    merge: (dyn) => {
      let k = 0;
      return args.map((a, i) => (isStatic(i) ? a : dyn[k++]));
    },
  };
}

const stagedByFn = new WeakMap<AnyFn, Map<string, Staged>>();
/** Canonical jaxprs by structure, so re-staging an identical program reuses one jaxpr (and its derived jaxprs). */
const canonical = new Map<string, Jaxpr>();
const CANONICAL_LIMIT = 512;

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
function identity(v: object): number {
  let id = objectIds.get(v);
  if (id === undefined) { id = nextObjectId++; objectIds.set(v, id); }
  return id;
}
const avalKey = (a: ShapedArray) => `${a.str()}${a.weakType ? "w" : ""}`;
function paramKey(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (v instanceof ShapedArray) return avalKey(v);
  if (Array.isArray(v)) return `[${v.map(paramKey).join(",")}]`;
  if (typeof v === "function" || (typeof v === "object" && Object.getPrototypeOf(v) !== Object.prototype)) return `#${identity(v as object)}`;
  if (typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${k}:${paramKey((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return `${typeof v}:${String(v)}`;
}
function literalKey(l: Literal): string {
  const x = (l.val as ConcreteArray).item(); // throws where values cannot be read synchronously (webgpu): no key
  return `${avalKey(l.aval)}=${typeof x === "number" && Object.is(x, -0) ? "-0" : String(x)}`;
}

/** A string that is equal for two jaxprs exactly when they compute the same function of their inputs; null if unknown. */
function structuralKey(jaxpr: Jaxpr): string | null {
  const ids = new Map<Var, number>();
  const v = (x: Var) => { let i = ids.get(x); if (i === undefined) { i = ids.size; ids.set(x, i); } return `v${i}:${avalKey(x.aval)}`; };
  const atom = (a: Atom) => (a instanceof Literal ? literalKey(a) : v(a));
  try {
    return [
      jaxpr.inBinders.map(v).join(","),
      ...jaxpr.eqns.map((e) => `${e.primitive.name}${paramKey(e.params)}(${e.inputs.map(atom).join(",")})${e.outBinders.map(v).join(",")}`),
      jaxpr.outs.map(atom).join(","),
    ].join(";");
  } catch {
    return null;
  }
}

function literalValues(jaxpr: Jaxpr): Set<NDArray> {
  const vals = new Set<NDArray>();
  const add = (a: Atom) => { if (a instanceof Literal) vals.add(a.val); };
  for (const e of jaxpr.eqns) e.inputs.forEach(add);
  jaxpr.outs.forEach(add);
  return vals;
}
/** Releases the staged copies of literals in `drop` that `keepJaxpr` does not use. */
function releaseLiterals(drop: Jaxpr, keepJaxpr: Jaxpr | null): void {
  const kept = keepJaxpr ? literalValues(keepJaxpr) : new Set<NDArray>();
  for (const x of literalValues(drop)) if (!kept.has(x) && x instanceof ConcreteArray) x.dispose();
}

/**
 * Stages `f(...merge(dyn))` once per signature: backend, tree structure, shapes, dtypes,
 * weak types and static key, cached per `f` from its second call on (a lambda created
 * for one call is never cached, so its captured constants are released with the call).
 * An entry is cached only when every constant it captured is a concrete array; a
 * function closing over tracers of an enclosing transformation is staged on every call
 * (its constants are those tracers). An uncached staging reuses a structurally identical
 * earlier jaxpr, so derived jaxprs stay memoized and fresh copies of literals are released.
 *
 * @example
 * const { staged, xs } = stageCached(f, (d) => d, [x], "", "checkpoint(f)");
 * checkpointP.bind([...staged.closed.consts, ...xs], { jaxpr: staged.closed.jaxpr, name: "f", policy });
 */
export function stageCached(
  f: AnyFn, merge: (dyn: readonly unknown[]) => unknown[], dyn: readonly unknown[], staticPart: string, what: string,
): { staged: Staged; xs: NDArray[]; inTree: TreeDef } {
  const [leaves, inTree] = flatten(dyn);
  const xs = leaves.map((l, i) => asArray(l as never, `${what}: argument leaf ${i}`));
  const key = `${getBackend()}|${inTree}|${xs.map((x) => avalKey(x.aval)).join(",")}|${staticPart}`;
  let cache = stagedByFn.get(f);
  const seenBefore = cache !== undefined;
  if (!cache) { cache = new Map(); stagedByFn.set(f, cache); }
  let staged = cache.get(key);
  if (staged) return { staged, xs, inTree };
  const { closed, outTree } = stageFlat((...ys) => f(...merge(unflatten(inTree, ys) as unknown[])), xs.map((x) => x.aval));
  let jaxpr = optimize(closed.jaxpr);
  releaseLiterals(closed.jaxpr, jaxpr);
  const sk = structuralKey(jaxpr);
  if (sk !== null) {
    const canon = canonical.get(sk);
    if (canon) { releaseLiterals(jaxpr, null); jaxpr = canon; } else {
      if (canonical.size >= CANONICAL_LIMIT) canonical.delete(canonical.keys().next().value!);
      canonical.set(sk, jaxpr);
    }
  }
  staged = { closed: new ClosedJaxpr(jaxpr, closed.consts), outTree };
  if (seenBefore && closed.consts.every((c) => c instanceof ConcreteArray)) cache.set(key, staged);
  else for (const c of closed.consts) if (c instanceof ConcreteArray) track(c); // released with this call's scope
  return { staged, xs, inTree };
}

/**
 * abstractEval of a primitive that runs `jaxpr` on its operands: checks their types, returns the outputs'.
 *
 * @example
 * abstractEval: (avals, { jaxpr, name }) => checkOperands("checkpoint", name, avals, jaxpr),
 * @throws TypeError listing the operand types and the staged ones when they differ.
 */
export function checkOperands(prim: string, name: string, avals: readonly ShapedArray[], jaxpr: Jaxpr): ShapedArray[] {
  const expected = jaxpr.inAvals;
  const ok = avals.length === expected.length
    && avals.every((a, i) => a.dtype === expected[i]!.dtype && a.ndim === expected[i]!.ndim && a.shape.every((d, k) => d === expected[i]!.shape[k]));
  if (!ok) {
    throw new TypeError(`${prim} ${name}: called with (${avals.map((a) => a.str()).join(", ")}) but staged for (${expected.map((a) => a.str()).join(", ")})`);
  }
  return jaxpr.outAvals;
}

const batchCache = new WeakMap<Jaxpr, Map<string, ClosedJaxpr>>();
/**
 * `jaxpr` vectorized over the operand batch axes `dims`, every output batched at axis 0
 * (memoized per jaxpr, axes and size); its constants are leading inputs.
 *
 * @example
 * const closed = batchJaxpr(jaxpr, args.map((a) => a.aval), dims, size);
 * prim.bind([...closed.consts, ...args], { ...params, jaxpr: closed.jaxpr });   // outputs batched at 0
 */
export function batchJaxpr(jaxpr: Jaxpr, avals: readonly ShapedArray[], dims: readonly (number | null)[], size: number): ClosedJaxpr {
  return memo(batchCache, jaxpr, `${dims.join()}|${size}`, () =>
    stageWithConsts((...xs) => vmapFlat((...ys) => evalJaxpr(jaxpr, ys), xs, dims, size, () => 0), avals));
}

const transposeCache = new WeakMap<Jaxpr, Map<string, ClosedJaxpr>>();
/**
 * The transpose of `jaxpr` with respect to its undefined (linear) inputs, as a jaxpr taking
 * the defined inputs then the output cotangents and returning a cotangent per linear input
 * (memoized per jaxpr and mask). Non-linear work on defined inputs is recomputed inside it.
 *
 * @example
 * const t = transposeJaxpr(jaxpr, args.map(isUndefined));
 * pjitP.bind([...t.consts, ...definedArgs, ...cts], { jaxpr: t.jaxpr, name: "transpose(f)" });
 */
export function transposeJaxpr(jaxpr: Jaxpr, undefinedMask: readonly boolean[]): ClosedJaxpr {
  return memo(transposeCache, jaxpr, undefinedMask.join(), () => {
    const linearAvals = jaxpr.inAvals.filter((_, i) => undefinedMask[i]);
    return stageWithConsts((...xs) => {
      let k = 0;
      const full = jaxpr.inAvals.map((a, i) => (undefinedMask[i] ? new UndefinedPrimal(a) : xs[k++]!));
      const res = backwardPass(jaxpr, full, xs.slice(k));
      return res.filter((_, i) => undefinedMask[i]).map((c, i) => c ?? zerosLikeAval(linearAvals[i]!));
    }, [...jaxpr.inAvals.filter((_, i) => !undefinedMask[i]), ...jaxpr.outAvals]);
  });
}

/**
 * Transpose rule of a primitive that runs `jaxpr` on its operands: binds the transposed
 * jaxpr with `bindTransposed` (which gets its constants and operands) and returns one
 * cotangent per operand (null for defined ones).
 *
 * @example
 * transpose: (cts, args, { jaxpr, name }) => transposeBody(jaxpr, cts, args, (c, xs) => bindClosed(c, xs, `transpose(${name})`)),
 */
export function transposeBody(
  jaxpr: Jaxpr, cts: readonly (NDArray | null)[], args: readonly (NDArray | UndefinedPrimal)[],
  bindTransposed: (closed: ClosedJaxpr, args: NDArray[]) => NDArray[],
): (NDArray | null)[] {
  const undefinedMask = args.map(isUndefined);
  const closed = transposeJaxpr(jaxpr, undefinedMask);
  const defined = args.filter((a) => !isUndefined(a)) as NDArray[];
  const outs = bindTransposed(closed, [...defined, ...cts.map((c, i) => instantiate(c, jaxpr.outAvals[i]!))]);
  let k = 0;
  return undefinedMask.map((u) => (u ? outs[k++]! : null));
}
