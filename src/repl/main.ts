/**
 * `npm run repl`: a Node REPL with every gradus export in scope (np, lax, random, tree,
 * the transforms...). Input may be TypeScript (types are stripped with the TypeScript
 * compiler), top-level await works, and arrays print like NumPy.
 */
import repl from "node:repl";
import ts from "typescript";
import * as gradus from "../index.ts";
import { getBackend } from "../backend/index.ts";

/** Strips TypeScript syntax from one REPL input; `null` when the input is incomplete. */
export function stripTypes(code: string): string | null {
  const out = ts.transpileModule(code, {
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
  });
  const incomplete = out.diagnostics?.some((d) => d.start !== undefined && d.start >= code.trimEnd().length && d.category === ts.DiagnosticCategory.Error);
  if (incomplete) return null;
  // transpileModule adds `export {}` to module-looking input; a REPL line is a script.
  return out.outputText.replace(/^export \{\};\s*$/m, "");
}

// useGlobal: objects typed at the prompt must share this realm's Object.prototype, or pytree
// functions would see `{ a: 1 }` as a leaf.
const server = repl.start({ prompt: "gradus> ", useGlobal: true, preview: false });
Object.assign(globalThis, gradus);
const defaultEval = server.eval;
(server as unknown as { eval: typeof defaultEval }).eval = (cmd, context, file, cb) => {
  const js = stripTypes(cmd);
  if (js === null) return cb(new repl.Recoverable(new SyntaxError("incomplete input")), undefined);
  defaultEval.call(server, js, context, file, cb);
};
if (process.stdin.isTTY) {
  console.log(`gradus REPL on ${getBackend()}: np, lax, random, tree${"grad" in gradus ? ", grad, vmap, jit" : ""} are in scope. TypeScript and top-level await work.`);
}
