/**
 * The data-moving primitives copy int32 and uint32 exactly on webgpu (Dawn; SwiftShader
 * without a GPU). tfjs-webgpu's own kernels (Slice, Concat, Transpose, GatherV2, Tile,
 * Select, Reverse, PadV2, ScatterNd) round int32 through f32 on the GPU, so values above
 * 2^24 changed; gradus runs its own raw-copy WGSL programs there (src/backend/webgpu_exact.ts).
 *
 * Every case uses values near ±2^31 (int32) or near 2^32 (uint32) and is compared with the
 * cpu backend bit for bit. Operands have >= 5000 elements so that tfjs would run on the GPU;
 * a few cases use small operands that live on the GPU already, or kernels that tfjs always
 * runs on the GPU (Reverse, Select, PadV2, ScatterNd) with small CPU-resident operands.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setBackend, tf } from "../../src/backend/index.ts";
import { dispose, scope } from "../../src/index.ts";
import type { NDArray } from "../../src/array.ts";
import type { DType } from "../../src/core/dtype.ts";
import { fromFlat } from "../../src/core/constant.ts";
import { broadcastInDimP, concatenateP, reshapeP, revP, sliceP, transposeP } from "../../src/lax/structural.ts";
import { selectP } from "../../src/lax/elementwise.ts";
import { dynamicSliceP, dynamicUpdateSliceP, gatherP, padP, scatterAddP } from "../../src/lax/indexing.ts";

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** int32 values near ±2^31 (and odd ones near 2e9): none survive a round trip through f32. */
const bigI32 = (shape: number[], seed = 0) => fromFlat(Array.from({ length: size(shape) }, (_, i) => {
  const k = i + seed;
  return k % 3 === 0 ? 2147483647 - k : k % 3 === 1 ? -2147483648 + k : 2000000001 + 2 * k;
}), shape, "int32");
/**
 * uint32 values near 2^32, 2^31 and 4e9. (Stored as int32 bits, those near 2^32 are near -1
 * and survive f32; the other two have bits of magnitude far above 2^24.)
 */
const bigU32 = (shape: number[], seed = 0) => fromFlat(Array.from({ length: size(shape) }, (_, i) => {
  const k = i + seed;
  return k % 3 === 0 ? 4294967295 - k : k % 3 === 1 ? 2147483649 + 2 * k : 4000000001 + 2 * k;
}), shape, "uint32");
const i32 = (values: number[], shape = [values.length]) => fromFlat(values, shape, "int32");
const scalar = (v: number, dtype: DType = "int32") => fromFlat([v], [], dtype);
const bools = (shape: number[], every = 3) => fromFlat(Array.from({ length: size(shape) }, (_, i) => i % every === 0), shape, "bool");
/** A small array that already lives on the GPU on webgpu (an exact program produced it). */
const onGpu = (x: NDArray) => revP.bind1([revP.bind1([x], { dimensions: [0] })], { dimensions: [0] });

const CASES: Record<string, () => NDArray[]> = {
  // broadcast_in_dim (tfjs: Tile)
  broadcastRow: () => [broadcastInDimP.bind1([bigI32([5000])], { shape: [2, 5000], broadcastDimensions: [1] })],
  broadcastSize1Dims: () => [broadcastInDimP.bind1([bigU32([2000, 1, 3])], { shape: [2000, 4, 3], broadcastDimensions: [0, 1, 2] })],
  broadcastScalarOnGpu: () => [broadcastInDimP.bind1([reshapeP.bind1([onGpu(bigI32([1]))], { newSizes: [] })], { shape: [7, 3], broadcastDimensions: [] })],
  // transpose (tfjs: Transpose)
  transpose2d: () => [transposeP.bind1([bigI32([50, 100])], { permutation: [1, 0] })],
  transpose3dU32: () => [transposeP.bind1([bigU32([10, 20, 30])], { permutation: [2, 0, 1] })],
  transposeRank6: () => [transposeP.bind1([bigI32([2, 3, 4, 5, 6, 7])], { permutation: [5, 3, 4, 0, 2, 1] })],
  transposeSmallOnGpu: () => [transposeP.bind1([reshapeP.bind1([onGpu(bigI32([6]))], { newSizes: [2, 3] })], { permutation: [1, 0] })],
  // slice (tfjs: Slice, and Pad + Reshape + Slice when strided)
  sliceContiguous: () => [sliceP.bind1([bigI32([5000])], { startIndices: [1], limitIndices: [4999], strides: null })],
  sliceStrided2d: () => [sliceP.bind1([bigU32([100, 60])], { startIndices: [1, 2], limitIndices: [99, 59], strides: [3, 2] })],
  sliceStridedSmall: () => [sliceP.bind1([bigI32([9])], { startIndices: [0], limitIndices: [9], strides: [4] })],
  // rev (tfjs: Reverse, always on the GPU)
  rev2d: () => [revP.bind1([bigI32([100, 60])], { dimensions: [0, 1] })],
  revMiddleU32: () => [revP.bind1([bigU32([20, 25, 12])], { dimensions: [1] })],
  revSmall: () => [revP.bind1([bigI32([5])], { dimensions: [0] })],
  // concatenate (tfjs: Concat)
  concat3Axis1: () => [concatenateP.bind1([bigI32([100, 20]), bigI32([100, 1], 7), bigI32([100, 30], 9)], { dimension: 1 })],
  concat9Axis0WithEmpty: () => [concatenateP.bind1(
    Array.from({ length: 9 }, (_, k) => bigU32([k === 4 ? 0 : 700 + k, 3], k)), { dimension: 0 })],
  concatSmallOnGpu: () => [concatenateP.bind1([onGpu(bigI32([3])), onGpu(bigI32([2], 5))], { dimension: 0 })],
  // gather (tfjs: GatherV2, plus Transpose for batch dimensions); indices clamp
  gatherRows: () => [gatherP.bind1([bigI32([1000, 6]), i32([0, 999, -5, 2000, 17, 3])], { axis: 0, batchDims: 0 })],
  gatherAxis1Batched: () => [gatherP.bind1(
    [bigU32([4, 50, 30]), i32(Array.from({ length: 4 * 9 }, (_, i) => (i * 7) % 35 - 2), [4, 9])], { axis: 1, batchDims: 1 })],
  // select (tfjs: Select, always on the GPU, with broadcasting)
  selectBroadcast: () => [selectP.bind1([bools([5000]), bigI32([2, 5000]), scalar(-2147483647)], {})],
  selectU32: () => [selectP.bind1([bools([100, 60], 2), bigU32([100, 60]), bigU32([100, 60], 1)], {})],
  selectSmall: () => [selectP.bind1([bools([4]), bigI32([4]), bigI32([4], 1)], {})],
  // pad (tfjs: PadV2 + Select, always on the GPU)
  padInteriorAndCrop: () => [padP.bind1([bigI32([70, 80]), scalar(-2147483647)], { config: [[1, -2, 1], [-3, 2, 0]] })],
  padU32: () => [padP.bind1([bigU32([5000]), scalar(4294967293, "uint32")], { config: [[3, 4, 0]] })],
  padSmall: () => [padP.bind1([bigI32([3]), scalar(2000000001)], { config: [[1, 1, 2]] })],
  padEmptyOperand: () => [padP.bind1([i32([], [0]), scalar(2000000001)], { config: [[2, 3, 1]] })],
  // dynamic_slice (tfjs: GatherV2 per dimension); starts clamp
  dynamicSlice: () => [dynamicSliceP.bind1([bigI32([100, 60]), scalar(5), scalar(70)], { sliceSizes: [50, 20] })],
  dynamicSliceU32Negative: () => [dynamicSliceP.bind1([bigU32([5000]), scalar(-9)], { sliceSizes: [100] })],
  // dynamic_update_slice (tfjs: ScatterNd + Select); starts clamp
  dynamicUpdateSlice: () => [dynamicUpdateSliceP.bind1([bigI32([100, 60]), bigI32([10, 20], 3), scalar(95), scalar(-3)], {})],
  dynamicUpdateSliceU32: () => [dynamicUpdateSliceP.bind1([bigU32([5000]), bigU32([7], 1), scalar(4000)], {})],
  // scatter_add on int32 (tfjs: ScatterNd + Add); duplicates accumulate, sums wrap mod 2^32
  scatterAdd: () => [scatterAddP.bind1(
    [bigI32([5000]), i32([0, 4999, 4999, -3, 9000, 7]), i32([1, -2, 2147483647, 5, 3, -2147483648])], { axis: 0, batchDims: 0 })],
  scatterAddBatched: () => [scatterAddP.bind1(
    [bigI32([3, 40, 50]), i32([0, 49, 49, 7, 7, 7], [3, 2]), bigI32([3, 40, 2], 11)], { axis: 2, batchDims: 1 })],
};

const read = async (x: NDArray): Promise<number[]> => Array.from(await x.data(), Number);
const expected: Record<string, { dtype: string; shape: number[]; values: number[] }[]> = {};

describe("exact int32/uint32 data movement on webgpu", () => {
  beforeAll(async () => {
    await setBackend("cpu");
    for (const [name, run] of Object.entries(CASES)) {
      const outs = run();
      expected[name] = await Promise.all(outs.map(async (o) => ({ dtype: o.dtype, shape: o.shape, values: await read(o) })));
    }
    await setBackend("webgpu");
  }, 120_000);
  afterAll(async () => { await setBackend("wasm"); });

  test.each(Object.keys(CASES))("%s equals cpu bit for bit", async (name) => {
    const want = expected[name]!;
    // The case is meaningful: f32 cannot hold the int32 storage of some of the values it moves.
    expect(want.some((o) => o.values.some((v) => Math.fround(v | 0) !== (v | 0))), `${name} moves int32 bits above 2^24`).toBe(true);
    const outs = scope(CASES[name]!);
    expect(outs.map((o) => ({ dtype: o.dtype, shape: o.shape }))).toEqual(want.map(({ dtype, shape }) => ({ dtype, shape })));
    const got = await Promise.all(outs.map(read));
    got.forEach((values, k) => {
      const bad = values.findIndex((v, i) => v !== want[k]!.values[i]);
      expect(bad, bad < 0 ? "" : `${name}[${k}] element ${bad}: ${values[bad]} vs cpu ${want[k]!.values[bad]}`).toBe(-1);
    });
    dispose(outs);
  });

  test("no tensors leak across repeated calls", async () => {
    const runAll = async () => {
      for (const run of Object.values(CASES)) {
        const outs = scope(run);
        await Promise.all(outs.map(read));
        dispose(outs);
      }
    };
    await runAll();
    const before = tf.memory().numTensors;
    await runAll();
    await runAll();
    expect(tf.memory().numTensors).toBe(before);
  });
});
