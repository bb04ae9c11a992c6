/**
 * The docs tooling itself: reading `@example` blocks, the doctest comment convention,
 * snippet preparation, markdown directives and the link checker. (The other files of
 * test/docs run these on the real docs; here each behaviour is pinned on a small input.)
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleCode } from "../../docs/build/example_tags.ts";
import { parseExpectation } from "../../docs/build/expected_values.ts";
import { prepareSnippet } from "../../docs/build/snippet.ts";
import { runSnippet, type SnippetEnvironment } from "../../docs/build/doctest_runtime.ts";
import { applyOverrides, codeBlocks } from "../../docs/build/markdown_blocks.ts";
import { guideProgram } from "../../docs/build/guide_program.ts";
import { checkLinks } from "../../docs/build/check_links.ts";
import { nodeEnvironment } from "../../docs/build/node_environment.ts";

describe("@example blocks", () => {
  test("unfenced: the whole block is code, until the next tag", () => {
    const comment = "/**\n * Sum.\n *\n * @example\n * np.sum(x)   // 6\n * f(y)\n * @throws Error if bad\n */";
    expect(exampleCode(comment).map((e) => e.code)).toEqual(["np.sum(x)   // 6\nf(y)"]);
  });
  test("fenced: only the ts/js fences are code", () => {
    const comment = "/**\n * @example\n * Some prose.\n * ```ts\n * a()\n * ```\n * ```json\n * {}\n * ```\n */";
    expect(exampleCode(comment).map((e) => e.code)).toEqual(["a()"]);
  });
  test("inline tag on a one-line comment; {@link} is not a tag", () => {
    expect(exampleCode("/** A {@link np.sum} thing. @example const b = 1; */").map((e) => e.code)).toEqual(["const b = 1;"]);
  });
});

describe("doctest comments", () => {
  test("values, dtypes, remarks and errors", () => {
    expect(parseExpectation("// [1, 0.5403]")).toMatchObject({ kind: "value", value: [1, 0.5403], dtype: null });
    expect(parseExpectation("// [0, 1] int32")).toMatchObject({ kind: "value", dtype: "int32" });
    expect(parseExpectation("// 12 (d x³/dx)")).toMatchObject({ kind: "value", value: 12 });
    expect(parseExpectation('// { a: 2, b: "x" }')).toMatchObject({ value: { a: 2, b: "x" } });
    expect(parseExpectation("// ConcretizationError: item() needs ...")).toEqual({ kind: "throws", error: "ConcretizationError" });
  });
  test("prose is not a value", () => {
    for (const c of ["// the 1 is an ArrayLike", "// shape [2, 3]", "// x unchanged", "// float32 [2, 2]"]) expect(parseExpectation(c)).toBeUndefined();
  });
});

async function run(code: string): Promise<string[]> {
  const out: string[] = [];
  const env: SnippetEnvironment = nodeEnvironment(out);
  await runSnippet(prepareSnippet(code).js, env);
  return out;
}

describe("running snippets", () => {
  test("a correct comment passes, a wrong one fails with both values", async () => {
    await run("np.sum(np.array([1, 2, 3]))   // 6");
    await expect(run("np.sum(np.array([1, 2, 3]))   // 7")).rejects.toThrow(/says 7.*got 6/);
  });
  test("tolerance follows the printed digits", async () => {
    await run("np.sin(np.array(1))   // 0.8415");
    await expect(run("np.sin(np.array(1))   // 0.8416")).rejects.toThrow(/0.8416/);
  });
  test("dtype suffix is checked", async () => {
    await run("np.arange(2)   // [0, 1] int32");
    await expect(run("np.arange(2)   // [0, 1] float32")).rejects.toThrow(/float32/);
  });
  test("expected errors must be thrown", async () => {
    await run('jit((x: NDArray) => (x.item() > 0 ? x : x))(np.array(1))\n// ConcretizationError: ...');
    await expect(run("np.array(1)   // TypeError: nope")).rejects.toThrow(/expected TypeError/);
  });
  test("imports resolve to the package's entry points; types are stripped", async () => {
    const out = await run('import * as nn from "gradus/nn";\nimport { np as numpy, type NDArray } from "gradus";\nconst y: NDArray = nn.relu(numpy.array([-1, 2]));\nconsole.log(y.toString());');
    expect(out).toEqual(["[0. 2.]"]);
  });
  test("a snippet may shadow the names in scope", async () => {
    await run("const np = 3;\nnp + 1   // 4");
  });
});

describe("guides", () => {
  const md = [
    "# T", "", "```ts", "const n = 100;", "```", "", "<!-- test: n=2 -->", "```ts", "const steps = 1000, n2 = n;", "```",
    "<!-- no-run -->", "```ts", "boom()", "```", "<!-- live -->", "```ts", "const own = 1;", "```", "```sh", "npm test", "```",
  ].join("\n");
  test("directives attach to the next block", () => {
    const blocks = codeBlocks(md);
    expect(blocks.map((b) => [b.lang, b.live, b.noRun, b.overrides])).toEqual([
      ["ts", false, false, {}], ["ts", false, false, { n: "2" }], ["ts", false, true, {}], ["ts", true, false, {}], ["sh", false, false, {}],
    ]);
  });
  test("overrides replace a declaration's value and must match one", () => {
    const [first, second] = codeBlocks("<!-- test: steps=3 -->\n```ts\nconst epochs = 5, steps = 1000;\n```\n<!-- test: nope=1 -->\n```ts\nconst x = 1;\n```");
    expect(applyOverrides(first!, "t")).toBe("const epochs = 5, steps = 3;");
    expect(() => applyOverrides(second!, "t")).toThrow(/matches no `const nope/);
  });
  test("one program: shared scope, live blocks apart, no-run skipped", () => {
    const p = guideProgram("```ts\nimport { np } from \"gradus\";\nconst a = 1;\n```\n```ts\nimport { np, grad } from \"gradus\";\nconst b = a;\n```\n<!-- live -->\n```ts\nconst a = 2;\n```", "g.md");
    expect(p.blocks).toHaveLength(2);
    expect(p.live).toHaveLength(1);
    expect(p.source).toMatch(/^import \{ np, grad \} from "gradus";/);
  });
});

describe("link checker", () => {
  test("finds missing files and missing anchors", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradus-links-"));
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "index.html"), '<a href="sub/a.html#here">ok</a><a href="sub/a.html#gone">x</a><a href="missing.html">y</a><a href="https://example.com">ext</a>');
    writeFileSync(join(dir, "sub/a.html"), '<h2 id="here">H</h2><a href="../index.html">up</a>');
    const { broken, checked } = checkLinks(dir);
    expect(checked).toBe(4);
    expect(broken.map((b) => b.target)).toEqual(["sub/a.html#gone", "missing.html"]);
  });
});
