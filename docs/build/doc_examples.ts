/**
 * Collects every `@example` of the public API: the doc comments of everything the package
 * entry points export (following namespaces, classes and interfaces to their members) and
 * the module comments of the entry and namespace files. These are the examples the API
 * reference shows; test/docs/examples.test.ts runs them.
 */
import ts from "typescript";
import { relative } from "node:path";
import { entryPoints, ROOT } from "./entry_points.ts";
import { exampleCode } from "./example_tags.ts";

/** One runnable example from a doc comment. */
export interface DocExample {
  /** Where it is documented, e.g. "gradus/nn.linear" or "gradus.NDArray.reshape". */
  symbol: string;
  /** The entry point whose exports are in scope unqualified ("gradus/metrics"). */
  module: string;
  /** Repository-relative source file and 1-based line of the example's first line. */
  file: string;
  line: number;
  code: string;
}

/** The program over the entry points, with the repository's compiler options. */
function createProgram(files: string[]): ts.Program {
  const configPath = ts.findConfigFile(ROOT, ts.sys.fileExists, "tsconfig.json")!;
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  return ts.createProgram(files, { ...config.options, noEmit: true });
}

/** The `/** ... *∕` comments attached to a declaration (for a variable, its statement's). */
function docComments(node: ts.Node): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(node).filter((d): d is ts.JSDoc => ts.isJSDoc(d));
}

/** The file's leading doc comment when it documents the module (it is not any declaration's). */
function moduleComment(sf: ts.SourceFile): ts.CommentRange | undefined {
  const first = sf.statements[0];
  const ranges = ts.getLeadingCommentRanges(sf.text, 0) ?? [];
  const doc = ranges.find((r) => sf.text.startsWith("/**", r.pos));
  if (!doc) return undefined;
  const text = sf.text.slice(doc.pos, doc.end);
  const owned = first && !ts.isImportDeclaration(first) && !ts.isExportDeclaration(first) && doc === ranges.at(-1);
  return /@module|@packageDocumentation/.test(text) || !owned ? doc : undefined;
}

/** Every example reachable from the entry points, each once, in a stable order. */
export function collectDocExamples(): DocExample[] {
  const entries = entryPoints();
  const program = createProgram(entries.map((e) => e.file));
  const checker = program.getTypeChecker();
  const seen = new Set<string>();
  const out: DocExample[] = [];

  const add = (sf: ts.SourceFile, pos: number, end: number, symbol: string, module: string) => {
    const key = `${sf.fileName}:${pos}`;
    if (seen.has(key)) return;
    seen.add(key);
    const startLine = sf.getLineAndCharacterOfPosition(pos).line;
    for (const { code, line } of exampleCode(sf.text.slice(pos, end))) {
      out.push({ symbol, module, file: relative(ROOT, sf.fileName), line: startLine + line + 1, code });
    }
  };
  const addDocs = (node: ts.Node, symbol: string, module: string) => {
    for (const d of docComments(node)) add(node.getSourceFile(), d.getStart(), d.getEnd(), symbol, module);
  };

  const visitMembers = (decl: ts.Declaration, symbol: string, module: string) => {
    const members: readonly ts.Node[] | undefined =
      ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl) ? decl.members
      : ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type) ? decl.type.members
      : undefined;
    for (const m of members ?? []) {
      const name = (m as ts.NamedDeclaration).name;
      addDocs(m, `${symbol}.${name && ts.isIdentifier(name) ? name.text : "(member)"}`, module);
    }
  };

  const visitModule = (moduleSymbol: ts.Symbol, prefix: string, module: string) => {
    for (const decl of moduleSymbol.declarations ?? []) {
      if (!ts.isSourceFile(decl)) continue;
      const doc = moduleComment(decl);
      if (doc) add(decl, doc.pos, doc.end, prefix, module);
    }
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = `${prefix}.${exported.name}`;
      if (target.flags & ts.SymbolFlags.ValueModule && target.declarations?.some(ts.isSourceFile)) {
        visitModule(target, name, module);
        continue;
      }
      for (const decl of target.declarations ?? []) {
        addDocs(decl, name, module);
        visitMembers(decl, name, module);
      }
    }
  };

  for (const entry of entries) {
    const sf = program.getSourceFile(entry.file);
    const symbol = sf && checker.getSymbolAtLocation(sf);
    if (!symbol) throw new Error(`docs: cannot read the entry point ${entry.file}`);
    visitModule(symbol, entry.name, entry.name);
  }
  return out;
}
