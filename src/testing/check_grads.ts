/**
 * Numerical gradient checks with the semantics of `jax.test_util.check_grads`: forward mode
 * against central finite differences, reverse mode by the projection <u, J v> = <Jᵀu, v>,
 * recursing for higher orders.
 *
 * Finite differences in float32. The step is taken on representable numbers: the points
 * x± = fl32(x ± ε v) are rounded first and the direction the difference actually measures,
 * t = (x+ − x−) / 2ε, is computed exactly (in float64) and used as the tangent; so the only
 * errors left are the truncation error ε²/6 · |f'''| and the rounding of f, about
 * k · u · |f| / ε for kernels accurate to k ulps (u = 2⁻²⁴). Directions are drawn from [-1, 1]
 * on a grid of 1/16, so a point further than ε from every kink of f never crosses one.
 */
import type { NDArray } from "../array.ts";
import { scope } from "../memory.ts";
import { flatten } from "../tree/index.ts";
import { jvp } from "../../transforms/jvp.ts";
import { vjp } from "../../transforms/grad.ts";
import { zerosLikeAval } from "../lax/rules.ts";
import { CheckError, fmtContext, fmtMismatch, worstMismatch, type Tolerance } from "./compare.ts";
import { dot, dotAbs, f32, flatProblem, type FlatProblem, fmtArrays, fmtNumber, fromHost, hostValues, leafArray, prng, randomDirection } from "./host.ts";

/**
 * Which derivatives `checkGrads` checks: forward mode (JVP) and/or reverse mode (VJP).
 * @example
 * const modes: GradMode[] = ["rev"];   // e.g. for a customVjp function, which has no forward mode
 */
export type GradMode = "fwd" | "rev";

/**
 * Options of {@link checkGrads}, {@link checkJvp} and {@link checkVjp}.
 *
 * @example
 * const opts: CheckGradsOptions = { order: 1, modes: ["rev"], eps: 1e-2, atol: 1e-3, rtol: 1e-3, seed: 7 };
 */
export interface CheckGradsOptions {
  /** Highest derivative order to check (default 2): order k checks the derivatives of the order k−1 checks' functions. */
  order?: number;
  /** Modes to check (default both). */
  modes?: readonly GradMode[];
  /** Finite-difference step (default 1e-3: see DEFAULTS). */
  eps?: number;
  /** Absolute tolerance (default 2e-3, JAX's float32 gradient tolerance). */
  atol?: number;
  /** Relative tolerance (default 2e-3). */
  rtol?: number;
  /** Seed of the random directions and cotangents (default 0). */
  seed?: number;
}

/**
 * Defaults of the gradient checks. eps = 1e-3 balances, for functions and derivatives of
 * size O(1), the truncation error ε²/6 · |f'''| ≈ 2e-7 against the float32 rounding of f,
 * k · u · |f| / ε ≈ 2.4e-4 for k = 4 ulps; both are well inside JAX's float32 gradient
 * tolerance of 2e-3.
 *
 * @example
 * DEFAULTS.eps   // 0.001
 * checkGrads(np.sin, [np.array([0.5, 2])], { eps: DEFAULTS.eps * 10 });
 */
export const DEFAULTS = {
  /** Finite-difference step. */
  eps: 1e-3,
  /** Absolute tolerance (JAX's float32 gradient tolerance). */
  atol: 2e-3,
  /** Relative tolerance. */
  rtol: 2e-3,
  /** Seed of the random directions and cotangents. */
  seed: 0,
} as const;

/** Host values of the outputs of `p.f` at `xs`, with their shapes and dtypes. */
function evaluate(f: (...xs: NDArray[]) => NDArray[], xs: readonly NDArray[]): { values: number[][]; shapes: number[][]; dtypes: NDArray["dtype"][] } {
  return scope(() => {
    const outs = f(...xs);
    return { values: outs.map(hostValues), shapes: outs.map((o) => [...o.shape]), dtypes: outs.map((o) => o.dtype) };
  });
}

/** Central differences along `dirs` on representable points (see the module comment). */
interface CentralDifference {
  /** The tangent the difference measures, per input (float64). */
  tangents: number[][];
  /** (f(x+) − f(x−)) / 2ε per output (NaN-free only for float32 outputs). */
  fd: number[][];
}

function centralDifference(p: FlatProblem, dirs: readonly number[][], eps: number): CentralDifference {
  const xv = p.xs.map(hostValues);
  const plus = xv.map((v, i) => v.map((x, j) => f32(x + eps * dirs[i]![j]!)));
  const minus = xv.map((v, i) => v.map((x, j) => f32(x - eps * dirs[i]![j]!)));
  const tangents = plus.map((pv, i) => pv.map((x, j) => (x - minus[i]![j]!) / (2 * eps)));
  const at = (vals: number[][]) => vals.map((v, i) => fromHost(v, p.xs[i]!.shape, "float32"));
  const fp = scope(() => evaluate(p.f, at(plus)).values);
  const fm = scope(() => evaluate(p.f, at(minus)).values);
  // A value that does not change along the step (an infinite one included) has a zero difference.
  return { tangents, fd: fp.map((v, k) => v.map((y, j) => (y === fm[k]![j]! ? 0 : (y - fm[k]![j]!) / (2 * eps)))) };
}

/**
 * Central finite differences of `f` at `args` along `tangents` (pytrees like `args`):
 * (f(x + ε t) − f(x − ε t)) / 2ε for every output leaf, as float64 numbers. Only float32
 * leaves are perturbed.
 *
 * @example
 * numericalJvp((x: NDArray) => np.sin(x), [np.array([0])], [np.array([1])])   // [[0.99999...]]
 */
export function numericalJvp(f: (...args: any[]) => unknown, args: readonly unknown[], tangents: readonly unknown[], eps: number = DEFAULTS.eps): number[][] {
  const p = flatProblem(f, args);
  const [tl] = flatten([...tangents]);
  if (tl.length !== p.leaves.length) throw new TypeError(`numericalJvp: tangents must have the structure of args (${p.leaves.length} leaves); got ${tl.length} leaves`);
  const tv = tl.map((t, i) => leafArray(t, `tangent leaf ${i}`)).filter((_, i) => p.leaves[i]!.dtype === "float32").map(hostValues);
  return centralDifference(p, tv, eps).fd;
}

/** Which output leaves have a tangent space. */
const floatOutputs = (dtypes: readonly NDArray["dtype"][]) => dtypes.map((d) => d === "float32");

function context(what: string, p: FlatProblem, extra: [string, string][], eps: number, seed: number): string {
  return fmtContext([["point", fmtArrays(p.leaves)], ...extra, ["eps", `${fmtNumber(eps)} (seed ${seed})`]]);
}

interface Resolved { eps: number; atol: number; rtol: number; seed: number }

function resolve(opts: CheckGradsOptions): Resolved {
  return { eps: opts.eps ?? DEFAULTS.eps, atol: opts.atol ?? DEFAULTS.atol, rtol: opts.rtol ?? DEFAULTS.rtol, seed: opts.seed ?? DEFAULTS.seed };
}

/** Forward mode on a flat problem: primal and tangent outputs of jvp against f and central differences. */
function jvpCheck(p: FlatProblem, o: Resolved, what: string): void {
  const rand = prng(o.seed);
  const dirs = p.xs.map((x) => randomDirection(x.size, rand));
  const base = evaluate(p.f, p.xs);
  const { tangents, fd } = centralDifference(p, dirs, o.eps);
  const tol: Tolerance = { atol: o.atol, rtol: o.rtol };
  scope(() => {
    const ts = tangents.map((t, i) => fromHost(t, p.xs[i]!.shape, "float32"));
    const [po, to] = jvp(p.f, p.xs, ts) as [NDArray[], NDArray[]];
    const isFloat = floatOutputs(base.dtypes);
    const ctx = () => context(what, p, [["direction", fmtArrays(ts)]], o.eps, o.seed);
    po.forEach((out, k) => {
      const m = worstMismatch(hostValues(out), base.values[k]!, base.dtypes[k] === "float32" ? tol : { atol: 0, rtol: 0 });
      if (m) throw new CheckError(`${what}: the primal output of jvp differs from f (output leaf ${k})\n${fmtMismatch(m, base.shapes[k]!, ["jvp primal", "f"], tol, base.dtypes[k])}\n${ctx()}`);
    });
    to.forEach((t, k) => {
      if (!isFloat[k]) return;
      const actual = hostValues(t);
      const m = worstMismatch(actual, fd[k]!, tol);
      if (m) {
        throw new CheckError(
          `${what}: forward mode (jvp) disagrees with central differences at output leaf ${k}\n` +
          `${fmtMismatch(m, base.shapes[k]!, ["jvp", "central difference"], tol)}\n${ctx()}`,
        );
      }
    });
  });
}

/** Reverse mode on a flat problem: <vjp(u), v> against <u, central difference along v>. */
function vjpCheck(p: FlatProblem, o: Resolved, what: string): void {
  const rand = prng(o.seed);
  const dirs = p.xs.map((x) => randomDirection(x.size, rand));
  const base = evaluate(p.f, p.xs);
  const isFloat = floatOutputs(base.dtypes);
  const cts = base.values.map((v, k) => (isFloat[k] ? randomDirection(v.length, rand) : v.map(() => 0)));
  const { tangents, fd } = centralDifference(p, dirs, o.eps);
  scope(() => {
    const [out, vjpFn] = vjp(p.f, ...p.xs) as [NDArray[], (ct: NDArray[]) => NDArray[]];
    const us = out.map((y, k) => (isFloat[k] ? fromHost(cts[k]!, y.shape, "float32") : zerosLikeAval(y.aval)));
    const ctx = () => context(what, p, [["direction v", fmtArrays(tangents.map((t, i) => fromHost(t, p.xs[i]!.shape, "float32")))], ["cotangent u", fmtArrays(us.filter((_, k) => isFloat[k]))]], o.eps, o.seed);
    out.forEach((y, k) => {
      const tol = base.dtypes[k] === "float32" ? { atol: o.atol, rtol: o.rtol } : { atol: 0, rtol: 0 };
      const m = worstMismatch(hostValues(y), base.values[k]!, tol);
      if (m) throw new CheckError(`${what}: the primal output of vjp differs from f (output leaf ${k})\n${fmtMismatch(m, base.shapes[k]!, ["vjp primal", "f"], tol, base.dtypes[k])}\n${ctx()}`);
    });
    const pulled = vjpFn(us).map(hostValues);
    let ip = 0, ipExpected = 0, uNorm = 0, terms = 0;
    pulled.forEach((c, i) => { ip += dot(c, tangents[i]!); });
    fd.forEach((d, k) => {
      if (!isFloat[k]) return;
      ipExpected += dot(cts[k]!, d);
      terms += dotAbs(cts[k]!, d);
      uNorm += cts[k]!.reduce((s, v) => s + Math.abs(v), 0);
    });
    // The elementwise tolerance of forward mode, atol + rtol·|fd_i|, carried through the
    // projection: Σ |u_i| (atol + rtol |fd_i|).
    const tol = o.atol * uNorm + o.rtol * terms;
    const diff = Math.abs(ip - ipExpected);
    if (!(diff <= tol)) {
      throw new CheckError(
        `${what}: reverse mode (vjp) disagrees with central differences: <vjp(u), v> ≠ <u, J v>\n` +
        `    <vjp(u), v>:               ${fmtNumber(ip)}\n` +
        `    <u, central difference>:   ${fmtNumber(ipExpected)}\n` +
        `    |difference| ${fmtNumber(diff)} > tolerance ${fmtNumber(tol)} (atol ${fmtNumber(o.atol)} · Σ|u| + rtol ${fmtNumber(o.rtol)} · Σ|u · J v|)\n${ctx()}`,
      );
    }
  });
}

/**
 * Checks forward mode: `jvp(f)` at `args` along a random direction against central finite
 * differences (and its primal output against `f`). Only float32 leaves are differentiated.
 *
 * @example
 * checkJvp((x: NDArray) => np.tanh(x), [np.array([0.5, -1])], { eps: 1e-2 });
 * @throws CheckError showing the point, the direction, both values and the tolerance.
 */
export function checkJvp(f: (...args: any[]) => unknown, args: readonly unknown[], opts: Omit<CheckGradsOptions, "order" | "modes"> = {}): void {
  jvpCheck(flatProblem(f, args), resolve(opts), "JVP");
}

/**
 * Checks reverse mode: `<vjp(f)(u), v>` against `<u, (f(x + εv) − f(x − εv)) / 2ε>` for a
 * random direction v and cotangent u (JAX's cotangent projection).
 *
 * @example
 * checkVjp((x: NDArray) => np.sum(np.exp(x)), [np.array([0.5, -1])]);
 * @throws CheckError showing the point, the direction and cotangent, both projections and the tolerance.
 */
export function checkVjp(f: (...args: any[]) => unknown, args: readonly unknown[], opts: Omit<CheckGradsOptions, "order" | "modes"> = {}): void {
  vjpCheck(flatProblem(f, args), resolve(opts), "VJP");
}

/**
 * Checks the derivatives of `f` at `args` up to `order` numerically, as
 * `jax.test_util.check_grads`: with "fwd", jvp against central differences along a random
 * direction, and for order > 1 the same check of the function (primals, tangents) ↦ jvp;
 * with "rev", the cotangent projection <u, J v> = <Jᵀu, v> of vjp against central
 * differences, and for order > 1 the checks of x ↦ vjp(f, x)(f(x)). Only float32 leaves
 * of `args` (a list of positional arguments, each a pytree) are differentiated.
 *
 * @example
 * checkGrads((x: NDArray, y: NDArray) => np.sin(x).mul(y), [np.array([0.5, 1]), np.array([2, -1])], { order: 2 });
 * @throws CheckError showing which check failed (e.g. "JVP of VJP"), the point, the direction, both values and the tolerance.
 */
export function checkGrads(f: (...args: any[]) => unknown, args: readonly unknown[], opts: CheckGradsOptions = {}): void {
  const { order = 2, modes = ["fwd", "rev"] } = opts;
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`checkGrads: order must be a positive integer; got ${order}`);
  const bad = modes.filter((m) => m !== "fwd" && m !== "rev");
  if (bad.length || !modes.length) throw new RangeError(`checkGrads: modes must be a non-empty list of "fwd" and "rev"; got ${JSON.stringify(modes)}`);
  const o = resolve(opts);
  const recurse = (p: FlatProblem, k: number, label: string): void => {
    const of = (name: string) => (label ? `${name} of ${label}` : name);
    if (modes.includes("fwd")) {
      jvpCheck(p, o, of("JVP"));
      if (k > 1) {
        const n = p.xs.length;
        const jvpFun = (...pt: NDArray[]): NDArray[] => {
          const [po, to] = jvp(p.f, pt.slice(0, n), pt.slice(n)) as [NDArray[], NDArray[]];
          return [...po, ...to];
        };
        recurse({ f: jvpFun, xs: [...p.xs, ...p.xs], leaves: [...p.xs, ...p.xs] }, k - 1, of("JVP"));
      }
    }
    if (modes.includes("rev")) {
      vjpCheck(p, o, of("VJP"));
      if (k > 1) {
        const vjpFun = (...xs: NDArray[]): NDArray[] => {
          const [out, fn] = vjp(p.f, ...xs) as [NDArray[], (ct: NDArray[]) => NDArray[]];
          return fn(out);
        };
        recurse({ f: vjpFun, xs: p.xs, leaves: p.xs }, k - 1, of("VJP"));
      }
    }
  };
  recurse(flatProblem(f, args), order, "");
}
