/**
 * The properties of the registry-driven suite, as arbitraries and predicates, so the suite
 * (suite.ts) and the meta-tests (meta.test.ts) run exactly the same checks. Each predicate
 * throws a CheckError from gradus/testing on failure; fast-check then shrinks the case.
 */
import * as fc from "fast-check";
import * as tf from "@tensorflow/tfjs-core";
import { evalShape, scope, vjp, type NDArray } from "../../src/index.ts";
import { HostArray, arb, checkGrads, checkJit, checkJvp, checkVjp, checkVjpAgainstJvp, checkVmap, CheckError } from "../../src/testing/index.ts";
import { worstMismatch, fmtMismatch, fmtContext } from "../../src/testing/compare.ts";
import { fmtArrays, hostValues, prng, randomDirection, fromHost } from "../../src/testing/host.ts";
import { hasGrad, type Domain, type GradSpec, type Operand, type Structure } from "./spec.ts";

/** A structure with operand values and a seed for directions and cotangents. */
export class Case {
  constructor(readonly s: Structure, readonly values: HostArray[], readonly seed: number) {}
  /** The operands as arrays on the active backend. */
  args(): NDArray[] { return this.values.map((v) => v.toNDArray()); }
  toString(): string { return `${this.s.label}(${this.values.map(String).join(", ")}) seed=${this.seed}`; }
  [fc.toStringMethod](): string { return this.toString(); }
}

/** A case for vmap: operands batched (size B) at `inAxes` (null: not batched). */
export class BatchedCase extends Case {
  constructor(s: Structure, values: HostArray[], seed: number, readonly inAxes: (number | null)[], readonly size: number) { super(s, values, seed); }
  override toString(): string { return `vmap(${this.s.label}, inAxes=${JSON.stringify(this.inAxes)}, B=${this.size})(${this.values.map(String).join(", ")}) seed=${this.seed}`; }
}

const isDiff = (op: Operand) => (op.dtype ?? "float32") === "float32" && op.diff !== false;

/** Values of one operand of the given shape. */
function operandData(op: Operand, shape: number[]): fc.Arbitrary<HostArray> {
  const dtype = op.dtype ?? "float32";
  if (op.element) {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(op.element, { minLength: n, maxLength: n }).map((d) => new HostArray(shape, dtype, d));
  }
  return arb.arrayData({ ...op, shape });
}

/** Structures worth a gradient check: something to differentiate. */
const differentiable = (s: Structure) => s.operands.some(isDiff);

/** Cases of a domain; `forGrad` keeps only structures with a differentiated operand, `forTf` those with a tfjs twin. */
export function cases(d: Domain, forGrad = false, forTf = false): fc.Arbitrary<Case> {
  const structures = d.structures.filter((s) => (!forGrad || differentiable(s)) && (!forTf || !!s.tf));
  return structures.chain((s) => fc.tuple(fc.tuple(...s.operands.map((op) => operandData(op, op.shape))), fc.nat({ max: 0xffff }))
    .map(([values, seed]) => new Case(s, values, seed)));
}

/** vmap cases: batch size 1–3 and a random batch axis (or none) per operand, at least one batched. */
export function batchedCases(d: Domain): fc.Arbitrary<BatchedCase> {
  return d.structures.chain((s) => {
    const axes = fc.tuple(...s.operands.map((op) => fc.option(fc.integer({ min: 0, max: op.shape.length }), { nil: null, freq: 3 })))
      .filter((a) => s.operands.length === 0 || a.some((x) => x !== null));
    return fc.tuple(fc.integer({ min: 1, max: 3 }), axes, fc.nat({ max: 0xffff })).chain(([size, inAxes, seed]) => {
      const shapes = s.operands.map((op, i) => {
        const shape = [...op.shape];
        if (inAxes[i] !== null) shape.splice(inAxes[i]!, 0, size);
        return shape;
      });
      return fc.tuple(...s.operands.map((op, i) => operandData(op, shapes[i]!))).map((values) => new BatchedCase(s, values, seed, inAxes as (number | null)[], size));
    });
  });
}

// ---------------------------------------------------------------------------------------
// helpers

/** The function of the differentiated operands only, the others fixed. */
function diffFunction(c: Case, args: NDArray[]): { f: (...xs: NDArray[]) => NDArray[]; xs: NDArray[] } {
  const mask = c.s.operands.map(isDiff);
  const f = (...xs: NDArray[]): NDArray[] => {
    let k = 0;
    return c.s.f(...args.map((a, i) => (mask[i] ? xs[k++]! : a)));
  };
  return { f, xs: args.filter((_, i) => mask[i]) };
}

/** Random cotangents (on the 1/16 grid) for the float outputs of `f` at `xs`, zeros elsewhere. */
function cotangents(f: (...xs: NDArray[]) => NDArray[], xs: NDArray[], seed: number, batch?: number): NDArray[] {
  const outs = evalShape(f)(...xs) as { shape: number[]; dtype: NDArray["dtype"] }[];
  const rand = prng(seed ^ 0x5eed);
  return outs.map((o) => {
    const shape = batch === undefined ? o.shape : [batch, ...o.shape];
    const n = shape.reduce((a, b) => a * b, 1);
    return fromHost(o.dtype === "float32" ? randomDirection(n, rand) : new Array(n).fill(0), shape, o.dtype);
  });
}

/** x ↦ vjp(f, x)(u): the reverse-mode derivative as a function (of xs, then us). */
function pullback(f: (...xs: NDArray[]) => NDArray[], n: number) {
  return (...xsAndUs: NDArray[]): NDArray[] => {
    const [, pull] = vjp(f, ...xsAndUs.slice(0, n)) as [NDArray[], (ct: NDArray[]) => NDArray[]];
    return pull(xsAndUs.slice(n));
  };
}

const modesOf = (g: GradSpec) => g.modes ?? ["fwd", "rev"];

// ---------------------------------------------------------------------------------------
// the properties

/**
 * First order against central differences: the JVP elementwise; for primitives without
 * forward mode (custom_vjp), the VJP by the cotangent projection.
 */
export function firstOrder(d: Domain, c: Case): void {
  if (!hasGrad(d)) return;
  scope(() => {
    const { f, xs } = diffFunction(c, c.args());
    const { eps, atol, rtol } = d.grad.fd;
    if (modesOf(d.grad).includes("fwd")) checkJvp(f, xs, { eps, atol, rtol, seed: c.seed });
    else checkVjp(f, xs, { eps, atol, rtol, seed: c.seed });
  });
}

/** Reverse mode is the transpose of forward mode: <u, J v> = <Jᵀu, v>, tightly. */
export function vjpMatchesJvp(d: Domain, c: Case): void {
  if (!hasGrad(d)) return;
  scope(() => {
    const { f, xs } = diffFunction(c, c.args());
    checkVjpAgainstJvp(f, xs, { rtol: d.grad.transposeRtol ?? 1e-4, seed: c.seed });
  });
}

/**
 * Second order. The gradient map g(x) = vjp(f, x)(u) differentiated forward (fwd-over-rev)
 * against reverse (rev-over-rev) by the transpose identity, and fwd-over-rev against
 * central differences of g. Forward only (while): JVP of JVP against central differences.
 */
export function secondOrder(d: Domain, c: Case): void {
  if (!hasGrad(d)) return;
  const g = d.grad;
  scope(() => {
    const { f, xs } = diffFunction(c, c.args());
    const { eps, atol, rtol } = g.fd2;
    const modes = modesOf(g);
    if (!modes.includes("rev")) {
      checkGrads(f, xs, { order: 2, modes: ["fwd"], eps, atol, rtol, seed: c.seed });
      return;
    }
    const us = cotangents(f, xs, c.seed);
    const pull = pullback(f, xs.length);
    const grad = (...ys: NDArray[]) => pull(...ys, ...us);
    // Forward over reverse works even where forward mode alone does not (custom_vjp: the
    // backward pass is ordinary code), as in JAX.
    checkVjpAgainstJvp(grad, xs, { rtol: g.transposeRtol ?? 1e-4, seed: c.seed + 1 });
    checkJvp(grad, xs, { eps, atol, rtol, seed: c.seed + 2 });
  });
}

/** vmap(f) against a loop; for differentiable primitives also vmap of the pullback (x, u) ↦ Jᵀu. */
export function vmapMatchesLoop(d: Domain, c: BatchedCase): void {
  const tol = d.vmapTol ?? { atol: 1e-6, rtol: 1e-5 };
  scope(() => {
    const args = c.args();
    checkVmap(c.s.f, args, { inAxes: c.inAxes, axisSize: c.size, ...tol });
    if (!hasGrad(d) || !modesOf(d.grad).includes("rev") || !differentiable(c.s)) return;
    // The pullback, batched: differentiated operands and the cotangents (batched at 0).
    const mask = c.s.operands.map(isDiff);
    const fixed = (i: number) => !mask[i];
    const pull = (...a: NDArray[]): NDArray[] => {
      const nArgs = args.length;
      const ops = a.slice(0, nArgs);
      const us = a.slice(nArgs);
      const fx = (...xs: NDArray[]) => { let k = 0; return c.s.f(...ops.map((o, i) => (fixed(i) ? o : xs[k++]!))); };
      const [, p] = vjp(fx, ...ops.filter((_, i) => !fixed(i))) as [NDArray[], (ct: NDArray[]) => NDArray[]];
      return p(us);
    };
    const example = args.map((a, i) => {
      const ax = c.inAxes[i];
      if (ax === null || ax === undefined) return a;
      return fromHost(hostValues(a).slice(0, a.size / c.size), a.shape.filter((_, k) => k !== ax), a.dtype);
    });
    const us = cotangents(c.s.f, example, c.seed, c.size);
    checkVmap(pull, [...args, ...us], { inAxes: [...c.inAxes, ...us.map(() => 0)], axisSize: c.size, ...tol });
  });
}

/** jit(f) against eager; for differentiable primitives also jit of the pullback. */
export function jitMatchesEager(d: Domain, c: Case): void {
  const tol = d.jitTol ?? { atol: 1e-6, rtol: 1e-5 };
  scope(() => {
    const args = c.args();
    checkJit(c.s.f, args, tol);
    if (!hasGrad(d) || !modesOf(d.grad).includes("rev") || !differentiable(c.s)) return;
    const { f, xs } = diffFunction(c, args);
    const us = cotangents(f, xs, c.seed);
    checkJit(pullback(f, xs.length), [...xs, ...us], tol);
  });
}

/**
 * First-order gradient against TensorFlow.js's own (`tf.grads` of Σ u · op(x), with the
 * gradients tfjs-layers registers). Never second order: tfjs's second derivatives are
 * wrong for ops whose gradient reuses their output (TFJS-NOTES.md).
 */
export function matchesTfGrad(d: Domain, c: Case): void {
  const op = c.s.tf;
  if (!op || !hasGrad(d) || !modesOf(d.grad).includes("rev")) return;
  scope(() => {
    const args = c.args();
    const { f, xs } = diffFunction(c, args);
    const us = cotangents(f, xs, c.seed);
    const ours = pullback(f, xs.length)(...xs, ...us).map(hostValues);
    const mask = c.s.operands.map(isDiff);
    const theirs = tf.tidy(() => {
      const ts = c.values.map((v) => tf.tensor(v.data as number[], [...v.shape], v.dtype === "uint32" ? "int32" : v.dtype));
      const u = tf.tensor(hostValues(us[0]!), us[0]!.shape, "float32");
      const diffIdx = mask.flatMap((m, i) => (m ? [i] : []));
      const loss = (...ds: tf.Tensor[]) => {
        const full = ts.map((t, i) => (mask[i] ? ds[diffIdx.indexOf(i)]! : t));
        return tf.sum(tf.mul(op(...full), u));
      };
      return tf.grads(loss)(diffIdx.map((i) => ts[i]!));
    });
    const theirValues = theirs.map((t) => Array.from(t.dataSync(), Number));
    tf.dispose(theirs);
    ours.forEach((g, i) => {
      // Both are float32 formulas for the same derivative: they differ by rounding, at most a
      // few ulps per accumulated term (k ≤ 64: 64 · 6e-8 ≈ 4e-6) of the largest entry.
      const scale = Math.max(1, ...theirValues[i]!.map(Math.abs));
      const tol = { atol: 1e-5 * scale, rtol: 1e-4 };
      const m = worstMismatch(g, theirValues[i]!, tol);
      if (m) {
        throw new CheckError(`gradient vs tf.grad: differentiated operand ${i} differs\n${fmtMismatch(m, xs[i]!.shape, ["gradus", "tf.grad"], tol)}\n` +
          fmtContext([["point", fmtArrays(args)], ["cotangent u", fmtArrays(us)]]));
      }
    });
  });
}

/** The properties by name, with the arbitrary each one draws from. */
export const PROPERTIES = {
  "first order vs central differences": { applies: (d: Domain) => hasGrad(d), arb: (d: Domain) => cases(d, true), check: firstOrder },
  "vjp vs jvp (transpose identity)": { applies: (d: Domain) => hasGrad(d) && modesOf(d.grad).length === 2, arb: (d: Domain) => cases(d, true), check: vjpMatchesJvp },
  "second order": { applies: (d: Domain) => hasGrad(d), arb: (d: Domain) => cases(d, true), check: secondOrder },
  "vmap vs loop": { applies: () => true, arb: batchedCases, check: vmapMatchesLoop },
  "jit vs eager": { applies: () => true, arb: (d: Domain) => cases(d), check: jitMatchesEager },
  "grad vs tf.grad": { applies: (d: Domain) => hasGrad(d) && modesOf(d.grad).includes("rev") && !!d.tfOracle, arb: (d: Domain) => cases(d, true, true), check: matchesTfGrad },
} as const satisfies Record<string, { applies: (d: Domain) => boolean; arb: (d: Domain) => fc.Arbitrary<any>; check: (d: Domain, c: any) => void }>;

export type PropertyName = keyof typeof PROPERTIES;
