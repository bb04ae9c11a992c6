/**
 * The browser bundle of the live examples (docs/site/live/gradus.js): gradus's entry
 * points that run in a page, and the snippet runtime. gradus/data reads files and
 * gradus/testing needs fast-check, so live examples use neither.
 */
import "./wasm_paths.ts";
import * as gradus from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import * as optim from "../../optim/index.ts";
import * as metrics from "../../src/metrics/index.ts";

export { runSnippet } from "../build/doctest_runtime.ts";

/** The modules a live example may import, by specifier. */
export const modules: Record<string, object> = { gradus, "gradus/nn": nn, "gradus/optim": optim, "gradus/metrics": metrics };

/** Names a live example may use unqualified (as in the docs tests, see docs/build/node_environment.ts). */
export function scope(): Record<string, unknown> {
  return { ...gradus, nn, optim, metrics, key: gradus.random.key(0) };
}

/** The backend gradus picked: webgpu where the browser has an adapter, else wasm. */
export const backend = (): string => gradus.getBackend();
