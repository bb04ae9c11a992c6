/**
 * Runs every `@example` of the public API (docs/build/doc_examples.ts finds them) with the
 * names of docs/build/node_environment.ts in scope, and checks the values their comments state
 * (docs/build/expected_values.ts). An example that cannot run on its own starts with a
 * `// no-run` line; those are reported, not run, as are examples reading Fashion-MNIST on a
 * machine without the dataset package.
 */
import { afterAll, afterEach, describe, test } from "vitest";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { collectDocExamples } from "../../docs/build/doc_examples.ts";
import { prepareSnippet } from "../../docs/build/snippet.ts";
import { runSnippet } from "../../docs/build/doctest_runtime.ts";
import { getBackend, setBackend } from "../../src/index.ts";
import { nodeEnvironment } from "../../docs/build/node_environment.ts";

const examples = collectDocExamples();
const NO_RUN = /^\s*\/\/\s*no-run\b/;
/** Examples that read Fashion-MNIST need the Debian package dataset-fashion-mnist; without it they are skipped (and reported). */
const FASHION = "/usr/share/datasets/fashion-mnist";
const needsAbsentData = (code: string) => /loadFashionMnist\(\s*\)/.test(code) && !existsSync(FASHION);
const initialBackend = getBackend();
const counts = { run: 0, skipped: 0, checks: 0 };
const skipped: string[] = [];

afterEach(async () => {
  if (getBackend() !== initialBackend) await setBackend(initialBackend);
});

afterAll(() => {
  mkdirSync("test-artifacts/docs", { recursive: true });
  writeFileSync("test-artifacts/docs/examples.json", JSON.stringify({ total: examples.length, ...counts, skippedExamples: skipped }, null, 2));
  console.log(`doc examples: ${examples.length} found, ${counts.run} run (${counts.checks} value checks), ${counts.skipped} not run (marked no-run, or their data is not installed)`);
});

describe.each([...new Set(examples.map((e) => e.module))])("@example in %s", (module) => {
  const mine = examples.filter((e) => e.module === module);
  test.each(mine.map((e, i) => [`${e.symbol} (${e.file}:${e.line})${mine.filter((o) => o.symbol === e.symbol).length > 1 ? ` #${i}` : ""}`, e] as const))(
    "%s",
    async (_name, ex) => {
      if (NO_RUN.test(ex.code) || needsAbsentData(ex.code)) { counts.skipped++; skipped.push(`${ex.symbol} (${ex.file}:${ex.line})`); return; }
      const { js, checks } = prepareSnippet(ex.code, `${ex.file}:${ex.line}`);
      const output: string[] = [];
      try {
        await runSnippet(js, nodeEnvironment(output, ex.module));
      } catch (e) {
        const err = e as Error;
        err.message = `${ex.file}:${ex.line} (${ex.symbol}): ${err.message}\n--- example ---\n${ex.code}${output.length ? `\n--- console ---\n${output.join("\n")}` : ""}`;
        throw err;
      }
      counts.run++;
      counts.checks += checks;
    },
    30_000,
  );
});
