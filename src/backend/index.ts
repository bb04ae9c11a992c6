/**
 * The one module that owns TensorFlow.js: which backend runs, how it starts, and what
 * each backend can and cannot do. Everything else reaches tfjs through `tf` re-exported
 * here, so kernels can be replaced one at a time without touching the tracing core.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { existsSync } from "node:fs";

export { tf };

// Production mode: tfjs skips its debug checks and its "install tfjs-node" banner, which
// would print into every script and REPL session (gradus has its own error checks).
tf.env().set("PROD", true);

/** A TensorFlow.js backend gradus can run on. @example const b: BackendName = "wasm"; */
export type BackendName = "cpu" | "wasm" | "webgpu";

const BACKENDS: readonly BackendName[] = ["cpu", "wasm", "webgpu"];

/** Where Debian's chromium package puts SwiftShader, the CPU Vulkan driver Dawn can use. */
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

const isNode = typeof process !== "undefined" && !!process.versions?.node;

let webgpuRegistered = false;

/**
 * Makes WebGPU available to tfjs. In Node that means the `webgpu` package (Dawn) with
 * `navigator.gpu` installed before tfjs-backend-webgpu is imported; without a GPU, Dawn
 * runs on SwiftShader when the chromium package is installed.
 */
async function registerWebGPU(): Promise<void> {
  if (webgpuRegistered) return;
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (isNode && !g.navigator?.gpu) {
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
    try {
      dawn = (await import("webgpu")) as unknown as typeof dawn;
    } catch (e) {
      throw new Error(`the webgpu backend needs the npm package "webgpu" (Dawn) in Node: npm install webgpu (${(e as Error).message})`);
    }
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    Object.defineProperty(globalThis, "navigator", { value: { ...(g.navigator ?? {}), gpu }, configurable: true, writable: true });
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  webgpuRegistered = true;
}

function cannotStart(name: BackendName, why: string): Error {
  const help = name === "webgpu"
    ? isNode
      ? `In Node, WebGPU comes from the "webgpu" package (Dawn). Without a GPU install Debian's chromium package (apt-get install chromium) so Dawn can use SwiftShader (${SWIFTSHADER_ICD}), or set VK_ICD_FILENAMES to a Vulkan driver.`
      : "This browser exposes no WebGPU adapter (navigator.gpu); use wasm instead."
    : `Check that @tensorflow/tfjs-backend-${name} is installed.`;
  return new Error(`backend "${name}" could not start: ${why}. ${help}`);
}

type Listeners = Record<"uncaughtException" | "unhandledRejection", Function[]>;

function processListeners(): Listeners | null {
  if (!isNode) return null;
  return { uncaughtException: process.listeners("uncaughtException"), unhandledRejection: process.listeners("unhandledRejection") };
}

/**
 * tfjs-backend-wasm's Emscripten module installs process handlers that rethrow every
 * uncaught error from inside its minified source, so Node prints a screen of wasm glue
 * code instead of the user's error. Remove them: gradus never relies on them.
 */
function removeListenersAddedSince(before: Listeners | null): void {
  if (!before) return;
  for (const l of process.listeners("uncaughtException")) {
    if (!before.uncaughtException.includes(l)) process.removeListener("uncaughtException", l);
  }
  for (const l of process.listeners("unhandledRejection")) {
    if (!before.unhandledRejection.includes(l)) process.removeListener("unhandledRejection", l);
  }
}

let current: BackendName | null = null;

/**
 * Selects the backend every following operation runs on.
 *
 * @example
 * await setBackend("cpu");
 * getBackend()   // "cpu"
 * @throws Error naming the backend and what to install when it cannot start.
 */
export async function setBackend(name: BackendName): Promise<void> {
  if (!BACKENDS.includes(name)) {
    throw new TypeError(`setBackend: expected one of ${BACKENDS.map((b) => `"${b}"`).join(", ")}, got ${JSON.stringify(name)}`);
  }
  if (name === "webgpu") {
    try { await registerWebGPU(); } catch (e) { throw cannotStart(name, (e as Error).message); }
  }
  let ok: boolean;
  const before = processListeners();
  try { ok = await tf.setBackend(name); } catch (e) { throw cannotStart(name, (e as Error).message); }
  removeListenersAddedSince(before);
  if (!ok) throw cannotStart(name, "tfjs failed to initialize it (for webgpu: no adapter was found)");
  await tf.ready();
  current = name;
}

/**
 * The backend in use: `"cpu"`, `"wasm"` or `"webgpu"`.
 *
 * @example
 * getBackend()   // "wasm" in Node unless GRADUS_BACKEND says otherwise
 */
export function getBackend(): BackendName {
  if (current === null) throw new Error("no backend is initialized yet; await setBackend(...) first");
  return current;
}

/** The default: env GRADUS_BACKEND, else webgpu in a browser that has it, else wasm. */
function defaultBackend(): BackendName {
  const env = isNode ? process.env.GRADUS_BACKEND : undefined;
  if (env) {
    if (!(BACKENDS as readonly string[]).includes(env)) {
      throw new Error(`GRADUS_BACKEND must be one of ${BACKENDS.join(", ")}; got "${env}"`);
    }
    return env as BackendName;
  }
  const browserGpu = !isNode && !!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  return browserGpu ? "webgpu" : "wasm";
}

/** The largest rank each backend's kernels accept. */
export function maxRank(name: BackendName = getBackend()): number {
  return name === "webgpu" ? 6 : Infinity;
}

/** Whether reads must be asynchronous: tfjs cannot read GPU memory synchronously in Node. */
export function syncReadsUnavailable(): boolean {
  return current === "webgpu" && isNode;
}

/**
 * Starts the default backend. A browser that exposes `navigator.gpu` but gives no adapter
 * (WebGPU disabled, blocklisted GPU) falls back to wasm instead of failing to load.
 */
async function startDefaultBackend(): Promise<void> {
  const name = defaultBackend();
  try {
    await setBackend(name);
  } catch (e) {
    if (isNode || name !== "webgpu") throw e;
    await setBackend("wasm");
  }
}

await startDefaultBackend();
