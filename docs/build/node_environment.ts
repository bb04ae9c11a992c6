/**
 * The environment doc snippets run in under Node: the package's entry points (for
 * `import ... from "gradus/..."`), the names every snippet may use unqualified, and a
 * console that records instead of printing.
 *
 * Unqualified names (the convention docs/guides/README.md describes): everything
 * `gradus` exports (`np`, `lax`, `random`, `tree`, `grad`, `jit`, `vmap`, `NDArray`, ...),
 * the namespaces `nn`, `optim`, `data`, `metrics`, `testing`, the fixture `key`
 * (`random.key(0)`), and for an `@example` the exports of the entry point it documents
 * (so `loadDigits()` in gradus/data's docs, `checkGrads(...)` in gradus/testing's).
 */
import * as gradus from "../../src/index.ts";
import * as nn from "../../nn/index.ts";
import * as optim from "../../optim/index.ts";
import * as data from "../../src/data/index.ts";
import * as metrics from "../../src/metrics/index.ts";
import * as testing from "../../src/testing/index.ts";
import { inspect } from "node:util";
import type { SnippetEnvironment } from "./doctest_runtime.ts";

/** The package's entry points by import specifier. */
export const MODULES: Record<string, object> = {
  gradus, "gradus/nn": nn, "gradus/optim": optim, "gradus/data": data, "gradus/metrics": metrics, "gradus/testing": testing,
};

/** A console whose output is kept in `lines` (shown when a snippet fails). */
export function recordingConsole(lines: string[]): SnippetEnvironment["console"] {
  const record = (...args: unknown[]) => { lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 4 }))).join(" ")); };
  return { log: record, info: record, warn: record, error: record, table: record };
}

/** The environment for a snippet; `module` adds that entry point's exports unqualified. */
export function nodeEnvironment(lines: string[], module?: string): SnippetEnvironment {
  const own = module && module !== "gradus" ? MODULES[module] : undefined;
  if (module && !MODULES[module]) throw new Error(`docs: unknown entry point ${module}`);
  return {
    scope: { ...own, ...gradus, nn, optim, data, metrics, testing, key: gradus.random.key(0) },
    importModule: async (specifier) => MODULES[specifier] ?? import(specifier),
    console: recordingConsole(lines),
  };
}
