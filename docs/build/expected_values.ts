/**
 * The doctest convention: in a runnable snippet, a top-level expression statement followed
 * by a comment that is a plain value (`np.sum(x)   // 6`, `x.shape   // [2, 3]`,
 * `f(x)   // [1, 0.5403] float32`, optionally with a parenthetical remark after it) states what the expression evaluates to, and the test
 * checks it; a statement followed by `// SomeError: ...` (same or next line) must throw
 * that error. Any other comment is prose. This module parses those comments.
 */
import ts from "typescript";

/** What a comment says an expression evaluates to. */
export type Expectation =
  | { kind: "value"; value: unknown; dtype: string | null; text: string }
  | { kind: "throws"; error: string };

const DTYPES = new Set(["float32", "int32", "bool", "uint32"]);

/** Whether an expression is built only from literals (numbers, strings, arrays, objects). */
function isLiteral(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e)) return isLiteral(e.expression);
  if (ts.isNumericLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isIdentifier(e)) return e.text === "NaN" || e.text === "Infinity" || e.text === "undefined";
  if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken && isLiteral(e.operand);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every(isLiteral);
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) && isLiteral(p.initializer));
  }
  return false;
}

/** The value of a literal-only expression text, or undefined if the text is not one. */
export function parseLiteral(text: string): { value: unknown } | undefined {
  const sf = ts.createSourceFile("literal.ts", `(${text})`, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const [stmt] = sf.statements;
  if (sf.statements.length !== 1 || !stmt || !ts.isExpressionStatement(stmt) || !isLiteral(stmt.expression)) return undefined;
  if ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length) return undefined;
  return { value: new Function(`return (${text});`)() };
}

/**
 * Reads one comment's expectation: `// <literal> [dtype]` (optionally `// => <literal>`),
 * or `// ErrorName: ...` / `// throws ErrorName`.
 */
export function parseExpectation(comment: string): Expectation | undefined {
  const body = comment.replace(/^\/\/\s*/, "").replace(/^(=>|→)\s*/, "").trim();
  const thrown = /^(?:throws\s+)?([A-Z]\w*Error)\b(:|$|\s)/.exec(body);
  if (thrown && (body.startsWith("throws") || thrown[2] === ":")) return { kind: "throws", error: thrown[1]! };
  const words = body.split(/\s+/);
  const dtype = words.length > 1 && DTYPES.has(words.at(-1)!) ? words.at(-1)! : null;
  const text = dtype ? body.slice(0, body.lastIndexOf(dtype)).trim() : body;
  // A trailing parenthetical is commentary: `// 12 (d x³/dx)`, `// [1, 4] (jnp.sum(a, axis=0))`.
  const remarks = [...text.matchAll(/\s\(/g)].map((m) => text.slice(0, m.index).trim());
  for (const candidate of [text, ...remarks]) {
    const literal = candidate ? parseLiteral(candidate) : undefined;
    if (literal) return { kind: "value", value: literal.value, dtype, text: candidate };
  }
  return undefined;
}
