/**
 * Domains of the higher-order primitives (pjit, cond, scan, while, custom_jvp_call,
 * custom_vjp_call, custom_lin, checkpoint): each structure is a small function that uses
 * the primitive, built from smooth template bodies, so every property (JVP, transpose,
 * second order, vmap, jit) runs through that primitive's rules and the rules of the
 * jaxprs it holds.
 *
 * Tolerances. Operands are in [-1, 1] with at most 4 elements, and each body is one of the
 * templates below; compositions (a scan of up to 3 steps, nested bodies) stay within the
 * generous program bounds M0 = 4, M1 = 12, M3 = 100, M4 = 1000 with k = 16 ulps (several
 * kernels per output). These are bounds for the family, not sharp per structure.
 */
import * as fc from "fast-check";
import { checkpoint, checkpointPolicies, customJvp, customVjp, jit, lax, np, vmap, type NDArray } from "../../../src/index.ts";
import { arb } from "../../../src/testing/index.ts";
import { smooth, type Domain, type GradSpec, type Operand, type Structure } from "../spec.ts";

/** A smooth body of two operands of one shape. */
interface Body { name: string; f: (x: NDArray, y: NDArray) => NDArray }

const vdot = (x: NDArray, y: NDArray) => lax.dotGeneral(x.reshape([-1]), y.reshape([-1]), [[[0], [0]], [[], []]]);

const BODIES: Body[] = [
  { name: "sin(x)·y", f: (x, y) => np.sin(x).mul(y) },
  { name: "tanh(x·y + x)", f: (x, y) => np.tanh(x.mul(y).add(x)) },
  { name: "x·exp(−y²)", f: (x, y) => x.mul(np.exp(y.square().neg())) },
  { name: "cos(x) + y²", f: (x, y) => np.cos(x).add(y.square()) },
  { name: "vdot(x, y)·x", f: (x, y) => vdot(x, y).mul(x) },
  { name: "x / (1 + y²)", f: (x, y) => x.div(y.square().add(1)) },
];

const body = fc.nat({ max: BODIES.length - 1 }).map((i) => BODIES[i]!);
/** Shapes with at most 4 elements. */
const SMALL = arb.shape({ maxRank: 2, maxDim: 2 });
const val = (shape: number[]): Operand => ({ shape, min: -1, max: 1 });

const PROGRAM = { M0: 4, M1: 12, M3: 100, M4: 1000, k: 16 };
const both: GradSpec = smooth(PROGRAM);
const forwardOnly: GradSpec = smooth(PROGRAM, { modes: ["fwd"] });
const reverseOnly: GradSpec = smooth(PROGRAM, { modes: ["rev"] });

const structure = (label: string, operands: Operand[], f: (...xs: NDArray[]) => NDArray[]): Structure => ({ label, operands, f });

/** jit of one or two bodies, optionally closing over an array made outside the jitted function (a constant of its jaxpr). */
const pjit: Domain = {
  family: "higher-order", domain: "jit of template bodies (with and without closed-over arrays) on x, y ∈ [-1, 1]", grad: both,
  structures: fc.tuple(SMALL, body, body, fc.boolean()).map(([shape, b1, b2, closure]) => structure(
    `jit((x, y) => [${b1.name}, ${b2.name}${closure ? " · c" : ""}])`, [val(shape), val(shape)],
    (x, y) => {
      const c = np.full(shape, 0.75);
      return jit((a: NDArray, b: NDArray) => [b1.f(a, b), closure ? b2.f(a, b).mul(c) : b2.f(a, b)])(x!, y!) as NDArray[];
    },
  )),
};

/** cond on a bool operand, or switch on an int32 index (clamped) among three branches. */
const cond: Domain = {
  family: "higher-order", domain: "lax.cond on a bool scalar / lax.switch on an int32 index in [−1, 3] over template branches; x, y ∈ [-1, 1]", grad: both,
  structures: fc.tuple(SMALL, body, body, body, fc.boolean()).map(([shape, b1, b2, b3, isSwitch]) => isSwitch
    ? structure(`switch(i, [${b1.name}, ${b2.name}, ${b3.name}])`, [{ shape: [], dtype: "int32", min: -1, max: 3 }, val(shape), val(shape)],
      (i, x, y) => [lax.switch(i!, [(a: NDArray, b: NDArray) => b1.f(a, b), (a: NDArray, b: NDArray) => b2.f(a, b), (a: NDArray, b: NDArray) => b3.f(b, a)], x, y) as NDArray])
    : structure(`cond(p, ${b1.name}, [${b2.name}, 2y])`, [{ shape: [], dtype: "bool" }, val(shape), val(shape)],
      (p, x, y) => lax.cond(p!, (a: NDArray, b: NDArray) => [b1.f(a, b), a], (a: NDArray, b: NDArray) => [b2.f(a, b), b.mul(2)], x, y) as NDArray[])),
};

/** scan of 1–3 steps, either direction, carry c' = tanh(body(c, x) · w) with w closed over (differentiated), ys from another body. */
const scan: Domain = {
  family: "higher-order", domain: "lax.scan of 1–3 steps, forward or reverse, closing over a differentiated w; values in [-1, 1]", grad: both,
  structures: fc.tuple(SMALL, fc.integer({ min: 1, max: 3 }), body, body, fc.boolean()).map(([shape, length, b1, b2, reverse]) => structure(
    `scan((c, x) => [tanh(${b1.name} · w), ${b2.name}], reverse=${reverse})`, [val(shape), val([length, ...shape]), val(shape)],
    (c0, xs, w) => lax.scan((c: NDArray, x: NDArray): [NDArray, NDArray] => {
      const next = np.tanh(b1.f(c, x).mul(w!));
      return [next, b2.f(next, x)];
    }, c0!, xs!, { reverse }) as NDArray[],
  )),
};

/** whileLoop counting to an int32 bound n ∈ [0, 3] (an operand: batched bounds give a batched predicate). */
const whileLoop: Domain = {
  family: "higher-order", domain: "lax.whileLoop of n ∈ [0, 3] steps c' = tanh(body(c, x)); forward mode only (as in JAX)", grad: forwardOnly,
  structures: fc.tuple(SMALL, body).map(([shape, b]) => structure(
    `whileLoop(i < n, c => tanh(${b.name}(c, x)))`, [val(shape), { shape: [], dtype: "int32", min: 0, max: 3 }],
    (x, n) => {
      const [, c] = lax.whileLoop(([i]: NDArray[]) => i!.lt(n!), ([i, c_]: NDArray[]) => [i!.add(1), np.tanh(b.f(c_!, x!))], [np.array(0, { dtype: "int32" }), x!]);
      return [c!];
    },
  )),
};

// Custom rules, defined once (their staging is cached per signature).
const softplus = customJvp((x: NDArray) => np.log1p(np.exp(x))).defjvp(([x]: NDArray[], [t]: NDArray[]) => [np.log1p(np.exp(x!)), t!.mul(np.sigmoid(x!))]);
const sinMul = customJvp((x: NDArray, y: NDArray) => np.sin(x).mul(y)).defjvp(([x, y]: NDArray[], [tx, ty]: NDArray[]) =>
  [np.sin(x!).mul(y!), tx!.mul(np.cos(x!)).mul(y!).add(np.sin(x!).mul(ty!))]);
const xTanh = customJvp((x: NDArray) => x.mul(np.tanh(x))).defjvp(([x]: NDArray[], [t]: NDArray[]) => {
  const th = np.tanh(x!);
  return [x!.mul(th), t!.mul(th.add(x!.mul(th.square().neg().add(1))))];
});
const CUSTOM_JVP: { name: string; f: (x: NDArray, y: NDArray) => NDArray }[] = [
  { name: "softplus(x)", f: (x) => softplus(x) },
  { name: "sinMul(x, y)", f: (x, y) => sinMul(x, y) },
  { name: "xTanh(y)", f: (_x, y) => xTanh(y) },
];

const sinV = customVjp((x: NDArray) => np.sin(x)).defvjp((x: NDArray) => [np.sin(x), x], (x: NDArray, g: NDArray) => [g.mul(np.cos(x))]);
const mulV = customVjp((x: NDArray, y: NDArray) => x.mul(y)).defvjp((x: NDArray, y: NDArray) => [x.mul(y), [x, y]], ([x, y]: NDArray[], g: NDArray) => [g.mul(y!), g.mul(x!)]);
const expV = customVjp((x: NDArray) => np.exp(x)).defvjp((x: NDArray) => { const e = np.exp(x); return [e, e]; }, (e: NDArray, g: NDArray) => [g.mul(e)]);
const CUSTOM_VJP: { name: string; f: (x: NDArray, y: NDArray) => NDArray }[] = [
  { name: "sinV(x)", f: (x) => sinV(x) },
  { name: "mulV(x, y)", f: (x, y) => mulV(x, y) },
  { name: "expV(y)", f: (_x, y) => expV(y) },
];

const customJvpCall: Domain = {
  family: "higher-order", domain: "customJvp functions with correct rules (softplus, sin(x)·y, x·tanh x), applied to operands or to a template body; [-1, 1]", grad: both,
  structures: fc.tuple(SMALL, fc.nat({ max: CUSTOM_JVP.length - 1 }), fc.option(body, { nil: null })).map(([shape, k, inner]) => {
    const cj = CUSTOM_JVP[k]!;
    return structure(inner ? `${cj.name.replace("x", inner.name)}` : cj.name, [val(shape), val(shape)], (x, y) => [cj.f(inner ? inner.f(x!, y!) : x!, y!)]);
  }),
};

const customVjpCall: Domain = {
  family: "higher-order", domain: "customVjp functions with correct fwd/bwd (sin, x·y, exp), applied to operands or a template body; reverse mode only (as in JAX)", grad: reverseOnly,
  structures: fc.tuple(SMALL, fc.nat({ max: CUSTOM_VJP.length - 1 }), fc.option(body, { nil: null })).map(([shape, k, inner]) => {
    const cv = CUSTOM_VJP[k]!;
    return structure(inner ? `${cv.name.replace("x", inner.name)}` : cv.name, [val(shape), val(shape)], (x, y) => [cv.f(inner ? inner.f(x!, y!) : x!, y!)]);
  }),
};

/** custom_lin is only ever transposed: reverse mode of customVjp functions, also batched inside (vmap of the custom function). */
const customLin: Domain = {
  family: "higher-order", domain: "reverse mode of customVjp functions, plain and vmapped inside the function (custom_lin's transpose and batching rules)", grad: reverseOnly,
  structures: fc.tuple(arb.shape({ minRank: 1, maxRank: 2, maxDim: 2 }), fc.nat({ max: CUSTOM_VJP.length - 1 }), fc.boolean()).map(([shape, k, batched]) => {
    const cv = CUSTOM_VJP[k]!;
    return structure(batched ? `vmap(${cv.name})` : cv.name, [val(shape), val(shape)], (x, y) => [batched ? vmap(cv.f)(x!, y!) as NDArray : cv.f(x!, y!)]);
  }),
};

const POLICIES = ["nothingSaveable", "everythingSaveable", "dotsSaveable"] as const;

const checkpointDomain: Domain = {
  family: "higher-order", domain: "checkpoint of two nested template bodies with each standard policy; x, y ∈ [-1, 1]", grad: both,
  structures: fc.tuple(SMALL, body, body, fc.constantFrom(...POLICIES)).map(([shape, b1, b2, policy]) => structure(
    `checkpoint((x, y) => ${b2.name}(${b1.name}, y), ${policy})`, [val(shape), val(shape)],
    (x, y) => [checkpoint((a: NDArray, b: NDArray) => b2.f(b1.f(a, b), b), { policy: checkpointPolicies[policy] })(x!, y!) as NDArray],
  )),
};

export const HIGHER_ORDER_DOMAINS: Record<string, Domain> = {
  pjit,
  cond,
  scan,
  while: whileLoop,
  custom_jvp_call: customJvpCall,
  custom_vjp_call: customVjpCall,
  custom_lin: customLin,
  checkpoint: checkpointDomain,
};
