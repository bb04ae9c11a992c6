/**
 * Cross-backend property: random programs (compositions of 3–8 primitives) give the same
 * values and gradients on cpu, wasm and webgpu (Dawn; SwiftShader without a GPU), eagerly
 * and under jit (where webgpu runs generated WGSL for fused elementwise chains).
 *
 * A program works on values of one shape [m, n] (inputs x, y in [-1, 1]) and a weight
 * W [n, n] in [-1, 1]; every step keeps values in [-2, 2] (so sin/cos/exp arguments stay where
 * WGSL promises an absolute error of 2⁻¹¹) and is at most 2-Lipschitz. The loss is the sum
 * of the last value; gradients are taken for x, y and W.
 *
 * Tolerance: each backend's transcendental kernels differ by at most 2⁻¹¹ ≈ 4.9e-4 absolute
 * (WGSL's bound; cpu and wasm agree to float32 rounding). An error introduced at one of the
 * ≤ 8 steps is multiplied by the Lipschitz constants after it, and the loss sums m·n ≤ 9
 * entries: a worst-case bound is far too loose, so the tolerance is set from the error the
 * steps can actually introduce, 8 · 2⁻¹¹ ≈ 4e-3, relative to max(1, max |reference|) of each
 * output. Measured: the largest difference over 3 × 300 programs (5 backend/mode pairs each)
 * was 3.7e-4 of the scale, 10× inside the tolerance; a wrong kernel is an O(1) difference
 * (this property found tfjs-webgpu's reverse Cumsum returning [3, 2, 3] for [1, 2, 3]).
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { test } from "@fast-check/vitest";
import * as fc from "fast-check";
import { dispose, jit, lax, np, setBackend, valueAndGrad, type BackendName, type NDArray, type NestedArray } from "../../src/index.ts";
import { arb, HostArray } from "../../src/testing/index.ts";
import { RUNS, TIMEOUT, announce, seedFor } from "./config.ts";

type Env = { w: NDArray; n: number };
interface Op { name: string; arity: 1 | 2; f: (a: NDArray, b: NDArray, env: Env) => NDArray }

/** Steps that keep values of shape [m, n] in [-2, 2] and are at most 2-Lipschitz there. */
const OPS: Op[] = [
  { name: "sin", arity: 1, f: (a) => np.sin(a) },
  { name: "cos", arity: 1, f: (a) => np.cos(a) },
  { name: "tanh", arity: 1, f: (a) => np.tanh(a) },
  { name: "sigmoid", arity: 1, f: (a) => np.sigmoid(a) },
  { name: "exp(−a²)", arity: 1, f: (a) => np.exp(a.square().neg()) },
  { name: "a²/2", arity: 1, f: (a) => a.square().mul(0.5) },
  { name: "√(1+a²)−1", arity: 1, f: (a) => np.sqrt(a.square().add(1)).sub(1) },
  { name: "log1p(a²)/2", arity: 1, f: (a) => np.log1p(a.square()).mul(0.5) },
  { name: "a·b/2", arity: 2, f: (a, b) => a.mul(b).mul(0.5) },
  { name: "(a+b)/2", arity: 2, f: (a, b) => a.add(b).mul(0.5) },
  { name: "(a−b)/2", arity: 2, f: (a, b) => a.sub(b).mul(0.5) },
  { name: "a·W/n", arity: 1, f: (a, _b, env) => np.matmul(a, env.w).div(env.n) },
  { name: "softmax", arity: 1, f: (a) => { const e = np.exp(a); return e.div(e.sum({ axis: -1, keepdims: true })); } },
  { name: "a − mean₀(a)", arity: 1, f: (a) => a.sub(a.mean({ axis: 0, keepdims: true })).mul(0.5) },
  { name: "rev(a)", arity: 1, f: (a) => lax.rev(a, [1]) },
  { name: "cumsum(a)/n", arity: 1, f: (a, _b, env) => lax.cumsum(a, { axis: 1 }).div(env.n) },
  { name: "a·Wᵀ/n", arity: 1, f: (a, _b, env) => np.matmul(a, env.w.T).div(env.n) },
  { name: "roll(a)", arity: 1, f: (a, _b, env) => (env.n > 1 ? np.concatenate([lax.sliceInDim(a, 1, env.n, { axis: 1 }), lax.sliceInDim(a, 0, 1, { axis: 1 })], { axis: 1 }) : a) },
  { name: "take(a, [n−1, 0, …])", arity: 1, f: (a, _b, env) => np.take(a, np.array(Array.from({ length: env.n }, (_, i) => (env.n - 1 + i * 2) % env.n), { dtype: "int32" }), { axis: 1 }) },
];

interface Step { op: number; a: number; b: number }

/** A random program; prints as its steps, e.g. `v3 = tanh(v0); v4 = a·b/2(v3, v1)`. */
class Program {
  constructor(readonly m: number, readonly n: number, readonly steps: Step[], readonly inputs: HostArray[]) {}
  /** The loss: the sum of the last value, from inputs x, y and W. */
  loss = (x: NDArray, y: NDArray, w: NDArray): NDArray => {
    const vals = [x, y];
    const env = { w, n: this.n };
    for (const s of this.steps) {
      const op = OPS[s.op]!;
      vals.push(op.f(vals[s.a % vals.length]!, vals[s.b % vals.length]!, env));
    }
    return vals.at(-1)!.sum();
  };
  toString(): string {
    let k = 2;
    const lines = this.steps.map((s) => {
      const op = OPS[s.op]!, i = k++;
      const args = op.arity === 1 ? `v${s.a % i}` : `v${s.a % i}, v${s.b % i}`;
      return `v${i} = ${op.name}(${args})`;
    });
    return `program[${this.m}x${this.n}](v0 = x = ${this.inputs[0]}, v1 = y = ${this.inputs[1]}, W = ${this.inputs[2]}): ${lines.join("; ")}; loss = sum(v${k - 1})`;
  }
  [fc.toStringMethod](): string { return this.toString(); }
}

const programs: fc.Arbitrary<Program> = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([m, n]) => fc.tuple(
  fc.array(fc.record({ op: fc.nat({ max: OPS.length - 1 }), a: fc.nat({ max: 16 }), b: fc.nat({ max: 16 }) }), { minLength: 3, maxLength: 8 }),
  arb.arrayData({ shape: [m, n], min: -1, max: 1 }), arb.arrayData({ shape: [m, n], min: -1, max: 1 }), arb.arrayData({ shape: [n, n], min: -1, max: 1 }),
).map(([steps, x, y, w]) => new Program(m, n, steps, [x, y, w])));

type Result = NestedArray[];

/** Loss and gradients (x, y, W) of a program on one backend, eagerly or under jit; read asynchronously. */
async function evaluate(p: Program, backend: BackendName, compiled: boolean): Promise<Result> {
  await setBackend(backend);
  const [x, y, w] = p.inputs.map((h) => h.toNDArray());
  const vg = valueAndGrad(p.loss, { argnums: [0, 1, 2] });
  const [value, grads] = (compiled ? jit(vg) : vg)(x!, y!, w!) as [NDArray, NDArray[]];
  const out = await Promise.all([value, ...grads].map((a) => a.toArrayAsync()));
  dispose([x, y, w, value, grads]);
  return out;
}

const flat = (x: NestedArray): number[] => (Array.isArray(x) ? x.flatMap(flat) : [Number(x)]);
const NAMES = ["loss", "∂x", "∂y", "∂W"];
const TOL = 8 * 2 ** -11;

/** Largest |difference| / scale seen (printed at the end: the margin under TOL). */
let worst = 0;

function expectAgree(p: Program, ref: Result, got: Result, label: string): void {
  ref.forEach((r, k) => {
    const e = flat(r), a = flat(got[k]!);
    const scale = Math.max(1, ...e.map(Math.abs));
    e.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(a[i]! - v) / scale);
      expect(Math.abs(a[i]! - v), `${label}: ${NAMES[k]}[${i}] = ${a[i]} vs cpu ${v} (tolerance ${TOL} · ${scale}) for ${p}`).toBeLessThanOrEqual(TOL * scale);
    });
  });
}

describe("cross-backend: random programs agree on cpu, wasm and webgpu", () => {
  beforeAll(async () => {
    announce("cross-backend programs");
    await setBackend("webgpu");
  }, 120_000);
  afterAll(async () => {
    console.log(`[gradus properties] cross-backend: largest difference ${worst.toExponential(2)} of scale (tolerance ${TOL.toExponential(2)})`);
    await setBackend("wasm");
  });

  test.prop([programs], { numRuns: RUNS, seed: seedFor("cross-backend") })("values and gradients, eager and jit", async (p) => {
    const ref = await evaluate(p, "cpu", false);
    for (const backend of ["cpu", "wasm", "webgpu"] as const) {
      for (const compiled of [false, true]) {
        if (backend === "cpu" && !compiled) continue;
        expectAgree(p, ref, await evaluate(p, backend, compiled), `${backend}${compiled ? " jit" : ""}`);
      }
    }
  }, Math.max(120_000, 2 * TIMEOUT));
});


