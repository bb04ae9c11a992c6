/**
 * Turns a TypeScript snippet (an `@example` or a guide's code block) into the body of an
 * async JavaScript function that a docs test or a web page can run:
 *
 * - types are stripped by the TypeScript compiler's `transpileModule`;
 * - `import ... from "m"` becomes `const ... = await __import("m")`, so the runner decides
 *   what "gradus" is (the sources in Node, the bundle in a browser);
 * - doctest comments (see expected_values.ts) become checks:
 *   `await __expect(async () => (expr), expectation, line)`.
 */
import ts from "typescript";
import { parseExpectation, type Expectation } from "./expected_values.ts";

/** A snippet ready to run, and how many value/throw checks it carries. */
export interface PreparedSnippet {
  js: string;
  checks: number;
}

/** The comment right after a statement on its line, or alone on the next line. */
function commentAfter(text: string, stmt: ts.Statement): string | undefined {
  const trailing = ts.getTrailingCommentRanges(text, stmt.end)?.find((r) => r.kind === ts.SyntaxKind.SingleLineCommentTrivia);
  if (trailing && !text.slice(stmt.end, trailing.pos).includes("\n")) return text.slice(trailing.pos, trailing.end);
  const next = /^[ \t]*;?[ \t]*\r?\n([ \t]*\/\/[^\n]*)/.exec(text.slice(stmt.end));
  return next?.[1]?.trim();
}

function expectationSource(e: Expectation): string {
  return e.kind === "throws"
    ? `{ kind: "throws", error: ${JSON.stringify(e.error)} }`
    : `{ kind: "value", value: (${e.text}), dtype: ${JSON.stringify(e.dtype)}, text: ${JSON.stringify(e.text)} }`;
}

/** Rewrites checked expression statements (TypeScript source in, TypeScript out). */
function insertChecks(source: string): { source: string; checks: number } {
  const sf = ts.createSourceFile("snippet.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const stmt of sf.statements) {
    if (!ts.isExpressionStatement(stmt)) continue;
    const comment = commentAfter(source, stmt);
    const expectation = comment ? parseExpectation(comment) : undefined;
    if (!expectation) continue;
    const line = sf.getLineAndCharacterOfPosition(stmt.getStart()).line + 1;
    const expr = stmt.expression.getText(sf);
    edits.push({ start: stmt.getStart(), end: stmt.end, text: `await __expect(async () => (${expr}), ${expectationSource(expectation)}, ${line});` });
  }
  let out = source;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { source: out, checks: edits.length };
}

/** `import` declarations → `await __import(...)`; `export` keywords dropped. */
function rewriteModuleSyntax(js: string): string {
  const sf = ts.createSourceFile("snippet.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt)) {
      const from = `await __import(${stmt.moduleSpecifier.getText(sf)})`;
      const clause = stmt.importClause;
      const decls: string[] = [];
      if (clause?.name) decls.push(`const ${clause.name.text} = (${from}).default;`);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) decls.push(`const ${bindings.name.text} = ${from};`);
      if (bindings && ts.isNamedImports(bindings) && bindings.elements.length) {
        const names = bindings.elements.map((el) => (el.propertyName ? `${el.propertyName.text}: ${el.name.text}` : el.name.text));
        decls.push(`const { ${names.join(", ")} } = ${from};`);
      }
      edits.push({ start: stmt.getStart(), end: stmt.end, text: decls.length ? decls.join(" ") : `${from};` });
    } else if (ts.canHaveModifiers(stmt) && ts.getModifiers(stmt)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const mod = ts.getModifiers(stmt)!.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)!;
      edits.push({ start: mod.getStart(), end: mod.end, text: "" });
    }
  }
  let out = js;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Prepares a snippet; throws a SyntaxError that names `where` if it does not parse. */
export function prepareSnippet(code: string, where = "snippet"): PreparedSnippet {
  const { source, checks } = insertChecks(code);
  const out = ts.transpileModule(source, {
    fileName: "snippet.ts",
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: false, removeComments: false },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const msg = errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ");
    throw new SyntaxError(`${where}: the snippet does not parse: ${msg}`);
  }
  return { js: rewriteModuleSyntax(out.outputText.replace(/^export \{\};\s*$/m, "")), checks };
}
