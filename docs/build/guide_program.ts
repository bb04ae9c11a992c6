/**
 * A guide's runnable code as the tests run it: its TypeScript blocks in order, as one
 * program (later blocks see earlier blocks' variables, as a reader does), with test
 * overrides applied, imports hoisted and merged, and `__docsBlock(i)` before block i so a
 * failure names its block. Live blocks (`<!-- live -->`) are standalone, as in the
 * browser: each is a program of its own.
 */
import ts from "typescript";
import { applyOverrides, codeBlocks, RUNNABLE, type CodeBlock } from "./markdown_blocks.ts";

export interface GuideProgram {
  /** The TypeScript source to prepare (snippet.ts) and run. */
  source: string;
  /** The blocks of `source`, in order (index = the `__docsBlock` argument). */
  blocks: CodeBlock[];
  /** The live blocks, each run on its own (with its test overrides applied). */
  live: { block: CodeBlock; source: string }[];
  /** Blocks marked `<!-- no-run -->`. */
  skipped: CodeBlock[];
}

/** Splits a block into its import declarations and the rest. */
function splitImports(code: string): { imports: ts.ImportDeclaration[]; sf: ts.SourceFile; rest: string } {
  const sf = ts.createSourceFile("block.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports = sf.statements.filter(ts.isImportDeclaration);
  let rest = code;
  for (const imp of [...imports].reverse()) rest = rest.slice(0, imp.getStart(sf)) + rest.slice(imp.end);
  return { imports, sf, rest };
}

/** One import header for all blocks: per module the union of the names they import. */
function mergeImports(all: { imports: ts.ImportDeclaration[]; sf: ts.SourceFile }[]): string {
  const named = new Map<string, Map<string, string>>(); // module -> local -> "prop as local" | "local"
  const other = new Set<string>();
  for (const { imports, sf } of all) {
    for (const imp of imports) {
      const from = (imp.moduleSpecifier as ts.StringLiteral).text;
      const clause = imp.importClause;
      const bindings = clause?.namedBindings;
      if (clause && !clause.name && bindings && ts.isNamedImports(bindings)) {
        const names = named.get(from) ?? new Map<string, string>();
        for (const el of bindings.elements) names.set(el.name.text, el.getText(sf));
        named.set(from, names);
      } else {
        other.add(imp.getText(sf));
      }
    }
  }
  const lines = [...other];
  for (const [from, names] of named) lines.push(`import { ${[...names.values()].join(", ")} } from ${JSON.stringify(from)};`);
  return lines.join("\n");
}

/** The program of a guide's runnable blocks; `where` names the file in errors. */
export function guideProgram(markdown: string, where: string): GuideProgram {
  const all = codeBlocks(markdown, where).filter((b) => RUNNABLE.has(b.lang));
  const blocks = all.filter((b) => !b.noRun && !b.live);
  const parts = blocks.map((b) => splitImports(applyOverrides(b, `${where}:${b.start + 1}`)));
  const body = parts.map((p, i) => `__docsBlock(${i});\n${p.rest}`).join("\n");
  const live = all.filter((b) => b.live && !b.noRun).map((block) => ({ block, source: applyOverrides(block, `${where}:${block.start + 1}`) }));
  return { source: `${mergeImports(parts)}\n${body}`, blocks, live, skipped: all.filter((b) => b.noRun) };
}
