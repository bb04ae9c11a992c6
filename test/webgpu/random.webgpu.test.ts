/**
 * random on webgpu (Dawn; SwiftShader without a GPU): JAX's documented values, the WGSL
 * kernels against the cpu loops on inputs large enough (>= 1000 elements) that tfjs keeps
 * them on the GPU, and the samplers against cpu. Reads are async on webgpu in Node.
 *
 * Tolerance: bits, integers, bools and uniform floats match exactly; normal and
 * truncatedNormal go through erf/erfinv/log kernels, which may differ by a few float32 ulps.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setBackend } from "../../src/backend/index.ts";
import type { NDArray } from "../../src/array.ts";
import { fromFlat } from "../../src/core/constant.ts";
import { randomIntFromBitsP, randomUnitFloatP, sortKeyValU32P, threefry2x32P } from "../../src/lax/threefry.ts";
import { reshapeP } from "../../src/lax/structural.ts";
import { keyRow } from "../../src/random/bits.ts";
import * as random from "../../src/random/index.ts";

const u32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "uint32");
const i32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "int32");
const f32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "float32");
const read = async (x: NDArray): Promise<number[]> => Array.from(await x.data(), Number);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Random123's threefry2x32_20 known answers: key, counter, result. */
const KNOWN_ANSWERS = [
  [[0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6b200159, 0x99ba4efe]],
  [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
  [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
] as const;

/** Draws compared with cpu; `exact` ones bit for bit. Sizes >= 1000 run the WGSL kernels. */
const DRAWS: Record<string, { draw: () => NDArray; exact: boolean }> = {
  split: { draw: () => random.split(random.key(0), 3), exact: true },
  foldInChain: { draw: () => random.foldIn(keyRow(random.split(random.foldIn(random.key(5), 7), 3), 2), 11), exact: true },
  uniform: { draw: () => random.uniform(random.key(1), [5001], { minval: -2, maxval: 3 }), exact: true },
  bernoulli: { draw: () => random.bernoulli(random.key(7), 0.3, [4000]), exact: true },
  randint: { draw: () => random.randint(random.key(4), [5000], -3, 1000), exact: true },
  categorical: { draw: () => random.categorical(random.key(8), f32(iota(20).map((i) => i / 7), [2, 10]), { shape: [600, 2] }), exact: true },
  permutation: { draw: () => random.permutation(random.key(6), 300), exact: true },
  normal: { draw: () => random.normal(random.key(2), [50, 101]), exact: false },
  truncatedNormal: { draw: () => random.truncatedNormal(random.key(10), -1, 2, [3000]), exact: false },
};

/** Kernel inputs made from bits the WGSL threefry produced, so they live on the GPU. */
const gpuBits = (seed: number, n: number) =>
  threefry2x32P.bind([u32([seed], []), u32([seed + 1], []), u32(iota(n)), u32(iota(n).map((i) => i * 7))], {});

const KERNELS: Record<string, () => NDArray[]> = {
  threefry: () => gpuBits(3, 3000),
  unitFloat: () => [randomUnitFloatP.bind1([gpuBits(4, 2000)[0]!], {})],
  randintWide: () => {
    const [hi, lo] = gpuBits(5, 2500);
    return [randomIntFromBitsP.bind1([hi!, lo!, i32([-2e9], []), i32([2e9, 17], [2, 1])], { maxvalOutOfRange: false })];
  },
  sortByBits: () => {
    const [bits] = gpuBits(6, 3000);
    return sortKeyValU32P.bind([bits!, i32(iota(3000))], { dimension: 0 });
  },
  sortAlongAxis0: () => {
    // Sorting along a middle axis exercises the [outer, n, inner] index arithmetic in WGSL.
    const keys = reshapeP.bind1([gpuBits(7, 1500)[0]!], { newSizes: [2, 250, 3] });
    return sortKeyValU32P.bind([keys, f32(iota(1500), [2, 250, 3])], { dimension: 1 });
  },
};

const expected: Record<string, number[][]> = {};

describe("random on webgpu", () => {
  beforeAll(async () => {
    await setBackend("cpu");
    for (const [name, { draw }] of Object.entries(DRAWS)) expected[name] = [await read(draw())];
    for (const [name, run] of Object.entries(KERNELS)) expected[`kernel:${name}`] = await Promise.all(run().map(read));
    await setBackend("webgpu");
  }, 120_000);
  afterAll(async () => { await setBackend("wasm"); });

  test("JAX's documented values", async () => {
    expect(await random.keyData(random.split(random.key(0))).toArrayAsync()).toEqual([[4146024105, 967050713], [2718843009, 1272950319]]);
    expect(await random.uniform(random.key(0)).itemAsync()).toBe(Math.fround(0.41845703));
    expect(await random.normal(random.key(0)).itemAsync()).toBeCloseTo(-0.20584226, 6);
  });

  test("threefry2x32 known answers on the GPU (1026 blocks)", async () => {
    const pick = (f: (kat: (typeof KNOWN_ANSWERS)[number]) => number) => u32(iota(1026).map((i) => f(KNOWN_ANSWERS[i % 3]!)));
    const [y0, y1] = threefry2x32P.bind([pick((k) => k[0][0]), pick((k) => k[0][1]), pick((k) => k[1][0]), pick((k) => k[1][1])], {});
    const [a, b] = [await read(y0!), await read(y1!)];
    iota(1026).forEach((i) => expect([a[i], b[i]], `block ${i}`).toEqual([...KNOWN_ANSWERS[i % 3]![2]]));
  });

  test.each(Object.keys(KERNELS))("kernel %s equals cpu", async (name) => {
    const outs = await Promise.all(KERNELS[name]!().map(read));
    expect(outs).toEqual(expected[`kernel:${name}`]);
  });

  test.each(Object.keys(DRAWS))("%s equals cpu", async (name) => {
    const { draw, exact } = DRAWS[name]!;
    const got = await read(draw());
    const want = expected[name]![0]!;
    if (exact) {
      expect(got).toEqual(want);
    } else {
      expect(got.length).toBe(want.length);
      got.forEach((x, i) => expect(Math.abs(x - want[i]!), `element ${i}: ${x} vs cpu ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!))));
    }
  });

  /**
   * tfjs-webgpu's Slice/Concat/Transpose/Gather/Tile kernels read int32 through f32, so uint32
   * bits >= 2^24 were rounded when those kernels ran on the GPU (arrays of >= 1000 elements).
   * split(key, 600) lays out 1200 words with a concatenate; the structural primitives now copy
   * int32 storage raw on webgpu (src/backend/webgpu_exact.ts).
   */
  test("uint32 key arrays of >= 1000 words equal cpu", async () => {
    await setBackend("cpu");
    const want = await read(random.split(random.key(3), 600));
    await setBackend("webgpu");
    expect(await read(random.split(random.key(3), 600))).toEqual(want);
  });
});
