/**
 * Running a fused cluster: WGSL programs on webgpu, generated JS loops on cpu (and on
 * wasm for small outputs, where a loop beats a chain of kernel dispatches), else the
 * cluster's equations one by one.
 */
import { tf, getBackend } from "../backend/index.ts";
import type { Tensor } from "@tensorflow/tfjs-core";
import { runProgram, storageDtype, webgpuBackend } from "../backend/webgpu_program.ts";
import type { Cluster } from "./fusion.ts";
import { JS, JS_PRELUDE, WGSL, WGSL_PRELUDE, kernelCode, type KernelCode } from "./codegen.ts";

/**
 * Largest output (elements) a generated JS loop handles on wasm (env
 * GRADUS_WASM_FUSION_MAX overrides it). Measured with bench/fusion.ts on the four issue-7
 * patterns: at 2048 elements the loop is 1.3–1.9× faster than the kernel chain, at 4096
 * 1.0–1.3×, at 8192 0.6–1.06× and at 32768 0.4–0.9× (XNNPACK's vectorized kernels win;
 * TFJS-NOTES: "JS loops beat wasm kernels only for small sizes").
 */
export const WASM_JS_FUSION_MAX = Number(process.env.GRADUS_WASM_FUSION_MAX ?? 4096);

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(36);
}

/** A cluster compiled for every target: code per output, built on first use per target. */
export class FusedKernel {
  /** WGSL per output, per pattern of inputs held in integer storage. */
  private wgsl = new Map<string, KernelCode[]>();
  private js: { code: KernelCode; size: number; fn: (...arrays: ArrayLike<number>[]) => void }[] | null = null;
  constructor(readonly cluster: Cluster) {}

  /** Which implementation runs on the active backend for these inputs. */
  target(): "webgpu" | "js" | "unfused" {
    const backend = getBackend();
    if (backend === "webgpu") return "webgpu";
    if (backend === "cpu") return "js";
    const largest = Math.max(...this.cluster.outputs.map((v) => v.aval.size));
    return largest <= WASM_JS_FUSION_MAX ? "js" : "unfused";
  }

  /** Runs the kernels (one per output) on the cluster's input tensors. */
  run(inputs: readonly Tensor[], target: "webgpu" | "js"): Tensor[] {
    return target === "webgpu" ? this.runWgsl(inputs) : this.runJs(inputs);
  }

  private runWgsl(inputs: readonly Tensor[]): Tensor[] {
    const backend = webgpuBackend()!;
    const storage = inputs.map((t) => storageDtype(backend, t));
    const key = storage.join();
    let codes = this.wgsl.get(key);
    if (!codes) {
      const intStored = new Set(storage.flatMap((dt, i) => (dt !== "float32" && this.cluster.inputs[i]!.aval.dtype === "float32" ? [i] : [])));
      codes = this.cluster.outputs.map((o) => kernelCode(WGSL, this.cluster, o, intStored));
      this.wgsl.set(key, codes);
    }
    return codes.map((k) => runProgram(backend, {
      key: `fused_${fnv1a(k.body)}_${k.body.length}`,
      names: k.usedInputs.map((i) => `X${i}`),
      inputs: k.usedInputs.map((i) => inputs[i]!),
      outShape: k.outShape,
      dtype: k.outIsBool ? "bool" : "float32",
      body: k.body,
      prelude: WGSL_PRELUDE,
      needCoords: false,
      uniforms: k.sizes.map((v, i) => [`u${i}`, v] as const),
    }));
  }

  private runJs(inputs: readonly Tensor[]): Tensor[] {
    this.js ??= this.cluster.outputs.map((o) => {
      const code = kernelCode(JS, this.cluster, o);
      const size = code.outShape.reduce((a, b) => a * b, 1);
      const names = this.cluster.inputs.map((_, i) => `X${i}`);
      const fn = new Function(...names, "result", `${JS_PRELUDE}\nfor (let index = 0; index < ${size}; index++) {\n${code.body}\n}`) as (...a: ArrayLike<number>[]) => void;
      return { code, size, fn };
    });
    const data = inputs.map((t) => t.dataSync() as ArrayLike<number>);
    return this.js.map(({ code, size, fn }) => {
      const out = code.outIsBool ? new Uint8Array(size) : new Float32Array(size);
      fn(...data, out);
      return tf.tensor(out, code.outShape, code.outIsBool ? "bool" : "float32");
    });
  }

  /** e.g. `fused[mul, add, tanh → 1]` for `lower()`. */
  describe(): string {
    return `fused[${this.cluster.eqns.map((e) => e.primitive.name).join(", ")} → ${this.cluster.outputs.length}]`;
  }
}
