/**
 * What a primitive's domain declaration says, and how float32 tolerances are derived from it.
 *
 * A domain generates *structures* (the primitive's static parameters and its operands'
 * shapes, dtypes and value ranges) and, for each, operand values. Every check of the suite
 * (test/properties/checks.ts) runs on random structures and values drawn from it.
 *
 * ## Finite-difference tolerances (float32)
 *
 * Central differences D = (f(x + εv) − f(x − εv)) / 2ε along directions with |vᵢ| ≤ 1, on
 * representable points (gradus/testing rounds x ± εv first and uses the step actually taken
 * as the tangent, so the direction itself carries no error). What is left:
 *
 * - truncation: |D − J v| ≤ ε²/6 · M3, where M3 bounds |d³f(x)[v, v, v]| on the domain;
 * - rounding: each evaluation of f is off by at most k · u · M0 (M0 bounds |f|, kernels are
 *   within k ulps, u = 2⁻²⁴ ≈ 6e-8), so D is off by k · u · M0 / ε.
 *
 * ε minimizes the sum: ε* = (3 k u M0 / M3)^⅓, rounded down to 1, 2 or 5 × 10ⁿ, and capped by
 * `maxEps` where the domain keeps points a margin away from kinks (the step must not cross
 * one) or where f is linear (M3 = 0; ε = 1 then, rounding only). The check passes when
 * |jvp − D| <= atol + rtol |D| elementwise with
 *
 *   atol = 4 · (ε²/6 · M3 + k u M0 / ε)      (4× headroom over worst-case bounds)
 *   rtol = 1e-3                               (rounding of the rule's own float32 arithmetic)
 *
 * A wrong rule is an O(1) relative error (a missing term, a wrong sign or index), far
 * outside both.
 *
 * Second order compares fwd-over-rev with rev-over-rev by the transpose identity (tight,
 * like first order), and fwd-over-rev with central differences of the gradient
 * g(x) = Jᵀ(x) u: the same formula with M1 (bound on |f'|, hence |g|) for M0 and M4 for
 * M3, and k doubled (the rule's arithmetic is in g).
 *
 * ## Transformation tolerances
 *
 * - VJP vs JVP, <u, J v> = <Jᵀu, v>: both exact up to float32 summation, n · u relative to
 *   Σ|terms| for n accumulated terms (n < 1000 here: < 6e-5), so rtol 1e-4 of Σ|terms|.
 * - vmap vs loop, jit vs eager: the same kernels, possibly batched, fused or reordered:
 *   atol 1e-6 + rtol 1e-5 (k u |y| for k ≲ 100); integers and bools exactly.
 */
import type * as fc from "fast-check";
import type { Tensor } from "@tensorflow/tfjs-core";
import type { NDArray } from "../../src/index.ts";
import type { ArrayOptions, HostArray } from "../../src/testing/index.ts";

/** float32 unit roundoff. */
export const U = 2 ** -24;

/** How one operand's values are drawn (arb.arrayData options with a fixed shape), and whether it is differentiated. */
export interface Operand extends Omit<ArrayOptions, "shape"> {
  shape: number[];
  /** Differentiated by the gradient checks (float32 only; default: float32 operands are). */
  diff?: boolean;
  /** Custom element values instead of the grid (e.g. infinities for is_finite). */
  element?: fc.Arbitrary<number>;
}

/** One application of the primitive: static parameters and operand descriptions. */
export interface Structure {
  /** The primitive and its parameters, e.g. `reduce_sum{axes=[0,2]}`; shown in counterexamples. */
  label: string;
  operands: Operand[];
  /** Binds the primitive (or, for higher-order primitives, runs a function that does). */
  f: (...xs: NDArray[]) => NDArray[];
  /** The same operation in tfjs (with its own registered gradient): the first-order oracle. */
  tf?: (...ts: Tensor[]) => Tensor;
}

/** Finite-difference step and tolerances, with how they were derived. */
export interface FdTolerance { eps: number; atol: number; rtol: number; why: string }

/** The differentiation part of a domain. */
export interface GradSpec {
  /** First order against central differences. */
  fd: FdTolerance;
  /** Second order (fwd-over-rev) against central differences of the gradient. */
  fd2: FdTolerance;
  /** Modes the primitive supports (while: forward only; custom_vjp: reverse only). Default both. */
  modes?: readonly ("fwd" | "rev")[];
  /** Relative tolerance of the transpose identity (default 1e-4 of Σ|terms|). */
  transposeRtol?: number;
}

/** A primitive with no derivative to check, and why. */
export interface NoGrad { none: string }

/** Which test file checks a domain. */
export type Family = "elementwise" | "array" | "indexing" | "higher-order";

/** A primitive's domain declaration. */
export interface Domain {
  family: Family;
  /** The input domain in words (the table in docs/testing.md). */
  domain: string;
  structures: fc.Arbitrary<Structure>;
  grad: GradSpec | NoGrad;
  /** Some structures carry a tfjs twin (`Structure.tf`) whose gradient tfjs registers. */
  tfOracle?: boolean;
  /** vmap/jit tolerance overrides. */
  vmapTol?: { atol: number; rtol: number };
  jitTol?: { atol: number; rtol: number };
}

export const hasGrad = (d: Domain): d is Domain & { grad: GradSpec } => !("none" in d.grad);

/** Bounds on the domain that the tolerance derivation needs. */
export interface Bounds {
  /** sup |f| */
  M0: number;
  /** sup |d³f[v,v,v]| over |vᵢ| ≤ 1 (0 for linear, bilinear and piecewise-linear f). */
  M3: number;
  /** Accuracy of the kernels in ulps, including accumulation (k terms summed: k). Default 4. */
  k?: number;
  /** Largest step the domain allows (kink margins); default 1. */
  maxEps?: number;
}

/** Rounds down to 1, 2 or 5 × 10ⁿ. */
function niceFloor(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

const fmt = (x: number) => (x === 0 ? "0" : x >= 0.01 && x < 1e4 ? String(+x.toPrecision(3)) : x.toExponential(1));

/** ε, atol and rtol from the bounds (see the module comment). */
export function fdTolerance({ M0, M3, k = 4, maxEps = 1 }: Bounds): FdTolerance {
  const optimal = M3 > 0 ? Math.cbrt((3 * k * U * M0) / M3) : Infinity;
  const eps = niceFloor(Math.min(optimal, maxEps));
  const trunc = (eps * eps / 6) * M3;
  const round = (k * U * M0) / eps;
  const atol = Number((4 * (trunc + round)).toPrecision(2));
  const why = `M0=${fmt(M0)} M3=${fmt(M3)} k=${k}${maxEps < 1 ? ` maxEps=${fmt(maxEps)}` : ""}: trunc ${fmt(trunc)} + round ${fmt(round)}`;
  return { eps, atol, rtol: 1e-3, why };
}

/**
 * First- and second-order tolerances from bounds on f (M0, M3) and on its derivatives
 * (M1 = sup |f'|, M4 = sup |d⁴f|).
 */
export function smooth(b: Bounds & { M1: number; M4: number }, extra: Partial<GradSpec> = {}): GradSpec {
  const k = b.k ?? 4;
  return { fd: fdTolerance(b), fd2: fdTolerance({ M0: b.M1, M3: b.M4, k: 2 * k, maxEps: b.maxEps }), ...extra };
}

/** Tolerances of a linear function (or piecewise linear away from its kinks): M3 = M4 = 0. */
export function linear(M0: number, { k = 4, maxEps = 1, M1 = 1, ...extra }: { k?: number; maxEps?: number; M1?: number } & Partial<GradSpec> = {}): GradSpec {
  return smooth({ M0, M1, M3: 0, M4: 0, k, maxEps }, extra);
}

/** Operand values as HostArrays, one per operand. */
export type Values = HostArray[];
