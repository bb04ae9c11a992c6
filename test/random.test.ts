/**
 * random: JAX's threefry PRNG, bit-compatible with JAX's original scheme. Checked against
 * the values JAX documents, against an independent BigInt model of JAX's algorithms (below),
 * statistically, across cpu and wasm, and for clear errors on bad input.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { setBackend, tf, type BackendName } from "../src/backend/index.ts";
import type { NDArray } from "../src/array.ts";
import { fromFlat, fromNested } from "../src/core/constant.ts";
import { scope } from "../src/memory.ts";
import { randomIntFromBitsP, randomUnitFloatP, sortKeyValU32P, threefry2x32P } from "../src/lax/threefry.ts";
import { keyRow } from "../src/random/bits.ts";
import * as random from "../src/random/index.ts";

// ---------------------------------------------------------------------------------------
// Reference model: JAX's threefry scheme with BigInt arithmetic, independent of the kernels.

const M32 = 0xffffffffn;

const rotl = (v: bigint, r: bigint): bigint => ((v << r) | (v >> (32n - r))) & M32;

/** Threefry-2x32, 20 rounds, on one block: uint32 numbers in, uint32 numbers out. */
function refThreefry(k0: number, k1: number, x0: number, x1: number): [number, number] {
  const ks = [BigInt(k0), BigInt(k1), BigInt(k0) ^ BigInt(k1) ^ 0x1bd11bdan];
  const rot = [[13n, 15n, 26n, 6n], [17n, 29n, 16n, 24n]];
  let a = (BigInt(x0) + ks[0]!) & M32;
  let b = (BigInt(x1) + ks[1]!) & M32;
  for (let g = 0; g < 5; g++) {
    for (const r of rot[g % 2]!) {
      a = (a + b) & M32;
      b = rotl(b, r) ^ a;
    }
    a = (a + ks[(g + 1) % 3]!) & M32;
    b = (b + ks[(g + 2) % 3]! + BigInt(g + 1)) & M32;
  }
  return [Number(a), Number(b)];
}

/** JAX's `threefry_2x32(key, count)` on a flat list of counts. */
function refHash(key: readonly number[], count: readonly number[]): number[] {
  const n = count.length;
  const padded = n % 2 ? [...count, 0] : [...count];
  const half = padded.length / 2;
  const first: number[] = [], second: number[] = [];
  for (let i = 0; i < half; i++) {
    const [y0, y1] = refThreefry(key[0]!, key[1]!, padded[i]!, padded[half + i]!);
    first.push(y0);
    second.push(y1);
  }
  return [...first, ...second].slice(0, n);
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/** `_threefry_random_bits` for 32 bits, flattened. */
const refBits = (key: readonly number[], n: number): number[] => refHash(key, iota(n));

/** `split(key, num)` as a list of [k0, k1] pairs. */
function refSplit(key: readonly number[], num = 2): number[][] {
  const bits = refBits(key, 2 * num);
  return iota(num).map((i) => [bits[2 * i]!, bits[2 * i + 1]!]);
}

/** `fold_in(key, data)`. */
const refFoldIn = (key: readonly number[], data: number): number[] => refHash(key, [0, data >>> 0]);

/** `uniform(key, (n,))` in [0, 1) as float32 values. */
function refUniform(key: readonly number[], n: number): number[] {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return refBits(key, n).map((b) => {
    u[0] = (b >>> 9) | 0x3f800000;
    return Math.fround(f[0]! - 1);
  });
}

/** `randint(key, (n,), minval, maxval)` for int32 bounds. */
function refRandint(key: readonly number[], n: number, minval: number, maxval: number): number[] {
  const [k1, k2] = refSplit(key);
  const hi = refBits(k1!, n), lo = refBits(k2!, n);
  let span = BigInt(maxval - minval) & M32;
  if (maxval <= minval) span = 1n;
  const rem = (x: bigint, y: bigint) => (y === 0n ? x : x % y);
  let mult = rem(65536n, span);
  mult = rem((mult * mult) & M32, span);
  return iota(n).map((i) => {
    const offset = rem((((rem(BigInt(hi[i]!), span) * mult) & M32) + rem(BigInt(lo[i]!), span)) & M32, span);
    return Number(BigInt.asIntN(32, BigInt(minval) + offset));
  });
}

/** `permutation(key, n)`. */
function refPermutation(key: readonly number[], n: number): number[] {
  const rounds = Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(2 ** 32 - 1));
  let k = [...key];
  let x = iota(n);
  for (let r = 0; r < rounds; r++) {
    const [next, sub] = refSplit(k);
    k = next!;
    const bits = refBits(sub!, n);
    x = iota(n).sort((a, b) => bits[a]! - bits[b]! || a - b).map((i) => x[i]!);
  }
  return x;
}

// ---------------------------------------------------------------------------------------
// Helpers

const BACKENDS: BackendName[] = ["cpu", "wasm"];
const u32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "uint32");
const i32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "int32");
const f32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "float32");
const flat = (x: NDArray): number[] => Array.from(x.dataSync(), Number);
const keyOf = (k: readonly number[]) => u32([...k]);

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}
function expectClose(actual: readonly number[], expected: readonly number[], atol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(atol));
}

/** Values JAX prints for these calls (jax.random with the default threefry, non-partitionable). */
const JAX_NORMAL_KEY0_10 = [-0.3721109, 0.26423115, -0.18252768, -0.7368197, -0.44030377, -0.1521442, -0.67135346, -0.5908641, 0.73168886, 0.5673026];

/** Random123's known-answer vectors for threefry2x32_20 (also in JAX's random_test.py). */
const KNOWN_ANSWERS: [number[], number[], number[]][] = [
  [[0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6b200159, 0x99ba4efe]],
  [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
  [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
];

// ---------------------------------------------------------------------------------------

describe.each(BACKENDS)("random on %s", (backend) => {
  beforeAll(async () => { await setBackend(backend); });

  describe("JAX's documented values", () => {
    test("split(key(0))", () => {
      expect(random.keyData(random.split(random.key(0))).toArray()).toEqual([[4146024105, 967050713], [2718843009, 1272950319]]);
    });

    test("uniform(key(0)) is 0.41845703 exactly (float32)", () => {
      expect(random.uniform(random.key(0)).item()).toBe(Math.fround(0.41845703));
    });

    test("normal(key(0)), normal(key(0), [10]) and normal(key(42))", () => {
      expect(random.normal(random.key(0)).item()).toBeCloseTo(-0.20584226, 6);
      expectClose(flat(random.normal(random.key(0), [10])), JAX_NORMAL_KEY0_10, 1e-6);
      expect(random.normal(random.key(42)).item()).toBeCloseTo(-0.18471177, 6);
    });
  });

  test("the values shown in the doc comments", () => {
    const k = random.key(0);
    expect(random.key(42).toArray()).toEqual([0, 42]);
    expect(random.foldIn(k, 1).toArray()).toEqual([928981903, 3453687069]);
    expect(random.randint(k, [5], 0, 10).toArray()).toEqual([8, 1, 3, 8, 8]);
    expect(random.permutation(k, 5).toArray()).toEqual([1, 0, 4, 3, 2]);
    expect(random.permutation(k, fromNested([[1, 2], [3, 4]])).toArray()).toEqual([[3, 4], [1, 2]]);
    expect(random.bernoulli(k, 0.9, [4]).toArray()).toEqual([false, true, true, true]);
    expectClose(flat(random.truncatedNormal(k, -2, 2, [3])), [1.5905912, -0.4590096, 0.3238575], 1e-6);
    expect(flat(randomUnitFloatP.bind1([u32([0, 2 ** 31, 2 ** 32 - 1])], {}))).toEqual([0, 0.5, 1 - 2 ** -23]);
    const [sk, sv] = sortKeyValU32P.bind([u32([3e9, 1, 2]), i32([0, 1, 2])], { dimension: 0 });
    expect([flat(sk!), flat(sv!)]).toEqual([[1, 2, 3e9], [1, 2, 0]]);
  });

  describe("threefry2x32 primitive", () => {
    test.each(KNOWN_ANSWERS)("known answer key %j counter %j", (k, x, y) => {
      const out = threefry2x32P.bind([u32([k[0]!], []), u32([k[1]!], []), u32([x[0]!], []), u32([x[1]!], [])], {});
      expect(out.map((o) => o.item())).toEqual(y);
      expect(out.map((o) => o.dtype)).toEqual(["uint32", "uint32"]);
    });

    test("operands broadcast like NumPy and match the reference model", () => {
      const x0 = Array.from({ length: 6 }, (_, i) => (i * 2654435761) >>> 0);
      const x1 = [7, 4000000000, 13];
      const [y0, y1] = threefry2x32P.bind([u32([5], []), u32([3000000000], [1]), u32(x0, [2, 3]), u32(x1, [3])], {});
      expect(y0!.shape).toEqual([2, 3]);
      const expected = x0.map((a, i) => refThreefry(5, 3000000000, a, x1[i % 3]!));
      expect(flat(y0!)).toEqual(expected.map((e) => e[0]));
      expect(flat(y1!)).toEqual(expected.map((e) => e[1]));
    });

    test("names the operands and dtypes it expected and got", () => {
      expect(() => threefry2x32P.bind([u32([1], []), u32([2], []), i32([3]), u32([4])], {}))
        .toThrow("threefry2x32: expected 4 uint32 arguments (k0, k1, x0, x1); got k0: u32[], k1: u32[], x0: i32[1], x1: u32[1]");
      expect(() => threefry2x32P.bind([u32([1]), u32([2]), u32([3, 4]), u32([5, 6, 7])], {})).toThrow(/cannot broadcast shapes/);
    });

    test("jvp gives zero tangents; vmap rule matches a loop", () => {
      const args = [u32([1], []), u32([2], []), u32([10, 11, 12, 13, 14, 15], [3, 2]), u32([9, 8, 7], [3])];
      const unbatched = [args[0]!, args[1]!, u32([10, 12, 14]), args[3]!];
      const [outs, tangents] = threefry2x32P.rules.jvp!(unbatched, [null, null, null, null], {});
      expect(tangents).toEqual([null, null]);
      expect(flat(outs[1]!)).toEqual(flat(threefry2x32P.bind(unbatched, {})[1]!));
      // Batch x0 along its axis 1 (size 2): batch entry b is column b of the [3, 2] array.
      const [batched, dims] = threefry2x32P.rules.batch!(args, [null, null, 1, null], {});
      expect(dims).toEqual([0, 0]);
      expect(batched[0]!.shape).toEqual([2, 3]);
      [[10, 12, 14], [11, 13, 15]].forEach((col, b) => {
        const loop = threefry2x32P.bind([args[0]!, args[1]!, u32(col), args[3]!], {});
        expect(flat(batched[0]!).slice(b * 3, b * 3 + 3)).toEqual(flat(loop[0]!));
        expect(flat(batched[1]!).slice(b * 3, b * 3 + 3)).toEqual(flat(loop[1]!));
      });
      // A batched scalar key against unbatched counters broadcasts with the batch in front.
      const [byKey] = threefry2x32P.rules.batch!([u32([1, 5]), args[1]!, u32([3, 4]), u32([9, 8])], [0, null, null, null], {});
      expect(byKey[0]!.shape).toEqual([2, 2]);
      expect(flat(byKey[0]!).slice(2)).toEqual([refThreefry(5, 2, 3, 9)[0], refThreefry(5, 2, 4, 8)[0]]);
    });
  });

  describe("keys", () => {
    test("key(seed) is [0, seed mod 2^32], as JAX with 32-bit seeds", () => {
      expect(random.key(42).toArray()).toEqual([0, 42]);
      expect(random.key(-1).toArray()).toEqual([0, 4294967295]);
      expect(random.key(2 ** 32 + 5).toArray()).toEqual([0, 5]);
      expect(random.key(i32([-1], [])).toArray()).toEqual([0, 4294967295]);
      expect(random.key(u32([7], [])).dtype).toBe("uint32");
      expect(random.keyData(random.key(7)).toArray()).toEqual([0, 7]);
    });

    test("split matches the reference for many keys and counts", () => {
      for (const seed of [0, 1, 42, 2 ** 31 + 3]) {
        for (const num of [1, 2, 3, 7]) {
          expect(random.split(random.key(seed), num).toArray()).toEqual(refSplit([0, seed >>> 0], num));
        }
      }
      expect(random.split(random.key(0), 0).shape).toEqual([0, 2]);
    });

    test("split and foldIn are deterministic and give distinct keys", () => {
      const k = random.key(3);
      expect(random.split(k, 4).toArray()).toEqual(random.split(k, 4).toArray());
      const rows = random.split(k, 4).toArray() as number[][];
      expect(new Set(rows.map((r) => r.join())).size).toBe(4);
      expect(random.foldIn(k, 1).toArray()).toEqual(random.foldIn(k, 1).toArray());
      expect(random.foldIn(k, 1).toArray()).not.toEqual(random.foldIn(k, 2).toArray());
    });

    test("foldIn matches the reference; data wraps mod 2^32 and may be an array", () => {
      const k = [2718843009, 1272950319];
      expect(random.foldIn(keyOf(k), 5).toArray()).toEqual(refFoldIn(k, 5));
      expect(random.foldIn(keyOf(k), -1).toArray()).toEqual(random.foldIn(keyOf(k), 2 ** 32 - 1).toArray());
      expect(random.foldIn(keyOf(k), i32([5], [])).toArray()).toEqual(refFoldIn(k, 5));
      const [y0, y1] = threefry2x32P.bind([u32([k[0]!], []), u32([k[1]!], []), u32([0], []), u32([5], [])], {});
      expect(random.foldIn(keyOf(k), 5).toArray()).toEqual([y0!.item(), y1!.item()]);
    });

    test("keys chain: foldIn of a split row", () => {
      const keys = random.split(random.key(5), 3);
      const expected = refFoldIn(refSplit([0, 5], 3)[2]!, 9);
      expect(random.foldIn(keyRow(keys, 2), 9).toArray()).toEqual(expected);
    });
  });

  describe("uniform", () => {
    test("matches the reference bit for bit, odd and even sizes", () => {
      for (const [seed, n] of [[0, 1], [1, 2], [2, 7], [3, 64], [4, 1001]] as const) {
        expect(flat(random.uniform(random.key(seed), [n]))).toEqual(refUniform([0, seed], n));
      }
    });

    test("shapes, range and mean", () => {
      const x = random.uniform(random.key(1), [100, 100]);
      expect(x.shape).toEqual([100, 100]);
      expect(x.dtype).toBe("float32");
      const v = flat(x);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThan(1);
      expect(Math.abs(mean(v) - 0.5)).toBeLessThan(0.01);
      expect(random.uniform(random.key(0), [0, 3]).shape).toEqual([0, 3]);
    });

    test("minval/maxval, as numbers and as broadcast arrays", () => {
      const v = flat(random.uniform(random.key(2), [5000], { minval: -3, maxval: 5 }));
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-3);
      expect(Math.max(...v)).toBeLessThan(5);
      expect(Math.abs(mean(v) - 1)).toBeLessThan(0.15);
      const lo = f32([0, 10, 100], [3]);
      const m = random.uniform(random.key(3), [400, 3], { minval: lo, maxval: f32([1, 11, 101]) }).toArray() as number[][];
      m.forEach((row) => row.forEach((x, j) => {
        expect(x).toBeGreaterThanOrEqual([0, 10, 100][j]!);
        expect(x).toBeLessThan([1, 11, 101][j]!);
      }));
      // The bits are the same as for [0, 1): x = u * (max - min) + min.
      const u = flat(random.uniform(random.key(3), [6]));
      const scaled = flat(random.uniform(random.key(3), [6], { minval: 2, maxval: 4 }));
      scaled.forEach((s, i) => expect(s).toBe(Math.fround(Math.fround(u[i]! * 2) + 2)));
    });

    test("bad shapes, dtypes and bounds are reported", () => {
      const k = random.key(0);
      expect(() => random.uniform(k, [2], { dtype: "int32" as "float32" })).toThrow('random.uniform: dtype must be float32 (the floating dtype gradus has); got "int32"');
      expect(() => random.uniform(k, 3 as unknown as number[])).toThrow("random.uniform: shape must be an array of non-negative integers such as [2, 3]; got number 3");
      expect(() => random.uniform(k, [2, -1])).toThrow(/shape must be an array of non-negative integers.*got \[2, -1\]/);
      expect(() => random.uniform(k, [3], { minval: f32([0, 1]) })).toThrow("random.uniform: minval of shape [2] does not broadcast to the requested shape [3]");
    });
  });

  describe("normal and truncatedNormal", () => {
    test("normal(key, [10000]) has mean ~0 and std ~1", () => {
      const v = flat(random.normal(random.key(11), [10000]));
      expect(Math.abs(mean(v))).toBeLessThan(0.05);
      expect(Math.abs(std(v) - 1)).toBeLessThan(0.05);
      expect(v.every(Number.isFinite)).toBe(true);
    });

    test("truncatedNormal stays inside (lower, upper)", () => {
      const v = flat(random.truncatedNormal(random.key(13), -0.5, 0.5, [5000]));
      expect(Math.min(...v)).toBeGreaterThan(-0.5);
      expect(Math.max(...v)).toBeLessThan(0.5);
      expect(Math.abs(mean(v))).toBeLessThan(0.02);
      const w = flat(random.truncatedNormal(random.key(14), 1, 3, [2000]));
      expect(Math.min(...w)).toBeGreaterThan(1);
      expect(Math.max(...w)).toBeLessThan(3);
    });

    test("truncatedNormal with array bounds; shape defaults to their broadcast", () => {
      const x = random.truncatedNormal(random.key(15), f32([-1, 0, 1], [3]), f32([0, 1, 2], [3]));
      expect(x.shape).toEqual([3]);
      const m = random.truncatedNormal(random.key(16), f32([-1, 0, 1], [3]), 2, [500, 3]).toArray() as number[][];
      m.forEach((row) => row.forEach((x, j) => {
        expect(x).toBeGreaterThanOrEqual([-1, 0, 1][j]!);
        expect(x).toBeLessThanOrEqual(2);
      }));
      expect(() => random.truncatedNormal(random.key(0), f32([0, 0]), 1, [3])).toThrow("random.truncatedNormal: lower of shape [2] does not broadcast to the requested shape [3]");
    });
  });

  describe("bernoulli", () => {
    test("rate matches p", () => {
      const v = flat(random.bernoulli(random.key(21), 0.3, [10000]));
      expect(Math.abs(mean(v) - 0.3)).toBeLessThan(0.02);
      expect(random.bernoulli(random.key(21), 0.3, [3]).dtype).toBe("bool");
      expect(mean(flat(random.bernoulli(random.key(22), undefined, [4000])))).toBeCloseTo(0.5, 1);
    });

    test("is uniform < p on the same bits; p may be an array, shape defaults to its shape", () => {
      const u = refUniform([0, 23], 6);
      const p = [0.1, 0.5, 0.9, 0.1, 0.5, 0.9];
      const b = random.bernoulli(random.key(23), f32(p, [2, 3]));
      expect(b.shape).toEqual([2, 3]);
      expect(flat(b)).toEqual(u.map((x, i) => (x < Math.fround(p[i]!) ? 1 : 0)));
      expect(() => random.bernoulli(random.key(0), i32([1]))).toThrow("random.bernoulli: p must be a float32 array or a number; got i32[1]");
      expect(() => random.bernoulli(random.key(0), f32([0.5, 0.5]), [3])).toThrow(/p of shape \[2\] does not broadcast to the requested shape \[3\]/);
    });
  });

  describe("randint", () => {
    test("matches the reference bit for bit", () => {
      for (const [seed, n, lo, hi] of [[0, 10, 0, 10], [1, 7, -5, 3], [2, 33, -2147483648, 2147483647], [3, 5, 0, 1], [4, 9, 100, 37]] as const) {
        expect(flat(random.randint(random.key(seed), [n], lo, hi)), `seed ${seed}`).toEqual(refRandint([0, seed], n, lo, hi));
      }
    });

    test("stays in [minval, maxval) and covers it", () => {
      const v = flat(random.randint(random.key(31), [5000], -3, 4));
      expect(new Set(v)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
      expect(random.randint(random.key(31), [3], 0, 4).dtype).toBe("int32");
      expect(flat(random.randint(random.key(32), [4], 5, 5))).toEqual([5, 5, 5, 5]);
    });

    test("array bounds broadcast; numbers beyond int32 clip with maxval reachable", () => {
      const m = random.randint(random.key(33), [300, 2], i32([0, 100]), i32([2, 103])).toArray() as number[][];
      expect(new Set(m.map((r) => r[0]))).toEqual(new Set([0, 1]));
      expect(new Set(m.map((r) => r[1]))).toEqual(new Set([100, 101, 102]));
      const top = flat(random.randint(random.key(34), [2000], 2 ** 31 - 2, 2 ** 31));
      expect(new Set(top)).toEqual(new Set([2 ** 31 - 2, 2 ** 31 - 1]));
      expect(() => random.randint(random.key(0), [2], 0, 5, { dtype: "float32" as "int32" })).toThrow('random.randint: dtype must be int32; got "float32"');
      expect(() => random.randint(random.key(0), [2], i32([0, 1, 2]), 5)).toThrow(/minval of shape \[3\] does not broadcast/);
    });

    test("random_int_from_bits checks its operands", () => {
      expect(() => randomIntFromBitsP.bind([u32([1]), u32([2]), u32([0]), i32([3])], { maxvalOutOfRange: false }))
        .toThrow("random_int_from_bits: expected (u32, u32, i32, i32) operands (higherBits, lowerBits, minval, maxval); got higherBits: u32[1], lowerBits: u32[1], minval: u32[1], maxval: i32[1]");
    });
  });

  describe("permutation", () => {
    test("matches the reference, with one and with two sort rounds", () => {
      expect(flat(random.permutation(random.key(0), 10))).toEqual(refPermutation([0, 0], 10));
      expect(flat(random.permutation(random.key(41), 2000))).toEqual(refPermutation([0, 41], 2000));
    });

    test("is a permutation; edge sizes", () => {
      const v = flat(random.permutation(random.key(42), 500));
      expect([...v].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(v).not.toEqual([...v].sort((a, b) => a - b));
      expect(flat(random.permutation(random.key(0), 0))).toEqual([]);
      expect(flat(random.permutation(random.key(0), 1))).toEqual([0]);
      expect(random.permutation(random.key(0), 4).dtype).toBe("int32");
    });

    test("permutes an array's rows alike, or each column independently", () => {
      const x = fromNested([[0, 1], [10, 11], [20, 21], [30, 31]]);
      const rows = random.permutation(random.key(43), x).toArray() as number[][];
      rows.forEach((r) => expect(r[1]! - r[0]!).toBe(1));
      expect(rows.map((r) => r[0]).sort((a, b) => a! - b!)).toEqual([0, 10, 20, 30]);
      const order = refPermutation([0, 43], 4);
      expect(rows.map((r) => r[0])).toEqual(order.map((i) => i * 10));
      const cols = random.permutation(random.key(44), fromNested([[0, 0], [1, 1], [2, 2], [3, 3]]), { independent: true, axis: 0 }).toArray() as number[][];
      for (const j of [0, 1]) expect(cols.map((r) => r[j]).sort()).toEqual([0, 1, 2, 3]);
      const byAxis1 = random.permutation(random.key(45), fromNested([[0, 1, 2], [10, 11, 12]]), { axis: 1 }).toArray() as number[][];
      expect(byAxis1[1]!.map((v, j) => v - byAxis1[0]![j]!)).toEqual([10, 10, 10]);
    });

    test("bad x is reported", () => {
      expect(() => random.permutation(random.key(0), 2.5)).toThrow("random.permutation: x must be a non-negative integer or an array of rank >= 1; got 2.5");
      expect(() => random.permutation(random.key(0), i32([3], []))).toThrow(/got i32\[\] \(to permute 0..n-1, pass n as a JS number\)/);
    });

    test("sort_key_val_u32 sorts by unsigned key, stably, along any dimension", () => {
      const keys = u32([4000000000, 5, 5, 0, 2 ** 31, 1], [2, 3]);
      const values = i32([0, 1, 2, 3, 4, 5], [2, 3]);
      const [sk, sv] = sortKeyValU32P.bind([keys, values], { dimension: 1 });
      expect(sk!.toArray()).toEqual([[5, 5, 4000000000], [0, 1, 2 ** 31]]);
      expect(sv!.toArray()).toEqual([[1, 2, 0], [3, 5, 4]]);
      const [, byCol] = sortKeyValU32P.bind([keys, values], { dimension: 0 });
      expect(byCol!.toArray()).toEqual([[3, 1, 5], [0, 4, 2]]);
      const [, bools] = sortKeyValU32P.bind([u32([3, 1, 2]), fromNested([true, false, true])], { dimension: 0 });
      expect(bools!.toArray()).toEqual([false, true, true]);
      expect(() => sortKeyValU32P.bind([i32([1, 2]), i32([1, 2])], { dimension: 0 })).toThrow("sort_key_val_u32: keys must be uint32; got i32[2]");
    });

    test("sort_key_val_u32 jvp permutes the tangent; vmap rule matches a loop", () => {
      const keys = u32([3, 1, 2]);
      const [, [dk, dv]] = sortKeyValU32P.rules.jvp!([keys, f32([0, 1, 2])], [null, f32([10, 11, 12])], { dimension: 0 });
      expect(dk).toBeNull();
      expect(flat(dv!)).toEqual([11, 12, 10]);
      const bk = u32([3, 1, 2, 1, 3, 2], [2, 3]);
      const [outs, dims] = sortKeyValU32P.rules.batch!([bk, f32([0, 1, 2])], [0, null], { dimension: 0 });
      expect(dims).toEqual([0, 0]);
      expect(outs[1]!.toArray()).toEqual([[1, 2, 0], [0, 2, 1]]);
    });
  });

  describe("categorical", () => {
    test("frequencies follow softmax(logits)", () => {
      const p = [0.1, 0.2, 0.7];
      const draws = flat(random.categorical(random.key(51), f32(p.map(Math.log)), { shape: [10000] }));
      p.forEach((pi, c) => expect(Math.abs(draws.filter((d) => d === c).length / 10000 - pi)).toBeLessThan(0.02));
    });

    test("batch shape, axis and shape prefix", () => {
      const logits = f32([0, 0, 0, 0, 0, 0], [2, 3]);
      const a = random.categorical(random.key(52), logits);
      expect(a.shape).toEqual([2]);
      expect(a.dtype).toBe("int32");
      expect(flat(a).every((c) => c >= 0 && c < 3)).toBe(true);
      const b = random.categorical(random.key(52), logits, { axis: 0 });
      expect(b.shape).toEqual([3]);
      expect(flat(b).every((c) => c === 0 || c === 1)).toBe(true);
      expect(random.categorical(random.key(52), logits, { shape: [4, 2] }).shape).toEqual([4, 2]);
      // A huge logit wins every draw.
      expect(flat(random.categorical(random.key(53), f32([0, 50, 0]), { shape: [20] }))).toEqual(new Array(20).fill(1));
    });

    test("bad logits and shapes are reported", () => {
      expect(() => random.categorical(random.key(0), f32([1], []))).toThrow("random.categorical: logits must have at least one dimension (the categories)");
      expect(() => random.categorical(random.key(0), i32([1, 2]))).toThrow("random.categorical: logits must be a float32 array or a number; got i32[2]");
      expect(() => random.categorical(random.key(0), f32([0, 0, 0, 0], [2, 2]), { shape: [3] })).toThrow(/logits' batch shape of shape \[2\] does not broadcast to the requested shape \[3\]/);
      expect(() => random.categorical(random.key(0), f32([0, 0]), { axis: 1 })).toThrow(/axis 1 is out of bounds/);
    });
  });

  describe("bad keys", () => {
    test("names what a key must be and what came", () => {
      expect(() => random.uniform(0 as unknown as NDArray)).toThrow("random.uniform: key must be a uint32 array of shape [2] (u32[2], from random.key(seed), split or foldIn); got number 0; to seed, pass random.key(0)");
      expect(() => random.normal(f32([0, 0]))).toThrow("random.normal: key must be a uint32 array of shape [2] (u32[2], from random.key(seed), split or foldIn); got f32[2]");
      expect(() => random.split(random.split(random.key(0), 3))).toThrow(/got u32\[3,2\]; this holds several keys: pick one with keys.get\(i\), or vmap over them/);
      expect(() => random.foldIn(u32([1, 2, 3]), 1)).toThrow(/random.foldIn: key must be .*got u32\[3\]/);
      expect(() => random.keyData(f32([1, 2]))).toThrow("random.keyData: expected a key (u32[2]) or an array of keys (u32[..., 2]); got f32[2]");
      expect(() => random.split(random.key(0), -1)).toThrow("random.split: num must be a non-negative integer; got -1");
      expect(() => random.key(1.5)).toThrow("random.key: seed must be an integer (a safe JS integer); got 1.5");
      expect(() => random.key(f32([1], []))).toThrow("random.key: seed must be a JS integer or an int32/uint32 scalar array; got f32[]");
      expect(() => random.foldIn(random.key(0), NaN)).toThrow(/random.foldIn: data must be an integer/);
    });
  });

  test("random_unit_float maps bits to [0, 1) as JAX: (bits >> 9 | 0x3f800000) - 1", () => {
    const out = flat(randomUnitFloatP.bind1([u32([0, 0xffffffff, 0x80000000, 511, 512])], {}));
    expect(out).toEqual([0, 1 - 2 ** -23, 0.5, 0, 2 ** -23]);
    expect(() => randomUnitFloatP.bind([f32([1])], {})).toThrow("random_unit_float: expected 1 uint32 arguments (bits); got bits: f32[1]");
  });

  test("no tensors leak", () => {
    const k = random.key(0);
    scope(() => random.normal(k, [10]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      scope(() => {
        random.normal(k, [100]);
        random.randint(k, [50], 0, 9);
        random.permutation(k, 30);
        random.categorical(k, f32([0, 1, 2]), { shape: [7] });
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

/**
 * The bits, and everything computed from them without transcendental kernels, are identical
 * on cpu and wasm. normal and truncatedNormal go through erfinv/erf/log, whose float32
 * kernels differ by an ulp between backends: those agree to 1e-6 relative.
 */
describe("cpu and wasm agree", () => {
  const exact: Record<string, () => NDArray> = {
    split: () => random.split(random.key(7), 600),
    foldIn: () => random.foldIn(keyRow(random.split(random.key(8), 5), 4), 123456789),
    uniform: () => random.uniform(random.key(9), [33, 31], { minval: -2, maxval: 2 }),
    randint: () => random.randint(random.key(11), [3001], -2e9, 2e9),
    permutation: () => random.permutation(random.key(12), 2500),
    bernoulli: () => random.bernoulli(random.key(13), 0.25, [999]),
    categorical: () => random.categorical(random.key(14), f32([1, 2, 3, 4]), { shape: [500] }),
  };
  const close: Record<string, () => NDArray> = {
    normal: () => random.normal(random.key(10), [4097]),
    truncatedNormal: () => random.truncatedNormal(random.key(15), -1, 1.5, [777]),
  };

  async function onEach(draw: () => NDArray): Promise<number[][]> {
    const results: number[][] = [];
    for (const backend of BACKENDS) {
      await setBackend(backend);
      results.push(flat(draw()));
    }
    return results;
  }

  test.each(Object.keys(exact))("%s bit for bit", async (name) => {
    const [a, b] = await onEach(exact[name]!);
    expect(b).toEqual(a);
  });

  test.each(Object.keys(close))("%s to float32 rounding", async (name) => {
    const [a, b] = await onEach(close[name]!);
    b!.forEach((x, i) => expect(Math.abs(x - a![i]!), `element ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a![i]!))));
  });
});
