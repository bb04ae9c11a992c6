/**
 * What a prepared snippet calls at run time (in Node tests and in web pages alike):
 * `__expect` compares an expression's value with the doctest comment, `runSnippet` runs
 * the snippet with the names it may use unqualified. No gradus import here: arrays are
 * recognised by their `toArrayAsync` method, so this module also runs in the browser.
 */

/** What a doctest comment states (the serialisable part of expected_values.ts). */
export type RuntimeExpectation =
  | { kind: "value"; value: unknown; dtype: string | null; text: string }
  | { kind: "throws"; error: string };

type ArrayLikeValue = { toArrayAsync(): Promise<unknown>; dtype: string; shape: number[] };

const isArray = (v: unknown): v is ArrayLikeValue =>
  typeof v === "object" && v !== null && typeof (v as ArrayLikeValue).toArrayAsync === "function";

/** Arrays read to nested JS values, containers followed (like a pytree). */
export async function toPlain(v: unknown): Promise<unknown> {
  if (isArray(v)) return v.toArrayAsync();
  if (Array.isArray(v)) return Promise.all(v.map(toPlain));
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await toPlain(x)] as const));
    return Object.fromEntries(entries);
  }
  return v;
}

/** Decimal places a number literal shows (`0.5403` → 4, `5e-4` → 4, `12` → 0). */
function decimals(token: string): number {
  const [mantissa, exp = "0"] = token.toLowerCase().split("e");
  const frac = mantissa!.split(".")[1]?.length ?? 0;
  return Math.max(0, frac - Number(exp));
}

/**
 * The tolerance a printed value implies: half a unit in its last printed decimal place
 * (the finest place among its numbers), plus float32 rounding (1e-6 relative).
 */
export function printedTolerance(text: string): number {
  const places = (text.match(/-?\d+(\.\d+)?(e[-+]?\d+)?/gi) ?? []).map(decimals);
  const d = places.length ? Math.max(...places) : 0;
  return d > 0 ? 0.5 * 10 ** -d : 0;
}

/** The first difference between two plain values, or null if they agree. */
export function difference(actual: unknown, expected: unknown, atol: number, path = "value"): string | null {
  if (typeof expected === "number") {
    if (typeof actual !== "number") return `${path}: expected the number ${expected}, got ${JSON.stringify(actual)}`;
    if (Number.isNaN(expected)) return Number.isNaN(actual) ? null : `${path}: expected NaN, got ${actual}`;
    if (!Number.isFinite(expected)) return actual === expected ? null : `${path}: expected ${expected}, got ${actual}`;
    const tol = atol + 1e-6 * Math.abs(expected) + 1e-6;
    return Math.abs(actual - expected) <= tol ? null : `${path}: expected ${expected} (±${tol.toPrecision(2)}), got ${actual}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected length ${expected.length}, got ${actual.length} (${JSON.stringify(actual)})`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(actual[i], expected[i], atol, `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const ek = Object.keys(expected).sort(), ak = Object.keys(actual).sort();
    if (ek.join() !== ak.join()) return `${path}: expected keys ${ek.join(", ")}, got ${ak.join(", ")}`;
    for (const k of ek) {
      const d = difference((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], atol, `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Evaluates a checked expression and throws if it disagrees with its comment. */
export async function expectValue(thunk: () => Promise<unknown>, e: RuntimeExpectation, line: number): Promise<void> {
  if (e.kind === "throws") {
    let thrown: unknown = undefined, threw = false;
    try { await thunk(); } catch (err) { thrown = err; threw = true; }
    const name = (thrown as Error | undefined)?.name, ctor = (thrown as Error | undefined)?.constructor?.name;
    if (!threw) throw new Error(`line ${line}: expected ${e.error} to be thrown, but the statement returned normally`);
    if (name !== e.error && ctor !== e.error) throw new Error(`line ${line}: expected ${e.error}, got ${ctor ?? name}: ${(thrown as Error)?.message}`);
    return;
  }
  const value = await thunk();
  if (e.dtype !== null && (!isArray(value) || value.dtype !== e.dtype)) {
    throw new Error(`line ${line}: expected a ${e.dtype} array, got ${isArray(value) ? value.dtype : typeof value}`);
  }
  const d = difference(await toPlain(value), e.value, printedTolerance(e.text));
  if (d) throw new Error(`line ${line}: the comment says ${e.text}, but ${d}`);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(["switch", "default", "function", "delete", "new", "class", "import", "export", "in", "do", "if", "for", "var", "let", "const"]);

/** Everything a snippet may use: unqualified names, modules for `import`, and its console. */
export interface SnippetEnvironment {
  scope: Record<string, unknown>;
  importModule: (specifier: string) => Promise<unknown>;
  console: Pick<Console, "log" | "info" | "warn" | "error" | "table">;
  /** Replaces the doctest check (docs/build/show_values.ts prints values instead). */
  expect?: typeof expectValue;
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;

/** Runs a prepared snippet (see snippet.ts) in `env`. */
export async function runSnippet(js: string, env: SnippetEnvironment): Promise<void> {
  const names = Object.keys(env.scope).filter((n) => IDENTIFIER.test(n) && !RESERVED.has(n));
  const body = `"use strict";\nconst { ${names.join(", ")} } = __scope;\n{\n${js}\n}`;
  const fn = new AsyncFunction("__scope", "__import", "__expect", "console", body);
  await fn(env.scope, env.importModule, env.expect ?? expectValue, env.console);
}
