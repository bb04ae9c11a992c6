/**
 * Every primitive gives the same result on cpu, wasm and webgpu (Dawn; SwiftShader in CI).
 *
 * Tolerance: integer and bool results must match exactly. float32 results may differ by
 * |a − b| <= 2^-11 + 1e-4·|b|: WGSL only promises sin/cos to an absolute 2^-11 on [−π, π]
 * and exp/log/pow to a few ULP scaled by the argument, and our cases stay within |x| <= 5,
 * where a few ULP is below 1e-4 relative. Everything else is identical up to rounding.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dispose, setBackend, type BackendName, type NDArray, type NestedArray } from "../../src/index.ts";
import { CASES } from "../primitive_cases.ts";

type Result = { dtype: string; shape: number[]; values: NestedArray }[];

async function runCase(name: string, backend: BackendName): Promise<Result> {
  await setBackend(backend);
  const outs: NDArray[] = CASES[name]!();
  const res = await Promise.all(outs.map(async (o) => ({ dtype: o.dtype, shape: o.shape, values: await o.toArrayAsync() })));
  dispose(outs);
  return res;
}

const flat = (x: NestedArray): (number | boolean)[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

function expectAgree(name: string, a: Result, b: Result, label: string): void {
  expect(b.length, `${name}: number of outputs on ${label}`).toBe(a.length);
  a.forEach((out, k) => {
    expect(b[k]!.shape, `${name}[${k}] shape on ${label}`).toEqual(out.shape);
    expect(b[k]!.dtype, `${name}[${k}] dtype on ${label}`).toBe(out.dtype);
    const xs = flat(out.values), ys = flat(b[k]!.values);
    xs.forEach((x, i) => {
      const y = ys[i]!;
      if (out.dtype !== "float32" || typeof x !== "number" || !Number.isFinite(x)) {
        expect(y, `${name}[${k}] element ${i} on ${label}`).toEqual(x);
        return;
      }
      expect(Math.abs((y as number) - x), `${name}[${k}] element ${i} on ${label}: ${y} vs cpu ${x}`)
        .toBeLessThanOrEqual(2 ** -11 + 1e-4 * Math.abs(x));
    });
  });
}

describe("cross-backend agreement of every primitive", () => {
  beforeAll(async () => { await setBackend("webgpu"); }, 120_000);
  afterAll(async () => { await setBackend("wasm"); });

  test.each(Object.keys(CASES))("%s: cpu = wasm = webgpu", async (name) => {
    const cpu = await runCase(name, "cpu");
    expectAgree(name, cpu, await runCase(name, "wasm"), "wasm");
    expectAgree(name, cpu, await runCase(name, "webgpu"), "webgpu");
  });
});
