/**
 * Checks that transformations agree with each other, with no finite differences involved:
 * reverse mode against forward mode (the transpose identity), vmap against a loop, jit
 * against eager evaluation.
 */
import type { NDArray } from "../array.ts";
import type { DType } from "../core/dtype.ts";
import { ShapedArray } from "../core/aval.ts";
import { fmtShape } from "../core/shape.ts";
import { scope } from "../memory.ts";
import { flatten, unflatten } from "../tree/index.ts";
import { jvp } from "../../transforms/jvp.ts";
import { vjp } from "../../transforms/grad.ts";
import { vmap } from "../../transforms/vmap.ts";
import { jit } from "../../transforms/jit.ts";
import { zerosLikeAval } from "../lax/rules.ts";
import { CheckError, fmtContext, fmtMismatch, worstMismatch, type Tolerance } from "./compare.ts";
import { dot, dotAbs, flatProblem, fmtArrays, fmtNumber, fromHost, hostValues, leafArray, prng, randomDirection } from "./host.ts";

/**
 * Options of {@link checkVjpAgainstJvp}.
 *
 * @example
 * const opts: TransposeCheckOptions = { rtol: 1e-5, seed: 3 };
 */
export interface TransposeCheckOptions {
  /** Absolute tolerance of the identity (default 0). */
  atol?: number;
  /** Tolerance relative to Σ|uᵢ (Jv)ᵢ| + Σ|(Jᵀu)ⱼ vⱼ|, the size of the terms (default 1e-4). */
  rtol?: number;
  /** Seed of the random direction v and cotangent u (default 0). */
  seed?: number;
}

/**
 * Checks reverse mode against forward mode, both by automatic differentiation: the
 * transpose identity <u, J v> = <Jᵀu, v> for a random direction v and cotangent u, where
 * J v comes from `jvp` and Jᵀu from `vjp`. Both sides are exact up to float32 rounding
 * (about n · u relative to the size of the terms, for n accumulated terms), so the
 * default tolerance, 1e-4 of Σ|uᵢ (Jv)ᵢ| + Σ|(Jᵀu)ⱼ vⱼ|, is tight: a wrong transpose rule
 * is an O(1) error. Also checks that each cotangent has its primal's shape.
 *
 * @example
 * checkVjpAgainstJvp((a: NDArray, b: NDArray) => np.matmul(a, b), [np.ones([2, 3]), np.ones([3, 4])]);
 * @throws CheckError with both inner products, the tolerance, the point, v and u.
 */
export function checkVjpAgainstJvp(f: (...args: any[]) => unknown, args: readonly unknown[], { atol = 0, rtol = 1e-4, seed = 0 }: TransposeCheckOptions = {}): void {
  const { f: fFlat, xs, leaves } = flatProblem(f, args);
  const rand = prng(seed);
  scope(() => {
    const vs = xs.map((x) => fromHost(randomDirection(x.size, rand), x.shape, "float32"));
    const [outs, tangents] = jvp(fFlat, xs, vs) as [NDArray[], NDArray[]];
    const floatOut = outs.map((o) => o.dtype === "float32");
    const us = outs.map((o, k) => (floatOut[k] ? fromHost(randomDirection(o.size, rand), o.shape, "float32") : zerosLikeAval(o.aval)));
    const [, vjpFn] = vjp(fFlat, ...xs) as [NDArray[], (ct: NDArray[]) => NDArray[]];
    const cts = vjpFn(us);
    const ctx = () => fmtContext([["point", fmtArrays(leaves)], ["direction v", fmtArrays(vs)], ["cotangent u", fmtArrays(us.filter((_, k) => floatOut[k]))], ["seed", String(seed)]]);
    cts.forEach((c, i) => {
      if (c.ndim !== xs[i]!.ndim || c.shape.some((d, k) => d !== xs[i]!.shape[k])) {
        throw new CheckError(`VJP vs JVP: the cotangent of float input ${i} has shape ${fmtShape(c.shape)}, but the input has shape ${fmtShape(xs[i]!.shape)}\n${ctx()}`);
      }
    });
    let lhs = 0, rhs = 0, scale = 0;
    outs.forEach((o, k) => {
      if (!floatOut[k]) return;
      const u = hostValues(us[k]!), jv = hostValues(tangents[k]!);
      lhs += dot(u, jv);
      scale += dotAbs(u, jv);
    });
    cts.forEach((c, i) => {
      const ct = hostValues(c), v = hostValues(vs[i]!);
      rhs += dot(ct, v);
      scale += dotAbs(ct, v);
    });
    const tol = atol + rtol * scale;
    const diff = Math.abs(lhs - rhs);
    if (!(diff <= tol)) {
      throw new CheckError(
        "VJP vs JVP: reverse mode is not the transpose of forward mode: <u, J v> ≠ <Jᵀu, v>\n" +
        `    <u, jvp(v)>:   ${fmtNumber(lhs)}\n` +
        `    <vjp(u), v>:   ${fmtNumber(rhs)}\n` +
        `    |difference| ${fmtNumber(diff)} > tolerance ${fmtNumber(tol)} (atol ${fmtNumber(atol)} + rtol ${fmtNumber(rtol)} · (Σ|u · Jv| + Σ|Jᵀu · v|) = ${fmtNumber(scale)})\n${ctx()}`,
      );
    }
  });
}

/**
 * A vmap axis spec for {@link checkVmap}: one for every argument, or one per positional argument.
 * @example
 * const axes: AxisSpec = [1, null];   // the first argument batched on axis 1, the second not batched
 */
export type AxisSpec = number | null | readonly (number | null)[];

/**
 * Options of {@link checkVmap}.
 *
 * @example
 * const opts: VmapCheckOptions = { inAxes: [0, null], atol: 1e-6, rtol: 1e-5 };
 */
export interface VmapCheckOptions {
  /** Batch axis of each positional argument (all its leaves), or null if not batched (default 0). */
  inAxes?: AxisSpec;
  /** Batch size when no argument is batched. */
  axisSize?: number;
  /** Tolerance of float32 outputs (default atol 1e-6, rtol 1e-5); other dtypes must match exactly. */
  atol?: number;
  /** Relative tolerance of float32 outputs (default 1e-5). */
  rtol?: number;
}

/** The slice at index b along `axis` of row-major host data. */
function take(data: readonly number[], shape: readonly number[], axis: number, b: number): number[] {
  const rest = shape.filter((_, i) => i !== axis);
  const out: number[] = [];
  const stride = shape.slice(axis + 1).reduce((a, c) => a * c, 1);
  const outer = shape.slice(0, axis).reduce((a, c) => a * c, 1);
  const n = shape[axis]!;
  for (let o = 0; o < outer; o++) for (let i = 0; i < stride; i++) out.push(data[(o * n + b) * stride + i]!);
  if (out.length !== rest.reduce((a, c) => a * c, 1)) throw new Error("internal: take");
  return out;
}

function checkOutputs(actual: readonly NDArray[], expected: readonly { values: number[]; shape: number[]; dtype: DType }[], tol: Tolerance, labels: [string, string], what: string, ctx: () => string): void {
  if (actual.length !== expected.length) throw new CheckError(`${what}: ${labels[0]} has ${actual.length} output leaves, ${labels[1]} ${expected.length}\n${ctx()}`);
  actual.forEach((a, k) => {
    const e = expected[k]!;
    if (a.dtype !== e.dtype || a.ndim !== e.shape.length || a.shape.some((d, i) => d !== e.shape[i])) {
      throw new CheckError(`${what}: output leaf ${k} is ${a.aval.str()} from ${labels[0]} but ${new ShapedArray(e.shape, e.dtype).str()} from ${labels[1]}\n${ctx()}`);
    }
    const t = e.dtype === "float32" ? tol : { atol: 0, rtol: 0 };
    const m = worstMismatch(hostValues(a), e.values, t);
    if (m) throw new CheckError(`${what}: output leaf ${k} differs\n${fmtMismatch(m, e.shape, labels, t, e.dtype)}\n${ctx()}`);
  });
}

/**
 * Checks `vmap(f, { inAxes })` on batched `args` against a loop that applies `f` to each
 * slice along the batch axes and stacks the results on axis 0.
 *
 * @example
 * checkVmap((x: NDArray, w: NDArray) => np.matmul(w, x), [np.ones([3, 4]), np.ones([2, 3])], { inAxes: [1, null] });
 * @throws CheckError naming the output, the example and element, both values and the tolerance, with the batched arguments.
 */
export function checkVmap(f: (...args: any[]) => unknown, args: readonly unknown[], { inAxes = 0, axisSize, atol = 1e-6, rtol = 1e-5 }: VmapCheckOptions = {}): void {
  const perArg = Array.isArray(inAxes) ? inAxes as readonly (number | null)[] : args.map(() => inAxes as number | null);
  if (perArg.length !== args.length) throw new TypeError(`checkVmap: inAxes has ${perArg.length} entries for ${args.length} arguments`);
  const argLeaves = args.map((a) => flatten(a)[0].map((l, i) => leafArray(l, `argument leaf ${i}`)));
  const axes = argLeaves.map((ls, i) => ls.map((l) => { const a = perArg[i]; return a === null || a === undefined ? null : a < 0 ? a + l.ndim : a; }));
  const sizes = argLeaves.flatMap((ls, i) => ls.map((l, j) => (axes[i]![j] === null ? null : l.shape[axes[i]![j]!]!))).filter((s): s is number => s !== null);
  const B = sizes[0] ?? axisSize;
  if (B === undefined) throw new TypeError("checkVmap: no argument is batched; pass axisSize");
  const ctx = () => fmtContext([["batched arguments", fmtArrays(argLeaves.flat())], ["inAxes", JSON.stringify(perArg)]]);
  scope(() => {
    const batched = flatten(vmap(f, { inAxes: Array.isArray(inAxes) ? [...inAxes] : inAxes as number | null, axisSize })(...args))[0].map((o, i) => leafArray(o, `output leaf ${i}`));
    const examples = Array.from({ length: B }, (_, b) => scope(() => {
      const sliced = args.map((a, i) => {
        const [, tree] = flatten(a);
        return unflatten(tree, argLeaves[i]!.map((l, j) => {
          const ax = axes[i]![j];
          if (ax === null || ax === undefined) return l;
          return fromHost(take(hostValues(l), l.shape, ax, b), l.shape.filter((_, k) => k !== ax), l.dtype);
        }));
      });
      const outs = flatten(f(...sliced))[0].map((o, i) => leafArray(o, `output leaf ${i}`));
      return outs.map((o) => ({ values: hostValues(o), shape: [...o.shape], dtype: o.dtype }));
    }));
    const stacked = (examples[0] ?? []).map((o, k) => ({
      values: examples.flatMap((ex) => ex[k]!.values), shape: [B, ...o.shape], dtype: o.dtype,
    }));
    if (B === 0) return;
    checkOutputs(batched, stacked, { atol, rtol }, ["vmap", "loop"], "vmap vs loop", ctx);
  });
}

/**
 * Options of {@link checkJit}.
 *
 * @example
 * const opts: JitCheckOptions = { atol: 1e-6, rtol: 1e-5 };
 */
export interface JitCheckOptions {
  /** Tolerance of float32 outputs (default atol 1e-6, rtol 1e-5): fusion may reorder rounding. */
  atol?: number;
  /** Relative tolerance of float32 outputs (default 1e-5). */
  rtol?: number;
}

/**
 * Checks `jit(f)(...args)` against `f(...args)` evaluated eagerly, leaf by leaf.
 *
 * @example
 * checkJit((x: NDArray) => np.tanh(x).mul(2).sum(), [np.ones([3])]);
 * @throws CheckError naming the output and element, both values and the tolerance, with the arguments.
 */
export function checkJit(f: (...args: any[]) => unknown, args: readonly unknown[], { atol = 1e-6, rtol = 1e-5 }: JitCheckOptions = {}): void {
  const leaves = flatten([...args])[0].map((l, i) => leafArray(l, `argument leaf ${i}`));
  const ctx = () => fmtContext([["point", fmtArrays(leaves)]]);
  scope(() => {
    const eager = flatten(f(...args))[0].map((o, i) => leafArray(o, `output leaf ${i}`)).map((o) => ({ values: hostValues(o), shape: [...o.shape], dtype: o.dtype }));
    const compiled = flatten(jit(f)(...args))[0].map((o, i) => leafArray(o, `output leaf ${i}`));
    checkOutputs(compiled, eager, { atol, rtol }, ["jit", "eager"], "jit vs eager", ctx);
  });
}
