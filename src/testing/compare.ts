/**
 * Comparison of host values with a tolerance, and the error the checks throw: it names the
 * check, the worst element, both values and the tolerance, and then the context (the point,
 * the direction...) so a failure can be reproduced from its message alone.
 */
import type { DType } from "../core/dtype.ts";
import { fmtShape } from "../core/shape.ts";
import { fmtNumber, unravel } from "./host.ts";

/**
 * Raised by the checks of `gradus/testing` when a transformation disagrees with its
 * reference. The message shows the point, the direction, both values and the tolerance.
 *
 * @example
 * try { checkGrads(f, [x]); } catch (e) { if (e instanceof CheckError) console.log(e.message); }
 */
export class CheckError extends Error {
  /** Always "CheckError". */
  override name = "CheckError";
}

/**
 * Absolute and relative tolerance: `|actual − expected| <= atol + rtol · |expected|`.
 * @example
 * const tol: Tolerance = { atol: 1e-6, rtol: 1e-5 };
 */
export interface Tolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance, a multiple of |expected|. */
  rtol: number;
}

/** The worst element of a comparison. @example const m: Mismatch = { index: 0, actual: 1, expected: 2, diff: 1, tol: 0.1 }; @internal */
export interface Mismatch { index: number; actual: number; expected: number; diff: number; tol: number }

/**
 * Elementwise comparison. NaN matches NaN and infinities must be equal; for other values
 * the element with the largest |difference| / tolerance is reported when it exceeds 1.
 * @example worstMismatch([1, 2.5], [1, 2], { atol: 0.1, rtol: 0 })?.index   // 1
 * @internal
 */
export function worstMismatch(actual: readonly number[], expected: readonly number[], { atol, rtol }: Tolerance): Mismatch | null {
  let worst: Mismatch | null = null;
  let worstRatio = 1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a === e) continue;
      return { index: i, actual: a, expected: e, diff: Infinity, tol: atol + rtol * Math.abs(e) };
    }
    const diff = Math.abs(a - e);
    const tol = atol + rtol * Math.abs(e);
    const ratio = tol > 0 ? diff / tol : diff > 0 ? Infinity : 0;
    if (ratio > worstRatio) { worstRatio = ratio; worst = { index: i, actual: a, expected: e, diff, tol }; }
  }
  return worst;
}

const g = (v: number) => fmtNumber(v, "float32");

/** One line per context entry, aligned. @example fmtContext([["point", "np.array(1)"]])   // "  point: np.array(1)" @internal */
export function fmtContext(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `  ${`${k}:`.padEnd(width + 2)}${v}`).join("\n");
}

/**
 * The text of an elementwise mismatch: which element, the two values with their labels,
 * and the tolerance with how it was made.
 * @example fmtMismatch({ index: 1, actual: 2.5, expected: 2, diff: 0.5, tol: 0.1 }, [2], ["jvp", "fd"], { atol: 0.1, rtol: 0 })
 * @internal
 */
export function fmtMismatch(m: Mismatch, shape: readonly number[], labels: readonly [string, string], tol: Tolerance, dtype: DType = "float32"): string {
  const at = shape.length ? `element [${unravel(m.index, shape).join(", ")}] of ${fmtShape(shape)}` : "the scalar";
  const width = Math.max(labels[0].length, labels[1].length) + 1;
  return [
    `  at ${at}:`,
    `    ${`${labels[0]}:`.padEnd(width + 1)}${fmtNumber(m.actual, dtype)}`,
    `    ${`${labels[1]}:`.padEnd(width + 1)}${fmtNumber(m.expected, dtype)}`,
    `    |difference| ${g(m.diff)} > tolerance ${g(m.tol)} (atol ${g(tol.atol)} + rtol ${g(tol.rtol)} · |${labels[1]}|)`,
  ].join("\n");
}
