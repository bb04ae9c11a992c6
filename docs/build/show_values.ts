/**
 * For doc authors: runs a guide (or any markdown document of the site) and prints, for
 * every doctest comment, what the code actually returns, instead of stopping at the first
 * mismatch, then what the code logged. `npx tsx docs/build/show_values.ts docs/guides/02-grad.md`
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { guideProgram } from "./guide_program.ts";
import { prepareSnippet } from "./snippet.ts";
import { difference, printedTolerance, runSnippet, toPlain, type RuntimeExpectation } from "./doctest_runtime.ts";
import { nodeEnvironment } from "./node_environment.ts";

async function show(thunk: () => Promise<unknown>, e: RuntimeExpectation, line: number): Promise<void> {
  if (e.kind === "throws") {
    try { await thunk(); console.log(`line ${line}: expected ${e.error}, nothing thrown`); } catch (err) { console.log(`line ${line}: threw ${(err as Error).name}`); }
    return;
  }
  const value = await toPlain(await thunk());
  const d = difference(value, e.value, printedTolerance(e.text));
  console.log(`${d ? "✗" : "✓"} line ${line}: comment ${e.text}  actual ${JSON.stringify(value)}`);
}

const file = process.argv[2];
if (!file) throw new Error("usage: npx tsx docs/build/show_values.ts docs/guides/NN-topic.md");
const program = guideProgram(readFileSync(resolve(file), "utf8"), file);
const sources = [program.source, ...program.live.map((l) => l.source)];
for (const source of sources) {
  const { js } = prepareSnippet(source, file);
  const output: string[] = [];
  const env = { ...nodeEnvironment(output), expect: show };
  env.scope.__docsBlock = () => {};
  try { await runSnippet(js, env); } catch (e) { console.log(`stopped: ${(e as Error).message}`); }
  if (output.length) console.log(`console output:\n  ${output.join("\n  ")}`);
}
