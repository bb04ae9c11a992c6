/**
 * Fused vs unfused jit on the four patterns of issue 7 (gelu(x·w + b), layerNorm, softmax
 * cross-entropy with its gradient, an Adam update), on every backend available here, at a
 * small and a large size. Ratios come from one interleaved run per (backend, size).
 *
 *   npx tsx bench/fusion.ts [--backends cpu,wasm,webgpu] [--sizes 16,1024] [--quick]
 *
 * On this machine webgpu is Dawn on SwiftShader (a CPU Vulkan driver): its figures say how
 * dispatch-bound the unfused form is, not how a GPU behaves. On a real GPU, run the same
 * script where the `device` machine is available.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { dispose, jit, setBackend, tree, type BackendName, type NDArray } from "../src/index.ts";
import { PATTERNS, patternArgs } from "../test/fusion/patterns.ts";
import { compare, fmtMs } from "./timing.ts";

const { values } = parseArgs({ options: { backends: { type: "string", default: "cpu,wasm,webgpu" }, sizes: { type: "string", default: "16,1024" }, quick: { type: "boolean", default: false } } });
const backends = values.backends!.split(",") as BackendName[];
const sizes = values.sizes!.split(",").map(Number);
const results: { backend: string; batch: number; pattern: string; fusedMs: number; unfusedMs: number; speedup: number }[] = [];

for (const backend of backends) {
  await setBackend(backend);
  for (const batch of sizes) {
    const args = patternArgs(batch);
    for (const [name, f] of Object.entries(PATTERNS)) {
      const fused = jit(f), unfused = jit(f, { fuse: false });
      const call = (g: (...a: NDArray[]) => unknown) => (last: boolean) => {
        const out = g(...args[name]!);
        const leaves = tree.leaves(out) as NDArray[];
        if (!last) { dispose(out); return undefined; }
        return leaves[0]!.data().then(() => dispose(out));
      };
      const iters = values.quick ? 5 : backend === "webgpu" ? 15 : 40;
      const [tf_, tu] = await compare([{ name: "fused", fn: call(fused) }, { name: "unfused", fn: call(unfused) }], { warmup: 3, iters });
      results.push({ backend, batch, pattern: name, fusedMs: tf_!.median, unfusedMs: tu!.median, speedup: tu!.median / tf_!.median });
      console.log(`${backend.padEnd(7)} batch ${String(batch).padStart(5)}  ${name.padEnd(20)} fused ${fmtMs(tf_!.median).padStart(10)}  unfused ${fmtMs(tu!.median).padStart(10)}  speedup ${(tu!.median / tf_!.median).toFixed(2)}×`);
    }
    dispose(args);
  }
}
const out = join(dirname(fileURLToPath(import.meta.url)), "results", "fusion.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
console.log(`wrote ${out}`);
