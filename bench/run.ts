/**
 * Runs the benchmark suite (`npm run bench`) on the wasm backend, prints a table and
 * writes bench/results/latest.json.
 *
 *   npm run bench                       # all benchmarks
 *   npm run bench -- --only mlp,adam    # a subset: mlp, adam, overhead
 *   npm run bench -- --quick            # fewer iterations (smoke test, noisier)
 *   npm run bench -- --sequential       # time each case back to back instead of round-robin
 */
// tfjs's own gradients (optimizer.minimize) are registered by tfjs-layers' node bundle.
import "@tensorflow/tfjs-layers";
import * as tf from "@tensorflow/tfjs-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getBackend, setBackend } from "../src/index.ts";
import { benchAdam } from "./adam.ts";
import { benchMlp, type BenchResult } from "./mlp.ts";
import { benchOverhead } from "./overhead.ts";
import { fmtMs } from "./timing.ts";

const { values } = parseArgs({ options: { only: { type: "string" }, quick: { type: "boolean", default: false }, sequential: { type: "boolean", default: false }, out: { type: "string" } } });
const here = dirname(fileURLToPath(import.meta.url));
const only = values.only ? values.only.split(",").map((s) => s.trim()) : ["mlp", "adam", "overhead"];
const q = values.quick;
const interleave = !values.sequential;

await setBackend("wasm");
const version = (pkg: string) => (JSON.parse(readFileSync(join(here, "..", "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const env = {
  interleaved: interleave,
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  backend: getBackend(),
  wasmSimd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
  wasmThreads: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
  tfjs: version("@tensorflow/tfjs-core"),
  jaxjs: version("@jax-js/jax"),
};
console.log(`gradus benchmarks on ${env.backend} (SIMD ${env.wasmSimd}, threads ${env.wasmThreads}), Node ${env.node}, ${env.cores}× ${env.cpu}`);
console.log(`tfjs ${env.tfjs}, @jax-js/jax ${env.jaxjs}; cases timed ${interleave ? "round-robin" : "back to back (--sequential)"}${q ? "  [--quick: few iterations]" : ""}\n`);

const results: BenchResult[] = [];
const titles: Record<string, string> = {
  mlp784: "1. MLP 784-256-10, batch 128, SGD step",
  adam64: "2. MLP 64-32-10, batch 32, Adam step",
  overhead20: "3. cached call, 20 scalar ops",
};
const runners: Record<string, () => Promise<BenchResult>> = {
  mlp: () => benchMlp(q ? { warmup: 2, iters: 5, interleave } : { warmup: 5, iters: 40, interleave }),
  adam: () => benchAdam(q ? { warmup: 10, iters: 20, interleave } : { warmup: 50, iters: 300, interleave }),
  overhead: () => benchOverhead(q ? { warmup: 2, iters: 10, inner: 100, interleave } : { warmup: 5, iters: 60, inner: 200, interleave }),
};
for (const name of only) {
  const run = runners[name];
  if (!run) throw new Error(`--only: unknown benchmark "${name}"; expected some of ${Object.keys(runners).join(", ")}`);
  const r = await run();
  results.push(r);
  console.log(titles[r.name]);
  for (const t of r.timings) {
    console.log(`  ${t.name.padEnd(28)} ${fmtMs(t.median).padStart(10)}   (p25 ${fmtMs(t.p25)}, p75 ${fmtMs(t.p75)}, ${t.iters}×${t.inner})`);
  }
  for (const x of r.ratios) {
    const verdict = x.target === null ? "" : `target ≤ ${x.target}  ${x.pass ? "PASS" : "MISS"}`;
    console.log(`  ${x.name.padEnd(40)} ${x.ratio.toFixed(2).padStart(6)}×   ${verdict}`);
  }
  for (const n of r.notes) console.log(`  - ${n.split("\n")[0]}`);
  console.log();
}

const out = values.out ?? join(here, "results", "latest.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ env, results }, null, 2) + "\n");
console.log(`wrote ${out}`);
