/**
 * Bundles gradus for the browser (the live examples) with esbuild: docs/live/entry.ts →
 * live/gradus.js (ESM) with tfjs-backend-wasm's .wasm files next to it, and the page
 * script docs/live/loader.ts → one classic script for TypeDoc's `customJs`.
 *
 * Node-only imports (`node:fs` for the SwiftShader lookup and the datasets, `node:zlib`,
 * `node:path`) are replaced by stubs; the `webgpu` package (Dawn, Node's WebGPU) stays an
 * external dynamic import that a browser never reaches.
 */
import { build, type Plugin } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./entry_points.ts";

/** What gradus's Node-only code paths import, as stubs that explain themselves if called. */
const NODE_STUBS: Record<string, string[]> = {
  "node:fs": ["existsSync", "readFileSync"],
  "node:path": ["join"],
  "node:zlib": ["gunzipSync"],
};

const nodeStubs: Plugin = {
  name: "node-stubs",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, ({ path }) => ({ path, namespace: "node-stub" }));
    b.onLoad({ filter: /.*/, namespace: "node-stub" }, ({ path }) => {
      const names = NODE_STUBS[path];
      if (!names) return { errors: [{ text: `${path} has no browser stub: add it to NODE_STUBS in docs/build/bundle.ts` }] };
      const fail = (n: string) => `() => { throw new Error("${path} ${n}() is not available in a browser"); }`;
      const contents = names.map((n) => `export const ${n} = ${n === "existsSync" ? "() => false" : fail(n)};`).join("\n");
      return { contents, loader: "js" };
    });
  },
};

/** Writes live/gradus.js and the wasm binaries into `outDir` (the site's live/ folder). */
export async function bundleGradus(outDir: string): Promise<{ bytes: number }> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(ROOT, "docs/live/entry.ts")],
    outfile: join(outDir, "gradus.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: "warning",
    external: ["webgpu"],
    define: { "process.env.GRADUS_WASM_FUSION_MAX": "undefined" },
    plugins: [nodeStubs],
  });
  const wasmDir = join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) copyFileSync(join(wasmDir, f), join(outDir, f));
  const bytes = Object.values(result.metafile!.outputs).reduce((n, o) => n + o.bytes, 0);
  return { bytes };
}

/** Writes the page script (a classic script: TypeDoc includes it with `<script defer>`). */
export async function bundleLoader(outFile: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, "docs/live/loader.ts")],
    outfile: outFile,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    logLevel: "warning",
  });
}
