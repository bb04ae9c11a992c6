/**
 * The kernels under `random`: the Threefry-2x32 block cipher (JAX's `threefry2x32_p`), the
 * bits-to-float map of `uniform`, the bits-to-range map of `randint`, and a stable sort of
 * values by uint32 keys for `permutation`.
 *
 * tfjs has no uint32 arithmetic (and webgpu does int32 arithmetic in f32), so each primitive
 * runs as a JS loop over the typed arrays on cpu and wasm (and for small CPU-resident inputs
 * on webgpu, as tfjs itself does), and as a WGSL program on webgpu that reads the int32
 * storage raw and works in `u32`.
 */
import { tf } from "../backend/index.ts";
import { gpuBackend, runElementwiseProgram, runProgram, type GpuDtype, type WebGPUBackendLike } from "../backend/webgpu_program.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { broadcastShapes, fmtShape, shapeSize } from "../core/shape.ts";
import type { NDArray } from "../array.ts";
import { reshapeP, transposeP, broadcastInDimP, iotaP } from "./structural.ts";
import { gatherAlongAxis } from "./indexing.ts";

// ---------------------------------------------------------------------------------------
// JS-loop plumbing (the WGSL plumbing lives in src/backend/webgpu_program.ts)

/** Flat input indices that each output element reads under NumPy broadcasting (null: same shape). */
function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return null;
  const size = shapeSize(outShape);
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let j = inShape.length - 1; j >= 0; j--) {
    const od = j + rank - inShape.length;
    strides[od] = inShape[j] === 1 ? 0 : s;
    s *= inShape[j]!;
  }
  const out = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let q = 0; q < size; q++) {
    out[q] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      pos += strides[d]!;
      if (counter[d]! < outShape[d]!) break;
      pos -= strides[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return out;
}

/**
 * An input's values for the JS loops as `data[q * stride]` for output element q: stride 0
 * for a single value, 1 otherwise (broadcast inputs are expanded to the output's size).
 */
function operand(t: Tensor, outShape: readonly number[]): { data: Int32Array | Float32Array | Uint8Array; stride: number } {
  const data = t.dataSync() as Int32Array | Float32Array | Uint8Array;
  if (data.length === 1) return { data, stride: 0 };
  const map = broadcastIndex(t.shape, outShape);
  if (!map) return { data, stride: 1 };
  const full = new (data.constructor as new (n: number) => typeof data)(map.length);
  for (let q = 0; q < map.length; q++) full[q] = data[map[q]!]!;
  return { data: full, stride: 1 };
}

// ---------------------------------------------------------------------------------------
// Shared rules

function checkUint32(name: string, argNames: readonly string[], avals: readonly ShapedArray[]): void {
  if (avals.length !== argNames.length || avals.some((a) => a.dtype !== "uint32")) {
    const got = avals.map((a, i) => `${argNames[i] ?? `arg${i}`}: ${a.str()}`).join(", ");
    throw new TypeError(`${name}: expected ${argNames.length} uint32 arguments (${argNames.join(", ")}); got ${got}`);
  }
}

/**
 * vmap rule of a primitive that broadcasts its operands like NumPy: batch dimensions move to
 * the front and get size-1 dimensions after them up to the unbatched result rank, so the
 * unbatched operands still line up from the right (JAX's `defbroadcasting`).
 */
function broadcastingBatch<P>(prim: () => Primitive<P>) {
  return (args: NDArray[], dims: (number | null)[], params: P): [NDArray[], (number | null)[]] => {
    const outRank = Math.max(0, ...args.map((a, i) => a.ndim - (dims[i] === null ? 0 : 1)));
    const moved = args.map((a, i) => {
      const d = dims[i];
      if (d === null || d === undefined) return a;
      const rest = a.shape.map((_, k) => k).filter((k) => k !== d);
      const front = d === 0 ? a : transposeP.bind1([a], { permutation: [d, ...rest] });
      const inner = front.shape.slice(1);
      if (inner.length === outRank) return front;
      return reshapeP.bind1([front], { newSizes: [front.shape[0]!, ...new Array<number>(outRank - inner.length).fill(1), ...inner] });
    });
    const outs = prim().bind(moved, params);
    return [outs, outs.map(() => 0)];
  };
}

/** JVP rule of a primitive whose outputs do not depend differentiably on its inputs. */
function zeroTangents<P>(prim: () => Primitive<P>) {
  return (primals: NDArray[], _tangents: (NDArray | null)[], params: P): [NDArray[], (NDArray | null)[]] => {
    const outs = prim().bind(primals, params);
    return [outs, outs.map(() => null)];
  };
}

// ---------------------------------------------------------------------------------------
// threefry2x32

const ROTATIONS = [[13, 15, 26, 6], [17, 29, 16, 24]] as const;
const KS_PARITY = 0x1bd11bda;

/**
 * Threefry-2x32 with 20 rounds on one block, in int32 bit patterns (JS bit ops are 32-bit),
 * unrolled: 3x faster than the loop over ROTATIONS that it spells out.
 */
function threefryBlock(k0: number, k1: number, x0: number, x1: number, y0: Int32Array, y1: Int32Array, at: number): void {
  const k2 = k0 ^ k1 ^ KS_PARITY;
  let a = (x0 + k0) | 0;
  let b = (x1 + k1) | 0;
  // Rounds 1-4, then key injection 1.
  a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a; a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
  a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a; a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
  a = (a + k1) | 0; b = (b + k2 + 1) | 0;
  // Rounds 5-8, then key injection 2.
  a = (a + b) | 0; b = ((b << 17) | (b >>> 15)) ^ a; a = (a + b) | 0; b = ((b << 29) | (b >>> 3)) ^ a;
  a = (a + b) | 0; b = ((b << 16) | (b >>> 16)) ^ a; a = (a + b) | 0; b = ((b << 24) | (b >>> 8)) ^ a;
  a = (a + k2) | 0; b = (b + k0 + 2) | 0;
  // Rounds 9-12, then key injection 3.
  a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a; a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
  a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a; a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
  a = (a + k0) | 0; b = (b + k1 + 3) | 0;
  // Rounds 13-16, then key injection 4.
  a = (a + b) | 0; b = ((b << 17) | (b >>> 15)) ^ a; a = (a + b) | 0; b = ((b << 29) | (b >>> 3)) ^ a;
  a = (a + b) | 0; b = ((b << 16) | (b >>> 16)) ^ a; a = (a + b) | 0; b = ((b << 24) | (b >>> 8)) ^ a;
  a = (a + k1) | 0; b = (b + k2 + 4) | 0;
  // Rounds 17-20, then key injection 5.
  a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a; a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
  a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a; a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
  a = (a + k2) | 0; b = (b + k0 + 5) | 0;
  y0[at] = a;
  y1[at] = b;
}

const THREEFRY_WGSL = `
      fn rotl(v : u32, r : u32) -> u32 { return (v << r) | (v >> (32u - r)); }
      fn threefry(k0 : u32, k1 : u32, x0 : u32, x1 : u32) -> vec2<u32> {
        let ks = array<u32, 3>(k0, k1, k0 ^ k1 ^ ${KS_PARITY}u);
        let rot = array<u32, 8>(${[...ROTATIONS[0], ...ROTATIONS[1]].map((r) => `${r}u`).join(", ")});
        var a = x0 + ks[0];
        var b = x1 + ks[1];
        for (var g = 0u; g < 5u; g = g + 1u) {
          for (var j = 0u; j < 4u; j = j + 1u) {
            a = a + b;
            b = rotl(b, rot[(g % 2u) * 4u + j]);
            b = b ^ a;
          }
          a = a + ks[(g + 1u) % 3u];
          b = b + ks[(g + 2u) % 3u] + g + 1u;
        }
        return vec2<u32>(a, b);
      }`;

function threefryImpl(inputs: Tensor[], outShape: readonly number[]): Tensor[] {
  const gpu = gpuBackend(inputs);
  if (gpu) {
    const names = ["K0", "K1", "X0", "X1"];
    const call = "threefry(bitcast<u32>(K0[iK0]), bitcast<u32>(K1[iK1]), bitcast<u32>(X0[iX0]), bitcast<u32>(X1[iX1]))";
    // One output per program: tfjs programs write a single result buffer.
    return [0, 1].map((which) => runElementwiseProgram(
      gpu, `threefry2x32_${which}`, names, inputs, outShape, "int32",
      `result[index] = bitcast<i32>(${call}[${which}]);`, THREEFRY_WGSL,
    ));
  }
  const size = shapeSize(outShape);
  const [k0, k1, x0, x1] = inputs.map((t) => operand(t, outShape));
  const y0 = new Int32Array(size);
  const y1 = new Int32Array(size);
  const [dk0, dk1, dx0, dx1] = [k0!.data, k1!.data, x0!.data, x1!.data];
  const [sk0, sk1, sx0, sx1] = [k0!.stride, k1!.stride, x0!.stride, x1!.stride];
  for (let q = 0; q < size; q++) threefryBlock(dk0[q * sk0]!, dk1[q * sk1]!, dx0[q * sx0]!, dx1[q * sx1]!, y0, y1, q);
  return [tf.tensor(y0, [...outShape], "int32"), tf.tensor(y1, [...outShape], "int32")];
}

/**
 * The Threefry-2x32 block cipher with 20 rounds, as JAX's `threefry2x32_p`: keys `(k0, k1)`
 * encrypt counters `(x0, x1)` into `[y0, y1]`. All four operands are uint32 and broadcast
 * like NumPy; both results have the broadcast shape.
 *
 * @example
 * const u = (x: number) => fromFlat([x], [], "uint32");
 * threefry2x32P.bind([u(0x13198a2e), u(0x03707344), u(0x243f6a88), u(0x85a308d3)], {})
 * // [0xc4923a9c, 0x483df7a0] (Random123's known answer)
 */
export const threefry2x32P: Primitive = definePrimitive("threefry2x32", {
  impl: (inputs, _params, avals) => threefryImpl(inputs, broadcastShapes(avals.map((a) => a.shape))),
  abstractEval: (avals) => {
    checkUint32("threefry2x32", ["k0", "k1", "x0", "x1"], avals);
    const shape = broadcastShapes(avals.map((a) => a.shape), ["threefry2x32 k0", "k1", "x0", "x1"]);
    return [new ShapedArray(shape, "uint32"), new ShapedArray(shape, "uint32")];
  },
  jvp: zeroTangents(() => threefry2x32P),
  batch: broadcastingBatch(() => threefry2x32P),
});

// ---------------------------------------------------------------------------------------
// random_unit_float

/**
 * uint32 random bits to float32 in [0, 1) as JAX's `uniform` does: the top 23 bits become the
 * mantissa of a float in [1, 2) (`(bits >> 9) | 0x3f800000`, bitcast), minus 1.
 *
 * @example
 * randomUnitFloatP.bind1([fromFlat([0, 2 ** 31, 2 ** 32 - 1], [3], "uint32")], {})   // [0, 0.5, 0.99999988]
 */
export const randomUnitFloatP: Primitive = definePrimitive("random_unit_float", {
  impl: ([bits]) => {
    const gpu = gpuBackend([bits!]);
    if (gpu) {
      return [runElementwiseProgram(gpu, "random_unit_float", ["B"], [bits!], bits!.shape, "float32",
        "result[index] = bitcast<f32>((bitcast<u32>(B[iB]) >> 9u) | 0x3f800000u) - 1.0;")];
    }
    const data = bits!.dataSync() as Int32Array;
    const out = new Float32Array(data.length);
    const asBits = new Int32Array(out.buffer);
    for (let i = 0; i < data.length; i++) asBits[i] = (data[i]! >>> 9) | 0x3f800000;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! - 1;
    return [tf.tensor(out, bits!.shape, "float32")];
  },
  abstractEval: (avals) => {
    checkUint32("random_unit_float", ["bits"], avals);
    return [new ShapedArray(avals[0]!.shape, "float32")];
  },
  jvp: zeroTangents(() => randomUnitFloatP),
  batch: broadcastingBatch(() => randomUnitFloatP),
});

// ---------------------------------------------------------------------------------------
// random_int_from_bits

/**
 * Parameters of `random_int_from_bits`.
 *
 * @example
 * const params: RandomIntParams = { maxvalOutOfRange: false };
 */
export interface RandomIntParams {
  /** The requested maxval exceeded the int32 range and was clipped: the span is one larger. */
  maxvalOutOfRange: boolean;
}

const RANDINT_WGSL = `
      fn urem(x : u32, y : u32) -> u32 { if (y == 0u) { return x; } return x % y; }`;

/** JS twin of the WGSL: unsigned remainder with XLA's x % 0 == x. */
const urem = (x: number, y: number) => (y === 0 ? x : x % y);

/**
 * Two uint32 bit arrays to int32 in [minval, maxval), JAX's `_randint` for 32 bits: the span
 * `maxval - minval` (1 where `maxval <= minval`) reduces `higher * 2^32 + lower` modulo the
 * span with uint32 arithmetic that wraps exactly as JAX's does. Operands broadcast.
 *
 * @example
 * randomIntFromBitsP.bind1([higherBits, lowerBits, fromFlat([0], [], "int32"), fromFlat([10], [], "int32")],
 *   { maxvalOutOfRange: false })   // int32 in [0, 10), the shape of the bits
 */
export const randomIntFromBitsP: Primitive<RandomIntParams> = definePrimitive<RandomIntParams>("random_int_from_bits", {
  impl: (inputs, { maxvalOutOfRange }, avals) => {
    const outShape = broadcastShapes(avals.map((a) => a.shape));
    const gpu = gpuBackend(inputs);
    if (gpu) {
      const body = `
          let hi = bitcast<u32>(H[iH]);
          let lo = bitcast<u32>(L[iL]);
          let mn = MIN[iMIN];
          let mx = MAX[iMAX];
          var span = bitcast<u32>(mx) - bitcast<u32>(mn);
          if (mx <= mn) { span = 1u; }
          ${maxvalOutOfRange ? "if (mx > mn) { span = span + 1u; }" : ""}
          var mult = urem(65536u, span);
          mult = urem(mult * mult, span);
          let offset = urem(urem(hi, span) * mult + urem(lo, span), span);
          result[index] = bitcast<i32>(bitcast<u32>(mn) + offset);`;
      return [runElementwiseProgram(gpu, `random_int_from_bits_${maxvalOutOfRange}`, ["H", "L", "MIN", "MAX"], inputs, outShape, "int32", body, RANDINT_WGSL)];
    }
    const [hi, lo, mn, mx] = inputs.map((t) => operand(t, outShape));
    const size = shapeSize(outShape);
    const out = new Int32Array(size);
    for (let q = 0; q < size; q++) {
      const minval = mn!.data[q * mn!.stride]!;
      const maxval = mx!.data[q * mx!.stride]!;
      let span = (maxval - minval) >>> 0;
      if (maxval <= minval) span = 1;
      if (maxvalOutOfRange && maxval > minval) span = (span + 1) >>> 0;
      let mult = urem(65536, span);
      mult = urem(Math.imul(mult, mult) >>> 0, span);
      const higher = hi!.data[q * hi!.stride]! >>> 0;
      const lower = lo!.data[q * lo!.stride]! >>> 0;
      const offset = urem(((Math.imul(urem(higher, span), mult) >>> 0) + urem(lower, span)) >>> 0, span);
      out[q] = (minval + offset) | 0;
    }
    return [tf.tensor(out, outShape, "int32")];
  },
  abstractEval: (avals) => {
    const names = ["higherBits", "lowerBits", "minval", "maxval"];
    const want = ["uint32", "uint32", "int32", "int32"];
    if (avals.length !== 4 || avals.some((a, i) => a.dtype !== want[i])) {
      const got = avals.map((a, i) => `${names[i] ?? `arg${i}`}: ${a.str()}`).join(", ");
      throw new TypeError(`random_int_from_bits: expected (u32, u32, i32, i32) operands (${names.join(", ")}); got ${got}`);
    }
    return [new ShapedArray(broadcastShapes(avals.map((a) => a.shape), names.map((n) => `random_int_from_bits ${n}`)), "int32")];
  },
  jvp: zeroTangents(() => randomIntFromBitsP),
  batch: broadcastingBatch(() => randomIntFromBitsP),
});

// ---------------------------------------------------------------------------------------
// sort_key_val_u32

/**
 * Parameters of `sort_key_val_u32`: the axis to sort along (non-negative).
 *
 * @example
 * const params: SortParams = { dimension: 0 };
 */
export interface SortParams { dimension: number }

/** Stable ascending order of each row of `n` uint32 keys laid out as [outer, n, inner]. */
function sortJs(keys: Tensor, values: Tensor, outer: number, n: number, inner: number): Tensor[] {
  const kData = keys.dataSync() as Int32Array;
  const k = new Uint32Array(kData.buffer, kData.byteOffset, kData.length);
  const v = values.dataSync() as Int32Array | Float32Array | Uint8Array;
  const sortedK = new Int32Array(kData.length);
  const sortedV = new (v.constructor as new (n: number) => typeof v)(v.length);
  const order = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      for (let j = 0; j < n; j++) order[j] = j;
      order.sort((a, b) => k[at(a)]! - k[at(b)]! || a - b);
      for (let j = 0; j < n; j++) {
        sortedK[at(j)] = kData[at(order[j]!)]!;
        sortedV[at(j)] = v[at(order[j]!)]!;
      }
    }
  }
  return [tf.tensor(sortedK, keys.shape, "int32"), tf.tensor(sortedV, values.shape, values.dtype)];
}

/** A program over rows [outer * inner, n] or the original layout, with uniforms n and inner. */
function runLayoutProgram(backend: WebGPUBackendLike, key: string, names: string[], inputs: Tensor[], outShape: number[], dtype: GpuDtype, body: string, n: number, inner: number): Tensor {
  return runProgram(backend, { key, names, inputs, outShape, dtype, body, uniforms: [["n", n], ["inner", inner]], needCoords: false });
}

/**
 * On webgpu: tfjs's TopK compares in f32, so the keys are sorted in two exact passes (LSD
 * radix over 16-bit halves, each a stable descending TopK of `65535 - half`), and the final
 * reordering reads int32 storage raw (tfjs's gather would round through f32).
 */
function sortGpu(backend: WebGPUBackendLike, keys: Tensor, values: Tensor, outer: number, n: number, inner: number): Tensor[] {
  const rows = outer * inner;
  const half = (name: string, shift: string) => runLayoutProgram(backend, `sort_half_${name}`, ["K"], [keys], [rows, n], "float32", `
          let r = index / uniforms.n;
          let j = index - r * uniforms.n;
          let o = r / uniforms.inner;
          let i = r - o * uniforms.inner;
          let bits = bitcast<u32>(K[(o * uniforms.n + j) * uniforms.inner + i]);
          result[index] = f32(65535u - ${shift});`, n, inner);
  const low = half("low", "(bits & 65535u)");
  const high = half("high", "(bits >> 16u)");
  const byLow = tf.topk(low, n).indices;
  const highInLowOrder = tf.gather(high, byLow, 1, 1);
  const order = tf.gather(byLow, tf.topk(highInLowOrder, n).indices, 1, 1);
  const take = (x: Tensor) => runLayoutProgram(backend, "sort_take", ["V", "P"], [x, order], [...x.shape], x.dtype as GpuDtype, `
          let o = index / (uniforms.n * uniforms.inner);
          let rest = index - o * uniforms.n * uniforms.inner;
          let j = rest / uniforms.inner;
          let i = rest - j * uniforms.inner;
          let src = P[(o * uniforms.inner + i) * uniforms.n + j];
          result[index] = V[(o * uniforms.n + src) * uniforms.inner + i];`, n, inner);
  return [take(keys), take(values)];
}

/**
 * Sorts `values` along `dimension` by uint32 `keys` of the same shape, ascending and stable
 * (ties keep their order), as JAX's `lax.sort_key_val`; returns `[sortedKeys, sortedValues]`.
 * Used by `random.permutation`, which sorts by random bits as JAX does. (lax's `sort`
 * takes float32/int32/bool keys and compares them through TopK, in float32 on webgpu; this
 * one orders uint32 exactly on every backend.)
 *
 * @example
 * const [k, v] = sortKeyValU32P.bind([fromFlat([3e9, 1, 2], [3], "uint32"), fromFlat([0, 1, 2], [3], "int32")], { dimension: 0 });
 * // k: [1, 2, 3000000000], v: [1, 2, 0]
 */
export const sortKeyValU32P: Primitive<SortParams> = definePrimitive<SortParams>("sort_key_val_u32", {
  impl: ([keys, values], { dimension }) => {
    const shape = keys!.shape;
    const n = shape[dimension]!;
    const outer = shapeSize(shape.slice(0, dimension));
    const inner = shapeSize(shape.slice(dimension + 1));
    if (outer * n * inner === 0 || n === 1) return [keys!, values!];
    const gpu = gpuBackend([keys!, values!]);
    return gpu ? sortGpu(gpu, keys!, values!, outer, n, inner) : sortJs(keys!, values!, outer, n, inner);
  },
  abstractEval: ([keys, values], { dimension }) => {
    if (keys?.dtype !== "uint32") throw new TypeError(`sort_key_val_u32: keys must be uint32; got ${keys ? keys.str() : "nothing"}`);
    if (!values || values.shape.length !== keys.shape.length || values.shape.some((d, i) => d !== keys.shape[i])) {
      throw new Error(`sort_key_val_u32: values must have the keys' shape ${fmtShape(keys.shape)}; got ${values ? values.str() : "nothing"}`);
    }
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= keys.ndim) {
      throw new RangeError(`sort_key_val_u32: dimension ${dimension} is out of range for ${keys.str()}`);
    }
    return [keys, values];
  },
  // The values' tangent is permuted like the values. Sorting it by the keys would be
  // linear too, but sort_key_val_u32 has no transpose; the permutation (an iota sorted by
  // the keys, as in JAX's sort JVP) applied with gather keeps reverse mode working.
  jvp: ([keys, values], [, dv], params) => {
    const outs = sortKeyValU32P.bind([keys!, values!], params);
    if (!dv) return [outs, [null, null]];
    const iota = iotaP.bind1([], { dtype: "int32", shape: keys!.shape, dimension: params.dimension });
    const perm = sortKeyValU32P.bind([keys!, iota], params)[1]!;
    return [outs, [null, gatherAlongAxis(dv, perm, params.dimension)]];
  },
  batch: ([keys, values], [dk, dv], { dimension }) => {
    const size = (dk !== null && dk !== undefined ? keys!.shape[dk] : values!.shape[dv!])!;
    const front = (x: NDArray, d: number | null | undefined) => {
      if (d === null || d === undefined) {
        return broadcastInDimP.bind1([x], { shape: [size, ...x.shape], broadcastDimensions: x.shape.map((_, i) => i + 1) });
      }
      if (d === 0) return x;
      return transposeP.bind1([x], { permutation: [d, ...x.shape.map((_, i) => i).filter((i) => i !== d)] });
    };
    const outs = sortKeyValU32P.bind([front(keys!, dk), front(values!, dv)], { dimension: dimension + 1 });
    return [outs, [0, 0]];
  },
});
