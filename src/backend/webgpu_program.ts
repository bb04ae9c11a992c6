/**
 * Running our own WGSL programs on tfjs-backend-webgpu: the shared plumbing of gradus's
 * custom kernels (threefry, exact int32 data movement).
 *
 * A program reads its inputs' storage raw (`array<i32>` for int32/uint32/bool, `array<f32>`
 * for float32) and writes `result[index]` itself, so no value passes through the f32
 * getters and setters of tfjs's own programs. Every call builds a fresh program object (tfjs
 * rewrites `shaderKey` on the object it is given), and shader keys name the structure of a
 * program (ranks, broadcast pattern, number of inputs) and never its sizes, which travel as
 * uniforms: one compiled pipeline serves every size.
 */
import type { Tensor, TensorInfo } from "@tensorflow/tfjs-core";
import { tf, getBackend } from "./index.ts";
import { shapeSize } from "../core/shape.ts";

/**
 * A tfjs storage dtype a WGSL program can read or write.
 *
 * @example
 * const dtype: GpuDtype = "int32";   // also the storage of uint32 (bits) and bool (0/1)
 */
export type GpuDtype = "int32" | "float32" | "bool";

/**
 * One `i32` uniform of a program: its WGSL name and value.
 *
 * @example
 * const u: IntUniform = ["offset", 12];   // read in WGSL as uniforms.offset
 */
export type IntUniform = readonly [name: string, value: number];

/**
 * The part of tfjs-backend-webgpu's WebGPUBackend that gradus's programs use.
 *
 * @example
 * const backend = webgpuBackend();   // WebGPUBackendLike | null
 * backend?.shouldExecuteOnCPU([t])   // true for small tensors still in CPU memory
 */
export interface WebGPUBackendLike {
  /** Runs `program` over `inputs`; writes into `output` when given (tfjs's ScatterNd does that). */
  runWebGPUProgram(program: object, inputs: TensorInfo[], dtype: GpuDtype, uniforms?: { type: "int32"; data: number[] }[], output?: TensorInfo): TensorInfo;
  /** Whether tfjs forwards a kernel over these inputs to its CPU implementation. */
  shouldExecuteOnCPU(inputs: TensorInfo[]): boolean;
  /** The GPU device, for its limits. */
  readonly device: { readonly limits: { readonly maxStorageBuffersPerShaderStage: number } };
  /** tfjs-webgpu's own record of each tensor's storage (its dtype may differ from the tensor's). */
  readonly tensorMap: { get(dataId: object): { dtype: string } | undefined };
}

/**
 * The dtype a tensor's GPU buffer actually holds: tfjs-webgpu's Cast from bool to float32
 * reuses the bool (i32) buffer, so a float32 tensor may be stored as integers.
 *
 * @example
 * storageDtype(gpu, tf.cast(boolTensor, "float32"))   // "bool"
 */
export function storageDtype(backend: WebGPUBackendLike, t: Tensor): string {
  return backend.tensorMap.get(t.dataId)?.dtype ?? t.dtype;
}

/**
 * The webgpu backend when it is the active one, else null.
 *
 * @example
 * await setBackend("cpu");
 * webgpuBackend()   // null
 */
export function webgpuBackend(): WebGPUBackendLike | null {
  return getBackend() === "webgpu" ? (tf.backend() as unknown as WebGPUBackendLike) : null;
}

/**
 * The webgpu backend when a kernel over `inputs` runs on the GPU; null on other backends and
 * for small CPU-resident inputs that tfjs's webgpu kernels forward to the CPU (< 1000
 * elements, never uploaded).
 *
 * @example
 * const gpu = gpuBackend([bits]);
 * if (gpu) runElementwiseProgram(gpu, "copy", ["B"], [bits], bits.shape, "int32", "result[index] = B[iB];");
 */
export function gpuBackend(inputs: readonly Tensor[]): WebGPUBackendLike | null {
  const backend = webgpuBackend();
  return backend && !backend.shouldExecuteOnCPU([...inputs]) ? backend : null;
}

/**
 * The most inputs one program may bind: every input and the result are storage buffers.
 *
 * @example
 * maxProgramInputs(gpu)   // 7 under WebGPU's default limit of 8 storage buffers
 */
export function maxProgramInputs(backend: WebGPUBackendLike): number {
  return backend.device.limits.maxStorageBuffersPerShaderStage - 1;
}

const XYZWUV = ["x", "y", "z", "w", "u", "v"];
const COORD_TYPES = ["i32", "i32", "vec2<i32>", "vec3<i32>", "vec4<i32>", "vec5", "vec6"];

/**
 * WGSL for component `d` of `coords`, the output coordinates tfjs's `getCoordsFromIndex`
 * returns for an output of rank `rank` (an `i32` for rank 1, a vector or struct above).
 *
 * @example
 * coordWgsl(1, 0)   // "coords"
 * coordWgsl(3, 2)   // "coords.z"
 */
export function coordWgsl(rank: number, d: number): string {
  return rank === 1 ? "coords" : `coords.${XYZWUV[d]}`;
}

/**
 * WGSL for the flat index of each input element that output element `index` reads, under
 * NumPy broadcasting. Depends only on ranks and broadcast dimensions, which tfjs puts in the
 * pipeline cache key, so one compiled shader serves every size.
 *
 * @example
 * broadcastIndexWgsl("B", [1, 4], [3, 4])   // "getIndexFromCoords2D(vec2<i32>(0, coords.y), uniforms.bShape)"
 * broadcastIndexWgsl("B", [3, 4], [3, 4])   // "index"
 */
export function broadcastIndexWgsl(name: string, inShape: readonly number[], outShape: readonly number[]): string {
  const r = inShape.length;
  const outRank = outShape.length;
  if (r === 0) return "0";
  const same = r === outRank && inShape.every((d, i) => d === outShape[i]);
  if (same) return "index";
  const comps = inShape.map((d, j) => {
    const od = j + outRank - r;
    return d === 1 && outShape[od]! > 1 ? "0" : coordWgsl(outRank, od);
  });
  const uniform = `uniforms.${name.charAt(0).toLowerCase()}${name.slice(1)}Shape`;
  const ctor = r === 1 ? comps[0]! : `${COORD_TYPES[r]}(${comps.join(", ")})`;
  return `getIndexFromCoords${r}D(${ctor}, ${uniform})`;
}

/**
 * A WGSL program for `runProgram`.
 *
 * @example
 * const spec: ProgramSpec = {
 *   key: "negate_bits", names: ["X"], inputs: [x], outShape: x.shape, dtype: "int32",
 *   body: "result[index] = ~X[index];",
 * };
 */
export interface ProgramSpec {
  /** Names the program's structure (never its sizes); prefixed with `gradus_`. */
  key: string;
  /** WGSL names of the inputs, bound as `array<i32>` or `array<f32>` by their dtype. */
  names: readonly string[];
  inputs: readonly Tensor[];
  outShape: readonly number[];
  /** Storage dtype of the result. */
  dtype: GpuDtype;
  /** WGSL run for each `index` below the thread count; `coords` holds the output coordinates when `needCoords`. */
  body: string;
  /** WGSL declared before `main` (helper functions). */
  prelude?: string;
  /** `i32` uniforms, read as `uniforms.NAME`. */
  uniforms?: readonly IntUniform[];
  /** Defines `coords` (output coordinates of `index`) before the body. Default: output rank > 0. */
  needCoords?: boolean;
  /** Number of threads when not one per output element (then guarded by `uniforms.threads`). */
  threads?: number;
  /** Writes into this tensor (its buffer must be ours alone) through `array<atomic<i32>>`. */
  atomicInto?: Tensor;
}

/**
 * Runs a flat WGSL program, one thread per output element (or `threads`), and returns its
 * result as a tensor that tfjs's scopes and memory accounting see. A fresh program object
 * per call, as tfjs's shaderKey handling requires.
 *
 * @example
 * runProgram(gpu, { key: "copy", names: ["X"], inputs: [x], outShape: x.shape, dtype: "int32",
 *   body: "result[index] = X[index];", needCoords: false })   // an exact copy of int32 x
 */
export function runProgram(backend: WebGPUBackendLike, spec: ProgramSpec): Tensor {
  const { outShape, threads } = spec;
  const count = threads ?? shapeSize(outShape);
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const needCoords = spec.needCoords ?? outShape.length > 0;
  const uniforms = [...(spec.uniforms ?? []), ...(threads === undefined ? [] : [["threads", threads] as const])];
  const guard = threads === undefined ? "uniforms.size" : "uniforms.threads";
  const program = {
    variableNames: [...spec.names],
    outputShape: [...outShape],
    shaderKey: `gradus_${spec.key}`,
    dispatchLayout: { x: outShape.map((_, i) => i) },
    dispatch: [Math.max(1, Math.ceil(count / workgroupSize[0])), 1, 1],
    workgroupSize,
    size: true,
    atomic: spec.atomicInto !== undefined,
    uniforms: uniforms.map(([name]) => `${name} : i32,`).join(" "),
    getUserCode: () => `
      ${spec.prelude ?? ""}
      fn main(index : i32) {
        if (index < ${guard}) {
          ${needCoords ? "let coords = getCoordsFromIndex(index);" : ""}
          ${spec.body}
        }
      }`,
  };
  const data = uniforms.map(([, value]) => ({ type: "int32" as const, data: [value] }));
  if (spec.atomicInto) {
    backend.runWebGPUProgram(program, [...spec.inputs], spec.dtype, data, spec.atomicInto);
    return spec.atomicInto;
  }
  return tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program, [...spec.inputs], spec.dtype, data));
}

/**
 * Runs a flat elementwise WGSL program. `body` is WGSL run for each output `index`; input
 * `NAME` is read raw as `NAME[iNAME]` (`i32` storage for int32/uint32/bool, `f32` for
 * float32), with `iNAME` its broadcast index; results go to `result[index]`.
 *
 * @example
 * runElementwiseProgram(gpu, "bits_xor", ["A", "B"], [a, b], outShape, "int32", "result[index] = A[iA] ^ B[iB];")
 */
export function runElementwiseProgram(
  backend: WebGPUBackendLike, key: string, names: readonly string[], inputs: readonly Tensor[],
  outShape: readonly number[], outDtype: GpuDtype, body: string, prelude = "",
): Tensor {
  const indexLines = names.map((n, i) => `let i${n} = ${broadcastIndexWgsl(n, inputs[i]!.shape, outShape)};`).join("\n          ");
  return runProgram(backend, { key, names, inputs, outShape, dtype: outDtype, body: `${indexLines}\n          ${body}`, prelude });
}
