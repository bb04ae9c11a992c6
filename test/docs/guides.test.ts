/**
 * Runs the code of every document of the site (README.md, the index page; docs/guides/*.md;
 * the other docs/*.md the site renders): each document's TypeScript blocks in order as one program, with the small
 * sizes its `<!-- test: ... -->` directives give, checking the values its doctest comments
 * state. Blocks marked `<!-- no-run -->` are counted, not run.
 */
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { siteDocuments } from "../../docs/build/documents.ts";
import { ROOT } from "../../docs/build/entry_points.ts";
import { guideProgram } from "../../docs/build/guide_program.ts";
import type { CodeBlock } from "../../docs/build/markdown_blocks.ts";
import { prepareSnippet } from "../../docs/build/snippet.ts";
import { runSnippet } from "../../docs/build/doctest_runtime.ts";
import { getBackend, setBackend } from "../../src/index.ts";
import { nodeEnvironment } from "../../docs/build/node_environment.ts";

// README.md is the site's index page; its code runs too.
const docs = [{ file: "README.md" }, ...siteDocuments()];
const initialBackend = getBackend();
const summary: { file: string; blocks: number; skipped: number; checks: number; ms: number }[] = [];

afterEach(async () => {
  if (getBackend() !== initialBackend) await setBackend(initialBackend);
});

afterAll(() => {
  mkdirSync("test-artifacts/docs", { recursive: true });
  const ran = summary.filter((d) => d.skipped >= 0);
  const total = ran.reduce((s, d) => ({ blocks: s.blocks + d.blocks, skipped: s.skipped + d.skipped, checks: s.checks + d.checks }), { blocks: 0, skipped: 0, checks: 0 });
  const skippedDocuments = summary.filter((d) => d.skipped < 0).map((d) => d.file);
  writeFileSync("test-artifacts/docs/guides.json", JSON.stringify({ ...total, skippedDocuments, documents: summary }, null, 2));
  console.log(`guide code blocks: ${total.blocks} run in ${ran.length} documents (${total.checks} value checks), ${total.skipped} marked no-run${skippedDocuments.length ? `; skipped for a missing requirement: ${skippedDocuments.join(", ")}` : ""}`);
});

/** Paths a document needs (`<!-- requires: /path -->`) that this machine lacks. */
const missing = (markdown: string) =>
  [...markdown.matchAll(/^\s*<!--\s*requires:\s*(\S+)\s*-->\s*$/gm)].map((m) => m[1]!).filter((p) => !existsSync(p));

describe("code blocks of the docs", () => {
  test.for(docs.map((d) => d.file))("%s", { timeout: 180_000 }, async (file, ctx) => {
    const markdown = readFileSync(join(ROOT, file), "utf8");
    const absent = missing(markdown);
    if (absent.length) {
      summary.push({ file, blocks: 0, skipped: -1, checks: 0, ms: 0 });
      ctx.skip(`needs ${absent.join(", ")}`);
    }
    const program = guideProgram(markdown, file);
    const { js, checks } = prepareSnippet(program.source, file);
    const output: string[] = [];
    let block = -1;
    const env = nodeEnvironment(output);
    env.scope.__docsBlock = (i: number) => { block = i; };
    const start = performance.now();
    const explain = (e: unknown, b: CodeBlock | undefined) => {
      const err = e as Error;
      err.message = `${file}: ${b ? `the code block at line ${b.start + 1}` : "before the first block"}: ${err.message}${b ? `\n--- block ---\n${b.code}` : ""}${output.length ? `\n--- console (last lines) ---\n${output.slice(-10).join("\n")}` : ""}`;
      return err;
    };
    try {
      await runSnippet(js, env);
    } catch (e) {
      throw explain(e, program.blocks[block]);
    }
    expect(block).toBe(program.blocks.length - 1);
    let liveChecks = 0;
    for (const { block: b, source } of program.live) {
      const prepared = prepareSnippet(source, `${file}:${b.start + 1}`);
      liveChecks += prepared.checks;
      try { await runSnippet(prepared.js, nodeEnvironment(output)); } catch (e) { throw explain(e, b); }
    }
    summary.push({
      file, blocks: program.blocks.length + program.live.length, skipped: program.skipped.length,
      checks: checks + liveChecks, ms: Math.round(performance.now() - start),
    });
  });
});
